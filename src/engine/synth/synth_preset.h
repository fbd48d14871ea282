// The built-in synth's sound descriptions: plain values, plus the table of named presets.
//
// A SynthPreset says what one voice does: oscillators -> (+ noise) -> resonant filter -> amplifier.
// Times are seconds, pitches MIDI notes, frequencies Hz. Any value may be out of range or even NaN:
// the instrument clamps it when it compiles the preset (voice_patch.h), so no preset can produce NaN.
//
// Threading: the named presets are immutable statics; find_synth_preset() is safe from any thread
// and never allocates. synth_preset_names() allocates (GUI / CLI use only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tactus {

enum class Waveform : std::uint8_t { Sine, Saw, Square, Triangle };

// The filter's response. Off skips the filter entirely (the "click" needs an untouched first sample).
enum class FilterMode : std::uint8_t { Off, LowPass, BandPass, HighPass };

// Attack is linear from 0 to 1 and lasts `attack` (at least one sample: the first sample of a note
// is already the attack). Decay and release are exponential curves that reach their end value
// exactly: decay falls from 1 to `sustain` in `decay` seconds; release falls from 1 to exact 0 in
// `release` seconds (from a lower level, sooner). A sustain of 0 ends the note after the decay.
struct Adsr {
    double attack = 0.005;
    double decay = 0.1;
    double sustain = 1.0;  // level 0..1
    double release = 0.1;
};

struct SynthPreset {
    std::string_view name;

    // Oscillators. Phase is in cycles; start_phase 0.25 makes a sine start at its peak (cosine).
    Waveform waveform = Waveform::Sine;
    double start_phase = 0.0;
    Waveform waveform2 = Waveform::Saw;
    double osc2_mix = 0.0;             // 0: oscillator 1 only .. 1: oscillator 2 only
    double osc2_detune_cents = 0.0;    // interval of oscillator 2 above oscillator 1 (any size)
    double noise_mix = 0.0;            // 0..1: share of white noise added to the oscillators
    double tone_decay = 0.0;           // s, time constant of an extra decay on the oscillators; 0 = none
    double noise_decay = 0.0;          // s, time constant of an extra decay on the noise; 0 = none
    double pitch_env_semitones = 0.0;  // the note starts this far above its pitch ...
    double pitch_env_decay = 0.0;      // ... and falls back with this time constant (s)

    // Amplifier.
    Adsr amp{};
    double velocity_to_amp = 1.0;  // 0: velocity ignored .. 1: level = (velocity/127)^2
    double gain = 0.25;            // linear output gain at full velocity and envelope

    // Filter: cutoff in octaves = log2(cutoff_hz) + filter_env_octaves * filter envelope
    //   + key_tracking * (pitch - 60) / 12 + velocity_to_filter_octaves * (velocity - 127) / 127.
    FilterMode filter = FilterMode::Off;
    double cutoff_hz = 20000.0;
    double resonance = 0.0;  // 0 (Q 0.5) .. 1 (Q ~17, just short of self-oscillation)
    double filter_env_octaves = 0.0;
    Adsr filter_env{0.0, 0.2, 0.0, 0.2};
    double key_tracking = 0.0;  // 1: cutoff follows the pitch exactly
    double velocity_to_filter_octaves = 0.0;

    // Voice handling.
    bool one_shot = false;  // percussion: note_off is ignored, the sound plays out its envelope
    int polyphony = 0;      // voice limit; 0 = as many as the instrument allows (its max_voices)
    bool drum_kit = false;  // the note's pitch picks a General MIDI percussion sound (drum_kit.h)
    int choke_group = 0;    // a note of a group (non-zero) quickly fades the sounding notes of its group
};

// The named preset, or nullptr for an unknown name. Names: sine, pluck, pad, bass, lead, saw,
// square, triangle, click, drums.
const SynthPreset* find_synth_preset(std::string_view name);

// All preset names, in a stable order.
std::vector<std::string> synth_preset_names();

}  // namespace tactus
