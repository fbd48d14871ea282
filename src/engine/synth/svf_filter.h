// Resonant state-variable filter, topology-preserving transform (Zavalishin; Simper's "SvfLinearTrapOptimised2").
// Low-, band- and high-pass from one structure. Trapezoidal integration keeps it stable for any
// cutoff below Nyquist and any damping k > 0, including when the cutoff moves every few samples.
//
// Pure arithmetic, no allocation: safe on the audio thread.
#pragma once

#include <algorithm>
#include <cmath>

#include "engine/synth/synth_preset.h"

namespace tactus::synth {

struct SvfCoefs {
    float a1 = 1.0f;
    float a2 = 0.0f;
    float a3 = 0.0f;
    float k = 2.0f;  // damping = 1/Q

    // Resonance 0..1 -> damping 2 (Q 0.5) .. 0.06 (Q ~17).
    static float damping_for_resonance(double resonance) {
        return static_cast<float>(2.0 - 1.94 * std::clamp(resonance, 0.0, 1.0));
    }

    // The cutoff is clamped to [16 Hz, 0.45 * sample_rate].
    static SvfCoefs make(double cutoff_hz, float damping, double sample_rate) {
        constexpr double kPi = 3.141592653589793;
        const double cutoff = std::clamp(cutoff_hz, 16.0, 0.45 * sample_rate);
        const double g = std::tan(kPi * cutoff / sample_rate);
        const double a1 = 1.0 / (1.0 + g * (g + damping));
        SvfCoefs c;
        c.a1 = static_cast<float>(a1);
        c.a2 = static_cast<float>(g * a1);
        c.a3 = static_cast<float>(g * g * a1);
        c.k = damping;
        return c;
    }
};

class SvfFilter {
public:
    void reset() {
        ic1_ = 0.0f;
        ic2_ = 0.0f;
    }

    // Filters `n` samples in place.
    template <FilterMode M>
    void process(float* x, int n, const SvfCoefs& c) {
        float ic1 = ic1_;
        float ic2 = ic2_;
        for (int i = 0; i < n; ++i) {
            const float v0 = x[i];
            const float v3 = v0 - ic2;
            const float v1 = c.a1 * ic1 + c.a2 * v3;  // band-pass
            const float v2 = ic2 + c.a2 * ic1 + c.a3 * v3;  // low-pass
            ic1 = 2.0f * v1 - ic1;
            ic2 = 2.0f * v2 - ic2;
            if constexpr (M == FilterMode::LowPass) {
                x[i] = v2;
            } else if constexpr (M == FilterMode::BandPass) {
                x[i] = v1;
            } else {
                x[i] = v0 - c.k * v1 - v2;
            }
        }
        ic1_ = ic1;
        ic2_ = ic2;
    }

    void process(FilterMode mode, float* x, int n, const SvfCoefs& c) {
        switch (mode) {
            case FilterMode::Off: break;
            case FilterMode::LowPass: process<FilterMode::LowPass>(x, n, c); break;
            case FilterMode::BandPass: process<FilterMode::BandPass>(x, n, c); break;
            case FilterMode::HighPass: process<FilterMode::HighPass>(x, n, c); break;
        }
    }

private:
    float ic1_ = 0.0f;
    float ic2_ = 0.0f;
};

}  // namespace tactus::synth
