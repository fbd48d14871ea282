// The tracks' instruments and channel strips, summed into the stereo master.
// Built off the audio thread (constructor and add_track allocate); render() and the setters are
// audio-thread-safe.
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

class TrackMixer {
public:
    explicit TrackMixer(double sample_rate);

    // Off the audio thread, before rendering starts.
    void add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls);

    std::size_t track_count() const { return tracks_.size(); }
    // Live strip changes (audio thread), smoothed; solo on any track silences the unsoloed ones.
    void set_level(std::size_t track, double level);
    void set_pan(std::size_t track, double pan);
    void set_mute(std::size_t track, bool mute);
    void set_solo(std::size_t track, bool solo);
    Instrument& instrument(std::size_t track) { return *tracks_[track].instrument; }
    TrackStrip& strip(std::size_t track) { return tracks_[track].strip; }

    // Writes `frames` samples of the mix (any count; split internally into instrument-sized spans).
    void render(float* left, float* right, int frames);
    // True when no instrument sounds: the mix is exact silence.
    bool is_silent() const;

    // Peak |sample| each track added since the last reset_peaks() (audio thread).
    float track_peak(std::size_t track) const { return tracks_[track].peak; }
    void reset_peaks();

    // An instrument outside the tracks (the metronome), rendered into the mix after them at unity
    // gain. Owned elsewhere; nullptr removes it.
    void set_aux(Instrument* aux) { aux_ = aux; }

private:
    struct Channel {
        std::unique_ptr<Instrument> instrument;
        TrackStrip strip;
        TrackControls controls;
        float peak = 0.0f;
    };
    void render_span(float* left, float* right, int frames);
    StripSettings settings_for(const Channel& channel) const;
    void update_strips();

    double sample_rate_for_strips_;
    std::vector<Channel> tracks_;
    Instrument* aux_ = nullptr;
    std::array<float, kMaxRenderFrames> scratch_left_{};
    std::array<float, kMaxRenderFrames> scratch_right_{};
};

}  // namespace tactus
