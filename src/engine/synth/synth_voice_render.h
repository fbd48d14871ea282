// The render halves of a SynthVoice (synth_voice.h), inline: they run once per voice per block, so
// the instrument's voice loop inlines them rather than paying a call (and a dispatch) per voice.
// Include only where voices are rendered (synth_instrument.cpp).
//
// Audio thread only, as SynthVoice.
#pragma once

#include <algorithm>

#include "engine/synth/simd_lanes.h"
#include "engine/synth/synth_voice.h"

// For the function that runs the voices (SynthInstrument::render_block): two builds of it, chosen once
// at load time (an ifunc): AVX2 where the CPU has it, the baseline x86-64 otherwise. Everything it
// calls is inlined into each (flatten), the halves below included, so the eight-lane vectors run as
// two 256-bit operations instead of four 128-bit ones, and a voice costs no call per block. No FMA:
// the two builds do the same IEEE operations in the same order, so their output is the same to the bit.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TACTUS_VOICE_LOOP __attribute__((target_clones("avx2", "default"), flatten))
#else
#define TACTUS_VOICE_LOOP
#endif

namespace tactus::synth {

// True when a control update would recompute exactly what is already in place, so spans may run
// past control-period boundaries without one.
inline bool SynthVoice::controls_static() const {
    if (!coefs_valid_ || pitch_env_active_) return false;
    const SynthPreset& p = patch_->preset;
    return p.filter == FilterMode::Off || p.filter_env_octaves == 0.0 || filter_env_.is_constant();
}

// Writes n samples to out[0 .. n).
inline void SynthVoice::render_source(float* out, int n) {
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

inline void SynthVoice::begin_render(int n, VoiceLane& lane) {
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

inline void SynthVoice::end_render(const VoiceLane& lane, float* mix) const {
    add_product(mix, lane.signal, lane.envelope, amp_, lane.live);
}

}  // namespace tactus::synth
