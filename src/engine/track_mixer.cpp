#include "engine/track_mixer.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tactus {

namespace {

std::size_t words_for(std::size_t bits) {
    return (bits + 63) / 64;
}

}  // namespace

TrackMixer::TrackMixer(double sample_rate) : sample_rate_for_strips_(sample_rate) {}

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
    if (controls.solo) ++soloed_;
    // An instrument that is never silent (MIDI out) counts its frames in every span: always rendered.
    if (!tracks_.back()->instrument->is_silent()) set_bit(sounding_, slot);
    return slot;
}

void TrackMixer::set_channels(std::vector<std::shared_ptr<TrackChannel>> channels) {
    tracks_ = std::move(channels);
    sounding_.assign(words_for(tracks_.size()), 0);
    metered_.assign(sounding_.size(), 0);
    built_here_ = false;
}

void TrackMixer::set_retiring(std::vector<std::shared_ptr<TrackChannel>> channels) {
    retiring_ = std::move(channels);
    retiring_by_address_.clear();
    for (std::size_t i = 0; i < retiring_.size(); ++i)
        retiring_by_address_.emplace_back(retiring_[i].get(), static_cast<std::uint32_t>(i));
    std::sort(retiring_by_address_.begin(), retiring_by_address_.end());
    retiring_sounding_.assign(words_for(retiring_.size()), 0);
}

long TrackMixer::retiring_index(const TrackChannel* channel) const {
    const auto it = std::lower_bound(retiring_by_address_.begin(), retiring_by_address_.end(),
                                     std::pair<const TrackChannel*, std::uint32_t>{channel, 0});
    return it != retiring_by_address_.end() && it->first == channel ? long(it->second) : -1;
}

void TrackMixer::take_over(const TrackMixer* previous) {
    const std::size_t old_count = previous ? previous->tracks_.size() : 0;
    if (!built_here_) {
        // Only slots whose channel changed can change the count; the others keep their flags.
        soloed_ = previous ? previous->soloed_ : 0;
        for (std::size_t slot = 0; slot < std::max(old_count, tracks_.size()); ++slot) {
            const TrackChannel* before = slot < old_count ? previous->tracks_[slot].get() : nullptr;
            TrackChannel* after = slot < tracks_.size() ? tracks_[slot].get() : nullptr;
            if (before == after) continue;
            if (before && before->controls.solo) --soloed_;
            if (!after) continue;
            if (after->controls.solo) ++soloed_;
            if (!after->instrument->is_silent()) set_bit(sounding_, slot);
        }
    }
    if (!previous) return;
    clock_ = previous->clock_;
    // Channels sounding there go on sounding here: in their slot, or among the retiring ones.
    const auto kept_in_slot = [this](const TrackChannel* c) {
        return c->slot < tracks_.size() && tracks_[c->slot].get() == c;
    };
    const auto carry = [&](const TrackChannel* c) {
        if (kept_in_slot(c))
            set_bit(sounding_, c->slot);
        else if (const long i = retiring_index(c); i >= 0)
            set_bit(retiring_sounding_, std::size_t(i));
    };
    for_each_bit(previous->sounding_, [&](std::size_t slot) { carry(previous->tracks_[slot].get()); });
    for_each_bit(previous->retiring_sounding_, [&](std::size_t i) { carry(previous->retiring_[i].get()); });
    // A peak not yet reported stays to be reset with the others.
    for_each_bit(previous->metered_, [&](std::size_t slot) {
        if (const TrackChannel* c = previous->tracks_[slot].get(); kept_in_slot(c))
            set_bit(metered_, c->slot);
    });
}

StripSettings TrackMixer::settings_for(const TrackChannel& channel) const {
    const TrackControls& c = channel.controls;
    return {c.level, c.pan, !c.mute && (soloed_ == 0 || c.solo)};
}

void TrackMixer::change_strip(std::size_t slot, TrackChannel& channel) {
    channel.strip.change(settings_for(channel));
    channel.strip_knows_solo = soloed_ > 0;
    set_bit(sounding_, slot);  // rendered until the ramp is over
}

void TrackMixer::settle_solo(TrackChannel& channel, bool ramp) {
    if (channel.strip_knows_solo == (soloed_ > 0)) return;
    if (ramp)
        channel.strip.change(settings_for(channel));
    else
        channel.strip.reset(settings_for(channel));
    channel.strip_knows_solo = soloed_ > 0;
}

void TrackMixer::start_rendering(std::size_t slot) {
    if (bit(sounding_, slot)) return;
    // Silent until now with a steady strip: it takes the solo state as it is, without a ramp.
    settle_solo(*tracks_[slot], false);
    set_bit(sounding_, slot);
}

Instrument* TrackMixer::instrument(std::size_t slot) {
    TrackChannel* c = channel(slot);
    if (!c) return nullptr;
    start_rendering(slot);
    catch_up(*c);  // the event lands on the instrument's clock as it is now
    return c->instrument.get();
}

void TrackMixer::catch_up(TrackChannel& channel) {
    if (channel.clock >= 0 && channel.clock < clock_)
        channel.instrument->skip_silence(clock_ - channel.clock);
    channel.clock = clock_;
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

void TrackMixer::reset_peaks() {
    for_each_bit(metered_, [this](std::size_t slot) { tracks_[slot]->peak = 0.0f; });
    std::fill(metered_.begin(), metered_.end(), 0);
}

bool TrackMixer::is_silent() const {
    if (compensation_ && !compensation_->is_silent()) return false;
    if (aux_ && !aux_->is_silent()) return false;
    bool silent = true;
    for_each_bit(sounding_,
                 [&](std::size_t slot) { silent = silent && tracks_[slot]->instrument->is_silent(); });
    for_each_bit(retiring_sounding_,
                 [&](std::size_t i) { silent = silent && retiring_[i]->instrument->is_silent(); });
    return silent;
}

std::size_t TrackMixer::rendered_channels() const {
    std::size_t n = 0;
    for (const std::uint64_t w : sounding_) n += static_cast<std::size_t>(std::popcount(w));
    for (const std::uint64_t w : retiring_sounding_) n += static_cast<std::size_t>(std::popcount(w));
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

float TrackMixer::render_channel(TrackChannel& channel, float* left, float* right, int frames) {
    // A solo change since it was last rendered: ramp while it sounds (a silent one jumps).
    settle_solo(channel, !channel.instrument->is_silent());
    // A silent instrument would add exact zeros: skip it (the strip's ramp state is per sample, so
    // advance it only when it is moving; a steady strip needs nothing).
    if (channel.instrument->is_silent() && channel.strip.is_steady()) return -1.0f;
    catch_up(channel);
    channel.instrument->render(scratch_left_.data(), scratch_right_.data(), frames);
    channel.clock = clock_ + frames;
    return channel.strip.mix_into(scratch_left_.data(), scratch_right_.data(), left, right, frames);
}

float TrackMixer::mix_channel(TrackChannel& channel, float* left, float* right, int frames) {
    const int latency = compensation_ ? channel.instrument->latency() : 0;
    if (latency <= 0) return render_channel(channel, left, right, frames);
    std::fill_n(latent_left_.data(), frames, 0.0f);
    std::fill_n(latent_right_.data(), frames, 0.0f);
    const float peak = render_channel(channel, latent_left_.data(), latent_right_.data(), frames);
    if (peak >= 0.0f) compensation_->add(latent_left_.data(), latent_right_.data(), frames, latency);
    return peak;
}

void TrackMixer::render_span(float* left, float* right, int frames) {
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    bool direct = false;  // a channel without latency (or the aux) was summed into left/right
    // Slot order, then retiring order, as when every channel was visited: the sum is the same.
    for_each_bit(sounding_, [&](std::size_t slot) {
        TrackChannel& c = *tracks_[slot];
        direct = direct || c.instrument->latency() <= 0;
        const float peak = mix_channel(c, left, right, frames);
        if (peak < 0.0f) {
            clear_bit(sounding_, slot);
        } else if (peak > c.peak) {
            c.peak = peak;
            set_bit(metered_, slot);
        }
    });
    for_each_bit(retiring_sounding_, [&](std::size_t i) {
        direct = direct || retiring_[i]->instrument->latency() <= 0;
        if (mix_channel(*retiring_[i], left, right, frames) < 0.0f) clear_bit(retiring_sounding_, i);
    });
    if (aux_ && !aux_->is_silent()) {
        direct = true;
        aux_->render(scratch_left_.data(), scratch_right_.data(), frames);
        for (int i = 0; i < frames; ++i) {
            left[i] += scratch_left_[i];
            right[i] += scratch_right_[i];
        }
    }
    // The channels without latency were summed in place; they enter the compensated mix together
    // (when there were none, left/right hold zeros, which would add nothing).
    if (compensation_) {
        if (direct) compensation_->add(left, right, frames, 0);
        compensation_->take(left, right, frames);
    }
    clock_ += frames;
}

}  // namespace tactus
