// One voice of the built-in synth: oscillators (+ noise) -> state-variable filter -> ADSR amplifier.
//
// A voice renders a span in two halves around the instrument's FilterBank:
//   begin_render: amplitude envelope, then oscillators and noise into its VoiceLane, noting where
//                 its filter coefficients change;
//   (the bank filters the lanes of several voices at once);
//   end_render:   adds signal * envelope * level to the mix.
// Each half is a few tight loops with no per-sample dispatch (defined inline in synth_voice_render.h).
// Control-rate work (cutoff from the filter envelope, pitch envelope) happens when the voice's own age is a
// multiple of kControlPeriod, never at render() call boundaries, so the output does not depend on how a span
// is cut into calls.
//
// Audio thread only (start() included); no allocation, locking or I/O. The VoicePatch it plays must
// outlive it.
#pragma once

#include <cstdint>

#include "engine/synth/adsr_envelope.h"
#include "engine/synth/filter_bank.h"
#include "engine/synth/noise.h"
#include "engine/synth/oscillator.h"
#include "engine/synth/svf_filter.h"
#include "engine/synth/voice_patch.h"

namespace tactus::synth {

struct NoteStart {
    double frequency_hz = 440.0;
    int pitch = 69;  // for key tracking
    int velocity = 100;
    std::uint64_t noise_seed = 0;
    bool bendable = true;  // follows pitch bend (drums do not)
};

class SynthVoice {
public:
    void start(const VoicePatch& patch, const NoteStart& note, double bend_ratio);
    // Note-off: the attack completes, then the release.
    void release();
    // Release from the current level at once.
    void release_now();
    // Fade to silence within kFadeSeconds (steal, kill, choke).
    void fade_out();
    // Pitch-bend ratio (frequency multiplier); ignored by voices that are not bendable.
    void set_bend(double ratio);

    bool finished() const { return amp_env_.finished(); }
    const VoicePatch* patch() const { return patch_; }

    // First half of rendering the next `n` (<= kMaxRenderFrames) samples: fills `lane`. When the
    // envelope ends inside the span, lane.live < n and finished() becomes true.
    void begin_render(int n, VoiceLane& lane);
    // Second half, once the lane has been filtered: adds the voice's lane.live samples to `mix`.
    void end_render(const VoiceLane& lane, float* mix) const;

private:
    bool controls_static() const;
    void update_controls();
    void update_increments();
    void render_source(float* out, int n);

    const VoicePatch* patch_ = nullptr;
    OscillatorPhase osc1_;
    OscillatorPhase osc2_;
    NoiseSource noise_;
    SvfState filter_;
    SvfCoefs coefs_;
    AdsrEnvelope amp_env_;
    AdsrEnvelope filter_env_;
    double note_increment_ = 0.0;  // cycles per sample of the note, unbent
    double base_increment_ = 0.0;  // ... with pitch bend
    double pitch_env_semitones_ = 0.0;
    double cutoff_base_octaves_ = 14.0;
    double last_cutoff_octaves_ = 0.0;
    float tone_gain_ = 1.0f;
    float noise_gain_ = 0.0f;
    float amp_ = 0.0f;
    std::int64_t age_ = 0;  // samples rendered since start()
    bool bendable_ = true;
    bool pitch_env_active_ = false;
    bool coefs_valid_ = false;
    bool coefs_changed_ = false;     // since the last segment handed to the filter bank
    bool has_extra_source_ = false;  // noise or tone decay: needs the mixing pass
};

}  // namespace tactus::synth
