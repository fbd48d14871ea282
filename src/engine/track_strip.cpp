#include "engine/track_strip.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace tactus {

TrackStrip::TrackStrip(double sample_rate) {
    const int ramp = static_cast<int>(std::lround(kSmoothingSeconds * sample_rate));
    left_.set_ramp_frames(ramp);
    right_.set_ramp_frames(ramp);
}

void TrackStrip::gains_for(const StripSettings& s, double& left, double& right) {
    // Constant-power pan law: -3 dB per side at centre, full level hard left/right.
    const double angle = (std::clamp(s.pan, -1.0, 1.0) + 1.0) * std::numbers::pi / 4.0;
    const double level = s.audible ? s.level : 0.0;
    left = level * std::cos(angle);
    right = level * std::sin(angle);
    // cos(pi/2) is 6e-17, not 0: hard-panned must mean exact silence on the other side.
    if (std::abs(left) < 1e-12) left = 0.0;
    if (std::abs(right) < 1e-12) right = 0.0;
}

void TrackStrip::reset(const StripSettings& settings) {
    double l = 0, r = 0;
    gains_for(settings, l, r);
    left_.jump_to(l);
    right_.jump_to(r);
}

void TrackStrip::change(const StripSettings& settings) {
    double l = 0, r = 0;
    gains_for(settings, l, r);
    left_.set_target(l);
    right_.set_target(r);
}

float TrackStrip::mix_into(const float* in_left, const float* in_right, float* out_left, float* out_right,
                           int frames) {
    float peak = 0.0f;
    if (left_.is_steady() && right_.is_steady()) {
        const float gl = static_cast<float>(left_.value());
        const float gr = static_cast<float>(right_.value());
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
        const float l = in_left[i] * static_cast<float>(left_.next());
        const float r = in_right[i] * static_cast<float>(right_.next());
        out_left[i] += l;
        out_right[i] += r;
        peak = std::max(peak, std::max(std::abs(l), std::abs(r)));
    }
    return peak;
}

}  // namespace tactus
