// A SoundFont in memory: presets, instruments, sample headers and the sample data, as the file gives
// them, with each global zone already folded into its local zones (spec 7.3 and 7.9: a global
// generator applies to every zone that does not set it; a global modulator to every zone that has no
// identical one).
//
// Threading: built once by the reader off the audio thread, then immutable. Shared, as
// std::shared_ptr<const SoundFont>, by every track and every reload that uses the file; the audio
// thread reads it (never frees it: its last owner is released off the audio thread).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/soundfont/sf2_generators.h"

namespace tactus::sf2 {

struct Sample {
    std::string name;
    // Frames into SoundFont::data: the sample is [start, end), its loop [loop_start, loop_end)
    // (loop_end is the first frame after the loop, as the file gives it). The reader guarantees
    // start <= loop_start < loop_end <= data.size() (once loaded) when start < end; loop_end may
    // pass end (into the padding after the sample), which FluidSynth plays as it is. start == end:
    // nothing to play (ROM, fewer than 4 frames, or SF3 read with SampleData::Skip).
    std::uint32_t start = 0;
    std::uint32_t end = 0;
    std::uint32_t loop_start = 0;
    std::uint32_t loop_end = 0;
    std::uint32_t sample_rate = 44100;
    std::uint8_t original_key = 60;  // byOriginalPitch (255: unpitched, taken as 60)
    std::int8_t correction = 0;      // chPitchCorrection, cents
    std::uint16_t link = 0;
    std::uint16_t type = 1;  // sfSampleLink: 1 mono, 2 right, 4 left, 8 linked; 0x8000 ROM
};

// One zone, global zone folded in. Generators are the file's raw 16-bit amounts; key and velocity
// ranges are unpacked (0..127 when not given).
struct Zone {
    std::array<std::int16_t, kGenCount> values{};
    std::uint64_t set = 0;  // bit g: generator g given (by the zone or its global zone)
    std::uint8_t key_low = 0, key_high = 127;
    std::uint8_t velocity_low = 0, velocity_high = 127;
    // Instrument zone: index into SoundFont::samples; preset zone: index into SoundFont::instruments.
    std::uint32_t target = 0;
    std::vector<Modulator> modulators;

    bool has(Gen g) const { return (set >> g) & 1U; }
    bool covers(int key, int velocity) const {
        return key >= key_low && key <= key_high && velocity >= velocity_low && velocity <= velocity_high;
    }
};

struct Instrument {
    std::string name;
    std::vector<Zone> zones;  // local zones only (the global zone is folded in)
};

struct Preset {
    std::string name;
    std::uint16_t bank = 0;  // 128: percussion kits
    std::uint16_t program = 0;
    std::vector<Zone> zones;
};

struct SoundFont {
    std::string path;             // as it was opened
    std::string name;             // INAM
    std::vector<Preset> presets;  // sorted by (bank, program)
    // `struct`: the generator enumerator Gen::Instrument hides the type name in this namespace.
    std::vector<struct Instrument> instruments;
    std::vector<Sample> samples;
    // The smpl chunk as 16-bit frames (SF3: the decoded samples), and the sm24 chunk's low bytes
    // when the file has one (empty otherwise). Empty when read with SampleData::Skip.
    std::vector<std::int16_t> data;
    std::vector<std::uint8_t> data24;

    // nullptr when the font has no such preset.
    const Preset* find_preset(int bank, int program) const;
};

}  // namespace tactus::sf2
