// Band-limited oscillators: exact sine, PolyBLEP saw and square, PolyBLAMP triangle.
//
// Phase is in cycles, 0 <= phase < 1, advanced by `increment` = frequency / sample rate (< 0.5).
// The naive waveform is corrected with a two-sample polynomial residual around each step (BLEP)
// or corner (BLAMP), which removes most of the aliasing of the naive waveform at no table cost.
// Waveform shapes (phase 0 -> value): sine 0 rising, saw -1 rising, square +1, triangle 0 rising.
//
// Pure arithmetic, no allocation: safe on the audio thread.
#pragma once

#include <cmath>
#include <cstddef>

#include "engine/synth/synth_preset.h"

namespace tactus::synth {

struct OscillatorPhase {
    double phase = 0.0;
    double increment = 0.0;
    double inverse_increment = 0.0;

    void set_increment(double cycles_per_sample) {
        increment = cycles_per_sample;
        inverse_increment = 1.0 / cycles_per_sample;
    }
};

// sin(2 pi t) for t in [0, 1): folded to a quarter wave and a degree-13 odd polynomial
// (error < 1e-9, far below float resolution).
inline double sine_of_cycles(double t) {
    constexpr double kTwoPi = 6.283185307179586;
    constexpr double c1 = kTwoPi;
    constexpr double c3 = -c1 * kTwoPi * kTwoPi / 6.0;
    constexpr double c5 = -c3 * kTwoPi * kTwoPi / 20.0;
    constexpr double c7 = -c5 * kTwoPi * kTwoPi / 42.0;
    constexpr double c9 = -c7 * kTwoPi * kTwoPi / 72.0;
    constexpr double c11 = -c9 * kTwoPi * kTwoPi / 110.0;
    constexpr double c13 = -c11 * kTwoPi * kTwoPi / 156.0;
    const double u = t - 0.5;                                // sin(2 pi t) = -sin(2 pi u)
    const double w = 0.25 - std::fabs(std::fabs(u) - 0.25);  // sin(2 pi |u|) = sin(2 pi w), w in [0, 1/4]
    const double w2 = w * w;
    const double s = w * (c1 + w2 * (c3 + w2 * (c5 + w2 * (c7 + w2 * (c9 + w2 * (c11 + w2 * c13))))));
    return std::copysign(s, -u);
}

// Residual of a unit upward step at phase 0 (two samples wide): add h * poly_blep(...) to a naive
// waveform that jumps by h there.
inline double poly_blep(double t, double dt, double inverse_dt) {
    if (t < dt) {
        const double x = t * inverse_dt - 1.0;
        return -0.5 * x * x;
    }
    if (t > 1.0 - dt) {
        const double x = (t - 1.0) * inverse_dt + 1.0;
        return 0.5 * x * x;
    }
    return 0.0;
}

// Residual of a unit change of slope (per sample) at phase 0: the integral of poly_blep.
inline double poly_blamp(double t, double dt, double inverse_dt) {
    if (t < dt) {
        const double x = 1.0 - t * inverse_dt;
        return x * x * x * (1.0 / 6.0);
    }
    if (t > 1.0 - dt) {
        const double x = (t - 1.0) * inverse_dt + 1.0;
        return x * x * x * (1.0 / 6.0);
    }
    return 0.0;
}

inline double wrap_cycles(double t) {
    return t >= 1.0 ? t - 1.0 : t;
}

template <Waveform W>
inline double oscillator_sample(double t, double dt, double inverse_dt) {
    if constexpr (W == Waveform::Sine) {
        (void)dt;
        (void)inverse_dt;
        return sine_of_cycles(t);
    } else if constexpr (W == Waveform::Saw) {
        return 2.0 * t - 1.0 - 2.0 * poly_blep(t, dt, inverse_dt);
    } else if constexpr (W == Waveform::Square) {
        const double naive = t < 0.5 ? 1.0 : -1.0;
        return naive + 2.0 * (poly_blep(t, dt, inverse_dt) - poly_blep(wrap_cycles(t + 0.5), dt, inverse_dt));
    } else {
        // Corners at s = 0 (minimum, slope +8 per cycle more after it) and s = 0.5 (maximum).
        const double s = wrap_cycles(t + 0.25);
        const double naive = 1.0 - 4.0 * std::fabs(s - 0.5);
        return naive +
               8.0 * dt * (poly_blamp(s, dt, inverse_dt) - poly_blamp(wrap_cycles(s + 0.5), dt, inverse_dt));
    }
}

// Writes (Add = false) or adds (Add = true) `weight` times `n` samples of the waveform to
// out[0], out[stride], out[2 * stride], ...
template <Waveform W, bool Add>
inline void render_oscillator(OscillatorPhase& osc, float weight, float* out, int n, int stride = 1) {
    double t = osc.phase;
    const double dt = osc.increment;
    const double inverse_dt = osc.inverse_increment;
    for (int i = 0; i < n; ++i) {
        const float y = weight * static_cast<float>(oscillator_sample<W>(t, dt, inverse_dt));
        float& o = out[static_cast<std::ptrdiff_t>(i) * stride];
        if constexpr (Add) {
            o += y;
        } else {
            o = y;
        }
        t = wrap_cycles(t + dt);
    }
    osc.phase = t;
}

template <bool Add>
inline void render_oscillator(Waveform waveform, OscillatorPhase& osc, float weight, float* out, int n,
                              int stride = 1) {
    switch (waveform) {
        case Waveform::Sine:
            render_oscillator<Waveform::Sine, Add>(osc, weight, out, n, stride);
            break;
        case Waveform::Saw:
            render_oscillator<Waveform::Saw, Add>(osc, weight, out, n, stride);
            break;
        case Waveform::Square:
            render_oscillator<Waveform::Square, Add>(osc, weight, out, n, stride);
            break;
        case Waveform::Triangle:
            render_oscillator<Waveform::Triangle, Add>(osc, weight, out, n, stride);
            break;
    }
}

}  // namespace tactus::synth
