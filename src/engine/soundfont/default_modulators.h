// The SoundFont default modulators (spec 8.4) as FluidSynth 2.3 defines them, which is what Tactus
// must sound like. Two differences from the spec text (and from libinstpatch's list):
//  - velocity -> filter cutoff: the amount source is velocity as a *positive* switch (0x0C02), so the
//    -2400 cents x (1 - velocity/128) apply only from velocity 64 up (the spec's negative switch,
//    0x0D02, would apply them below 64);
//  - CC10 -> pan amount 500 (the spec says 1000 "tenths of a percent"; FluidSynth reads that as 50%
//    for the full bipolar swing).
// The pitch wheel modulator goes to Gen::Pitch (59), FluidSynth's "initial pitch" destination.
// FluidSynth's non-standard CC8 -> balance modulator is not included (no such generator here).
//
// Threading: constant data, any thread.
#pragma once

#include <array>

#include "engine/soundfont/sf2_generators.h"

namespace tactus::sf2 {

inline constexpr int kDefaultModulatorCount = 10;
const std::array<Modulator, kDefaultModulatorCount>& default_modulators();

}  // namespace tactus::sf2
