#include "engine/track_mixer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>

#include "core/realtime_scope.h"
#include "engine/bus_input.h"

namespace tactus {

namespace {

std::size_t words_for(std::size_t bits) {
    return (bits + 63) / 64;
}

}  // namespace

TrackMixer::TrackMixer(double sample_rate) : sample_rate_for_strips_(sample_rate) {
    events_.resize_slots(1);
}

template <class Fn>
void TrackMixer::for_each_bit(const Bits& bits, Fn&& fn) {
    for (std::size_t w = 0; w < bits.size(); ++w) {
        for (std::uint64_t word = bits[w]; word != 0; word &= word - 1)
            fn(w * 64 + static_cast<std::size_t>(std::countr_zero(word)));
    }
}

std::size_t TrackMixer::add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls) {
    const auto slot = static_cast<std::uint32_t>(tracks_.size());
    tracks_.push_back(
        std::make_shared<TrackChannel>(std::move(instrument), sample_rate_for_strips_, controls, slot));
    sounding_.resize(words_for(tracks_.size()));
    metered_.resize(sounding_.size());
    events_.resize_slots(tracks_.size() + 1);
    reserve_tasks();
    if (controls.solo) ++soloed_;
    // An instrument that is never silent (MIDI out) counts its frames in every span: always rendered.
    if (!tracks_.back()->instrument->is_silent()) set_bit(sounding_, slot);
    return slot;
}

void TrackMixer::set_channels(std::vector<std::shared_ptr<TrackChannel>> channels) {
    tracks_ = std::move(channels);
    sounding_.assign(words_for(tracks_.size()), 0);
    metered_.assign(sounding_.size(), 0);
    events_.resize_slots(tracks_.size() + 1);
    reserve_tasks();
    built_here_ = false;
}

void TrackMixer::set_retiring(std::vector<std::shared_ptr<TrackChannel>> channels) {
    retiring_ = std::move(channels);
    retiring_by_address_.clear();
    for (std::size_t i = 0; i < retiring_.size(); ++i)
        retiring_by_address_.emplace_back(retiring_[i].get(), static_cast<std::uint32_t>(i));
    std::sort(retiring_by_address_.begin(), retiring_by_address_.end());
    retiring_sounding_.assign(words_for(retiring_.size()), 0);
    reserve_tasks();
}

std::size_t TrackMixer::add_bus(std::unique_ptr<Instrument> input, const TrackControls& controls) {
    const auto slot = static_cast<std::uint32_t>(buses_.size());
    buses_.push_back(
        std::make_shared<TrackChannel>(std::move(input), sample_rate_for_strips_, controls, slot, true));
    bus_sounding_.resize(words_for(buses_.size()));
    reserve_tasks();
    bus_metered_.resize(bus_sounding_.size());
    if (controls.solo) ++soloed_buses_;
    return slot;
}

void TrackMixer::set_buses(std::vector<std::shared_ptr<TrackChannel>> buses) {
    buses_ = std::move(buses);
    bus_sounding_.assign(words_for(buses_.size()), 0);
    bus_metered_.assign(bus_sounding_.size(), 0);
    reserve_tasks();
    built_here_ = false;
}

void TrackMixer::set_sends(const std::vector<std::vector<SendSpec>>& per_slot) {
    sends_.clear();
    send_begin_.assign(1, 0);
    for (const auto& sends : per_slot) {
        for (const SendSpec& spec : sends) {
            SendRoute route;
            route.bus = spec.bus;
            route.pre_fader = spec.pre_fader;
            route.level = spec.level;
            route.gain.set_ramp_frames(
                static_cast<int>(std::lround(TrackStrip::kSmoothingSeconds * sample_rate_for_strips_)));
            route.gain.jump_to(spec.level);
            sends_.push_back(route);
        }
        send_begin_.push_back(static_cast<std::uint32_t>(sends_.size()));
    }
}

void TrackMixer::set_master_chain(std::shared_ptr<InsertChain> chain) {
    master_ = std::move(chain);
}

long TrackMixer::retiring_index(const TrackChannel* channel) const {
    const auto it = std::lower_bound(retiring_by_address_.begin(), retiring_by_address_.end(),
                                     std::pair<const TrackChannel*, std::uint32_t>{channel, 0});
    return it != retiring_by_address_.end() && it->first == channel ? long(it->second) : -1;
}

void TrackMixer::recount_solos(const std::vector<std::shared_ptr<TrackChannel>>* before,
                               const std::vector<std::shared_ptr<TrackChannel>>& after, std::size_t& soloed,
                               Bits& sounding) {
    const std::size_t old_count = before ? before->size() : 0;
    for (std::size_t slot = 0; slot < std::max(old_count, after.size()); ++slot) {
        const TrackChannel* was = slot < old_count ? (*before)[slot].get() : nullptr;
        TrackChannel* is = slot < after.size() ? after[slot].get() : nullptr;
        if (was == is) continue;
        if (was && was->controls.solo) --soloed;
        if (!is) continue;
        if (is->controls.solo) ++soloed;
        if (!is->instrument->is_silent()) set_bit(sounding, slot);
    }
}

void TrackMixer::take_over(const TrackMixer* previous) {
    if (!built_here_) {
        // Only slots whose channel changed can change the count; the others keep their flags.
        soloed_ = previous ? previous->soloed_ : 0;
        soloed_buses_ = previous ? previous->soloed_buses_ : 0;
        recount_solos(previous ? &previous->tracks_ : nullptr, tracks_, soloed_, sounding_);
        recount_solos(previous ? &previous->buses_ : nullptr, buses_, soloed_buses_, bus_sounding_);
    }
    take_over_sends(previous);
    align_buses();
    if (!previous) return;
    clock_ = previous->clock_;
    master_level_ = previous->master_level_;
    // Channels sounding there go on sounding here: in their slot, or among the retiring ones.
    const auto kept_in_slot = [this](const TrackChannel* c) {
        const auto& slots = c->bus ? buses_ : tracks_;
        return c->slot < slots.size() && slots[c->slot].get() == c;
    };
    const auto carry = [&](const TrackChannel* c) {
        if (kept_in_slot(c))
            set_bit(c->bus ? bus_sounding_ : sounding_, c->slot);
        else if (const long i = retiring_index(c); i >= 0)
            set_bit(retiring_sounding_, std::size_t(i));
    };
    for_each_bit(previous->sounding_, [&](std::size_t slot) { carry(previous->tracks_[slot].get()); });
    for_each_bit(previous->bus_sounding_, [&](std::size_t slot) { carry(previous->buses_[slot].get()); });
    for_each_bit(previous->retiring_sounding_, [&](std::size_t i) { carry(previous->retiring_[i].get()); });
    // A peak not yet reported stays to be reset with the others.
    for_each_bit(previous->metered_, [&](std::size_t slot) {
        if (const TrackChannel* c = previous->tracks_[slot].get(); kept_in_slot(c))
            set_bit(metered_, c->slot);
    });
    for_each_bit(previous->bus_metered_, [&](std::size_t slot) {
        if (const TrackChannel* c = previous->buses_[slot].get(); kept_in_slot(c))
            set_bit(bus_metered_, c->slot);
    });
}

// A send kept from the previous mixer goes on from its gain as it was (a level moved live, a ramp
// under way); a new one starts where its track's mute and solo put it.
void TrackMixer::take_over_sends(const TrackMixer* previous) {
    for (std::size_t slot = 0; slot + 1 < send_begin_.size() && slot < tracks_.size(); ++slot) {
        TrackChannel* c = tracks_[slot].get();
        if (!c) continue;
        const bool same_channel = previous && slot < previous->tracks_.size() &&
                                  previous->tracks_[slot].get() == c &&
                                  slot + 1 < previous->send_begin_.size();
        for (std::uint32_t i = send_begin_[slot]; i < send_begin_[slot + 1]; ++i) {
            SendRoute& route = sends_[i];
            const SendRoute* kept = nullptr;
            if (same_channel)
                for (std::uint32_t j = previous->send_begin_[slot]; j < previous->send_begin_[slot + 1];
                     ++j) {
                    const SendRoute& old = previous->sends_[j];
                    if (old.bus == route.bus && old.pre_fader == route.pre_fader) kept = &old;
                }
            if (kept) {
                const double level = route.level;
                route.gain = kept->gain;
                route.level = kept->level;
                route.automation = kept->automation;
                // A level the document gives anew (an edit of the sends) wins over the old one.
                if (level != kept->level) {
                    route.level = level;
                    route.gain.set_target(send_target(route, sends_audible(*c)));
                }
            } else {
                route.gain.jump_to(send_target(route, sends_audible(*c)));
            }
        }
    }
}

void TrackMixer::align_buses() {
    for (const auto& b : buses_)
        if (b) static_cast<BusInput&>(*b->instrument).set_alignment(0);
    for (std::size_t slot = 0; slot + 1 < send_begin_.size() && slot < tracks_.size(); ++slot) {
        if (!tracks_[slot]) continue;
        const int latency = tracks_[slot]->instrument->latency();
        for (std::uint32_t i = send_begin_[slot]; i < send_begin_[slot + 1]; ++i) {
            TrackChannel* b = bus_channel(sends_[i].bus);
            if (!b) continue;
            auto& input = static_cast<BusInput&>(*b->instrument);
            input.set_alignment(std::max(input.alignment(), latency));
        }
    }
}

int TrackMixer::latency() const {
    int latest = 0;
    for (const auto* channels : {&tracks_, &buses_})
        for (const auto& c : *channels)
            if (c) latest = std::max(latest, c->instrument->latency());
    return latest + (master_ ? master_->latency() : 0);
}

StripSettings TrackMixer::settings_for(const TrackChannel& channel) const {
    const TrackControls& c = channel.controls;
    const bool heard = channel.bus ? soloed_buses_ == 0 : soloed_ == 0 && soloed_buses_ == 0;
    return {c.level, c.pan, !c.mute && (c.solo || heard)};
}

bool TrackMixer::sends_audible(const TrackChannel& channel) const {
    return !channel.controls.mute && (channel.controls.solo || soloed_ == 0);
}

void TrackMixer::retarget(TrackChannel& channel, long slot, bool ramp) {
    const StripSettings settings = settings_for(channel);
    const StripSettings for_sends{channel.controls.level, channel.controls.pan, sends_audible(channel)};
    if (ramp) {
        channel.strip.change(settings);
        channel.send_fader.change(for_sends);
    } else {
        channel.strip.reset(settings);
        channel.send_fader.reset(for_sends);
    }
    if (slot >= 0 && std::size_t(slot) + 1 < send_begin_.size())
        for (std::uint32_t i = send_begin_[std::size_t(slot)]; i < send_begin_[std::size_t(slot) + 1]; ++i) {
            SendRoute& route = sends_[i];
            const double target = send_target(route, for_sends.audible);
            ramp ? route.gain.set_target(target) : route.gain.jump_to(target);
        }
    channel.solo_view = solo_view();
}

void TrackMixer::change_strip(std::size_t slot, TrackChannel& channel) {
    retarget(channel, channel.bus ? -1 : long(slot), true);
    set_bit(channel.bus ? bus_sounding_ : sounding_, slot);  // rendered until the ramp is over
}

void TrackMixer::settle_solo(TrackChannel& channel, long slot, bool ramp) {
    if (channel.solo_view != solo_view()) retarget(channel, slot, ramp);
}

void TrackMixer::start_rendering(std::size_t slot) {
    if (bit(sounding_, slot)) return;
    // Silent until now with a steady strip: it takes the solo state as it is, without a ramp.
    settle_solo(*tracks_[slot], long(slot), false);
    set_bit(sounding_, slot);
}

void TrackMixer::start_rendering_bus(std::size_t slot, int from) {
    if (bit(bus_sounding_, slot)) return;
    settle_solo(*buses_[slot], -1, false);
    set_bit(bus_sounding_, slot);
    buses_[slot]->start_offset = from;
}

Instrument* TrackMixer::instrument(std::size_t slot) {
    TrackChannel* c = channel(slot);
    if (!c) return nullptr;
    start_rendering(slot);
    catch_up(*c);  // the event lands on the instrument's clock as it is now
    return c->instrument.get();
}

InsertChain* TrackMixer::insert_chain(InsertOwner owner, std::size_t slot) {
    if (owner == InsertOwner::Master) return master_.get();
    if (owner == InsertOwner::Track) {
        Instrument* i = instrument(slot);
        return i ? i->inserts() : nullptr;
    }
    TrackChannel* c = bus_channel(slot);
    if (!c) return nullptr;
    start_rendering_bus(slot);
    catch_up(*c);
    return c->instrument->inserts();
}

void TrackMixer::catch_up_to(TrackChannel& channel, std::int64_t frame) {
    if (channel.clock >= 0 && channel.clock < frame) channel.instrument->skip_silence(frame - channel.clock);
    channel.clock = frame;
}

bool TrackMixer::queue(std::size_t slot, const ChannelEvent& e) {
    if (!channel(slot)) return true;  // an empty slot plays nothing
    if (!events_.push(slot, e)) return false;
    start_rendering(slot);
    return true;
}

bool TrackMixer::queue_aux(const ChannelEvent& e) {
    return events_.push(aux_list(), e);
}

void TrackMixer::apply_queued() {
    for (std::size_t slot = 0; slot < aux_list(); ++slot) {
        for (; events_.has(slot); events_.pop(slot)) {
            const ChannelEvent* e = events_.next_before(slot, INT64_MAX);
            if (Instrument* i = instrument(slot)) apply_channel_event(*i, *e);
        }
    }
    const std::size_t aux = aux_list();
    for (; events_.has(aux); events_.pop(aux))
        if (aux_) apply_channel_event(*aux_, *events_.next_before(aux, INT64_MAX));
    events_.taken_up_to(INT64_MAX);
}

void TrackMixer::set_level(std::size_t track, double level) {
    if (TrackChannel* c = channel(track)) {
        c->controls.level = level;
        change_strip(track, *c);
    }
}

void TrackMixer::set_pan(std::size_t track, double pan) {
    if (TrackChannel* c = channel(track)) {
        c->controls.pan = pan;
        change_strip(track, *c);
    }
}

void TrackMixer::set_mute(std::size_t track, bool mute) {
    if (TrackChannel* c = channel(track)) {
        c->controls.mute = mute;
        change_strip(track, *c);
    }
}

void TrackMixer::set_solo(std::size_t track, bool solo) {
    TrackChannel* c = channel(track);
    if (!c) return;
    if (c->controls.solo != solo) solo ? ++soloed_ : --soloed_;
    c->controls.solo = solo;
    // The other tracks follow when they are next rendered (settle_solo): no walk over every track.
    change_strip(track, *c);
}

void TrackMixer::set_bus_level(std::size_t bus, double level) {
    if (TrackChannel* c = bus_channel(bus)) {
        c->controls.level = level;
        change_strip(bus, *c);
    }
}

void TrackMixer::set_bus_pan(std::size_t bus, double pan) {
    if (TrackChannel* c = bus_channel(bus)) {
        c->controls.pan = pan;
        change_strip(bus, *c);
    }
}

void TrackMixer::set_bus_mute(std::size_t bus, bool mute) {
    if (TrackChannel* c = bus_channel(bus)) {
        c->controls.mute = mute;
        change_strip(bus, *c);
    }
}

void TrackMixer::set_bus_solo(std::size_t bus, bool solo) {
    TrackChannel* c = bus_channel(bus);
    if (!c) return;
    if (c->controls.solo != solo) solo ? ++soloed_buses_ : --soloed_buses_;
    c->controls.solo = solo;
    change_strip(bus, *c);
}

void TrackMixer::set_send_level(std::size_t track, std::size_t bus, double level) {
    TrackChannel* c = channel(track);
    if (!c || track + 1 >= send_begin_.size()) return;
    for (std::uint32_t i = send_begin_[track]; i < send_begin_[track + 1]; ++i) {
        SendRoute& route = sends_[i];
        if (route.bus != bus) continue;
        route.level = level;
        route.gain.set_target(send_target(route, sends_audible(*c)));
        set_bit(sounding_, track);  // rendered until the ramp is over
    }
}

TrackMixer::SendRoute* TrackMixer::send_route(std::size_t track, std::uint32_t bus) {
    if (!channel(track) || track + 1 >= send_begin_.size()) return nullptr;
    for (std::uint32_t i = send_begin_[track]; i < send_begin_[track + 1]; ++i)
        if (sends_[i].bus == bus) return &sends_[i];
    return nullptr;
}

// A control that starts (or stops) following automation changes its setting's part of the gains: at
// once when the channel is not sounding, else ramped, as a setting's change (rendered until it is over).
void TrackMixer::automate(const AutomatedControlRef& control, const AutomationCurve& curve) {
    if (control.control == AutomatedControl::MasterLevel) {
        master_level_.set(curve, clock_);
        return;
    }
    if (control.control == AutomatedControl::SendLevel) {
        SendRoute* route = send_route(control.slot, control.send_bus);
        if (!route) return;
        const bool starts = !route->automation.latest().active();
        route->automation.set(curve, clock_);
        if (!starts) return;
        const bool audible = sends_audible(*channel(control.slot));
        if (bit(sounding_, control.slot)) {
            route->gain.set_target(send_target(*route, audible));
        } else {
            route->gain.jump_to(send_target(*route, audible));
        }
        return;
    }
    TrackChannel* c = control.bus ? bus_channel(control.slot) : channel(control.slot);
    if (!c) return;
    const bool jump = !bit(control.bus ? bus_sounding_ : sounding_, control.slot);
    for (TrackStrip* strip : {&c->strip, &c->send_fader}) {
        if (control.control == AutomatedControl::Level)
            strip->automate_level(curve, jump, clock_);
        else
            strip->automate_pan(curve, jump, clock_);
    }
}

void TrackMixer::release_automation(const AutomatedControlRef& control) {
    if (control.control == AutomatedControl::MasterLevel) {
        master_level_.set(AutomationCurve(), clock_);
        return;
    }
    if (control.control == AutomatedControl::SendLevel) {
        SendRoute* route = send_route(control.slot, control.send_bus);
        if (!route || !route->automation.latest().active()) return;
        route->automation.set(AutomationCurve(), clock_);
        route->gain.set_target(send_target(*route, sends_audible(*channel(control.slot))));
        set_bit(sounding_, control.slot);
        return;
    }
    TrackChannel* c = control.bus ? bus_channel(control.slot) : channel(control.slot);
    if (!c) return;
    const bool jump = !bit(control.bus ? bus_sounding_ : sounding_, control.slot);
    for (TrackStrip* strip : {&c->strip, &c->send_fader}) {
        if (control.control == AutomatedControl::Level)
            strip->release_level(jump, clock_);
        else
            strip->release_pan(jump, clock_);
    }
}

void TrackMixer::reset_peaks() {
    for_each_bit(metered_, [this](std::size_t slot) { tracks_[slot]->peak = 0.0f; });
    std::fill(metered_.begin(), metered_.end(), 0);
    for_each_bit(bus_metered_, [this](std::size_t slot) { buses_[slot]->peak = 0.0f; });
    std::fill(bus_metered_.begin(), bus_metered_.end(), 0);
}

bool TrackMixer::is_silent() const {
    if (compensation_ && !compensation_->is_silent()) return false;
    if (master_ && !master_->is_quiet()) return false;
    if (aux_ && !aux_->is_silent()) return false;
    bool silent = true;
    for_each_bit(sounding_,
                 [&](std::size_t slot) { silent = silent && tracks_[slot]->instrument->is_silent(); });
    for_each_bit(retiring_sounding_,
                 [&](std::size_t i) { silent = silent && retiring_[i]->instrument->is_silent(); });
    for_each_bit(bus_sounding_,
                 [&](std::size_t slot) { silent = silent && buses_[slot]->instrument->is_silent(); });
    return silent;
}

std::size_t TrackMixer::rendered_channels() const {
    std::size_t n = 0;
    for (const std::uint64_t w : sounding_) n += static_cast<std::size_t>(std::popcount(w));
    for (const std::uint64_t w : retiring_sounding_) n += static_cast<std::size_t>(std::popcount(w));
    for (const std::uint64_t w : bus_sounding_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
}

void TrackMixer::render(float* left, float* right, int frames) {
    while (frames > 0) {
        const int span = std::min(frames, kMaxRenderFrames);
        render_span(left, right, span);
        left += span;
        right += span;
        frames -= span;
    }
}

bool TrackMixer::sends_steady(std::size_t slot) const {
    if (slot + 1 >= send_begin_.size()) return true;
    for (std::uint32_t i = send_begin_[slot]; i < send_begin_[slot + 1]; ++i)
        if (!sends_[i].gain.is_steady()) return false;
    return true;
}

void TrackMixer::render_instrument(TrackChannel& channel, long slot, int frames) {
    bool silent = channel.instrument->is_silent();
    // A solo change since it was last rendered: ramp while it sounds (a silent one jumps).
    settle_solo(channel, slot, !silent);
    // A silent instrument would add exact zeros: skip it (the gains' ramps are per sample, so advance
    // them only when they move; steady ones need nothing).
    const bool steady = channel.strip.is_steady() && channel.send_fader.is_steady() &&
                        (slot < 0 || sends_steady(std::size_t(slot)));
    const std::int64_t end = clock_ + frames;
    const bool has_events = slot >= 0 && events_.next_before(std::size_t(slot), end) != nullptr;
    channel.rendered = has_events || !silent || !steady;
    channel.first_rendered = frames;
    if (!channel.rendered) return;
    // A bus that started sounding in this span (its first send) renders from there.
    int at = 0;
    if (channel.start_offset > 0) {
        // (Its clock starts with the span, so what its catch-up skips reaches the sends already added.)
        if (channel.clock < 0) channel.clock = clock_;
        render_part(channel, 0, channel.start_offset, true);
        at = channel.start_offset;
        channel.start_offset = 0;
    }
    const auto render = [&](int from, int to) { render_part(channel, from, to, silent && steady); };
    if (slot < 0) {
        render(at, frames);
        return;
    }
    play_events(std::size_t(slot), at, frames, render, [&](const ChannelEvent& e, int offset) {
        catch_up_to(channel, clock_ + offset);  // the event lands on the instrument's clock as it is now
        apply_channel_event(*channel.instrument, e);
        silent = channel.instrument->is_silent();
    });
}

template <class Render, class Apply>
void TrackMixer::play_events(std::size_t list, int at, int frames, Render&& render, Apply&& apply) {
    const std::int64_t end = clock_ + frames;
    for (const ChannelEvent* e = events_.next_before(list, end); e; e = events_.next_before(list, end)) {
        const int offset = static_cast<int>(std::max<std::int64_t>(e->frame - clock_, at));
        render(at, offset);
        at = offset;
        apply(*e, offset);
        events_.pop(list);
    }
    render(at, frames);
}

void TrackMixer::render_part(TrackChannel& channel, int from, int to, bool skip) {
    if (to <= from) return;
    if (skip) {
        std::fill(channel.out_left.begin() + from, channel.out_left.begin() + to, 0.0f);
        std::fill(channel.out_right.begin() + from, channel.out_right.begin() + to, 0.0f);
        return;
    }
    catch_up_to(channel, clock_ + from);
    channel.first_rendered = std::min(channel.first_rendered, from);
    channel.instrument->render(channel.out_left.data() + from, channel.out_right.data() + from, to - from);
    channel.clock = clock_ + to;
}

float TrackMixer::add_rendered(TrackChannel& channel, float* left, float* right, int frames, long slot) {
    if (!channel.rendered) return -1.0f;
    // The instrument's output now was made for its latency ago: the curves of that frame apply.
    const std::int64_t made_for = clock_ - channel.instrument->latency();
    const float peak = channel.strip.mix_into(channel.out_left.data(), channel.out_right.data(), left, right,
                                              frames, made_for);
    if (slot >= 0 && std::size_t(slot) + 1 < send_begin_.size() &&
        send_begin_[std::size_t(slot)] != send_begin_[std::size_t(slot) + 1])
        send(channel, std::size_t(slot), frames);
    return peak;
}

void TrackMixer::send(TrackChannel& channel, std::size_t slot, int frames) {
    const int latency = channel.instrument->latency();
    bool post_made = false;
    for (std::uint32_t i = send_begin_[slot]; i < send_begin_[slot + 1]; ++i) {
        SendRoute& route = sends_[i];
        TrackChannel* bus = bus_channel(route.bus);
        if (!bus) continue;
        const float* from_left = channel.out_left.data();
        const float* from_right = channel.out_right.data();
        if (!route.pre_fader) {
            // Level and pan once for every post-fader send of the track.
            if (!post_made) {
                std::fill_n(post_left_.data(), frames, 0.0f);
                std::fill_n(post_right_.data(), frames, 0.0f);
                channel.send_fader.mix_into(channel.out_left.data(), channel.out_right.data(),
                                            post_left_.data(), post_right_.data(), frames, clock_ - latency);
                post_made = true;
            }
            from_left = post_left_.data();
            from_right = post_right_.data();
        }
        CurveHistory& automation = route.automation;
        const std::int64_t made_for = clock_ - latency;
        automation.forget_before(made_for);
        const auto automated = [&](std::int64_t frame) {
            const AutomationCurve& curve = automation.at(frame);
            return curve.active() ? curve.value_at(frame) : 1.0;
        };
        if (route.gain.is_steady() && !automation.changes_in(made_for, frames)) {
            const double level = route.gain.value() * automated(made_for);
            if (level == 0.0) continue;  // a silenced send adds nothing
            const float g = static_cast<float>(level);
            for (int f = 0; f < frames; ++f) {
                send_left_[std::size_t(f)] = from_left[f] * g;
                send_right_[std::size_t(f)] = from_right[f] * g;
            }
        } else {
            for (int f = 0; f < frames; ++f) {
                const double level = route.gain.next() * automated(made_for + f);
                const float g = static_cast<float>(level);
                send_left_[std::size_t(f)] = from_left[f] * g;
                send_right_[std::size_t(f)] = from_right[f] * g;
            }
        }
        // A bus that was silent starts where its first sender started sounding in the span (the grid of
        // its inserts starts there, wherever the spans fall).
        start_rendering_bus(route.bus, channel.first_rendered);
        static_cast<BusInput&>(*bus->instrument).add(send_left_.data(), send_right_.data(), frames, latency);
    }
}

float TrackMixer::mix_channel(TrackChannel& channel, float* left, float* right, int frames, long slot) {
    const int latency = compensation_ ? channel.instrument->latency() : 0;
    if (latency <= 0) return add_rendered(channel, left, right, frames, slot);
    std::fill_n(latent_left_.data(), frames, 0.0f);
    std::fill_n(latent_right_.data(), frames, 0.0f);
    const float peak = add_rendered(channel, latent_left_.data(), latent_right_.data(), frames, slot);
    if (peak >= 0.0f)
        compensation_->add(latent_left_.data(), latent_right_.data(), frames, latency + master_latency());
    return peak;
}

void TrackMixer::render_span(float* left, float* right, int frames) {
    // Every channel's instrument first, each into its own buffers (on the team's threads)...
    tasks_.clear();
    const auto take = [&](TrackChannel& c, long slot) {
        if (team_ && !c.instrument->shares_output())
            tasks_.push_back({&c, slot});
        else
            render_instrument(c, slot, frames);
    };
    for_each_bit(sounding_, [&](std::size_t slot) { take(*tracks_[slot], long(slot)); });
    for_each_bit(retiring_sounding_, [&](std::size_t i) { take(*retiring_[i], -1); });
    render_tasks(frames);
    // ...then the mix: slot order, then retiring order, then the buses, as when every channel was
    // visited, so the sum is the same.
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    bool direct = false;  // a channel without latency (or the aux) was summed into left/right
    for_each_bit(sounding_, [&](std::size_t slot) {
        TrackChannel& c = *tracks_[slot];
        direct = direct || c.instrument->latency() <= 0;
        const float peak = mix_channel(c, left, right, frames, long(slot));
        if (peak < 0.0f) {
            if (!events_.has(slot)) clear_bit(sounding_, slot);  // (events later in the render: it stays)
        } else if (peak > c.peak) {
            c.peak = peak;
            set_bit(metered_, slot);
        }
    });
    for_each_bit(retiring_sounding_, [&](std::size_t i) {
        direct = direct || retiring_[i]->instrument->latency() <= 0;
        if (mix_channel(*retiring_[i], left, right, frames) < 0.0f) clear_bit(retiring_sounding_, i);
    });
    // ...then the buses, whose inputs (the tracks' sends) are all in now: their insert chains at once
    // on the team, then their mix in slot order.
    tasks_.clear();
    for_each_bit(bus_sounding_, [&](std::size_t slot) { tasks_.push_back({buses_[slot].get(), -1}); });
    render_tasks(frames);
    for_each_bit(bus_sounding_, [&](std::size_t slot) {
        TrackChannel& c = *buses_[slot];
        direct = direct || c.instrument->latency() <= 0;
        const float peak = mix_channel(c, left, right, frames);
        if (peak < 0.0f) {
            clear_bit(bus_sounding_, slot);
        } else if (peak > c.peak) {
            c.peak = peak;
            set_bit(bus_metered_, slot);
        }
    });
    if (render_aux(left, right, frames)) direct = true;
    // The channels without latency were summed in place; they enter the compensated mix together
    // (when there were none, left/right hold zeros, which would add nothing).
    const bool silent_out =
        compensation_ ? compensation_->add_and_take(left, right, frames, master_latency(), direct) : !direct;
    if (master_) {
        // A quiet chain given silence moves its grid on without running its plugins, as a track's does.
        if (silent_out && master_->is_quiet())
            master_->skip(frames);
        else
            master_->process(left, right, frames);
    }
    if (!master_level_.empty()) apply_master_level(left, right, frames);
    clock_ += frames;
    events_.taken_up_to(clock_);
}

void TrackMixer::apply_master_level(float* left, float* right, int frames) {
    // What comes out now was mixed the lookahead ago: the curve set for that frame applies.
    const std::int64_t at = clock_ - (compensation_ ? compensation_->lookahead() : 0);
    master_level_.forget_before(at);
    const auto gain = [&](std::int64_t frame) {
        const AutomationCurve& curve = master_level_.at(frame);
        return curve.active() ? curve.value_at(frame) : 1.0;
    };
    if (!master_level_.changes_in(at, frames)) {
        const auto g = static_cast<float>(gain(at));
        if (g == 1.0f) return;
        for (int i = 0; i < frames; ++i) left[i] *= g, right[i] *= g;
        return;
    }
    for (int i = 0; i < frames; ++i) {
        const auto g = static_cast<float>(gain(at + i));
        left[i] *= g;
        right[i] *= g;
    }
}

void TrackMixer::render_tasks(int frames) {
    if (!team_ || tasks_.size() == 1) {
        for (const RenderTask& t : tasks_) render_instrument(*t.channel, t.slot, frames);  // in order
    } else if (!tasks_.empty()) {
        const bool realtime = in_realtime_scope();
        auto task = [&](std::size_t i) {
            std::optional<RealtimeScope> rules;  // a helper thread keeps the audio thread's rules
            if (realtime) rules.emplace();
            render_instrument(*tasks_[i].channel, tasks_[i].slot, frames);
        };
        team_->run(tasks_.size(), task);
    }
}

bool TrackMixer::render_aux(float* left, float* right, int frames) {
    const std::size_t list = aux_list();
    const std::int64_t end = clock_ + frames;
    if (!aux_) {
        while (events_.next_before(list, end)) events_.pop(list);
        return false;
    }
    if (aux_->is_silent() && !events_.next_before(list, end)) return false;
    play_events(
        list, 0, frames,
        [&](int from, int to) {
            if (to > from) aux_->render(scratch_left_.data() + from, scratch_right_.data() + from, to - from);
        },
        [&](const ChannelEvent& e, int) { apply_channel_event(*aux_, e); });
    for (int i = 0; i < frames; ++i) {
        left[i] += scratch_left_[i];
        right[i] += scratch_right_[i];
    }
    return true;
}

}  // namespace tactus
