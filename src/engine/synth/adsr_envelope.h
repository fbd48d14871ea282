// The ADSR envelope generator of one voice, plus a short linear fade used to steal or kill a voice.
//
// Stages: attack is linear and reaches exactly 1 after `attack_samples` (>= 1) samples, so the first
// sample of a note is already non-zero. Decay and release are one-pole curves aimed a little beyond
// their end value (the "target ratio" trick), so they reach the end value exactly and in bounded
// time: decay 1 -> sustain in `decay` seconds, release 1 -> 0 in `release` seconds. A voice ends the
// sample its envelope reaches 0 (release, fade, or a decay to sustain 0).
//
// Every value depends only on the samples run since start() and on the calls between them: the
// envelope never looks at how a span is cut into process() calls.
//
// Pure arithmetic, no allocation: safe on the audio thread (shapes are built off it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "engine/synth/simd_lanes.h"
#include "engine/synth/synth_preset.h"

namespace tactus::synth {

// An Adsr compiled for one sample rate.
struct AdsrShape {
    // How far beyond its end value a decay / release curve aims, as a fraction of its full range:
    // the curve is exponential down to about -60 dB of that range, then nearly linear to the end.
    static constexpr double kTargetRatio = 0.001;

    int attack_samples = 1;
    float attack_step = 1.0f;
    float decay_target = 0.0f;  // a little below sustain
    float sustain = 1.0f;
    float release_target = 0.0f;  // a little below 0
    // coef^1 .. coef^8 of each curve: a chunk of eight samples from its first sample's distance.
    alignas(32) float decay_powers[kSimdWidth] = {};
    alignas(32) float release_powers[kSimdWidth] = {};

    static AdsrShape make(const Adsr& times, double sample_rate) {
        AdsrShape shape;
        shape.attack_samples = std::max(1, static_cast<int>(std::lround(times.attack * sample_rate)));
        shape.attack_step = 1.0f / static_cast<float>(shape.attack_samples);
        // A sustain within 1e-4 of full scale is full scale: the decay curve could not resolve it.
        const double sustain = times.sustain > 0.9999 ? 1.0 : times.sustain;
        shape.sustain = static_cast<float>(sustain);
        const double decay_coef = curve_coef(times.decay * sample_rate);
        const double decay_target = sustain - kTargetRatio * (1.0 - sustain);
        shape.decay_target = static_cast<float>(decay_target);
        const double release_coef = curve_coef(times.release * sample_rate);
        shape.release_target = static_cast<float>(-kTargetRatio);
        for (int k = 0; k < kSimdWidth; ++k) {
            shape.decay_powers[k] = static_cast<float>(std::pow(decay_coef, k + 1));
            shape.release_powers[k] = static_cast<float>(std::pow(release_coef, k + 1));
        }
        return shape;
    }

private:
    // One-pole coefficient that covers the full range in `samples` (>= 1).
    static double curve_coef(double samples) {
        samples = std::max(1.0, samples);
        return std::exp(-std::log((1.0 + kTargetRatio) / kTargetRatio) / samples);
    }
};

class AdsrEnvelope {
public:
    enum class Stage : std::uint8_t { Idle, Attack, Decay, Sustain, Release, Fade };

    void start(const AdsrShape& shape) {
        shape_ = &shape;
        value_ = 0.0f;
        stage_ = Stage::Attack;
        remaining_ = shape.attack_samples;
        release_at_peak_ = false;
    }

    // Note-off: a note always completes its attack (a zero-length note is a full, short hit);
    // released during the attack, it starts its release at the peak.
    void release() {
        if (stage_ == Stage::Attack) {
            release_at_peak_ = true;
        } else if (stage_ == Stage::Decay || stage_ == Stage::Sustain) {
            enter_release();
        }
    }

    // Releases from the current level at once, even in the attack.
    void release_now() {
        if (stage_ == Stage::Attack || stage_ == Stage::Decay || stage_ == Stage::Sustain) enter_release();
    }

    // Linear fade from the current level to exact 0 in `samples` samples (steal, kill, choke).
    void fade(int samples) {
        if (stage_ == Stage::Idle || stage_ == Stage::Fade) return;
        if (value_ <= 0.0f) {
            stage_ = Stage::Idle;
            value_ = 0.0f;
            return;
        }
        stage_ = Stage::Fade;
        remaining_ = std::max(1, samples);
        step_ = value_ / static_cast<float>(remaining_);
    }

    Stage stage() const { return stage_; }
    bool finished() const { return stage_ == Stage::Idle; }
    float value() const { return value_; }
    // True when the value cannot change until the next call that changes the stage.
    bool is_constant() const { return stage_ == Stage::Sustain || stage_ == Stage::Idle; }

    // Writes up to `n` envelope values to `out` and returns how many it wrote: fewer than n only when
    // the envelope ended (reached exact 0, then Idle); the rest of the span is silent.
    int process(float* out, int n) { return run<true>(out, n); }

    // Runs `n` samples without writing them; returns the value after the last one.
    float advance(int n) {
        run<false>(nullptr, n);
        return value_;
    }

private:
    // The curves run on the distance to their target, which shrinks by a constant factor per
    // sample: the end time then does not drift with rounding. They go in chunks of eight samples
    // counted from the stage's start: sample k of a chunk is the chunk's first distance times
    // coef^(k+1), so every value depends on the stage's start and its distance from it, never on how
    // the span is cut.
    void enter_decay() {
        stage_ = Stage::Decay;
        enter_curve(shape_->decay_target);
    }
    void enter_release() {
        stage_ = Stage::Release;
        enter_curve(shape_->release_target);
    }
    void enter_curve(float target) {
        distance_ = value_ - target;
        curve_age_ = 0;
    }

    // Writes (first + k * direction) * step for k < m: the attack's and the fade's straight lines,
    // each value exact for its place on the line.
    static void line(float* out, int first, int direction, float step, int m) {
        FloatLanes offsets;
        lane_offsets(offsets);
        int k = 0;
        for (; k + kSimdWidth <= m; k += kSimdWidth) {
            const FloatLanes v =
                (static_cast<float>(first + k * direction) + offsets * float(direction)) * step;
            store_lanes(out + k, v);
        }
        for (; k < m; ++k) out[k] = static_cast<float>(first + k * direction) * step;
    }

    // Runs a decay or release curve from out[i]; returns the new i. Sets *ended when it reached
    // `end_value` (and wrote it).
    template <bool Store>
    int run_curve(float* out, int i, int n, const float* powers, float target, float end_value, bool* ended) {
        const float end = end_value - target;  // the distance at which the curve has arrived
        FloatLanes p;
        load_lanes(p, powers);
        while (i < n) {
            const int k = curve_age_ % kSimdWidth;
            const int m = std::min(n - i, kSimdWidth - k);
            const FloatLanes distances = distance_ * p;
            alignas(32) float d[kSimdWidth];
            store_lanes(d, distances);
            if (k == 0 && m == kSimdWidth && d[kSimdWidth - 1] > end) {
                // A whole chunk that does not arrive (the common case): eight values at once.
                if constexpr (Store) store_lanes(out + i, target + distances);
                value_ = target + d[kSimdWidth - 1];
                distance_ = d[kSimdWidth - 1];
                i += kSimdWidth;
                curve_age_ += kSimdWidth;
                continue;
            }
            int last = k + m - 1;
            int arrived = -1;
            if (d[last] <= end) {  // the distance only shrinks: it arrives within this piece
                arrived = k;
                while (d[arrived] > end) ++arrived;
                last = arrived;
            }
            if constexpr (Store) {
                for (int j = k; j <= last; ++j) out[i + j - k] = target + d[j];
            }
            value_ = target + d[last];
            i += last - k + 1;
            curve_age_ += last - k + 1;
            if (arrived >= 0) {
                value_ = end_value;
                if constexpr (Store) out[i - 1] = end_value;
                *ended = true;
                return i;
            }
            if (curve_age_ % kSimdWidth == 0) distance_ = d[kSimdWidth - 1];
        }
        return i;
    }

    template <bool Store>
    int run(float* out, int n) {
        int i = 0;
        while (i < n) {
            switch (stage_) {
                case Stage::Idle:
                    return i;
                case Stage::Attack: {
                    const int m = std::min(n - i, remaining_);
                    const int done_before = shape_->attack_samples - remaining_;
                    if constexpr (Store) line(out + i, done_before + 1, 1, shape_->attack_step, m);
                    i += m;
                    remaining_ -= m;
                    value_ = static_cast<float>(done_before + m) * shape_->attack_step;
                    if (remaining_ == 0) {
                        value_ = 1.0f;
                        if constexpr (Store) out[i - 1] = 1.0f;
                        if (release_at_peak_) {
                            enter_release();
                        } else if (shape_->sustain < 1.0f) {
                            enter_decay();
                        } else {
                            stage_ = Stage::Sustain;
                        }
                    }
                    break;
                }
                case Stage::Decay: {
                    bool ended = false;
                    const float sustain = shape_->sustain;
                    i = run_curve<Store>(out, i, n, shape_->decay_powers, shape_->decay_target, sustain,
                                         &ended);
                    if (ended) stage_ = sustain > 0.0f ? Stage::Sustain : Stage::Idle;
                    break;
                }
                case Stage::Sustain: {
                    if constexpr (Store) fill_lanes(out + i, n - i, value_);
                    i = n;
                    break;
                }
                case Stage::Release: {
                    bool ended = false;
                    i = run_curve<Store>(out, i, n, shape_->release_powers, shape_->release_target, 0.0f,
                                         &ended);
                    if (ended) stage_ = Stage::Idle;
                    break;
                }
                case Stage::Fade: {
                    const int m = std::min(n - i, remaining_);
                    if constexpr (Store) line(out + i, remaining_ - 1, -1, step_, m);  // ends at exact 0
                    i += m;
                    remaining_ -= m;
                    value_ = step_ * static_cast<float>(remaining_);
                    if (remaining_ == 0) stage_ = Stage::Idle;
                    break;
                }
            }
        }
        return i;
    }

    const AdsrShape* shape_ = nullptr;
    float value_ = 0.0f;
    float distance_ = 0.0f;  // decay / release: value - target at the start of the current chunk
    int curve_age_ = 0;      // decay / release: samples since the stage started
    float step_ = 0.0f;      // fade: level per sample
    int remaining_ = 0;
    Stage stage_ = Stage::Idle;
    bool release_at_peak_ = false;
};

}  // namespace tactus::synth
