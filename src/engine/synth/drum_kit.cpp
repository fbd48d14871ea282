#include "engine/synth/drum_kit.h"

#include <algorithm>
#include <array>

namespace tactus::synth {
namespace {

// Metallic sounds (hats, cymbals, cowbell) mix two square waves at an inharmonic interval, as the
// classic analog drum machines do, plus high-passed noise.
constexpr std::array<SynthPreset, kDrumSoundCount> kSounds{
    // Kick: sine swept down two octaves, a short noise click for the beater.
    SynthPreset{.name = "kick",
                .waveform = Waveform::Sine,
                .noise_mix = 0.12,
                .noise_decay = 0.004,
                .pitch_env_semitones = 24.0,
                .pitch_env_decay = 0.03,
                .amp = {0.0, 0.45, 0.0, 0.1},
                .gain = 0.9,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 5000.0},
    // Snare: a short pitched body under a longer burst of noise.
    SynthPreset{.name = "snare",
                .waveform = Waveform::Triangle,
                .noise_mix = 0.65,
                .tone_decay = 0.05,
                .noise_decay = 0.1,
                .pitch_env_semitones = 5.0,
                .pitch_env_decay = 0.015,
                .amp = {0.0, 0.3, 0.0, 0.1},
                .gain = 0.6,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 9000.0,
                .resonance = 0.1,
                .velocity_to_filter_octaves = 1.0},
    SynthPreset{.name = "side stick",
                .waveform = Waveform::Triangle,
                .noise_mix = 0.3,
                .noise_decay = 0.01,
                .amp = {0.0, 0.06, 0.0, 0.05},
                .gain = 0.9,
                .filter = FilterMode::BandPass,
                .cutoff_hz = 1800.0,
                .resonance = 0.4},
    SynthPreset{.name = "clap",
                .noise_mix = 1.0,
                .amp = {0.001, 0.22, 0.0, 0.1},
                .gain = 1.2,
                .filter = FilterMode::BandPass,
                .cutoff_hz = 1200.0,
                .resonance = 0.45},
    SynthPreset{.name = "closed hat",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 667.0,
                .noise_mix = 0.7,
                .amp = {0.0, 0.06, 0.0, 0.03},
                .gain = 0.4,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 7000.0,
                .resonance = 0.2,
                .choke_group = 1},
    SynthPreset{.name = "pedal hat",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 667.0,
                .noise_mix = 0.7,
                .amp = {0.0, 0.04, 0.0, 0.03},
                .gain = 0.35,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 6000.0,
                .resonance = 0.2,
                .choke_group = 1},
    SynthPreset{.name = "open hat",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 667.0,
                .noise_mix = 0.7,
                .amp = {0.0, 0.5, 0.0, 0.1},
                .gain = 0.35,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 7000.0,
                .resonance = 0.2,
                .choke_group = 1},
    // Toms and surdos: a sine falling a fifth, a touch of stick noise.
    SynthPreset{.name = "tom",
                .waveform = Waveform::Sine,
                .noise_mix = 0.08,
                .noise_decay = 0.01,
                .pitch_env_semitones = 7.0,
                .pitch_env_decay = 0.05,
                .amp = {0.0, 0.45, 0.0, 0.1},
                .gain = 0.8,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 4000.0},
    // Bongos, congas, timbales, cuica: shorter and higher.
    SynthPreset{.name = "hand drum",
                .waveform = Waveform::Sine,
                .noise_mix = 0.1,
                .noise_decay = 0.005,
                .pitch_env_semitones = 4.0,
                .pitch_env_decay = 0.02,
                .amp = {0.0, 0.22, 0.0, 0.08},
                .gain = 0.7,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 5000.0},
    SynthPreset{.name = "crash",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 667.0,
                .noise_mix = 0.8,
                .amp = {0.0, 1.6, 0.0, 0.3},
                .gain = 0.35,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 4500.0,
                .resonance = 0.1},
    SynthPreset{.name = "splash",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 667.0,
                .noise_mix = 0.8,
                .amp = {0.0, 0.7, 0.0, 0.2},
                .gain = 0.35,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 5500.0,
                .resonance = 0.1},
    SynthPreset{.name = "ride",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 733.0,
                .noise_mix = 0.5,
                .amp = {0.0, 1.2, 0.0, 0.3},
                .gain = 0.45,
                .filter = FilterMode::BandPass,
                .cutoff_hz = 7000.0,
                .resonance = 0.3},
    SynthPreset{.name = "ride bell",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 507.0,
                .noise_mix = 0.1,
                .amp = {0.0, 0.9, 0.0, 0.2},
                .gain = 0.5,
                .filter = FilterMode::BandPass,
                .cutoff_hz = 2500.0,
                .resonance = 0.3},
    // Cowbell and agogo: the 540 Hz + 800 Hz square pair of the TR-808, band-passed.
    SynthPreset{.name = "cowbell",
                .waveform = Waveform::Square,
                .waveform2 = Waveform::Square,
                .osc2_mix = 0.5,
                .osc2_detune_cents = 680.0,
                .amp = {0.0, 0.3, 0.0, 0.08},
                .gain = 0.5,
                .filter = FilterMode::BandPass,
                .cutoff_hz = 2000.0,
                .resonance = 0.4},
    SynthPreset{.name = "tambourine",
                .waveform = Waveform::Square,
                .noise_mix = 0.8,
                .amp = {0.0, 0.2, 0.0, 0.06},
                .gain = 0.45,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 8000.0,
                .resonance = 0.2},
    // Shakers, maracas, cabasa, guiro, vibraslap: a soft burst of high noise.
    SynthPreset{.name = "shaker",
                .noise_mix = 1.0,
                .amp = {0.005, 0.07, 0.0, 0.04},
                .gain = 0.4,
                .filter = FilterMode::HighPass,
                .cutoff_hz = 6000.0},
    // Wood blocks, claves, sticks, castanets, metronome click.
    SynthPreset{.name = "block",
                .waveform = Waveform::Triangle,
                .pitch_env_semitones = 2.0,
                .pitch_env_decay = 0.005,
                .amp = {0.0, 0.06, 0.0, 0.03},
                .gain = 0.6,
                .filter = FilterMode::LowPass,
                .cutoff_hz = 6000.0},
    SynthPreset{.name = "mute triangle",
                .waveform = Waveform::Sine,
                .waveform2 = Waveform::Sine,
                .osc2_mix = 0.3,
                .osc2_detune_cents = 1758.0,
                .amp = {0.0, 0.15, 0.0, 0.05},
                .gain = 0.3},
    SynthPreset{.name = "open triangle",
                .waveform = Waveform::Sine,
                .waveform2 = Waveform::Sine,
                .osc2_mix = 0.3,
                .osc2_detune_cents = 1758.0,
                .amp = {0.0, 1.2, 0.0, 0.2},
                .gain = 0.3},
    SynthPreset{.name = "whistle", .waveform = Waveform::Sine, .amp = {0.01, 0.3, 0.0, 0.08}, .gain = 0.3},
};

constexpr DrumHit hit(DrumSound sound, double frequency_hz) {
    return DrumHit{sound, frequency_hz};
}

}  // namespace

const SynthPreset& drum_sound_preset(DrumSound sound) {
    return kSounds[static_cast<std::size_t>(sound)];
}

DrumHit gm_drum_hit(int pitch) {
    using enum DrumSound;
    switch (std::clamp(pitch, 26, 88)) {
        case 26:
            return hit(Kick, 45.0);  // everything below the GM range
        case 27:
            return hit(Block, 1600.0);  // high Q
        case 28:
            return hit(Clap, 0.0);  // slap
        case 29:                    // scratch push
        case 30:
            return hit(Shaker, 0.0);  // scratch pull
        case 31:
            return hit(Block, 2000.0);  // sticks
        case 32:
            return hit(Block, 1200.0);  // square click
        case 33:
            return hit(Block, 1500.0);  // metronome click
        case 34:
            return hit(RideBell, 1100.0);  // metronome bell
        case 35:
            return hit(Kick, 45.0);  // acoustic bass drum
        case 36:
            return hit(Kick, 52.0);  // bass drum 1
        case 37:
            return hit(SideStick, 800.0);
        case 38:
            return hit(Snare, 185.0);  // acoustic snare
        case 39:
            return hit(Clap, 0.0);
        case 40:
            return hit(Snare, 210.0);  // electric snare
        case 41:
            return hit(Tom, 82.0);  // low floor tom
        case 42:
            return hit(ClosedHat, 400.0);
        case 43:
            return hit(Tom, 98.0);  // high floor tom
        case 44:
            return hit(PedalHat, 400.0);
        case 45:
            return hit(Tom, 110.0);  // low tom
        case 46:
            return hit(OpenHat, 400.0);
        case 47:
            return hit(Tom, 131.0);  // low-mid tom
        case 48:
            return hit(Tom, 147.0);  // hi-mid tom
        case 49:
            return hit(Crash, 440.0);
        case 50:
            return hit(Tom, 175.0);  // high tom
        case 51:
            return hit(Ride, 600.0);
        case 52:
            return hit(Crash, 380.0);  // Chinese cymbal
        case 53:
            return hit(RideBell, 900.0);
        case 54:
            return hit(Tambourine, 6000.0);
        case 55:
            return hit(Splash, 520.0);
        case 56:
            return hit(Cowbell, 540.0);
        case 57:
            return hit(Crash, 480.0);  // crash 2
        case 58:
            return hit(Shaker, 0.0);  // vibraslap
        case 59:
            return hit(Ride, 640.0);  // ride 2
        case 60:
            return hit(HandDrum, 400.0);  // hi bongo
        case 61:
            return hit(HandDrum, 300.0);  // low bongo
        case 62:
            return hit(HandDrum, 330.0);  // mute hi conga
        case 63:
            return hit(HandDrum, 280.0);  // open hi conga
        case 64:
            return hit(HandDrum, 200.0);  // low conga
        case 65:
            return hit(HandDrum, 480.0);  // high timbale
        case 66:
            return hit(HandDrum, 360.0);  // low timbale
        case 67:
            return hit(Cowbell, 900.0);  // high agogo
        case 68:
            return hit(Cowbell, 680.0);  // low agogo
        case 69:                         // cabasa
        case 70:
            return hit(Shaker, 0.0);  // maracas
        case 71:
            return hit(Whistle, 2300.0);  // short whistle
        case 72:
            return hit(Whistle, 1900.0);  // long whistle
        case 73:                          // short guiro
        case 74:
            return hit(Shaker, 0.0);  // long guiro
        case 75:
            return hit(Block, 2500.0);  // claves
        case 76:
            return hit(Block, 1200.0);  // hi wood block
        case 77:
            return hit(Block, 900.0);  // low wood block
        case 78:
            return hit(HandDrum, 700.0);  // mute cuica
        case 79:
            return hit(HandDrum, 500.0);  // open cuica
        case 80:
            return hit(TriangleMute, 2600.0);
        case 81:
            return hit(TriangleOpen, 2600.0);
        case 82:
            return hit(Shaker, 0.0);
        case 83:
            return hit(Tambourine, 7000.0);  // jingle bell
        case 84:
            return hit(TriangleOpen, 3100.0);  // bell tree
        case 85:
            return hit(Block, 1800.0);  // castanets
        case 86:
            return hit(Tom, 65.0);  // mute surdo
        case 87:
            return hit(Tom, 60.0);  // open surdo
        default:
            return hit(ClosedHat, 400.0);  // everything above the GM range
    }
}

}  // namespace tactus::synth
