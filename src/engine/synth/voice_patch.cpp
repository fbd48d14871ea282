#include "engine/synth/voice_patch.h"

#include <algorithm>
#include <cmath>

namespace tactus::synth {
namespace {

double clamped(double value, double low, double high, double fallback) {
    if (!std::isfinite(value)) return fallback;
    return std::clamp(value, low, high);
}

Adsr sanitized(const Adsr& adsr, const Adsr& fallback) {
    constexpr double kLongest = 60.0;
    return Adsr{clamped(adsr.attack, 0.0, kLongest, fallback.attack),
                clamped(adsr.decay, 0.0, kLongest, fallback.decay),
                clamped(adsr.sustain, 0.0, 1.0, fallback.sustain),
                clamped(adsr.release, 0.0, kLongest, fallback.release)};
}

// Per-step coefficient of an exponential decay with time constant `seconds` (0 = no decay).
double decay_coef(double seconds, double steps_per_second) {
    if (seconds <= 0.0) return 1.0;
    return std::exp(-1.0 / (seconds * steps_per_second));
}

}  // namespace

SynthPreset sanitized(const SynthPreset& in) {
    const SynthPreset d{};  // defaults
    SynthPreset p = in;
    const double phase = clamped(in.start_phase, -1e6, 1e6, 0.0);
    p.start_phase = phase - std::floor(phase);
    if (p.start_phase >= 1.0) p.start_phase = 0.0;
    p.osc2_mix = clamped(in.osc2_mix, 0.0, 1.0, d.osc2_mix);
    p.osc2_detune_cents = clamped(in.osc2_detune_cents, -4800.0, 4800.0, d.osc2_detune_cents);
    p.noise_mix = clamped(in.noise_mix, 0.0, 1.0, d.noise_mix);
    p.tone_decay = clamped(in.tone_decay, 0.0, 100.0, d.tone_decay);
    p.noise_decay = clamped(in.noise_decay, 0.0, 100.0, d.noise_decay);
    p.pitch_env_semitones = clamped(in.pitch_env_semitones, -48.0, 48.0, d.pitch_env_semitones);
    p.pitch_env_decay = clamped(in.pitch_env_decay, 0.0, 100.0, d.pitch_env_decay);
    p.amp = sanitized(in.amp, d.amp);
    p.velocity_to_amp = clamped(in.velocity_to_amp, 0.0, 1.0, d.velocity_to_amp);
    p.gain = clamped(in.gain, 0.0, 16.0, d.gain);
    p.cutoff_hz = clamped(in.cutoff_hz, 16.0, 1e5, d.cutoff_hz);
    p.resonance = clamped(in.resonance, 0.0, 1.0, d.resonance);
    p.filter_env_octaves = clamped(in.filter_env_octaves, -12.0, 12.0, d.filter_env_octaves);
    p.filter_env = sanitized(in.filter_env, d.filter_env);
    p.key_tracking = clamped(in.key_tracking, -2.0, 2.0, d.key_tracking);
    p.velocity_to_filter_octaves =
        clamped(in.velocity_to_filter_octaves, -12.0, 12.0, d.velocity_to_filter_octaves);
    p.polyphony = std::max(0, in.polyphony);
    p.choke_group = std::max(0, in.choke_group);
    switch (in.waveform) {
        case Waveform::Sine:
        case Waveform::Saw:
        case Waveform::Square:
        case Waveform::Triangle:
            break;
        default:
            p.waveform = Waveform::Sine;
    }
    switch (in.waveform2) {
        case Waveform::Sine:
        case Waveform::Saw:
        case Waveform::Square:
        case Waveform::Triangle:
            break;
        default:
            p.waveform2 = Waveform::Sine;
    }
    switch (in.filter) {
        case FilterMode::Off:
        case FilterMode::LowPass:
        case FilterMode::BandPass:
        case FilterMode::HighPass:
            break;
        default:
            p.filter = FilterMode::Off;
    }
    return p;
}

VoicePatch VoicePatch::compile(const SynthPreset& preset, double sample_rate, double gain_scale) {
    VoicePatch patch;
    patch.preset = sanitized(preset);
    const SynthPreset& p = patch.preset;
    patch.sample_rate = sample_rate;
    patch.amp_env = AdsrShape::make(p.amp, sample_rate);
    patch.filter_env = AdsrShape::make(p.filter_env, sample_rate / kControlPeriod);
    patch.osc1_weight = static_cast<float>((1.0 - p.noise_mix) * (1.0 - p.osc2_mix));
    patch.osc2_weight = static_cast<float>((1.0 - p.noise_mix) * p.osc2_mix);
    patch.noise_weight = static_cast<float>(p.noise_mix);
    patch.osc2_ratio = std::exp2(p.osc2_detune_cents / 1200.0);
    patch.tone_decay_coef = static_cast<float>(decay_coef(p.tone_decay, sample_rate));
    patch.noise_decay_coef = static_cast<float>(decay_coef(p.noise_decay, sample_rate));
    patch.has_pitch_env = p.pitch_env_semitones != 0.0 && p.pitch_env_decay > 0.0;
    patch.pitch_env_coef = decay_coef(p.pitch_env_decay, sample_rate / kControlPeriod);
    patch.damping = SvfCoefs::damping_for_resonance(p.resonance);
    patch.cutoff_octaves = std::log2(p.cutoff_hz);
    patch.gain = static_cast<float>(p.gain * clamped(gain_scale, 0.0, 16.0, 1.0));
    patch.fade_samples = std::max(1, static_cast<int>(std::lround(kFadeSeconds * sample_rate)));
    return patch;
}

}  // namespace tactus::synth
