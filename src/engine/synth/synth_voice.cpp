#include "engine/synth/synth_voice.h"

#include <algorithm>
#include <cmath>

#include "engine/synth/simd_lanes.h"

namespace tactus::synth {
namespace {

constexpr double kMinIncrement = 1e-6;  // 0.05 Hz at 48 kHz
constexpr double kMaxIncrement = 0.45;  // keeps every waveform below Nyquist

double clamp_increment(double increment) {
    return std::isfinite(increment) ? std::clamp(increment, kMinIncrement, kMaxIncrement) : kMinIncrement;
}

}  // namespace

void SynthVoice::start(const VoicePatch& patch, const NoteStart& note, double bend_ratio) {
    patch_ = &patch;
    const SynthPreset& p = patch.preset;
    osc1_.set_phase(p.start_phase);
    osc2_.set_phase(p.start_phase);
    bendable_ = note.bendable;
    note_increment_ = note.frequency_hz / patch.sample_rate;
    base_increment_ = bendable_ ? note_increment_ * bend_ratio : note_increment_;
    pitch_env_active_ = patch.has_pitch_env;
    pitch_env_semitones_ = patch.has_pitch_env ? p.pitch_env_semitones : 0.0;
    update_increments();
    noise_.seed(note.noise_seed);
    filter_ = SvfState{};
    amp_env_.start(patch.amp_env);
    filter_env_.start(patch.filter_env);
    const double velocity = static_cast<double>(note.velocity) / 127.0;
    cutoff_base_octaves_ = patch.cutoff_octaves + p.key_tracking * (note.pitch - 60) / 12.0 +
                           p.velocity_to_filter_octaves * (velocity - 1.0);
    coefs_valid_ = false;
    coefs_changed_ = false;
    last_cutoff_octaves_ = cutoff_base_octaves_;
    tone_gain_ = 1.0f;
    noise_gain_ = patch.noise_weight;
    has_extra_source_ = patch.noise_weight > 0.0f || patch.tone_decay_coef < 1.0f;
    const double velocity_gain = (1.0 - p.velocity_to_amp) + p.velocity_to_amp * velocity * velocity;
    amp_ = static_cast<float>(patch.gain * velocity_gain);
    age_ = 0;
}

void SynthVoice::release() {
    amp_env_.release();
    filter_env_.release();
}

void SynthVoice::release_now() {
    amp_env_.release_now();
    filter_env_.release_now();
}

void SynthVoice::fade_out() {
    amp_env_.fade(patch_ != nullptr ? patch_->fade_samples : 1);
}

void SynthVoice::set_bend(double ratio) {
    if (!bendable_ || patch_ == nullptr) return;
    base_increment_ = note_increment_ * ratio;
    update_increments();
}

void SynthVoice::update_increments() {
    double increment = base_increment_;
    if (pitch_env_semitones_ != 0.0) increment *= std::exp2(pitch_env_semitones_ / 12.0);
    osc1_.set_increment(clamp_increment(increment));
    osc2_.set_increment(clamp_increment(increment * patch_->osc2_ratio));
}

void SynthVoice::update_controls() {
    const SynthPreset& p = patch_->preset;
    if (pitch_env_active_) {
        update_increments();
        if (pitch_env_semitones_ == 0.0) {
            pitch_env_active_ = false;  // the increment is back at the note's own
        } else {
            pitch_env_semitones_ *= patch_->pitch_env_coef;
            if (std::fabs(pitch_env_semitones_) < 1e-3) pitch_env_semitones_ = 0.0;
        }
    }
    if (p.filter != FilterMode::Off) {
        double octaves = cutoff_base_octaves_;
        if (p.filter_env_octaves != 0.0) octaves += p.filter_env_octaves * filter_env_.advance(1);
        if (!coefs_valid_ || octaves != last_cutoff_octaves_) {
            const CutoffTable* table = patch_->cutoff_table;
            coefs_ = table != nullptr
                         ? SvfCoefs::from_g(p.filter, table->g(octaves), patch_->damping)
                         : SvfCoefs::make(p.filter, std::exp2(octaves), patch_->damping, patch_->sample_rate);
            last_cutoff_octaves_ = octaves;
            coefs_changed_ = true;
        }
    }
    coefs_valid_ = true;
}

}  // namespace tactus::synth
