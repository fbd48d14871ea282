// The SoundFont voice's resonant low-pass, as FluidSynth 2.3 builds it (fluid_iir_filter.c): an RBJ
// biquad in direct form II; Q in centibels over a non-resonant filter (Q 0 is 1/sqrt(2)); the gain
// lowered by half the resonance in dB (1/sqrt(q)); the cutoff clamped to 20 Hz .. 20 kHz and at most
// 0.45 * the output rate; a cutoff change glides, coefficient by coefficient, over `transition`
// frames (the first setting applies at once).
// Plain data, audio thread only.
#pragma once

#include <cmath>

#include "engine/soundfont/sf2_units.h"

namespace tactus::sf2 {

class ResonantLowpass {
public:
    void reset(double output_rate) {
        rate_ = output_rate;
        hist1_ = hist2_ = 0.0;
        last_hz_ = -1.0;
        startup_ = true;
        steps_ = 0;
    }
    // Starts over from silence: the next cutoff applies at once (after a stretch without the filter).
    void restart() {
        hist1_ = hist2_ = 0.0;
        last_hz_ = -1.0;
        startup_ = true;
        steps_ = 0;
    }
    // The gain the filter has well below its cutoff.
    double passband_gain() const { return gain_; }
    // Whether Q is 0 dB or less (no resonance).
    bool flat() const { return q_lin_ <= 0.7072; }
    void set_q_centibels(double q_cb) {
        double q_db = q_cb / 10.0;
        if (q_db < 0.0) q_db = 0.0;
        if (q_db > 96.0) q_db = 96.0;
        q_db -= 3.01;
        const double q = std::pow(10.0, q_db / 20.0);
        if (q != q_lin_) {
            q_lin_ = q;
            gain_ = 1.0 / std::sqrt(q);
            last_hz_ = -1.0;  // recompute the coefficients
        }
    }
    // The cutoff in absolute cents (fc generator plus modulation) for the next `transition` frames.
    void set_cutoff(double cents, int transition) {
        if (cents == last_cents_ && last_hz_ >= 0.0) return;  // most blocks: spare the exp2
        last_cents_ = cents;
        double hz = filter_cents_to_hz(cents);
        if (hz > 0.45 * rate_) hz = 0.45 * rate_;
        if (hz < 5.0) hz = 5.0;
        if (std::fabs(hz - last_hz_) <= 0.01) return;
        last_hz_ = hz;
        const double omega = 2.0 * M_PI * hz / rate_;
        const double sn = std::sin(omega);
        const double cs = std::cos(omega);
        const double alpha = sn / (2.0 * q_lin_);
        const double a0_inv = 1.0 / (1.0 + alpha);
        const double a1 = -2.0 * cs * a0_inv;
        const double a2 = (1.0 - alpha) * a0_inv;
        const double b1 = (1.0 - cs) * a0_inv * gain_;
        const double b02 = b1 * 0.5;
        compensate_ = false;
        if (startup_ || transition <= 0) {
            a1_ = a1;
            a2_ = a2;
            b02_ = b02;
            b1_ = b1;
            steps_ = 0;
            startup_ = false;
            return;
        }
        a1_inc_ = (a1 - a1_) / transition;
        a2_inc_ = (a2 - a2_) / transition;
        b02_inc_ = (b02 - b02_) / transition;
        b1_inc_ = (b1 - b1_) / transition;
        if (std::fabs(b02_) > 0.0001) {
            const double quota = b02 / b02_;
            compensate_ = quota < 0.5 || quota > 2.0;
        }
        steps_ = transition;
    }

    // As FluidSynth, a vanishing history becomes 0 (call before a run of tick()s).
    void flush_tiny_history() {
        if (std::fabs(hist1_) < 1e-20) hist1_ = 0.0;
    }
    // One sample. Inline, for the voice's fused loop (which works on a local copy of the filter).
    float tick(float x) {
        // The older history first: only the last multiply-add waits for the previous sample.
        const double centre = (x - a2_ * hist2_) - a1_ * hist1_;
        const double y = b02_ * (centre + hist2_) + b1_ * hist1_;
        hist2_ = hist1_;
        hist1_ = centre;
        if (steps_ > 0) glide();
        return static_cast<float>(y);
    }

private:
    // The coefficients take one step of their glide.
    void glide() {
        --steps_;
        const double old_b02 = b02_;
        a1_ += a1_inc_;
        a2_ += a2_inc_;
        b02_ += b02_inc_;
        b1_ += b1_inc_;
        // FluidSynth scales the history with a large gain change, so that the filter does not ring.
        if (compensate_ && std::fabs(b02_) > 0.001) {
            const double k = old_b02 / b02_;
            hist1_ *= k;
            hist2_ *= k;
        }
    }

    double rate_ = 48000.0;
    double q_lin_ = -1.0, gain_ = 1.0;
    double last_hz_ = -1.0;
    double last_cents_ = 0.0;
    double a1_ = 0.0, a2_ = 0.0, b02_ = 0.0, b1_ = 0.0;
    double a1_inc_ = 0.0, a2_inc_ = 0.0, b02_inc_ = 0.0, b1_inc_ = 0.0;
    double hist1_ = 0.0, hist2_ = 0.0;
    int steps_ = 0;
    bool compensate_ = false;
    bool startup_ = true;
};

}  // namespace tactus::sf2
