// FluidSynth's own render of a MIDI file: the reference the SoundFont instrument is compared with
// (support/level_compare.h). Only tests and benches link libfluidsynth; the engine never does.
//
// It renders as `fluidsynth -ni -F out.wav -r 48000 -R 0 -C 0 font.sf2 song.mid` does: the file
// player clocked by the samples rendered (player.timing-source "sample"), 64-frame blocks, reverb and
// chorus off, FluidSynth's default gain (0.2), stopping when the player has played the file's last
// event. The CLI then writes 16-bit samples; this keeps the floats. With `render_tail`, it goes on
// until no voice sounds (as `tactus render` does), at most max_tail_seconds.
//
// Threading: one call at a time per process (it installs FluidSynth's global log handlers while it
// runs, to capture FluidSynth's messages for the error text).
#pragma once

#include <string>
#include <vector>

namespace tactus::test {

struct FluidSynthRenderOptions {
    double sample_rate = 48000.0;
    double gain = 0.2;    // FluidSynth's synth.gain default
    int polyphony = 256;  // FluidSynth's synth.polyphony default
    bool render_tail = false;
    double max_tail_seconds = 30.0;
};

struct FluidSynthAudio {
    std::vector<float> left;
    std::vector<float> right;
    std::string error;  // empty on success; else what failed, with FluidSynth's own messages
};

FluidSynthAudio render_with_fluidsynth(const std::string& midi_path, const std::string& font_path,
                                       const FluidSynthRenderOptions& options = {});

}  // namespace tactus::test
