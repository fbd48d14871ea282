// Writes SoundFont files for tests, byte for byte as the spec lays them out: samples (16-bit, with
// rate, root key and loop; optionally the sm24 low bytes, or Ogg Vorbis compressed as SF3),
// instruments and presets with global and local zones, generators and modulators.
//
//   Sf2Writer w;
//   int s = w.add_sample("sine", frames, 48000, 60, 480, 4320);          // loop relative to the sample
//   int i = w.add_instrument("Sine", {{.sample = s, .gens = {{sf2::SampleModes, 1}}}});
//   w.add_preset("Sine", 0, 0, {{.instrument = i}});
//   std::string bytes = w.bytes();
//
// A zone with no sample (instrument) or no instrument (preset) is a global zone: give it first.
// Generators are written in the order given, after the key and velocity ranges and before the
// SampleID/Instrument generator, so tests can also write what the spec forbids. chunk_offset() and
// put16/put32 help tests corrupt a written file at a known place.
//
// Threading: a plain value, one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/soundfont/sf2_generators.h"

namespace tactus::test {

struct Sf2Range {
    int low = 0;
    int high = 127;
};

struct Sf2GenValue {
    sf2::Gen gen;
    int amount;  // the 16-bit amount (signed or unsigned as the generator reads it); ranges: sf2_range()
};
inline int sf2_range(int low, int high) {
    return (low & 0xFF) | ((high & 0xFF) << 8);
}

struct Sf2InstrumentZone {
    int sample = -1;  // -1: the global zone
    std::optional<Sf2Range> keys{};
    std::optional<Sf2Range> velocities{};
    std::vector<Sf2GenValue> gens{};
    std::vector<sf2::Modulator> mods{};
};

struct Sf2PresetZone {
    int instrument = -1;  // -1: the global zone
    std::optional<Sf2Range> keys{};
    std::optional<Sf2Range> velocities{};
    std::vector<Sf2GenValue> gens{};
    std::vector<sf2::Modulator> mods{};
};

struct Sf2Sample {
    std::string name;
    std::vector<std::int16_t> frames;
    std::vector<std::uint8_t> low_bytes;  // sm24: one per frame (missing ones are 0)
    std::uint32_t rate = 44100;
    int root_key = 60;
    int correction = 0;            // cents
    std::uint32_t loop_start = 0;  // relative to the sample's first frame
    std::uint32_t loop_end = 0;    // first frame after the loop, relative
    std::uint16_t type = 1;        // 1 mono, 2 right, 4 left
    std::uint16_t link = 0;
};

class Sf2Writer {
public:
    int add_sample(Sf2Sample sample);
    int add_sample(std::string name, std::vector<std::int16_t> frames, std::uint32_t rate, int root_key,
                   std::uint32_t loop_start, std::uint32_t loop_end);
    int add_instrument(std::string name, std::vector<Sf2InstrumentZone> zones);
    int add_preset(std::string name, int bank, int program, std::vector<Sf2PresetZone> zones);

    void set_name(std::string name) { name_ = std::move(name); }
    // ifil; the default is 2.1 (2.4 when sm24 is written, 3.1 when compressed).
    void set_version(int major, int minor) { version_ = {major, minor}; }
    // Writes the sm24 chunk (the 24-bit samples' low bytes).
    void write_sm24(bool on) { sm24_ = on; }
    // SF3: every sample Ogg Vorbis compressed (libsndfile), start/end as byte offsets in smpl and
    // loops relative to the sample, as MuseScore writes them.
    void compress(bool on) { compress_ = on; }

    std::string bytes() const;
    // Offset in bytes() of the header of the first chunk with this id ("pbag", "smpl", "LIST"...).
    std::size_t chunk_offset(std::string_view id) const;

private:
    struct Preset {
        std::string name;
        int bank, program;
        std::vector<Sf2PresetZone> zones;
    };
    struct Instrument {
        std::string name;
        std::vector<Sf2InstrumentZone> zones;
    };
    std::vector<Sf2Sample> samples_;
    std::vector<Instrument> instruments_;
    std::vector<Preset> presets_;
    std::string name_ = "Tactus test font";
    std::optional<std::pair<int, int>> version_;
    bool sm24_ = false;
    bool compress_ = false;
    mutable std::map<std::string, std::size_t, std::less<>> offsets_;
};

// Little-endian stores into a written file (tests that corrupt one field).
void put16(std::string& bytes, std::size_t at, std::uint16_t value);
void put32(std::string& bytes, std::size_t at, std::uint32_t value);

}  // namespace tactus::test
