// Evaluates one SoundFont modulator (spec 8.2, 9.5) against a channel as FluidSynth 2.3 does
// (fluid_mod.c): each source normalised over a range of 128 (the pitch wheel over 16384), mapped by
// its curve, direction and polarity, multiplied by the amount; a first source of "no controller"
// gives 0. Modulators FluidSynth refuses (links, controller numbers the spec reserves, unknown curves)
// and its default velocity-to-filter modulator (which FluidSynth 2.x turns off) give 0 as well.
// Pure functions: any thread.
#pragma once

#include <cstdint>

#include "engine/soundfont/channel_state.h"
#include "engine/soundfont/sf2_generators.h"

namespace tactus::sf2 {

// What a modulator's sources read besides the channel: the note's key and velocity (after the zone's
// Keynum/Velocity overrides).
struct NoteSources {
    int key = 60;
    int velocity = 100;
    int pressure_key = 60;  // the key whose poly pressure applies (the played key, not the override)
};

// False for the modulators FluidSynth ignores (see above): they contribute nothing.
bool modulator_is_usable(const Modulator& m);
// True when a source reads the channel (a CC, pressure, the pitch wheel or its sensitivity), so the
// modulator's value can change during the note.
bool modulator_reads_channel(const Modulator& m);
// amount * map(source) * map(amount source), the absolute value when the transform asks for it.
double modulator_value(const Modulator& m, const ChannelState& channel, NoteSources note);
// The smallest value the modulator can reach as its channel sources move (FluidSynth's estimate in
// fluid_voice_get_lower_boundary_for_attenuation), given its current value.
double modulator_lowest_value(const Modulator& m, double current);

}  // namespace tactus::sf2
