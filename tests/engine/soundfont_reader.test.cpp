// The SoundFont reader (src/engine/soundfont/sf2_reader.h): fonts written by tests/support/sf2_writer
// read back as written (presets sorted, global zones folded, modulators, samples, sm24, SF3), and
// malformed files refused with the byte offset of what is wrong, never a crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/soundfont/sf2_reader.h"
#include "support/sf2_writer.h"

namespace tactus {
namespace {

using sf2::Gen;
using sf2::Modulator;
using sf2::SampleData;
using test::put16;
using test::put32;
using test::sf2_range;
using test::Sf2Writer;

std::vector<std::int16_t> ramp(int n, int step) {
    std::vector<std::int16_t> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = static_cast<std::int16_t>((i + 1) * step);
    return v;
}

std::shared_ptr<const sf2::SoundFont> read(const std::string& bytes, std::string* error,
                                           SampleData mode = SampleData::Load) {
    return sf2::read_sound_font(bytes, "test.sf2", mode, error);
}

const Modulator kCc1ToPan{0x0081, Gen::Pan, 10, 0, 0};
const Modulator kCc2ToPan{0x0082, Gen::Pan, 30, 0, 0};

// Two samples, one instrument with a global zone and two zones, presets added out of order.
Sf2Writer two_zone_font() {
    Sf2Writer w;
    w.set_name("Round trip");
    const int low = w.add_sample("low", ramp(100, 3), 44100, 48, 10, 90);
    const int high = w.add_sample("high", ramp(50, -7), 48000, 72, 5, 45);
    const int inst = w.add_instrument(
        "Split", {{.gens = {{Gen::Pan, 100}, {Gen::AttackVolEnv, -2000}}, .mods = {kCc1ToPan}},
                  {.sample = low,
                   .keys = test::Sf2Range{0, 59},
                   .gens = {{Gen::Pan, -200}, {Gen::SampleModes, 1}},
                   .mods = {Modulator{0x0081, Gen::Pan, 20, 0, 0}, kCc2ToPan}},
                  {.sample = high, .keys = test::Sf2Range{60, 127}}});
    w.add_preset("Later bank", 1, 5, {{.instrument = inst}});
    w.add_preset("Piano", 0, 0, {{.gens = {{Gen::ReverbEffectsSend, 100}}}, {.instrument = inst}});
    w.add_preset("Kit", 128, 0, {{.instrument = inst}});
    w.add_preset("Third", 0, 3, {{.instrument = inst, .velocities = test::Sf2Range{10, 20}}});
    return w;
}

TEST(SoundFontReader, presets_come_sorted_by_bank_and_program_and_are_found) {
    std::string error;
    auto font = read(two_zone_font().bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_EQ(font->name, "Round trip");
    EXPECT_EQ(font->path, "test.sf2");
    ASSERT_EQ(font->presets.size(), 4u);
    const std::vector<std::pair<int, int>> order{{0, 0}, {0, 3}, {1, 5}, {128, 0}};
    for (std::size_t i = 0; i < order.size(); ++i) {
        EXPECT_EQ(font->presets[i].bank, order[i].first);
        EXPECT_EQ(font->presets[i].program, order[i].second);
    }
    ASSERT_NE(font->find_preset(0, 0), nullptr);
    EXPECT_EQ(font->find_preset(0, 0)->name, "Piano");
    EXPECT_EQ(font->find_preset(128, 0)->name, "Kit");
    EXPECT_EQ(font->find_preset(1, 5)->name, "Later bank");
    EXPECT_EQ(font->find_preset(0, 1), nullptr);
    EXPECT_EQ(font->find_preset(128, 1), nullptr);
    // The preset's global zone is folded into its one local zone; its velocity range is kept.
    const sf2::Preset& piano = *font->find_preset(0, 0);
    ASSERT_EQ(piano.zones.size(), 1u);
    EXPECT_TRUE(piano.zones[0].has(Gen::ReverbEffectsSend));
    EXPECT_EQ(piano.zones[0].values[Gen::ReverbEffectsSend], 100);
    const sf2::Zone& third = font->find_preset(0, 3)->zones.at(0);
    EXPECT_EQ(third.velocity_low, 10);
    EXPECT_EQ(third.velocity_high, 20);
}

TEST(SoundFontReader, instrument_global_zone_is_folded_into_local_zones) {
    std::string error;
    auto font = read(two_zone_font().bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    ASSERT_EQ(font->instruments.size(), 1u);
    const auto& zones = font->instruments[0].zones;
    ASSERT_EQ(zones.size(), 2u);  // the global zone is not a zone of its own
    // Local generators win, global ones fill in.
    EXPECT_EQ(zones[0].values[Gen::Pan], -200);
    EXPECT_EQ(zones[1].values[Gen::Pan], 100);
    EXPECT_TRUE(zones[1].has(Gen::AttackVolEnv));
    EXPECT_EQ(zones[0].values[Gen::AttackVolEnv], -2000);
    EXPECT_EQ(zones[1].values[Gen::AttackVolEnv], -2000);
    EXPECT_TRUE(zones[0].has(Gen::SampleModes));
    EXPECT_FALSE(zones[1].has(Gen::SampleModes));
    EXPECT_EQ(zones[0].key_low, 0);
    EXPECT_EQ(zones[0].key_high, 59);
    EXPECT_EQ(zones[1].key_low, 60);
    EXPECT_EQ(zones[1].key_high, 127);
    EXPECT_EQ(zones[0].target, 0u);
    EXPECT_EQ(zones[1].target, 1u);
    // Modulators: the local one replaces the identical global one; others are added.
    ASSERT_EQ(zones[0].modulators.size(), 2u);
    EXPECT_EQ(zones[0].modulators[0], (Modulator{0x0081, Gen::Pan, 20, 0, 0}));
    EXPECT_EQ(zones[0].modulators[1], kCc2ToPan);
    ASSERT_EQ(zones[1].modulators.size(), 1u);
    EXPECT_EQ(zones[1].modulators[0], kCc1ToPan);
}

TEST(SoundFontReader, samples_and_their_data_read_back) {
    std::string error;
    auto font = read(two_zone_font().bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    ASSERT_EQ(font->samples.size(), 2u);
    const sf2::Sample& low = font->samples[0];
    const sf2::Sample& high = font->samples[1];
    EXPECT_EQ(low.name, "low");
    EXPECT_EQ(low.start, 0u);
    EXPECT_EQ(low.end, 100u);
    EXPECT_EQ(low.loop_start, 10u);
    EXPECT_EQ(low.loop_end, 90u);
    EXPECT_EQ(low.sample_rate, 44100u);
    EXPECT_EQ(low.original_key, 48);
    EXPECT_EQ(high.start, 146u);  // 100 frames + the spec's 46 zero frames
    EXPECT_EQ(high.end, 196u);
    EXPECT_EQ(high.loop_start, 151u);
    EXPECT_EQ(high.loop_end, 191u);
    EXPECT_EQ(high.sample_rate, 48000u);
    ASSERT_EQ(font->data.size(), 242u);
    EXPECT_EQ(font->data[0], 3);
    EXPECT_EQ(font->data[99], 300);
    EXPECT_EQ(font->data[100], 0);
    EXPECT_EQ(font->data[146], -7);
    EXPECT_EQ(font->data[195], -350);
    EXPECT_TRUE(font->data24.empty());
}

TEST(SoundFontReader, skip_mode_reads_headers_but_no_sample_data) {
    std::string error;
    auto font = read(two_zone_font().bytes(), &error, SampleData::Skip);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_TRUE(font->data.empty());
    EXPECT_EQ(font->presets.size(), 4u);
    ASSERT_EQ(font->samples.size(), 2u);
    EXPECT_EQ(font->samples[1].start, 146u);
}

TEST(SoundFontReader, sm24_low_bytes_are_read_from_version_2_04_on) {
    Sf2Writer w;
    test::Sf2Sample s;
    s.name = "24";
    s.frames = ramp(10, 1);
    s.low_bytes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const int sample = w.add_sample(s);
    w.add_preset("P", 0, 0, {{.instrument = w.add_instrument("I", {{.sample = sample}})}});
    w.write_sm24(true);
    std::string error;
    auto font = read(w.bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    ASSERT_EQ(font->data24.size(), font->data.size());
    EXPECT_EQ(font->data24[0], 1);
    EXPECT_EQ(font->data24[9], 10);
    EXPECT_EQ(font->data24[10], 0);

    // Before 2.04 the spec says to ignore it.
    w.set_version(2, 1);
    font = read(w.bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_TRUE(font->data24.empty());

    // A size that does not match smpl: ignored too. (The chunk is the last of sdta and shrinking it
    // by 8 leaves 8 zero bytes of padding, which read as an empty chunk.)
    w.set_version(2, 4);
    std::string bytes = w.bytes();
    const std::size_t sm24 = w.chunk_offset("sm24");
    put32(bytes, sm24 + 4, static_cast<std::uint32_t>(56 - 8));
    font = read(bytes, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_TRUE(font->data24.empty());
    EXPECT_EQ(font->data.size(), 56u);
}

TEST(SoundFontReader, unknown_and_misplaced_generators_are_ignored) {
    Sf2Writer w;
    const int s = w.add_sample("s", ramp(20, 1), 44100, 60, 0, 0);
    w.add_preset("P", 0, 0,
                 {{.instrument = w.add_instrument(
                       "I", {{.sample = s,
                              .gens = {{Gen::Pan, 5},
                                       {Gen::KeyRange, sf2_range(60, 61)},  // not first: ignored
                                       {static_cast<Gen>(14), 7},           // unused
                                       {static_cast<Gen>(99), 3},           // past endOper
                                       {Gen::Pan, 9}}}}),                   // repeated: replaces
                   .gens = {{Gen::OverridingRootKey, 30}}}});               // instrument-only at preset level
    std::string error;
    auto font = read(w.bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    const sf2::Zone& z = font->instruments[0].zones.at(0);
    EXPECT_EQ(z.key_low, 0);
    EXPECT_EQ(z.key_high, 127);
    EXPECT_FALSE(z.has(Gen::KeyRange));
    EXPECT_EQ(z.values[Gen::Pan], 9);
    EXPECT_EQ(z.set, std::uint64_t{1} << Gen::Pan);
    EXPECT_FALSE(font->presets[0].zones.at(0).has(Gen::OverridingRootKey));
}

TEST(SoundFontReader, slightly_bad_loops_are_fixed_up_as_fluidsynth_does) {
    Sf2Writer w;
    w.add_sample("past data", ramp(40, 1), 44100, 60, 10, 500);  // loop end past all data: -> end
    w.add_sample("reversed", ramp(40, 1), 44100, 60, 30, 20);    // start after end: whole sample
    w.add_sample("into pad", ramp(40, 1), 44100, 60, 10, 44);    // past end, within data: kept
    w.add_sample("too short", ramp(3, 1), 44100, 60, 0, 3);      // < 4 frames: plays nothing
    w.add_preset("P", 0, 0,
                 {{.instrument = w.add_instrument("I", {{.sample = 0}, {.sample = 1}, {.sample = 2}})}});
    std::string error;
    auto font = read(w.bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    const auto& s = font->samples;
    EXPECT_EQ(s[0].loop_start, 10u);
    EXPECT_EQ(s[0].loop_end, 40u);
    EXPECT_EQ(s[1].loop_start, s[1].start);
    EXPECT_EQ(s[1].loop_end, s[1].end);
    EXPECT_EQ(s[2].loop_end, s[2].start + 44);
    EXPECT_EQ(s[3].start, s[3].end);
}

// ---- refusals ----

// Removes n bytes at `at` inside the chunk whose header is at `chunk` (in the pdta list), fixing the
// sizes of the chunk, the pdta list and the RIFF chunk.
std::string erase_in_pdta(const Sf2Writer& w, std::string bytes, const char* chunk, std::size_t at_from_end,
                          std::size_t n) {
    const std::size_t header = w.chunk_offset(chunk);
    const std::uint32_t size = static_cast<std::uint8_t>(bytes[header + 4]) |
                               (static_cast<std::uint8_t>(bytes[header + 5]) << 8) |
                               (static_cast<std::uint8_t>(bytes[header + 6]) << 16);
    bytes.erase(header + 8 + size - at_from_end, n);
    put32(bytes, header + 4, static_cast<std::uint32_t>(size - n));
    const std::size_t pdta = w.chunk_offset("LIST pdta");
    const std::uint32_t list = static_cast<std::uint32_t>(bytes.size() - pdta - 8);
    put32(bytes, pdta + 4, list);
    put32(bytes, 4, static_cast<std::uint32_t>(bytes.size() - 8));
    return bytes;
}

void expect_refused(const std::string& bytes, std::size_t byte, const std::string& what) {
    std::string error;
    EXPECT_EQ(read(bytes, &error), nullptr);
    EXPECT_NE(error.find("test.sf2: byte " + std::to_string(byte) + ": "), std::string::npos) << error;
    EXPECT_NE(error.find(what), std::string::npos) << error;
}

TEST(SoundFontReader, not_a_soundfont_is_refused_at_byte_0) {
    expect_refused("", 0, "too short");
    expect_refused(std::string("RIFX\x04\0\0\0sfbk", 12), 0, "not a RIFF file");
    std::string wave = two_zone_font().bytes();
    std::memcpy(wave.data() + 8, "WAVE", 4);
    expect_refused(wave, 8, "'WAVE' is not a SoundFont");
}

TEST(SoundFontReader, wrong_version_is_refused_at_the_ifil_chunk) {
    Sf2Writer w = two_zone_font();
    w.set_version(1, 0);
    const std::string bytes = w.bytes();
    expect_refused(bytes, w.chunk_offset("ifil"), "version 1.0 is not supported");
}

TEST(SoundFontReader, out_of_range_instrument_and_sample_indices_are_refused_at_their_generator) {
    Sf2Writer w = two_zone_font();
    std::string bytes = w.bytes();
    // The first preset's (Later bank) one generator is its Instrument.
    const std::size_t pgen = w.chunk_offset("pgen") + 8;
    put16(bytes, pgen + 2, 7);
    expect_refused(bytes, pgen, "refers to instrument 7, the font has 1");

    bytes = w.bytes();
    // Instrument zones: global (2 generators), low (KeyRange, Pan, SampleModes, SampleID).
    const std::size_t igen = w.chunk_offset("igen") + 8;
    const std::size_t sample_id = igen + 4 * 5;
    ASSERT_EQ(bytes[sample_id], static_cast<char>(Gen::SampleId));
    put16(bytes, sample_id + 2, 2);
    expect_refused(bytes, sample_id, "refers to sample 2, the font has 2");
}

TEST(SoundFontReader, bag_indices_out_of_order_are_refused) {
    Sf2Writer w = two_zone_font();
    std::string bytes = w.bytes();
    // pbag: the terminal record's generator index below the one before it.
    const std::size_t pbag = w.chunk_offset("pbag") + 8;
    const std::size_t bags = 6;  // 5 zones + terminal
    put16(bytes, pbag + 4 * (bags - 1), 0);
    expect_refused(bytes, pbag + 4 * (bags - 1), "'pgen' index 0 is less than the previous one");

    // phdr: a preset whose bag index is below the previous preset's.
    bytes = w.bytes();
    const std::size_t phdr = w.chunk_offset("phdr") + 8;
    put16(bytes, phdr + 38 * 2 + 24, 0);
    expect_refused(bytes, phdr + 38 * 2, "'phdr' record 2: bag index 0 is less than the previous one");

    // A bag pointing past the generators.
    bytes = w.bytes();
    put16(bytes, w.chunk_offset("ibag") + 8 + 4, 200);
    expect_refused(bytes, w.chunk_offset("ibag") + 8 + 4, "'igen' index 200 is past its");
}

TEST(SoundFontReader, missing_terminal_records_are_refused) {
    Sf2Writer w = two_zone_font();
    const std::string bytes = w.bytes();
    // Without EOP the last preset is taken as the terminal record, and its bag index does not count
    // every bag.
    std::string cut = erase_in_pdta(w, bytes, "phdr", 38, 38);
    expect_refused(cut, w.chunk_offset("phdr") + 8 + 38 * 3, "'phdr' terminal record: bag index 4");
    cut = erase_in_pdta(w, bytes, "inst", 22, 22);
    expect_refused(cut, w.chunk_offset("inst") + 8, "'inst' terminal record: bag index 0");
    cut = erase_in_pdta(w, bytes, "pbag", 4, 4);
    expect_refused(cut, w.chunk_offset("phdr") + 8 + 38 * 4, "'phdr' terminal record: bag index 5");
    // Without EOS the last sample becomes the terminal record; the zone that plays it is refused.
    cut = erase_in_pdta(w, bytes, "shdr", 46, 46);
    std::string error;
    EXPECT_EQ(read(cut, &error), nullptr);
    EXPECT_NE(error.find("refers to sample 1, the font has 1"), std::string::npos) << error;
    // The generator and modulator tables may lack theirs (FluidSynth reads such fonts).
    cut = erase_in_pdta(w, bytes, "pgen", 4, 4);
    EXPECT_NE(read(cut, &error), nullptr) << error;
}

TEST(SoundFontReader, table_sizes_that_are_not_whole_records_are_refused) {
    Sf2Writer w = two_zone_font();
    const std::string cut = erase_in_pdta(w, w.bytes(), "pbag", 2, 2);
    expect_refused(cut, w.chunk_offset("pbag"),
                   "'pbag' chunk size 22 is not a multiple of its record size 4");
    const std::string cut2 = erase_in_pdta(w, w.bytes(), "shdr", 1, 1);
    expect_refused(cut2, w.chunk_offset("shdr"),
                   "'shdr' chunk size 137 is not a multiple of its record size 46");
}

TEST(SoundFontReader, sample_outside_the_sample_data_is_refused_at_its_header) {
    Sf2Writer w = two_zone_font();
    std::string bytes = w.bytes();
    const std::size_t second = w.chunk_offset("shdr") + 8 + 46;
    put32(bytes, second + 24, 100000);  // end
    expect_refused(bytes, second,
                   "sample 1 ('high'): data [146, 100000) is not within the sample chunk (242 frames)");
}

TEST(SoundFontReader, every_truncation_is_refused_or_read_never_a_crash) {
    const std::string full = two_zone_font().bytes();
    for (std::size_t n = 0; n < full.size(); ++n) {
        std::string cut = full.substr(0, n);
        std::string error;
        EXPECT_EQ(read(cut, &error), nullptr) << n;
        EXPECT_EQ(error.rfind("test.sf2: byte ", 0), 0u) << error;
        // With the RIFF size fixed up, the walk goes further in: each chunk must be checked.
        if (n >= 8) {
            put32(cut, 4, static_cast<std::uint32_t>(n - 8));
            for (SampleData mode : {SampleData::Load, SampleData::Skip}) {
                error.clear();
                auto font = read(cut, &error, mode);
                if (font == nullptr) {
                    EXPECT_EQ(error.rfind("test.sf2: byte ", 0), 0u) << error;
                }
            }
        }
    }
}

TEST(SoundFontReader, a_file_reads_as_its_bytes_do) {
    const std::string bytes = two_zone_font().bytes();
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tactus_sf2_" + std::to_string(::getpid()) + ".sf2");
    {
        std::ofstream out(path, std::ios::binary);
        out << bytes;
    }
    std::string error;
    auto from_file = sf2::read_sound_font_file(path.string(), SampleData::Load, &error);
    auto from_bytes = read(bytes, &error);
    std::filesystem::remove(path);
    ASSERT_NE(from_file, nullptr) << error;
    ASSERT_NE(from_bytes, nullptr) << error;
    EXPECT_EQ(from_file->path, path.string());
    EXPECT_EQ(from_file->data, from_bytes->data);
    EXPECT_EQ(from_file->presets.size(), from_bytes->presets.size());
    EXPECT_EQ(from_file->samples.size(), from_bytes->samples.size());
}

TEST(SoundFontReader, a_truncated_file_names_its_path_and_offset) {
    std::string bytes = two_zone_font().bytes();
    bytes.resize(bytes.size() - 100);
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("tactus_sf2_cut_" + std::to_string(::getpid()) + ".sf2");
    {
        std::ofstream out(path, std::ios::binary);
        out << bytes;
    }
    std::string error;
    EXPECT_EQ(sf2::read_sound_font_file(path.string(), SampleData::Skip, &error), nullptr);
    std::filesystem::remove(path);
    EXPECT_EQ(error.rfind(path.string() + ": byte 4: the RIFF chunk says ", 0), 0u) << error;
    EXPECT_NE(error.find("truncated?"), std::string::npos) << error;
}

TEST(SoundFontReader, a_missing_file_names_the_path) {
    std::string error;
    EXPECT_EQ(sf2::read_sound_font_file("/nonexistent/font.sf2", SampleData::Skip, &error), nullptr);
    EXPECT_EQ(error, "/nonexistent/font.sf2: No such file or directory");
}

// ---- SF3 ----

TEST(SoundFontReader, sf3_vorbis_samples_are_decoded_with_their_loops) {
    Sf2Writer w;
    std::vector<std::int16_t> sine(4800);
    for (std::size_t i = 0; i < sine.size(); ++i) {
        sine[i] =
            static_cast<std::int16_t>(std::lround(12000 * std::sin(2 * M_PI * 440.0 * double(i) / 48000)));
    }
    const int a = w.add_sample("a", sine, 48000, 69, 480, 4320);
    const int b =
        w.add_sample("b", std::vector<std::int16_t>(sine.begin(), sine.begin() + 1000), 48000, 60, 100, 900);
    w.add_preset("P", 0, 0, {{.instrument = w.add_instrument("I", {{.sample = a}, {.sample = b}})}});
    w.compress(true);
    std::string error;
    auto font = read(w.bytes(), &error);
    ASSERT_NE(font, nullptr) << error;
    ASSERT_EQ(font->samples.size(), 2u);
    const sf2::Sample& sa = font->samples[0];
    const sf2::Sample& sb = font->samples[1];
    EXPECT_EQ(sa.start, 0u);
    EXPECT_EQ(sa.end, 4800u);
    EXPECT_EQ(sa.loop_start, 480u);
    EXPECT_EQ(sa.loop_end, 4320u);
    EXPECT_EQ(sb.start, 4800u + 46u);
    EXPECT_EQ(sb.end, sb.start + 1000u);
    EXPECT_EQ(sb.loop_start, sb.start + 100u);
    EXPECT_EQ(sb.loop_end, sb.start + 900u);
    ASSERT_EQ(font->data.size(), 4800u + 46u + 1000u + 46u);
    // Lossy, but close: the decoded sine follows the original.
    double error_sum = 0, signal_sum = 0;
    for (std::size_t i = 0; i < sine.size(); ++i) {
        error_sum += std::pow(double(font->data[i]) - sine[i], 2);
        signal_sum += std::pow(double(sine[i]), 2);
    }
    EXPECT_LT(error_sum / signal_sum, 0.01);

    font = read(w.bytes(), &error, SampleData::Skip);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_TRUE(font->data.empty());
    EXPECT_EQ(font->samples[1].start, 0u);  // no frame positions without decoding
}

TEST(SoundFontReader, sf3_sample_that_is_not_vorbis_is_refused_at_its_bytes) {
    Sf2Writer w;
    const int a = w.add_sample("a", ramp(2000, 5), 48000, 69, 0, 0);
    w.add_preset("P", 0, 0, {{.instrument = w.add_instrument("I", {{.sample = a}})}});
    w.compress(true);
    std::string bytes = w.bytes();
    const std::size_t smpl = w.chunk_offset("smpl") + 8;
    std::memcpy(bytes.data() + smpl, "JUNK", 4);
    expect_refused(bytes, smpl, "sample 0 ('a'): not an Ogg Vorbis stream");
}

TEST(SoundFontReader, an_odd_chunk_without_its_pad_byte_is_read_as_musescore_writes_it) {
    // MuseScore's SF3 files leave out the pad byte after their odd-sized smpl chunk; the reader takes
    // the unpadded position when only it holds a chunk header. Here the odd chunk is INAM.
    Sf2Writer w = two_zone_font();
    w.set_name("Odd!");  // INAM "Odd!\0": 5 bytes, so a pad byte follows
    std::string bytes = w.bytes();
    const std::size_t inam = w.chunk_offset("INAM");
    ASSERT_EQ(bytes[inam + 4], 5);
    ASSERT_EQ(bytes[inam + 8 + 5], '\0');  // the pad byte
    bytes.erase(inam + 8 + 5, 1);
    const std::size_t info = w.chunk_offset("LIST INFO");
    put32(bytes, info + 4, static_cast<std::uint32_t>(inam + 8 + 5 - info - 8));
    put32(bytes, 4, static_cast<std::uint32_t>(bytes.size() - 8));
    std::string error;
    auto font = read(bytes, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_EQ(font->name, "Odd!");
    EXPECT_EQ(font->presets.size(), 4u);
}

constexpr const char* kFluidR3Mono = "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3";

TEST(SoundFontReader, fluid_r3_mono_sf3_decodes) {
    if (!std::filesystem::exists(kFluidR3Mono)) GTEST_SKIP() << kFluidR3Mono << " is not installed";
    std::string error;
    auto font = sf2::read_sound_font_file(kFluidR3Mono, SampleData::Load, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_EQ(font->presets.size(), 197u);
    ASSERT_NE(font->find_preset(0, 0), nullptr);
    EXPECT_EQ(font->find_preset(0, 0)->name, "Yamaha Grand Piano");
    EXPECT_EQ(font->data.size(), 62156579u);  // every sample decoded, each with 46 zero frames after it
    for (const sf2::Sample& s : font->samples) {
        ASSERT_LE(s.end, font->data.size()) << s.name;
        if (s.start == s.end) continue;
        EXPECT_LE(s.start, s.loop_start) << s.name;
        EXPECT_LT(s.loop_start, s.loop_end) << s.name;
        EXPECT_LE(s.loop_end, s.end) << s.name;
    }
}

// ---- FluidR3_GM (Debian fluid-soundfont-gm, installed by `make deps`) ----

constexpr const char* kFluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

TEST(SoundFontReader, fluid_r3_gm_reads_with_its_presets) {
    if (!std::filesystem::exists(kFluidR3)) GTEST_SKIP() << kFluidR3 << " is not installed";
    std::string error;
    auto font = sf2::read_sound_font_file(kFluidR3, SampleData::Skip, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_TRUE(font->data.empty());
    EXPECT_EQ(font->presets.size(), 189u);
    EXPECT_EQ(font->samples.size(), 1418u);
    ASSERT_NE(font->find_preset(0, 0), nullptr);
    EXPECT_EQ(font->find_preset(0, 0)->name, "Yamaha Grand Piano");
    ASSERT_NE(font->find_preset(128, 0), nullptr);
    EXPECT_EQ(font->find_preset(128, 0)->name, "Standard");
    // Every zone's target is in range (the reader checked; select_voices relies on it).
    for (const auto& p : font->presets) {
        for (const auto& z : p.zones) EXPECT_LT(z.target, font->instruments.size());
    }
    for (const auto& i : font->instruments) {
        for (const auto& z : i.zones) EXPECT_LT(z.target, font->samples.size());
    }
}

TEST(SoundFontReader, fluid_r3_gm_loads_its_sample_data) {
    if (!std::filesystem::exists(kFluidR3)) GTEST_SKIP() << kFluidR3 << " is not installed";
    std::string error;
    auto font = sf2::read_sound_font_file(kFluidR3, SampleData::Load, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_EQ(font->data.size(), 74098056u);  // the whole smpl chunk, padding included
    // research (libinstpatch): 'P200 Piano C10(L)' starts -5 39 89 5 -121.
    const auto& samples = font->samples;
    const auto it = std::find_if(samples.begin(), samples.end(),
                                 [](const sf2::Sample& s) { return s.name == "P200 Piano C10(L)"; });
    ASSERT_NE(it, samples.end());
    EXPECT_EQ(it->end - it->start, 12736u);
    EXPECT_EQ(it->loop_start - it->start, 12048u);
    EXPECT_EQ(it->loop_end - it->start, 12733u);
    const std::vector<std::int16_t> first(font->data.begin() + it->start, font->data.begin() + it->start + 5);
    EXPECT_EQ(first, (std::vector<std::int16_t>{-5, 39, 89, 5, -121}));
}

}  // namespace
}  // namespace tactus
