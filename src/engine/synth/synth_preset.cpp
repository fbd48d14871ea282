#include "engine/synth/synth_preset.h"

#include <array>

namespace tactus {
namespace {

constexpr std::array kPresets{
    // A pure tone: the reference sound of the sequencer.
    SynthPreset{.name = "sine", .waveform = Waveform::Sine, .amp = {0.005, 0.1, 1.0, 0.08}, .gain = 0.3},

    // Plucked string: bright attack that the filter envelope closes quickly, no sustain.
    SynthPreset{.name = "pluck",
                .waveform = Waveform::Saw,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.3,
                .osc2_detune_cents = 7.0,
                .amp = {0.001, 0.9, 0.0, 0.15},
                .gain = 0.3,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 350.0,
                .resonance = 0.25,
                .filter_env_octaves = 5.0,
                .filter_env = {0.0, 0.3, 0.0, 0.2},
                .key_tracking = 0.8,
                .velocity_to_filter_octaves = 2.0},

    // Slow, soft chorus of two detuned saws.
    SynthPreset{.name = "pad",
                .waveform = Waveform::Saw,
                .waveform2 = Waveform::Saw,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 12.0,
                .amp = {0.25, 0.5, 0.8, 0.6},
                .velocity_to_amp = 0.5,
                .gain = 0.15,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 1200.0,
                .resonance = 0.2,
                .filter_env_octaves = 1.5,
                .filter_env = {0.6, 1.0, 0.4, 0.6},
                .key_tracking = 0.5},

    // Saw plus a square an octave below, resonant filter with a snappy envelope.
    SynthPreset{.name = "bass",
                .waveform = Waveform::Saw,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.4,
                .osc2_detune_cents = -1200.0,
                .amp = {0.002, 0.3, 0.7, 0.06},
                .gain = 0.3,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 250.0,
                .resonance = 0.45,
                .filter_env_octaves = 3.0,
                .filter_env = {0.0, 0.18, 0.1, 0.1},
                .key_tracking = 0.5,
                .velocity_to_filter_octaves = 1.5},

    // Square and slightly detuned saw, filter following the keyboard.
    SynthPreset{.name = "lead",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Saw,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 5.0,
                .amp = {0.005, 0.2, 0.8, 0.12},
                .gain = 0.22,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 1800.0,
                .resonance = 0.35,
                .filter_env_octaves = 2.0,
                .filter_env = {0.0, 0.3, 0.3, 0.15},
                .key_tracking = 1.0,
                .velocity_to_filter_octaves = 1.0},

    // Plain band-limited waveforms. The saw goes through a gentle fixed low-pass.
    SynthPreset{.name = "saw",
                .waveform = Waveform::Saw,
                .amp = {0.003, 0.1, 1.0, 0.08},
                .gain = 0.2,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 8000.0,
                .resonance = 0.1},
    SynthPreset{.name = "square", .waveform = Waveform::Square, .amp = {0.003, 0.1, 1.0, 0.08}, .gain = 0.2},
    SynthPreset{
        .name = "triangle", .waveform = Waveform::Triangle, .amp = {0.005, 0.1, 1.0, 0.1}, .gain = 0.35},

    // Timing-test and metronome sound: a cosine-phase tone whose first sample is its peak, no filter,
    // a 30 ms decay to exact silence, and a 4 ms release to exact silence after note_off.
    SynthPreset{.name = "click",
                .waveform = Waveform::Sine,
                .start_phase = 0.25,
                .amp = {0.0, 0.03, 0.0, 0.004},
                .velocity_to_amp = 0.5,
                .gain = 0.5},

    // General MIDI percussion: the pitch selects the sound (drum_kit.h); `gain` scales the whole kit.
    SynthPreset{
        .name = "drums", .amp = {0.0, 0.3, 0.0, 0.15}, .gain = 1.0, .one_shot = true, .drum_kit = true},
};

}  // namespace

const SynthPreset* find_synth_preset(std::string_view name) {
    for (const SynthPreset& preset : kPresets) {
        if (preset.name == name) return &preset;
    }
    return nullptr;
}

std::vector<std::string> synth_preset_names() {
    std::vector<std::string> names;
    names.reserve(kPresets.size());
    for (const SynthPreset& preset : kPresets) names.emplace_back(preset.name);
    return names;
}

}  // namespace tactus
