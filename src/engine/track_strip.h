// One track's channel strip: level, pan (constant power), mute and solo, each smoothed.
// Audio-thread only after construction; no allocation.
#pragma once

#include "engine/smoothed_gain.h"

namespace tactus {

struct StripSettings {
    double level = 1.0;
    double pan = 0.0;     // -1..1
    bool audible = true;  // false when muted, or when another track is soloed
};

class TrackStrip {
public:
    // Smoothing time for every change: long enough to be click-free, short enough to feel immediate.
    static constexpr double kSmoothingSeconds = 0.010;

    explicit TrackStrip(double sample_rate);

    // Takes effect without a ramp (a freshly loaded document).
    void reset(const StripSettings& settings);
    // Ramps from the current gains to the new ones.
    void change(const StripSettings& settings);

    bool is_steady() const { return left_.is_steady() && right_.is_steady(); }
    // Scales the track's stereo signal by the strip and adds it to the mix; returns the peak
    // |sample| it added (for the track's meter).
    float mix_into(const float* in_left, const float* in_right, float* out_left, float* out_right,
                   int frames);

private:
    static void gains_for(const StripSettings& s, double& left, double& right);

    SmoothedGain left_;
    SmoothedGain right_;
};

}  // namespace tactus
