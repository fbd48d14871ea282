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

#include "engine/soundfont/channel_state.h"
#include "engine/soundfont/voice_setup.h"

namespace tactus::sf2 {

class SoundFontVoice {
public:
    // Begins sounding with the next frame rendered. `channel` must outlive the voice's note.
    void start(const VoiceSetup& setup, const ChannelState& channel, double output_rate);
    // A controller of the channel changed: the modulators that read it take effect from the next frame.
    void controllers_changed();
    // Note-off (the instrument decides about the sustain pedal): the release phase of both envelopes.
    void release();
    // Exclusive class: another note of the same class started; this one stops fast, as FluidSynth does.
    void choke();
    // Panic: silent within a few milliseconds.
    void kill();

    // Adds `frames` (<= kMaxRenderFrames) frames to left and right.
    void render_add(float* left, float* right, int frames);
    // False once the voice has ended (envelope done or sample played out): it adds nothing more.
    bool active() const;

    int key() const;              // the note's key (as the instrument started it)
    int exclusive_class() const;  // 0: none
    bool released() const;

    // (implementation state below)
};

}  // namespace tactus::sf2
