// Resonant state-variable filter, topology-preserving transform (Zavalishin; Simper's
// "SvfLinearTrapOptimised2"). Low-, band- and high-pass from one structure: the output is a mix
// of the input, the band-pass and the low-pass states, so one loop serves every mode. Trapezoidal
// integration keeps it stable for any cutoff below Nyquist and any damping k > 0, including when
// the cutoff moves every few samples.
//
// SvfFilter::process is the scalar reference; voices are filtered several at a time by
// FilterBank (filter_bank.h), which does exactly the same arithmetic per voice.
//
// Pure arithmetic, no allocation (except CutoffTable's constructor): safe on the audio thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/synth/synth_preset.h"

namespace tactus::synth {

struct SvfCoefs {
    float a1 = 1.0f;
    float a2 = 0.0f;
    float a3 = 0.0f;
    // Output = input_gain * input + band_gain * band-pass + low_gain * low-pass.
    float input_gain = 1.0f;
    float band_gain = 0.0f;
    float low_gain = 0.0f;

    // Resonance 0..1 -> damping 2 (Q 0.5) .. 0.06 (Q ~17).
    static float damping_for_resonance(double resonance) {
        return static_cast<float>(2.0 - 1.94 * std::clamp(resonance, 0.0, 1.0));
    }

    // The cutoff is clamped to [16 Hz, 0.45 * sample_rate].
    static SvfCoefs make(FilterMode mode, double cutoff_hz, float damping, double sample_rate) {
        constexpr double kPi = 3.141592653589793;
        const double cutoff = std::isnan(cutoff_hz) ? 16.0 : std::clamp(cutoff_hz, 16.0, 0.45 * sample_rate);
        return from_g(mode, std::tan(kPi * cutoff / sample_rate), damping);
    }

    // From the prewarped integrator gain g = tan(pi * cutoff / rate).
    static SvfCoefs from_g(FilterMode mode, double g, float damping) {
        const double a1 = 1.0 / (1.0 + g * (g + damping));
        SvfCoefs c;
        c.a1 = static_cast<float>(a1);
        c.a2 = static_cast<float>(g * a1);
        c.a3 = static_cast<float>(g * g * a1);
        switch (mode) {
            case FilterMode::Off:
                break;  // passes the input
            case FilterMode::LowPass: {
                c.input_gain = 0.0f;
                c.low_gain = 1.0f;
                break;
            }
            case FilterMode::BandPass: {
                c.input_gain = 0.0f;
                c.band_gain = 1.0f;
                break;
            }
            case FilterMode::HighPass: {
                c.band_gain = -damping;
                c.low_gain = -1.0f;
                break;
            }
        }
        return c;
    }
};

// tan(pi * cutoff / rate) tabulated over log2(cutoff) in 1/64-octave steps from 16 Hz to
// 0.45 * rate and interpolated linearly (relative error ~2e-5): a voice's control-rate update then
// costs a few loads and one division instead of exp2() and tan().
// Built off the audio thread (allocates); lookups are audio-thread safe.
class CutoffTable {
public:
    static constexpr double kLowestOctave = 4.0;  // 16 Hz
    static constexpr int kStepsPerOctave = 64;

    explicit CutoffTable(double sample_rate) {
        constexpr double kPi = 3.141592653589793;
        const double highest_cutoff = 0.45 * sample_rate;
        last_position_ = std::max(1.0, (std::log2(highest_cutoff) - kLowestOctave) * kStepsPerOctave);
        const int entries = static_cast<int>(std::ceil(last_position_)) + 1;
        g_.resize(static_cast<std::size_t>(entries));
        for (int i = 0; i < entries; ++i) {
            const double cutoff = std::exp2(kLowestOctave + static_cast<double>(i) / kStepsPerOctave);
            g_[static_cast<std::size_t>(i)] = std::tan(kPi * std::min(cutoff, highest_cutoff) / sample_rate);
        }
    }

    // The prewarped integrator gain for a cutoff of 2^octaves Hz, clamped to [16 Hz, 0.45 * rate].
    double g(double octaves) const {
        double position = (octaves - kLowestOctave) * kStepsPerOctave;
        if (!(position > 0.0)) position = 0.0;  // NaN too
        position = std::min(position, last_position_);
        const auto i = std::min(static_cast<std::size_t>(position), g_.size() - 2);
        const double fraction = position - static_cast<double>(i);
        return g_[i] + (g_[i + 1] - g_[i]) * fraction;
    }

private:
    std::vector<double> g_;
    double last_position_ = 1.0;
};

// The filter's memory: the two integrator states.
struct SvfState {
    float ic1 = 0.0f;
    float ic2 = 0.0f;
};

// One step of the filter; T is float or a vector of floats (one independent filter per lane).
// (Output by reference: returning a 32-byte vector by value would depend on the vector ABI.)
template <typename T>
inline void svf_tick(const T& v0, T& ic1, T& ic2, const T& a1, const T& a2, const T& a3, const T& input_gain,
                     const T& band_gain, const T& low_gain, T& out) {
    const T v3 = v0 - ic2;
    const T v1 = a1 * ic1 + a2 * v3;        // band-pass
    const T v2 = ic2 + a2 * ic1 + a3 * v3;  // low-pass
    ic1 = 2.0f * v1 - ic1;
    ic2 = 2.0f * v2 - ic2;
    out = input_gain * v0 + band_gain * v1 + low_gain * v2;
}

class SvfFilter {
public:
    // Filters `n` samples in place (scalar reference of FilterBank).
    static void process(SvfState& state, const SvfCoefs& c, float* x, int n) {
        float ic1 = state.ic1;
        float ic2 = state.ic2;
        for (int i = 0; i < n; ++i) {
            svf_tick(x[i], ic1, ic2, c.a1, c.a2, c.a3, c.input_gain, c.band_gain, c.low_gain, x[i]);
        }
        state.ic1 = ic1;
        state.ic2 = ic2;
    }
};

}  // namespace tactus::synth
