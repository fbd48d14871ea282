// The tracks' instruments and channel strips, summed into the stereo master.
// Built off the audio thread (constructor, add_track, set_channels, set_retiring allocate);
// render(), take_over() and the setters are audio-thread-safe.
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

#include "engine/compensated_mix.h"
#include "engine/instrument.h"
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
                 std::uint32_t in_slot)
        : instrument(std::move(played_by)), strip(sample_rate), controls(initial), slot(in_slot) {
        strip.reset({initial.level, initial.pan, !initial.mute});
    }
    std::unique_ptr<Instrument> instrument;
    TrackStrip strip;
    TrackControls controls;
    std::uint32_t slot;             // the mixer slot it was made for; it never moves to another
    bool strip_knows_solo = false;  // the "any track soloed" its strip's target was set with
    float peak = 0.0f;
    // The mixer frame its instrument has been rendered (or told it skipped) up to; -1: never rendered.
    std::int64_t clock = -1;
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
    // Off the audio thread: channels no longer in any slot (a removed track, a replaced instrument)
    // that are still rendered, unmetered, so their released notes fade out instead of stopping dead.
    void set_retiring(std::vector<std::shared_ptr<TrackChannel>> channels);
    // Audio thread, on switching from `previous` (nullptr: none) to this mixer: counts the soloed
    // tracks (from previous's count and the slots whose channel differs) and keeps rendering the
    // channels that were sounding there. O(slots) pointer comparisons plus O(sounding channels).
    void take_over(const TrackMixer* previous);

    // Number of slots (including empty ones).
    std::size_t track_count() const { return tracks_.size(); }
    // Audio thread: the instrument in `slot`, to send it an event (it is rendered from now on), or
    // nullptr for an empty or unknown slot.
    Instrument* instrument(std::size_t slot);
    // Live strip changes (audio thread), smoothed; solo on any track silences the unsoloed ones. O(1).
    void set_level(std::size_t track, double level);
    void set_pan(std::size_t track, double pan);
    void set_mute(std::size_t track, bool mute);
    void set_solo(std::size_t track, bool solo);
    // How many tracks are soloed now.
    std::size_t soloed_tracks() const { return soloed_; }

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
    // O(slots / 64 + tracks that sounded since the last reset).
    void reset_peaks();

    // An instrument outside the tracks (the metronome), rendered into the mix after them at unity
    // gain. Owned elsewhere; nullptr removes it.
    void set_aux(Instrument* aux) { aux_ = aux; }

private:
    using Bits = std::vector<std::uint64_t>;
    static void set_bit(Bits& bits, std::size_t i) { bits[i / 64] |= std::uint64_t{1} << (i % 64); }
    static bool bit(const Bits& bits, std::size_t i) { return bits[i / 64] >> (i % 64) & 1u; }
    static void clear_bit(Bits& bits, std::size_t i) { bits[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
    template <class Fn>
    static void for_each_bit(const Bits& bits, Fn&& fn);

    void render_span(float* left, float* right, int frames);
    // Adds the channel to the mix: into left/right, or (a latent instrument with a compensated mix)
    // straight into the compensated mix; returns as render_channel.
    float mix_channel(TrackChannel& channel, float* left, float* right, int frames);
    // Adds the channel's output to left/right; returns its peak, or -1 when it is silent with a
    // steady strip (nothing to add: it leaves the sounding set).
    float render_channel(TrackChannel& channel, float* left, float* right, int frames);
    StripSettings settings_for(const TrackChannel& channel) const;
    // Ramps the strip of the channel in `slot` to its settings (a change the user made).
    void change_strip(std::size_t slot, TrackChannel& channel);
    // Brings a channel's strip up to date with the current solo state: a ramp while it sounds, a jump
    // when it is about to start sounding.
    void settle_solo(TrackChannel& channel, bool ramp);
    void start_rendering(std::size_t slot);
    // Tells the channel's instrument the frames it was skipped for being silent, up to clock_, so that
    // its own clock stays the mixer's (a Csound track's k-cycles stay on the frames they had).
    void catch_up(TrackChannel& channel);
    // The position of `channel` among the retiring ones, or -1.
    long retiring_index(const TrackChannel* channel) const;
    TrackChannel* channel(std::size_t slot) { return slot < tracks_.size() ? tracks_[slot].get() : nullptr; }

    double sample_rate_for_strips_;
    std::vector<std::shared_ptr<TrackChannel>> tracks_;
    std::vector<std::shared_ptr<TrackChannel>> retiring_;
    std::vector<std::pair<const TrackChannel*, std::uint32_t>> retiring_by_address_;  // sorted
    Bits sounding_;           // slots rendered (bit per slot)
    Bits metered_;            // slots whose peak may be non-zero
    Bits retiring_sounding_;  // retiring channels rendered (bit per position in retiring_)
    std::size_t soloed_ = 0;  // soloed channels in slots
    bool built_here_ = true;  // every channel made by add_track: soloed_ is known without take_over
    std::int64_t clock_ = 0;  // frames rendered, carried from mixer to mixer (take_over)
    Instrument* aux_ = nullptr;
    CompensatedMix* compensation_ = nullptr;
    std::array<float, kMaxRenderFrames> latent_left_{};  // one latent channel's strip output
    std::array<float, kMaxRenderFrames> latent_right_{};
    std::array<float, kMaxRenderFrames> scratch_left_{};
    std::array<float, kMaxRenderFrames> scratch_right_{};
};

}  // namespace tactus
