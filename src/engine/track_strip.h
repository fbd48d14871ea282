// One track's channel strip: level, pan (constant power), mute and solo, each smoothed; level and pan
// can follow automation instead (engine/automation_curve.h), sample-exact.
// Audio-thread only after construction; no allocation.
//
// The gains on a frame f: left = level(f) * cos(a(f)) * audible, right = level(f) * sin(a(f)) * audible,
// a = (pan + 1) * pi / 4. A setting's change ramps over kSmoothingSeconds (the "setting" gains below);
// an automated level or pan takes its curve's value on every frame, unsmoothed: the curve is the shape.
#pragma once

#include <cstdint>

#include "engine/automation_curve.h"
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

    // The level (pan) follows `curve` from now on, instead of the setting's. The settings' part of the
    // gains changes with it (to leave the automated control out): ramped, or with `jump` at once (the
    // strip is not sounding).
    // `from`: the mixer frame it is set on (audio made for earlier frames keeps the curve before it).
    void automate_level(const AutomationCurve& curve, bool jump, std::int64_t from);
    void automate_pan(const AutomationCurve& curve, bool jump, std::int64_t from);
    // Back to the setting's level (pan).
    void release_level(bool jump, std::int64_t from);
    void release_pan(bool jump, std::int64_t from);

    // No ramp of a setting under way (an automation curve is a function of the frame: it needs no
    // rendering to stay on time).
    bool is_steady() const { return left_.is_steady() && right_.is_steady(); }
    // Scales the track's stereo signal by the strip and adds it to the mix; returns the peak
    // |sample| it added (for the track's meter). `frame`: the mixer frame in_left[0] was made for (the
    // frame being mixed less the instrument's latency).
    float mix_into(const float* in_left, const float* in_right, float* out_left, float* out_right, int frames,
                   std::int64_t frame = 0);
    // The gains of frame `frame` when no setting ramps (for tests: what mix_into multiplies by).
    void gains_at(std::int64_t frame, double& left, double& right) const;

private:
    // The settings' part of the gains: without the level (pan) while it is automated.
    void gains_for(const StripSettings& s, double& left, double& right) const;
    void retarget(bool jump);
    // The automated factors of frame `frame`, multiplied into left/right.
    void apply_curves(std::int64_t frame, double& left, double& right) const;

    StripSettings settings_;
    SmoothedGain left_;
    SmoothedGain right_;
    CurveHistory level_curve_;
    CurveHistory pan_curve_;
};

// The constant-power pan law: the left and right gains of `pan` (-1..1), exact 0 on the far side.
void pan_gains(double pan, double& left, double& right);

}  // namespace tactus
