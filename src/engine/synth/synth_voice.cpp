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

// True when a control update would recompute exactly what is already in place, so spans may run
// past control-period boundaries without one.
bool SynthVoice::controls_static() const {
    if (!coefs_valid_ || pitch_env_active_) return false;
    const SynthPreset& p = patch_->preset;
    return p.filter == FilterMode::Off || p.filter_env_octaves == 0.0 || filter_env_.is_constant();
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

// Writes n samples to out[0 .. n).
void SynthVoice::render_source(float* out, int n) {
    const VoicePatch& patch = *patch_;
    const SynthPreset& p = patch.preset;
    if (patch.osc1_weight > 0.0f) {
        render_oscillator<false>(p.waveform, osc1_, patch.osc1_weight, out, n);
    } else {
        std::fill_n(out, n, 0.0f);
    }
    if (patch.osc2_weight > 0.0f) render_oscillator<true>(p.waveform2, osc2_, patch.osc2_weight, out, n);
    if (!has_extra_source_) return;
    float tone = tone_gain_;
    float noise = noise_gain_;
    const float tone_coef = patch.tone_decay_coef;
    const float noise_coef = patch.noise_decay_coef;
    for (int i = 0; i < n; ++i) {
        float& o = out[i];
        o = o * tone + noise_.next() * noise;
        tone *= tone_coef;
        noise *= noise_coef;
    }
    tone_gain_ = tone;
    noise_gain_ = noise;
}

// The voice loop in two builds, chosen once at load time (an ifunc): AVX2 where the CPU has it, the
// baseline x86-64 otherwise. Everything it calls is inlined into each (flatten), so the eight-lane
// vectors run as two 256-bit operations instead of four 128-bit ones. No FMA: the two builds do the
// same IEEE operations in the same order, so their output is the same to the bit.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TACTUS_VOICE_LOOP __attribute__((target_clones("avx2", "default"), flatten))
#else
#define TACTUS_VOICE_LOOP
#endif

TACTUS_VOICE_LOOP void SynthVoice::begin_render(int n, VoiceLane& lane) {
    lane.segment_count = 0;
    lane.state = &filter_;
    lane.live = patch_ != nullptr ? amp_env_.process(lane.envelope, n) : 0;
    const bool filtered = lane.live > 0 && patch_->preset.filter != FilterMode::Off;
    for (int done = 0; done < lane.live;) {
        const int into_period = static_cast<int>(age_ % kControlPeriod);
        if (into_period == 0 && !controls_static()) update_controls();
        if (filtered && (lane.segment_count == 0 || coefs_changed_)) {
            lane.add_segment(done, coefs_);
            coefs_changed_ = false;
        }
        const int span =
            controls_static() ? lane.live - done : std::min(lane.live - done, kControlPeriod - into_period);
        render_source(lane.signal + done, span);
        done += span;
        age_ += span;
    }
}

TACTUS_VOICE_LOOP void SynthVoice::end_render(const VoiceLane& lane, float* mix) const {
    add_product(mix, lane.signal, lane.envelope, amp_, lane.live);
}

}  // namespace tactus::synth
