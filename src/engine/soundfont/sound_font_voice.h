// One voice of a SoundFont note: a sample played through the SoundFont 2.01 synthesis model
// (docs/soundfont.md says what is covered): 4-point interpolation, loop modes, the volume and
// modulation envelopes, the vibrato and modulation LFOs, the resonant low-pass filter, pan, and the
// modulators re-evaluated whenever the channel's controllers change.
//
// Output does not depend on how a span is cut into render calls: control-rate values are updated
// on the voice's own clock (every kControlFrames of its age) and at controller changes, never at
// call boundaries.
//
// Audio thread only (start included); no allocation, locking or I/O. The font the setup points into
// must outlive the voice.
#pragma once

#include <array>
#include <cstdint>

#include "engine/soundfont/block_envelope.h"
#include "engine/soundfont/channel_state.h"
#include "engine/soundfont/modulator_eval.h"
#include "engine/soundfont/resonant_lowpass.h"
#include "engine/soundfont/voice_setup.h"

namespace tactus::sf2 {

class SoundFontVoice {
public:
    // The control block: envelopes, LFOs, pitch and filter move once per this many frames of the
    // voice's age (FluidSynth's FLUID_BUFSIZE), gliding linearly in between.
    static constexpr int kControlFrames = 64;

    // Begins sounding with the next frame rendered. `channel` must outlive the voice's note.
    void start(const VoiceSetup& setup, const ChannelState& channel, double output_rate);
    // A controller of the channel changed: the modulators that read it take effect from the next frame.
    void controllers_changed();
    // Note-off (the instrument decides about the sustain pedal): the release phase of both envelopes,
    // from the next frame. As FluidSynth (synth.min-note-length, 10 ms), a note-off sooner than 10 ms
    // after the start takes effect at 10 ms.
    void release();
    // Exclusive class: another note of the same class started; this one stops fast, as FluidSynth's
    // fluid_voice_kill_excl does (both envelopes released with a -200 timecent release, about 0.9 s
    // over 96 dB), and exclusive_class() becomes 0 so that it is not choked twice.
    void choke();
    // Panic: fades out linearly, silent after 5 ms.
    void kill();

    // Adds `frames` (<= kMaxRenderFrames) frames to left and right.
    void render_add(float* left, float* right, int frames);
    // False once the voice has ended (envelope done or sample played out): it adds nothing more.
    bool active() const;

    // For voice stealing (FluidSynth steals by age, release state and loudness): the frames rendered
    // since start, and the amplitude now (envelope times attenuation, 0..1, before pan and gain).
    std::uint64_t age_frames() const { return age_; }
    float amplitude() const { return amp_; }

    int key() const;              // the note's key (as the instrument started it)
    int exclusive_class() const;  // 0: none
    bool released() const;

private:
    void apply_generators(bool at_start);
    double gen(int g) const { return base_[g] + static_mod_[g] + dynamic_mod_[g]; }
    void set_envelopes();
    int hold_decay_blocks(int base, int key_to, bool decay) const;
    void control_tick();
    double target_amplitude(bool* ended) const;
    double modenv_value() const;
    void refresh_phase_increment();
    void begin_release();
    void finish() { active_ = false; }
    int render_dispatch(float* left, float* right, int n);
    template <bool kHas24, bool kKilling, bool kFiltered>
    int render_frames(float* left, float* right, int n);
    float point(std::int64_t i) const;

    // What the voice plays.
    const std::int16_t* data_ = nullptr;
    const std::uint8_t* data24_ = nullptr;  // nullptr: 16-bit samples
    const ChannelState* channel_ = nullptr;
    std::int64_t start_ = 0, end_ = 0;            // end: the last frame played (inclusive, as FluidSynth)
    std::int64_t loop_start_ = 0, loop_end_ = 0;  // loop_end: the first frame after the loop
    int sample_mode_ = 0;
    double sample_rate_ = 44100.0;
    double output_rate_ = 48000.0;

    // Generators: the setup's values (attenuation scaled as FluidSynth does), plus what the
    // modulators that read only the note add, plus what the channel's modulators add now.
    std::array<double, kGenCount> base_{};
    std::array<double, kGenCount> static_mod_{};
    std::array<double, kGenCount> dynamic_mod_{};
    std::array<Modulator, kMaxVoiceModulators> channel_mods_{};
    int channel_mod_count_ = 0;
    NoteSources note_{};
    int key_ = 60;
    int exclusive_class_ = 0;

    // Parameters derived from the generators.
    double attenuation_cb_ = 0.0;
    double min_attenuation_cb_ = 0.0;
    double root_pitch_cents_ = 6000.0;
    double pitch_cents_ = 6000.0;
    double modlfo_to_pitch_ = 0.0, viblfo_to_pitch_ = 0.0, modenv_to_pitch_ = 0.0;
    double modlfo_to_fc_ = 0.0, modenv_to_fc_ = 0.0, modlfo_to_volume_ = 0.0;
    double fc_cents_ = 13500.0;
    float gain_left_ = 0.0f, gain_right_ = 0.0f;
    bool filter_bypassed_ = false;  // wide open: a plain gain instead of the biquad
    float bypass_gain_ = 1.0f;

    // Running state.
    BlockEnvelope volume_env_, mod_env_;
    BlockLfo mod_lfo_, vib_lfo_;
    ResonantLowpass filter_;
    std::uint64_t phase_ = 0;           // 32.32 fixed point frame position
    std::uint64_t phase_step_ = 0;      // per frame
    double last_pitch_cents_ = -1e300;  // what phase_step_ was computed from
    float amp_ = 0.0f, amp_step_ = 0.0f;
    std::uint64_t age_ = 0;         // frames rendered since start
    int block_pos_ = 0;             // frames into the current control block
    std::uint64_t release_at_ = 0;  // with release_pending_: the age at which the release begins
    std::uint64_t min_note_frames_ = 0;
    float kill_gain_ = 1.0f, kill_step_ = 0.0f;
    bool active_ = false;
    bool released_ = false;
    bool release_pending_ = false;
    bool killing_ = false;
    bool has_looped_ = false;
    bool silent_block_ = false;  // the volume envelope's delay: nothing sounds, the sample waits
};

}  // namespace tactus::sf2
