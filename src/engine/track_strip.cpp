#include "engine/track_strip.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace tactus {

void pan_gains(double pan, double& left, double& right) {
    // Constant-power pan law: -3 dB per side at centre, full level hard left/right.
    const double angle = (std::clamp(pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4.0;
    left = std::cos(angle);
    right = std::sin(angle);
    // cos(pi/2) is 6e-17, not 0: hard-panned must mean exact silence on the other side.
    if (std::abs(left) < 1e-12) left = 0.0;
    if (std::abs(right) < 1e-12) right = 0.0;
}

TrackStrip::TrackStrip(double sample_rate) {
    const int ramp = static_cast<int>(std::lround(kSmoothingSeconds * sample_rate));
    left_.set_ramp_frames(ramp);
    right_.set_ramp_frames(ramp);
}

void TrackStrip::gains_for(const StripSettings& s, double& left, double& right) const {
    left = right = 1.0;
    if (!pan_curve_.latest().active()) pan_gains(s.pan, left, right);
    const double level = (s.audible ? 1.0 : 0.0) * (level_curve_.latest().active() ? 1.0 : s.level);
    left *= level;
    right *= level;
}

void TrackStrip::retarget(bool jump) {
    double l = 0, r = 0;
    gains_for(settings_, l, r);
    if (jump) {
        left_.jump_to(l);
        right_.jump_to(r);
    } else {
        left_.set_target(l);
        right_.set_target(r);
    }
}

void TrackStrip::reset(const StripSettings& settings) {
    settings_ = settings;
    retarget(true);
}

void TrackStrip::change(const StripSettings& settings) {
    settings_ = settings;
    retarget(false);
}

void TrackStrip::automate_level(const AutomationCurve& curve, bool jump, std::int64_t from) {
    const bool was = level_curve_.latest().active();
    level_curve_.set(curve, from);
    if (!was) retarget(jump);
}

void TrackStrip::automate_pan(const AutomationCurve& curve, bool jump, std::int64_t from) {
    const bool was = pan_curve_.latest().active();
    pan_curve_.set(curve, from);
    if (!was) retarget(jump);
}

void TrackStrip::release_level(bool jump, std::int64_t from) {
    if (!level_curve_.latest().active()) return;
    level_curve_.set(AutomationCurve(), from);
    retarget(jump);
}

void TrackStrip::release_pan(bool jump, std::int64_t from) {
    if (!pan_curve_.latest().active()) return;
    pan_curve_.set(AutomationCurve(), from);
    retarget(jump);
}

void TrackStrip::apply_curves(std::int64_t frame, double& left, double& right) const {
    if (const AutomationCurve& curve = level_curve_.at(frame); curve.active()) {
        const double level = curve.value_at(frame);
        left *= level;
        right *= level;
    }
    if (const AutomationCurve& curve = pan_curve_.at(frame); curve.active()) {
        double l = 0, r = 0;
        pan_gains(curve.value_at(frame), l, r);
        left *= l;
        right *= r;
    }
}

void TrackStrip::gains_at(std::int64_t frame, double& left, double& right) const {
    left = left_.value();
    right = right_.value();
    apply_curves(frame, left, right);
}

float TrackStrip::mix_into(const float* in_left, const float* in_right, float* out_left, float* out_right,
                           int frames, std::int64_t frame) {
    float peak = 0.0f;
    level_curve_.forget_before(frame);
    pan_curve_.forget_before(frame);
    const bool curves_move = level_curve_.changes_in(frame, frames) || pan_curve_.changes_in(frame, frames);
    if (left_.is_steady() && right_.is_steady() && !curves_move) {
        double dl = 0, dr = 0;
        gains_at(frame, dl, dr);
        const float gl = static_cast<float>(dl);
        const float gr = static_cast<float>(dr);
        // Groups of eight with eight running maxima: the compiler makes vector code of it.
        // The strip's input is never its output (the mixer's scratch buffers): no aliasing.
        const float* __restrict il = in_left;
        const float* __restrict ir = in_right;
        float* __restrict ol = out_left;
        float* __restrict orr = out_right;
        std::array<float, 8> lanes{};
        int i = 0;
        for (; i + 8 <= frames; i += 8)
            for (std::size_t j = 0; j < 8; ++j) {
                const int k = i + int(j);
                const float l = il[k] * gl, r = ir[k] * gr;
                ol[k] += l;
                orr[k] += r;
                const float a = std::max(std::abs(l), std::abs(r));
                lanes[j] = lanes[j] < a ? a : lanes[j];
            }
        for (const float lane : lanes) peak = std::max(peak, lane);
        for (; i < frames; ++i) {
            const float l = in_left[i] * gl, r = in_right[i] * gr;
            out_left[i] += l;
            out_right[i] += r;
            peak = std::max(peak, std::max(std::abs(l), std::abs(r)));
        }
        return peak;
    }
    for (int i = 0; i < frames; ++i) {
        double gl = left_.next(), gr = right_.next();
        apply_curves(frame + i, gl, gr);
        const float l = in_left[i] * static_cast<float>(gl);
        const float r = in_right[i] * static_cast<float>(gr);
        out_left[i] += l;
        out_right[i] += r;
        peak = std::max(peak, std::max(std::abs(l), std::abs(r)));
    }
    return peak;
}

}  // namespace tactus
