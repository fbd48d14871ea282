// A SynthPreset compiled for one sample rate: every value clamped to a safe range (NaN and
// infinities replaced by defaults) and every coefficient a voice needs precomputed, so that note
// starts and control updates are cheap and no parameter can make a voice produce NaN.
//
// Threading: built off the audio thread (the instrument's constructor); immutable afterwards.
#pragma once

#include "engine/synth/adsr_envelope.h"
#include "engine/synth/svf_filter.h"
#include "engine/synth/synth_preset.h"

namespace tactus::synth {

// Filter cutoff and pitch envelope update once per this many samples of a voice's own age.
inline constexpr int kControlPeriod = 16;
// A stolen, killed or choked voice fades to silence over this time.
inline constexpr double kFadeSeconds = 0.003;

struct VoicePatch {
    SynthPreset preset;  // the sanitized values
    double sample_rate = 48000.0;

    AdsrShape amp_env;
    AdsrShape filter_env;  // runs at control rate: one step per kControlPeriod samples
    float osc1_weight = 1.0f;
    float osc2_weight = 0.0f;
    float noise_weight = 0.0f;
    double osc2_ratio = 1.0;       // frequency of oscillator 2 / oscillator 1
    float tone_decay_coef = 1.0f;  // per sample; 1 = no extra decay
    float noise_decay_coef = 1.0f;
    double pitch_env_coef = 0.0;  // per control period
    bool has_pitch_env = false;
    float damping = 2.0f;
    double cutoff_octaves = 14.0;  // log2 of the cutoff in Hz
    float gain = 0.25f;
    int fade_samples = 144;
    // Shared cutoff -> coefficient table for this sample rate (owned by the instrument); without
    // one, coefficients are computed directly.
    const CutoffTable* cutoff_table = nullptr;

    // `gain_scale` multiplies the preset's gain (a kit's level on top of its sound's).
    static VoicePatch compile(const SynthPreset& preset, double sample_rate, double gain_scale = 1.0);
};

// A copy of `preset` with every value finite and in range.
SynthPreset sanitized(const SynthPreset& preset);

}  // namespace tactus::synth
