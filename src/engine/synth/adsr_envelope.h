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

#include "engine/synth/synth_preset.h"

namespace tactus::synth {

// An Adsr compiled for one sample rate.
struct AdsrShape {
    // How far beyond its end value a decay / release curve aims, as a fraction of its full range:
    // the curve is exponential down to about -60 dB of that range, then nearly linear to the end.
    static constexpr double kTargetRatio = 0.001;

    int attack_samples = 1;
    float attack_step = 1.0f;
    float decay_coef = 0.0f;
    float decay_target = 0.0f;  // a little below sustain
    float sustain = 1.0f;
    float release_coef = 0.0f;
    float release_target = 0.0f;  // a little below 0

    static AdsrShape make(const Adsr& times, double sample_rate) {
        AdsrShape shape;
        shape.attack_samples = std::max(1, static_cast<int>(std::lround(times.attack * sample_rate)));
        shape.attack_step = 1.0f / static_cast<float>(shape.attack_samples);
        // A sustain within 1e-4 of full scale is full scale: the decay curve could not resolve it.
        const double sustain = times.sustain > 0.9999 ? 1.0 : times.sustain;
        shape.sustain = static_cast<float>(sustain);
        const double decay_coef = curve_coef(times.decay * sample_rate);
        const double decay_target = sustain - kTargetRatio * (1.0 - sustain);
        shape.decay_coef = static_cast<float>(decay_coef);
        shape.decay_target = static_cast<float>(decay_target);
        shape.release_coef = static_cast<float>(curve_coef(times.release * sample_rate));
        shape.release_target = static_cast<float>(-kTargetRatio);
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
    // sample: the end time then does not drift with rounding.
    void enter_decay() {
        stage_ = Stage::Decay;
        distance_ = value_ - shape_->decay_target;
    }
    void enter_release() {
        stage_ = Stage::Release;
        distance_ = value_ - shape_->release_target;
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
                    const float step = shape_->attack_step;
                    for (int k = 0; k < m; ++k) {
                        value_ += step;
                        if constexpr (Store) out[i + k] = value_;
                    }
                    i += m;
                    remaining_ -= m;
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
                    const float coef = shape_->decay_coef;
                    const float target = shape_->decay_target;
                    const float end = shape_->sustain - target;
                    const float sustain = shape_->sustain;
                    for (; i < n; ++i) {
                        distance_ *= coef;
                        value_ = target + distance_;
                        if (distance_ <= end) {
                            value_ = sustain;
                            if constexpr (Store) out[i] = value_;
                            ++i;
                            stage_ = sustain > 0.0f ? Stage::Sustain : Stage::Idle;
                            break;
                        }
                        if constexpr (Store) out[i] = value_;
                    }
                    break;
                }
                case Stage::Sustain: {
                    if constexpr (Store) std::fill(out + i, out + n, value_);
                    i = n;
                    break;
                }
                case Stage::Release: {
                    const float coef = shape_->release_coef;
                    const float target = shape_->release_target;
                    const float end = -target;
                    for (; i < n; ++i) {
                        distance_ *= coef;
                        value_ = target + distance_;
                        if (distance_ <= end) {
                            value_ = 0.0f;
                            if constexpr (Store) out[i] = 0.0f;
                            ++i;
                            stage_ = Stage::Idle;
                            break;
                        }
                        if constexpr (Store) out[i] = value_;
                    }
                    break;
                }
                case Stage::Fade: {
                    const int m = std::min(n - i, remaining_);
                    for (int k = 0; k < m; ++k) {
                        --remaining_;
                        value_ = step_ * static_cast<float>(remaining_);  // ends at exact 0
                        if constexpr (Store) out[i + k] = value_;
                    }
                    i += m;
                    if (remaining_ == 0) stage_ = Stage::Idle;
                    break;
                }
            }
        }
        return i;
    }

    const AdsrShape* shape_ = nullptr;
    float value_ = 0.0f;
    float distance_ = 0.0f;  // decay / release: value - target
    float step_ = 0.0f;      // fade: level per sample
    int remaining_ = 0;
    Stage stage_ = Stage::Idle;
    bool release_at_peak_ = false;
};

}  // namespace tactus::synth
