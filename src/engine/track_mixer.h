// The tracks' instruments and channel strips, summed into the stereo master.
// Built off the audio thread (constructor and add_track allocate); render() and the setters are
// audio-thread-safe.
//
// Each track is a channel in a slot that stays its own while the document is edited: a mixer for an
// edited track list shares the channels of the tracks that stay (their voices and strip state go on
// sounding across the switch) and has fresh ones for new tracks; a removed track's slot is empty.
#pragma once

#include <array>
#include <memory>
#include <vector>

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

// One track's instrument and strip. Shared between the mixers of successive programs; touched only
// by the audio thread once published.
struct TrackChannel {
    TrackChannel(std::unique_ptr<Instrument> played_by, double sample_rate, const TrackControls& initial)
        : instrument(std::move(played_by)), strip(sample_rate), controls(initial) {}
    std::unique_ptr<Instrument> instrument;
    TrackStrip strip;
    TrackControls controls;
    float peak = 0.0f;
};

class TrackMixer {
public:
    explicit TrackMixer(double sample_rate);

    // Off the audio thread, before rendering starts. Returns the slot.
    std::size_t add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls);
    // Off the audio thread: the channels a new mixer shares (nullptr: an empty slot). Strips are not
    // reset: the audio thread calls refresh_strips() when it switches to this mixer.
    void set_channels(std::vector<std::shared_ptr<TrackChannel>> channels) { tracks_ = std::move(channels); }
    const std::vector<std::shared_ptr<TrackChannel>>& channels() const { return tracks_; }
    // Off the audio thread: channels no longer in any slot (a removed track, a replaced instrument)
    // that are still rendered, unmetered, so their released notes fade out instead of stopping dead.
    void set_retiring(std::vector<std::shared_ptr<TrackChannel>> channels) {
        retiring_ = std::move(channels);
    }
    // Audio thread: re-resolve solo and ramp every strip to its settings (after a switch).
    void refresh_strips() { update_strips(); }

    // Number of slots (including empty ones).
    std::size_t track_count() const { return tracks_.size(); }
    // The instrument in `slot`, or nullptr for an empty or unknown slot.
    Instrument* instrument(std::size_t slot) {
        return slot < tracks_.size() && tracks_[slot] ? tracks_[slot]->instrument.get() : nullptr;
    }
    // Live strip changes (audio thread), smoothed; solo on any track silences the unsoloed ones.
    void set_level(std::size_t track, double level);
    void set_pan(std::size_t track, double pan);
    void set_mute(std::size_t track, bool mute);
    void set_solo(std::size_t track, bool solo);

    // Writes `frames` samples of the mix (any count; split internally into instrument-sized spans).
    void render(float* left, float* right, int frames);
    // True when no instrument sounds: the mix is exact silence.
    bool is_silent() const;

    // Peak |sample| each track added since the last reset_peaks() (audio thread).
    float track_peak(std::size_t slot) const { return tracks_[slot] ? tracks_[slot]->peak : 0.0f; }
    void reset_peaks();

    // An instrument outside the tracks (the metronome), rendered into the mix after them at unity
    // gain. Owned elsewhere; nullptr removes it.
    void set_aux(Instrument* aux) { aux_ = aux; }

private:
    void render_span(float* left, float* right, int frames);
    // Adds the channel's output to left/right; returns its peak (0 when skipped as silent).
    float render_channel(TrackChannel& channel, float* left, float* right, int frames);
    StripSettings settings_for(const TrackChannel& channel) const;
    void update_strips();
    TrackChannel* channel(std::size_t slot) { return slot < tracks_.size() ? tracks_[slot].get() : nullptr; }

    double sample_rate_for_strips_;
    std::vector<std::shared_ptr<TrackChannel>> tracks_;
    std::vector<std::shared_ptr<TrackChannel>> retiring_;
    Instrument* aux_ = nullptr;
    std::array<float, kMaxRenderFrames> scratch_left_{};
    std::array<float, kMaxRenderFrames> scratch_right_{};
};

}  // namespace tactus
