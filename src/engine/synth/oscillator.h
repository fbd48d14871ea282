// Band-limited oscillators: a sine exact to float resolution, PolyBLEP saw and square, PolyBLAMP
// triangle, eight samples at a time.
//
// Phase is in cycles, 0 <= phase < 1, advanced by `increment` = frequency / sample rate (< 0.5).
// The naive waveform is corrected with a two-sample polynomial residual around each step (BLEP)
// or corner (BLAMP), which removes most of the aliasing of the naive waveform at no table cost.
// Waveform shapes (phase 0 -> value): sine 0 rising, saw -1 rising, square +1, triangle 0 rising.
// Phases and the BLEP waveforms are computed in double, the sine's polynomial in float: the phase
// needs the precision, a full-scale float sample does not.
//
// Pure arithmetic, no allocation: safe on the audio thread.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/synth/simd_lanes.h"
#include "engine/synth/synth_preset.h"

namespace tactus::synth {

// The phase of one oscillator. Sample k after the anchor has phase frac(anchor + k * increment), so
// a sample's phase depends only on the anchor and its distance from it, never on how the samples
// are cut into render calls or vector chunks. The anchor moves every kReanchorSamples samples (and
// when the increment changes), which keeps k * increment exact to far below float resolution.
struct OscillatorPhase {
    static constexpr int kReanchorSamples = 4096;

    double anchor = 0.0;  // cycles, 0 <= anchor < 1
    double increment = 0.0;
    double inverse_increment = 0.0;
    int since_anchor = 0;  // samples rendered since the anchor

    double phase() const {
        const double t = anchor + since_anchor * increment;
        return t - std::floor(t);
    }
    void set_phase(double cycles) {
        anchor = cycles;
        since_anchor = 0;
    }
    void set_increment(double cycles_per_sample) {
        set_phase(phase());
        increment = cycles_per_sample;
        inverse_increment = 1.0 / cycles_per_sample;
    }
};

namespace oscillator_lanes {

// The phases of samples k0 .. k0 + 7 after the anchor, each frac(anchor + k * increment).
inline void phases(const OscillatorPhase& osc, int k0, DoubleLanes& t) {
    DoubleLanes k;
    lane_offsets(k);
    k += static_cast<double>(k0);
    t = osc.anchor + k * osc.increment;
    t -= __builtin_convertvector(__builtin_convertvector(t, IntLanes), DoubleLanes);  // t >= 0: trunc = floor
}

inline void wrap(DoubleLanes& t) {
    t = t >= 1.0 ? t - 1.0 : t;
}

// The residual of a unit upward step at phase 0 (two samples wide): add h * blep to a naive waveform
// that jumps by h there.
inline void blep(const DoubleLanes& t, double dt, double inverse_dt, DoubleLanes& out) {
    const DoubleLanes rising = t * inverse_dt - 1.0;
    const DoubleLanes falling = (t - 1.0) * inverse_dt + 1.0;
    out = t < dt ? -0.5 * rising * rising : (t > 1.0 - dt ? 0.5 * falling * falling : DoubleLanes{});
}
// The residual of a unit change of slope (per sample) at phase 0: the integral of blep.
inline void blamp(const DoubleLanes& t, double dt, double inverse_dt, DoubleLanes& out) {
    const DoubleLanes rising = 1.0 - t * inverse_dt;
    const DoubleLanes falling = (t - 1.0) * inverse_dt + 1.0;
    out = t < dt ? rising * rising * rising * (1.0 / 6.0)
                 : (t > 1.0 - dt ? falling * falling * falling * (1.0 / 6.0) : DoubleLanes{});
}

// sin(2 pi t) in float: folded to a quarter wave and a degree-11 odd polynomial (Taylor; error below
// 6e-8, under float resolution near full scale).
inline void sine(const DoubleLanes& t, FloatLanes& out) {
    constexpr double kTwoPi = 6.283185307179586;
    constexpr float c1 = static_cast<float>(kTwoPi);
    constexpr float c3 = static_cast<float>(-kTwoPi * kTwoPi * kTwoPi / 6.0);
    constexpr float c5 = static_cast<float>(kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi / 120.0);
    constexpr float c7 =
        static_cast<float>(-kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi / 5040.0);
    constexpr float c9 = static_cast<float>(kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi *
                                            kTwoPi * kTwoPi / 362880.0);
    constexpr float c11 = static_cast<float>(-kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi * kTwoPi *
                                             kTwoPi * kTwoPi * kTwoPi * kTwoPi / 39916800.0);
    constexpr std::int32_t kSign = INT32_MIN;
    const FloatLanes u = __builtin_convertvector(t, FloatLanes) - 0.5f;  // sin(2 pi t) = -sin(2 pi u)
    const FloatLanes au = (FloatLanes)((IntLanes)u & ~kSign);
    const FloatLanes folded = au - 0.25f;
    const FloatLanes w = 0.25f - (FloatLanes)((IntLanes)folded & ~kSign);  // in [0, 1/4]
    const FloatLanes w2 = w * w;
    const FloatLanes s = w * (c1 + w2 * (c3 + w2 * (c5 + w2 * (c7 + w2 * (c9 + w2 * c11)))));
    out = (FloatLanes)((IntLanes)s | (~(IntLanes)u & kSign));  // s >= 0, with the sign of -u
}

template <Waveform W>
inline void chunk(const OscillatorPhase& osc, int k0, float weight, FloatLanes& out) {
    DoubleLanes t;
    phases(osc, k0, t);
    if constexpr (W == Waveform::Sine) {
        sine(t, out);
        out *= weight;
    } else {
        const double dt = osc.increment;
        const double inverse_dt = osc.inverse_increment;
        DoubleLanes y;
        if constexpr (W == Waveform::Saw) {
            DoubleLanes b;
            blep(t, dt, inverse_dt, b);
            y = 2.0 * t - 1.0 - 2.0 * b;
        } else if constexpr (W == Waveform::Square) {
            DoubleLanes half = t + 0.5;
            wrap(half);
            DoubleLanes b0, b1;
            blep(t, dt, inverse_dt, b0);
            blep(half, dt, inverse_dt, b1);
            y = (t < 0.5 ? DoubleLanes{} + 1.0 : DoubleLanes{} - 1.0) + 2.0 * (b0 - b1);
        } else {
            // Corners at s = 0 (minimum, slope +8 per cycle more after it) and s = 0.5 (maximum).
            DoubleLanes s = t + 0.25;
            wrap(s);
            DoubleLanes opposite = s + 0.5;
            wrap(opposite);
            const DoubleLanes distance = s - 0.5;
            const DoubleLanes naive = 1.0 - 4.0 * (distance < 0.0 ? -distance : distance);
            DoubleLanes b0, b1;
            blamp(s, dt, inverse_dt, b0);
            blamp(opposite, dt, inverse_dt, b1);
            y = naive + 8.0 * dt * (b0 - b1);
        }
        out = weight * __builtin_convertvector(y, FloatLanes);
    }
}

}  // namespace oscillator_lanes

// Writes (Add = false) or adds (Add = true) `weight` times `n` samples of the waveform to out[0 .. n).
// Eight samples at a time; each sample's value depends only on the anchor and its distance from it.
template <Waveform W, bool Add>
inline void render_oscillator(OscillatorPhase& osc, float weight, float* out, int n) {
    for (int done = 0; done < n;) {
        if (osc.since_anchor >= OscillatorPhase::kReanchorSamples) osc.set_phase(osc.phase());
        const int m = std::min(n - done, OscillatorPhase::kReanchorSamples - osc.since_anchor);
        float* o = out + done;
        int i = 0;
        for (; i + kSimdWidth <= m; i += kSimdWidth) {
            FloatLanes y;
            oscillator_lanes::chunk<W>(osc, osc.since_anchor + i, weight, y);
            if constexpr (Add) {
                FloatLanes before;
                load_lanes(before, o + i);
                y += before;
            }
            store_lanes(o + i, y);
        }
        if (i < m) {
            FloatLanes y;
            oscillator_lanes::chunk<W>(osc, osc.since_anchor + i, weight, y);
            alignas(32) float tail[kSimdWidth];
            store_lanes(tail, y);
            for (int j = 0; i + j < m; ++j) {
                if constexpr (Add) {
                    o[i + j] += tail[j];
                } else {
                    o[i + j] = tail[j];
                }
            }
        }
        osc.since_anchor += m;
        done += m;
    }
}

template <bool Add>
inline void render_oscillator(Waveform waveform, OscillatorPhase& osc, float weight, float* out, int n) {
    switch (waveform) {
        case Waveform::Sine:
            render_oscillator<Waveform::Sine, Add>(osc, weight, out, n);
            break;
        case Waveform::Saw:
            render_oscillator<Waveform::Saw, Add>(osc, weight, out, n);
            break;
        case Waveform::Square:
            render_oscillator<Waveform::Square, Add>(osc, weight, out, n);
            break;
        case Waveform::Triangle:
            render_oscillator<Waveform::Triangle, Add>(osc, weight, out, n);
            break;
    }
}

}  // namespace tactus::synth
