// The "drums" preset: a small General MIDI percussion kit synthesized from oscillators, pitch
// envelopes and deterministic noise. The note's pitch picks the sound and its tuning; pitches
// without a GM sound play the nearest sensible one.
//
// Threading: immutable statics; safe from any thread, never allocates.
#pragma once

#include <cstdint>

#include "engine/synth/synth_preset.h"

namespace tactus::synth {

enum class DrumSound : std::uint8_t {
    Kick,
    Snare,
    SideStick,
    Clap,
    ClosedHat,
    PedalHat,
    OpenHat,
    Tom,
    HandDrum,
    Crash,
    Splash,
    Ride,
    RideBell,
    Cowbell,
    Tambourine,
    Shaker,
    Block,
    TriangleMute,
    TriangleOpen,
    Whistle,
};
inline constexpr int kDrumSoundCount = static_cast<int>(DrumSound::Whistle) + 1;

struct DrumHit {
    DrumSound sound = DrumSound::Kick;
    double frequency_hz = 50.0;  // the sound's oscillator frequency for this key
};

// The sound a GM percussion key (any 0..127; others are clamped) plays.
DrumHit gm_drum_hit(int pitch);

// How each sound is synthesized (one_shot, with its own envelopes and filter).
const SynthPreset& drum_sound_preset(DrumSound sound);

}  // namespace tactus::synth
