// What one voice of a note plays: a preset zone and an instrument zone that both cover the note's key
// and velocity, flattened (spec 9.4): the instrument's generator values (defaults where the zone sets
// none) plus the preset's offsets, and the modulators that apply (the default modulators, replaced by
// identical instrument ones, plus the preset's).
//
// Plain values: built and used on the audio thread at note-on, no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "engine/soundfont/sf2_generators.h"
#include "engine/soundfont/sound_font.h"

namespace tactus::sf2 {

// Modulators per voice: the 10 defaults plus what the zones add (more are dropped, fonts never come close).
inline constexpr int kMaxVoiceModulators = 64;
// Voices one note-on may start (every layered zone that covers it).
inline constexpr int kMaxVoicesPerNote = 32;

struct VoiceSetup {
    // Generator values, summed (instrument + preset), not yet clamped to the spec's ranges. For the
    // address offsets this is the sum of fine and coarse (coarse * 32768), per generator pair left
    // as two entries: the voice adds them.
    std::array<std::int32_t, kGenCount> gens{};
    std::array<Modulator, kMaxVoiceModulators> modulators{};
    int modulator_count = 0;
    const Sample* sample = nullptr;
    const SoundFont* font = nullptr;  // its data (and data24)
    int key = 60;        // the note's key and velocity (the zone's Keynum/Velocity generators, when
    int velocity = 100;  // set, replace them for the synthesis; the voice applies that)
    double cents = 0.0;  // the note's own detune (Tactus notes carry cents), added to its pitch
};

// The voices `preset` plays for key/velocity: fills out[0..n) and returns n (<= kMaxVoicesPerNote).
// Zones whose sample has no data (ROM, too short, or a font read with SampleData::Skip) give none.
// No allocation (audio thread).
int select_voices(const SoundFont& font, const Preset& preset, int key, int velocity, double cents,
                  VoiceSetup* out);

}  // namespace tactus::sf2
