// The SoundFont the instrument tests play, written by the test (support/sf2_writer.h) so that every
// expectation follows from its bytes: samples whose first value is not zero, and presets that put
// what each test looks for on a channel of its own.
//
//   0:0 "Left"    a looped DC sample (16000), panned hard left
//   0:1 "Right"   the same, panned hard right
//   0:2 "Sine"    a looped 1 kHz cosine at 48 kHz (starts at its peak), centred
//   0:3 "Layers"  two zones on every key: hard left (any velocity) and hard right (velocity 64..127)
//   0:4 "Split"   keys 0..60 the left DC zone, 61..127 the right one
//   128:0 "Kit"   key 42 (closed hi-hat, right) and key 46 (open hi-hat, left), exclusive class 1
#pragma once

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>

#include "support/sf2_writer.h"

namespace tactus::test {

inline constexpr int kSineFrames = 4800;
inline constexpr double kSineHz = 1000.0;

inline std::string test_soundfont_bytes() {
    Sf2Writer w;
    const int dc = w.add_sample("dc", std::vector<std::int16_t>(2000, 16000), 48000, 60, 100, 1900);
    std::vector<std::int16_t> sine(kSineFrames);
    for (int i = 0; i < kSineFrames; ++i)
        sine[std::size_t(i)] = static_cast<std::int16_t>(
            std::lround(16000.0 * std::cos(2 * std::numbers::pi * kSineHz * i / 48000.0)));
    const int cosine = w.add_sample("cosine", sine, 48000, 60, 480, 4320);  // 80 whole periods
    const Sf2GenValue looped{sf2::SampleModes, 1};
    const auto panned = [&](const char* name, int pan) {
        return w.add_instrument(name, {{.sample = dc, .gens = {looped, {sf2::Pan, pan}}}});
    };
    const int left = panned("Left", -500), right = panned("Right", 500);
    const int sine_instrument = w.add_instrument("Sine", {{.sample = cosine, .gens = {looped}}});
    const int layers = w.add_instrument(
        "Layers", {{.sample = dc, .gens = {looped, {sf2::Pan, -500}}},
                   {.sample = dc, .velocities = Sf2Range{64, 127}, .gens = {looped, {sf2::Pan, 500}}}});
    const int kit = w.add_instrument("Kit", {{.sample = dc,
                                              .keys = Sf2Range{42, 42},
                                              .gens = {looped, {sf2::Pan, 500}, {sf2::ExclusiveClass, 1}}},
                                             {.sample = dc,
                                              .keys = Sf2Range{46, 46},
                                              .gens = {looped, {sf2::Pan, -500}, {sf2::ExclusiveClass, 1}}}});
    w.add_preset("Left", 0, 0, {{.instrument = left}});
    w.add_preset("Right", 0, 1, {{.instrument = right}});
    w.add_preset("Sine", 0, 2, {{.instrument = sine_instrument}});
    w.add_preset("Layers", 0, 3, {{.instrument = layers}});
    const int split = w.add_instrument(
        "Split", {{.sample = dc, .keys = Sf2Range{0, 60}, .gens = {looped, {sf2::Pan, -500}}},
                  {.sample = dc, .keys = Sf2Range{61, 127}, .gens = {looped, {sf2::Pan, 500}}}});
    w.add_preset("Split", 0, 4, {{.instrument = split}});
    w.add_preset("Kit", 128, 0, {{.instrument = kit}});
    return w.bytes();
}

// Writes the test font to `path` and returns its name.
inline std::string write_test_soundfont(const std::filesystem::path& path) {
    std::ofstream(path, std::ios::binary) << test_soundfont_bytes();
    return path.string();
}

}  // namespace tactus::test
