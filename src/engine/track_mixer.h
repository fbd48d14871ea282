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

class TrackMixer {
public:
    explicit TrackMixer(double sample_rate);

    // Off the audio thread, before rendering starts.
    void add_track(std::unique_ptr<Instrument> instrument, const StripSettings& settings);

    std::size_t track_count() const { return tracks_.size(); }
    Instrument& instrument(std::size_t track) { return *tracks_[track].instrument; }
    TrackStrip& strip(std::size_t track) { return tracks_[track].strip; }
    void set_master_level(double level) { master_.set_target(level); }

    // Writes `frames` samples of the mix (any count; split internally into instrument-sized spans).
    void render(float* left, float* right, int frames);
    // True when no instrument sounds: the mix is exact silence.
    bool is_silent() const;

private:
    struct Channel {
        std::unique_ptr<Instrument> instrument;
        TrackStrip strip;
    };
    void render_span(float* left, float* right, int frames);

    double sample_rate_for_strips_;
    std::vector<Channel> tracks_;
    SmoothedGain master_{1.0};
    std::array<float, kMaxRenderFrames> scratch_left_{};
    std::array<float, kMaxRenderFrames> scratch_right_{};
};

}  // namespace tactus
