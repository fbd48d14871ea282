// The tracks' instruments and channel strips, their sends to effect buses, the buses, and the master
// insert chain: the whole mix, into the stereo master.
// Built off the audio thread (constructor, add_track, add_bus, set_channels, set_buses, set_sends,
// set_retiring, set_master_chain allocate); render(), take_over() and the setters are audio-thread-safe.
//
// Buses: a bus is a channel too (engine/bus_input.h: it plays the sum of its sends through its inserts),
// in a slot of its own, rendered after every track in the same span. A track's send takes its
// instrument's output (after the track's inserts), pre-fader (silenced by mute and solo) or post-fader
// (after level and pan too), scaled by the send's level. Solo: soloing tracks silences the others and
// their sends (the buses play on: a soloed track keeps its reverb); soloing buses silences the other
// buses and every unsoloed track's own output, while the tracks' sends go on feeding the soloed bus.
//
// Latency: every path to the master (a track: its instrument and inserts; a bus: the latest of its
// senders, then its inserts) enters the compensated mix with its own latency plus the master chain's,
// so tracks and buses come out sample-aligned, on the frame the score meant, the master chain included.
//
// Each track is a channel in a slot that stays its own while the document is edited: a mixer for an
// edited track list shares the channels of the tracks that stay (their voices and strip state go on
// sounding across the switch) and has fresh ones for new tracks; a removed track's slot is empty.
//
// Cost with many tracks: a mixer change (level, pan, mute, solo) is O(1): solo is a count of soloed
// tracks, and a track's strip takes a change of "is any track soloed" when it is next rendered (a
// silent track at once, without a ramp, when it next plays). Rendering visits only the sounding
// channels, found through a bitmap of slots (one bit per track, in slot order so the mix sums in
// the same order whatever played before); a channel leaves it the span it falls silent with a
// steady strip. add_track is O(1); take_over() at a program switch compares the slot tables (no
// channel is visited unless its slot changed).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "engine/automation_lanes.h"
#include "engine/channel_events.h"
#include "engine/compensated_mix.h"
#include "engine/engine_command.h"
#include "engine/instrument.h"
#include "engine/lockfree/fork_join_team.h"
#include "engine/lv2/insert_chain.h"
#include "engine/smoothed_gain.h"
#include "engine/track_strip.h"

namespace tactus {

// A track's mixer controls as the user sets them (solo resolution happens in the mixer).
struct TrackControls {
    double level = 1.0;
    double pan = 0.0;
    bool mute = false;
    bool solo = false;
};

// One track's instrument and strip. Built off the audio thread (its strip set as if no track were
// soloed), then shared between the mixers of successive programs and touched only by the audio
// thread once published.
struct TrackChannel {
    TrackChannel(std::unique_ptr<Instrument> played_by, double sample_rate, const TrackControls& initial,
                 std::uint32_t in_slot, bool is_bus = false)
        : instrument(std::move(played_by)),
          strip(sample_rate),
          send_fader(sample_rate),
          controls(initial),
          slot(in_slot),
          bus(is_bus),
          out_left(kMaxRenderFrames),
          out_right(kMaxRenderFrames) {
        strip.reset({initial.level, initial.pan, !initial.mute});
        send_fader.reset({initial.level, initial.pan, !initial.mute});
    }
    std::unique_ptr<Instrument> instrument;  // a bus's: a BusInput
    TrackStrip strip;
    TrackStrip send_fader;  // level and pan for post-fader sends (silenced by mute and track solo only)
    TrackControls controls;
    std::uint32_t slot;  // the mixer slot it was made for (among the buses for a bus); it never moves
    bool bus;
    std::uint8_t solo_view = 0;  // the solo state (TrackMixer::solo_view) its strip's target was set with
    float peak = 0.0f;
    // The mixer frame its instrument has been rendered (or told it skipped) up to; -1: never rendered.
    std::int64_t clock = -1;
    // Its instrument's output for the span being mixed, and whether it rendered one (false: silent
    // with steady gains, it leaves the sounding set).
    std::vector<float> out_left, out_right;
    bool rendered = false;
    int first_rendered = 0;  // the first frame of the span its instrument rendered (before: zeros)
    int start_offset = 0;    // a bus that starts sounding in this span: the frame it starts on
};

// A track's send as the mixer plays it: to the bus in slot `bus`.
struct SendSpec {
    std::uint32_t bus = 0;
    double level = 1.0;
    bool pre_fader = false;
};

class TrackMixer {
public:
    explicit TrackMixer(double sample_rate);

    // Off the audio thread, before rendering starts. Returns the slot. O(1).
    std::size_t add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls);
    // Off the audio thread: the channels a new mixer shares (nullptr: an empty slot). The audio thread
    // calls take_over() when it switches to this mixer.
    void set_channels(std::vector<std::shared_ptr<TrackChannel>> channels);
    const std::vector<std::shared_ptr<TrackChannel>>& channels() const { return tracks_; }
    // The same for buses (each channel's instrument a BusInput, made with is_bus).
    std::size_t add_bus(std::unique_ptr<Instrument> input, const TrackControls& controls);
    void set_buses(std::vector<std::shared_ptr<TrackChannel>> buses);
    const std::vector<std::shared_ptr<TrackChannel>>& buses() const { return buses_; }
    // Off the audio thread: every track slot's sends (indexed like the slots; a send to a bus slot that
    // is empty is ignored). A send kept from the previous mixer (same track channel, bus slot and
    // fader point) keeps its gain's state at take_over(); a new one starts at its level.
    void set_sends(const std::vector<std::vector<SendSpec>>& per_slot);
    // Off the audio thread: the master insert chain (nullptr: none), kept across mixers by its owner.
    void set_master_chain(std::shared_ptr<InsertChain> chain);
    InsertChain* master_chain() const { return master_.get(); }
    const std::shared_ptr<InsertChain>& master_chain_shared() const { return master_; }
    // Off the audio thread: channels no longer in any slot (a removed track, a replaced instrument)
    // that are still rendered, unmetered, so their released notes fade out instead of stopping dead.
    void set_retiring(std::vector<std::shared_ptr<TrackChannel>> channels);
    // Audio thread, on switching from `previous` (nullptr: none) to this mixer: counts the soloed
    // tracks (from previous's count and the slots whose channel differs) and keeps rendering the
    // channels that were sounding there. O(slots) pointer comparisons plus O(sounding channels).
    void take_over(const TrackMixer* previous);

    // Number of slots (including empty ones).
    std::size_t track_count() const { return tracks_.size(); }
    bool has_channel(std::size_t slot) const { return slot < tracks_.size() && tracks_[slot] != nullptr; }
    // Audio thread: the instrument in `slot`, to send it an event (it is rendered from now on), or
    // nullptr for an empty or unknown slot.
    Instrument* instrument(std::size_t slot);
    // Audio thread: the insert chain of a track's or bus's slot, or the master's; nullptr for none.
    // A track's instrument is told it plays (as instrument() does): the change is rendered.
    InsertChain* insert_chain(InsertOwner owner, std::size_t slot);
    // Audio thread: the bus in `slot` (its inserts through Instrument::inserts()), or nullptr.
    Instrument* bus(std::size_t slot) {
        return slot < buses_.size() && buses_[slot] ? buses_[slot]->instrument.get() : nullptr;
    }
    // Live strip changes (audio thread), smoothed; solo on any track silences the unsoloed ones. O(1).
    void set_level(std::size_t track, double level);
    void set_pan(std::size_t track, double pan);
    void set_mute(std::size_t track, bool mute);
    void set_solo(std::size_t track, bool solo);
    // The same for the bus in a bus slot.
    void set_bus_level(std::size_t bus, double level);
    void set_bus_pan(std::size_t bus, double pan);
    void set_bus_mute(std::size_t bus, bool mute);
    void set_bus_solo(std::size_t bus, bool solo);
    // The level of the track's send to the bus in `bus` (smoothed; no such send: ignored). O(its sends).
    void set_send_level(std::size_t track, std::size_t bus, double level);
    // Automation (audio thread): the control follows `curve` (on mixer frames) instead of its setting,
    // until the next call or release_automation(). A track's level and pan move its post-fader sends
    // too. The master's level is a gain after the master chain, on the frames the mix comes out for
    // (the compensated mix's output lags its input by the lookahead). A control that does not exist here (an
    // empty slot, a send the track does not have) is ignored. O(1), a send O(the track's sends).
    void automate(const AutomatedControlRef& control, const AutomationCurve& curve);
    void release_automation(const AutomatedControlRef& control);
    // How many tracks (buses) are soloed now.
    std::size_t soloed_tracks() const { return soloed_; }
    std::size_t soloed_buses() const { return soloed_buses_; }
    // The latest path to the master, in frames: what an offline render's lookahead must cover. Buses'
    // alignment is known after take_over() (or, for a mixer built by add_track/add_bus, align_buses()).
    int latency() const;
    // Sets every bus's alignment from its senders' latency (take_over() does it).
    void align_buses();

    // Audio thread: plays `e` on the instrument in `slot` on its frame (e.frame, a mixer frame at or
    // after clock(), before the end of the next render()), which renders up to it and goes on from
    // there; events of one slot apply in the order queued. False when the queue is full (nothing
    // queued): render up to the event's frame, apply_queued(), then play it directly.
    bool queue(std::size_t slot, const ChannelEvent& e);
    // The same for the aux instrument (the metronome).
    bool queue_aux(const ChannelEvent& e);
    // Audio thread: plays every queued event now, in each channel's order (they must all be on the
    // current frame).
    void apply_queued();
    // The mixer frame render() writes next.
    std::int64_t clock() const { return clock_; }

    // Off the audio thread: the team that renders the channels' instruments at once (nullptr: the
    // rendering thread alone). The instruments of a span render in parallel, each into its own
    // buffers; the mix then sums them in slot order on the rendering thread, so the output is the
    // same to the bit with any number of threads. Channels whose instrument shares_output() render on
    // the rendering thread. The team must outlive its use; render() waits for it each span.
    void set_team(ForkJoinTeam* team) { team_ = team; }

    // Writes `frames` samples of the mix (any count; split internally into instrument-sized spans).
    // Through a compensated mix (set_compensation) the output is the mix rendered its lookahead ago.
    void render(float* left, float* right, int frames);
    // True when no instrument sounds and nothing is still to come out of the compensated mix.
    bool is_silent() const;
    // Audio thread (or before rendering): mixes through `mix`, owned elsewhere and kept across the
    // mixers of successive programs so that what it holds plays on; nullptr mixes directly, ignoring
    // instruments' latency.
    void set_compensation(CompensatedMix* mix) { compensation_ = mix; }
    // How many channels (slots and retiring) render() visits now: the sounding ones (for tests and
    // benchmarks).
    std::size_t rendered_channels() const;

    // Peak |sample| each track added since the last reset_peaks() (audio thread). O(1).
    float track_peak(std::size_t slot) const {
        return slot < tracks_.size() && tracks_[slot] ? tracks_[slot]->peak : 0.0f;
    }
    float bus_peak(std::size_t slot) const {
        return slot < buses_.size() && buses_[slot] ? buses_[slot]->peak : 0.0f;
    }
    // O(slots / 64 + tracks that sounded since the last reset).
    void reset_peaks();

    // An instrument outside the tracks (the metronome), rendered into the mix after them at unity
    // gain. Owned elsewhere; nullptr removes it.
    void set_aux(Instrument* aux) { aux_ = aux; }
    Instrument* aux() const { return aux_; }

private:
    using Bits = std::vector<std::uint64_t>;
    static void set_bit(Bits& bits, std::size_t i) { bits[i / 64] |= std::uint64_t{1} << (i % 64); }
    static bool bit(const Bits& bits, std::size_t i) { return bits[i / 64] >> (i % 64) & 1u; }
    static void clear_bit(Bits& bits, std::size_t i) { bits[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
    template <class Fn>
    static void for_each_bit(const Bits& bits, Fn&& fn);

    struct SendRoute {
        std::uint32_t bus = 0;  // bus slot
        bool pre_fader = false;
        double level = 1.0;
        SmoothedGain gain;        // the level; a pre-fader send's is 0 while mute or solo silence the track
        CurveHistory automation;  // while active, the level (and `gain` is 1, or 0 when silenced)
    };
    // What a send's smoothed gain aims at: its level (1 while automated: the curve is the level), or 0
    // for a pre-fader send that mute or solo silence.
    static double send_target(const SendRoute& route, bool audible) {
        if (route.pre_fader && !audible) return 0.0;
        return route.automation.latest().active() ? 1.0 : route.level;
    }
    SendRoute* send_route(std::size_t track, std::uint32_t bus);

    void render_span(float* left, float* right, int frames);
    // Renders the channel's instrument for the span into its own buffers, cut at the events queued
    // for `slot` (-1: none); sets channel.rendered. A channel that is silent with a steady strip and
    // sends is not rendered where it has no event (its clock lags; catch_up tells it later).
    void render_instrument(TrackChannel& channel, long slot, int frames);
    // Renders [from, to) of the span into the channel's buffers; `skip`: it is silent and steady, zeros.
    void render_part(TrackChannel& channel, int from, int to, bool skip);
    // Adds the channel's rendered span to the mix: into left/right, or (a latent instrument with a
    // compensated mix) straight into the compensated mix, and its sends to their buses; returns its
    // peak, or -1 when it did not render (it leaves the sounding set). `slot`: a track's slot, for
    // its sends (-1: none).
    float mix_channel(TrackChannel& channel, float* left, float* right, int frames, long slot = -1);
    float add_rendered(TrackChannel& channel, float* left, float* right, int frames, long slot);
    // The track's sends of the channel's rendered output to their buses.
    void send(TrackChannel& channel, std::size_t slot, int frames);
    // The aux instrument's span, cut at its queued events, added to left/right; true if it rendered.
    bool render_aux(float* left, float* right, int frames);
    // Plays the events of `list` that fall in the span: render(from, to) up to each one's offset,
    // apply(event, offset) on it, then render(.., frames) to the span's end (from `at` on).
    template <class Render, class Apply>
    void play_events(std::size_t list, int at, int frames, Render&& render, Apply&& apply);
    std::size_t aux_list() const { return events_.slots() - 1; }  // the aux's list, after the slots
    bool sends_steady(std::size_t slot) const;
    // (any track soloed) | (any bus soloed) << 1: what a channel's targets depend on.
    std::uint8_t solo_view() const { return std::uint8_t((soloed_ > 0) | (soloed_buses_ > 0) << 1); }
    StripSettings settings_for(const TrackChannel& channel) const;
    // The track's sends' point of view: mute and track solo silence them, bus solo does not.
    bool sends_audible(const TrackChannel& channel) const;
    // Sets the strip, send fader and sends of a channel (its slot, for a track's sends) to their
    // settings: ramping, or jumping (a channel about to start sounding).
    void retarget(TrackChannel& channel, long slot, bool ramp);
    // Ramps the strip of the channel in `slot` to its settings (a change the user made).
    void change_strip(std::size_t slot, TrackChannel& channel);
    // Brings a channel's strip up to date with the current solo state: a ramp while it sounds, a jump
    // when it is about to start sounding.
    void settle_solo(TrackChannel& channel, long slot, bool ramp);
    void start_rendering(std::size_t slot);
    void start_rendering_bus(std::size_t slot, int from = 0);
    // Tells the channel's instrument the frames it was skipped for being silent, up to clock_, so that
    // its own clock stays the mixer's (a Csound track's k-cycles stay on the frames they had).
    void catch_up(TrackChannel& channel) { catch_up_to(channel, clock_); }
    void catch_up_to(TrackChannel& channel, std::int64_t frame);
    // The position of `channel` among the retiring ones, or -1.
    long retiring_index(const TrackChannel* channel) const;
    TrackChannel* channel(std::size_t slot) { return slot < tracks_.size() ? tracks_[slot].get() : nullptr; }
    TrackChannel* bus_channel(std::size_t slot) {
        return slot < buses_.size() ? buses_[slot].get() : nullptr;
    }
    // Counts the solos of the slots whose channel changed since `previous` (nullptr: every slot).
    static void recount_solos(const std::vector<std::shared_ptr<TrackChannel>>* before,
                              const std::vector<std::shared_ptr<TrackChannel>>& after, std::size_t& soloed,
                              Bits& sounding);
    void take_over_sends(const TrackMixer* previous);
    int master_latency() const { return master_ ? master_->latency() : 0; }

    double sample_rate_for_strips_;
    std::vector<std::shared_ptr<TrackChannel>> tracks_;
    std::vector<std::shared_ptr<TrackChannel>> retiring_;
    std::vector<std::pair<const TrackChannel*, std::uint32_t>> retiring_by_address_;  // sorted
    Bits sounding_;           // slots rendered (bit per slot)
    Bits metered_;            // slots whose peak may be non-zero
    Bits retiring_sounding_;  // retiring channels rendered (bit per position in retiring_)
    std::vector<std::shared_ptr<TrackChannel>> buses_;
    Bits bus_sounding_;
    Bits bus_metered_;
    std::vector<SendRoute> sends_;              // by track slot, then in the document's order
    std::vector<std::uint32_t> send_begin_{0};  // slot s's sends are [send_begin_[s], send_begin_[s + 1])
    std::shared_ptr<InsertChain> master_;
    std::size_t soloed_ = 0;  // soloed channels in slots
    std::size_t soloed_buses_ = 0;
    bool built_here_ = true;  // every channel made by add_track: soloed_ is known without take_over
    std::int64_t clock_ = 0;  // frames rendered, carried from mixer to mixer (take_over)
    Instrument* aux_ = nullptr;
    ChannelEventQueue events_;  // lists 0 .. slots - 1 for the tracks, then one for the aux
    ForkJoinTeam* team_ = nullptr;
    struct RenderTask {
        TrackChannel* channel;
        long slot;
    };
    std::vector<RenderTask> tasks_;  // this span's instruments for the team (capacity: every channel)
    void reserve_tasks() { tasks_.reserve(std::max(tracks_.size() + retiring_.size(), buses_.size())); }
    // Renders the channels in tasks_ (their instruments): on the team when there is one and more than
    // one task, else in order on this thread.
    void render_tasks(int frames);
    CompensatedMix* compensation_ = nullptr;
    CurveHistory master_level_;  // the master's level automation, by the mixer frame it was set on
    void apply_master_level(float* left, float* right, int frames);
    std::array<float, kMaxRenderFrames> latent_left_{};  // one latent channel's strip output
    std::array<float, kMaxRenderFrames> latent_right_{};
    std::array<float, kMaxRenderFrames> scratch_left_{};  // the aux's output
    std::array<float, kMaxRenderFrames> scratch_right_{};
    std::array<float, kMaxRenderFrames> post_left_{};  // a track's post-fader send signal
    std::array<float, kMaxRenderFrames> post_right_{};
    std::array<float, kMaxRenderFrames> send_left_{};  // one send, at its level
    std::array<float, kMaxRenderFrames> send_right_{};
};

}  // namespace tactus
