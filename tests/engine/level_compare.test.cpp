// The measure behind "sounds like FluidSynth" (tests/support/level_compare.h) and FluidSynth's own
// render (tests/support/fluidsynth_render.h): the measure finds a known lag and gain, passes a copy,
// fails music played differently, skips what is under its floor; the reference render is what the
// fluidsynth command line writes.
#include "support/level_compare.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "support/cli_run.h"
#include "support/fluidsynth_render.h"

namespace tactus::test {
namespace {

namespace fs = std::filesystem;

constexpr double kRate = 48000.0;
const std::string kFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

struct Stereo {
    std::vector<float> left, right;
    StereoView view() const { return {left.data(), right.data(), left.size()}; }
};

// Decaying tone bursts at irregular times and levels (a stand-in for notes), `seconds` long;
// burst n is scaled by gains[n % gains.size()] and starts offsets[n % offsets.size()] frames late.
Stereo bursts(double seconds, std::vector<double> gains = {1.0}, std::vector<std::size_t> offsets = {0}) {
    Stereo s;
    const auto frames = static_cast<std::size_t>(seconds * kRate);
    s.left.assign(frames, 0.0f);
    s.right.assign(frames, 0.0f);
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return static_cast<double>(seed >> 8) / static_cast<double>(1u << 24);
    };
    std::size_t start = 1000;
    for (std::size_t n = 0; start < frames; ++n) {
        const double amplitude = (0.05 + 0.4 * next()) * gains[n % gains.size()];
        const double hz = 200.0 + 600.0 * next();
        const auto length = static_cast<std::size_t>((0.2 + 0.4 * next()) * kRate);
        const std::size_t at = start + offsets[n % offsets.size()];
        for (std::size_t i = 0; i < length && at + i < frames; ++i) {
            const double t = static_cast<double>(i) / kRate;
            const double v = amplitude * std::exp(-6.0 * t) * std::sin(2.0 * std::numbers::pi * hz * t);
            s.left[at + i] += static_cast<float>(v);
            s.right[at + i] += static_cast<float>(0.7 * v);
        }
        start += static_cast<std::size_t>((0.1 + 0.5 * next()) * kRate);
    }
    return s;
}

// `s` starting `delay` frames later (earlier when negative), scaled by `gain`, same length.
Stereo shifted(const Stereo& s, long delay, double gain) {
    Stereo out;
    out.left.assign(s.left.size(), 0.0f);
    out.right.assign(s.right.size(), 0.0f);
    for (std::size_t i = 0; i < s.left.size(); ++i) {
        const long from = static_cast<long>(i) - delay;
        if (from < 0 || from >= static_cast<long>(s.left.size())) continue;
        out.left[i] = static_cast<float>(gain * s.left[static_cast<std::size_t>(from)]);
        out.right[i] = static_cast<float>(gain * s.right[static_cast<std::size_t>(from)]);
    }
    return out;
}

Stereo tone(double seconds, double amplitude) {
    Stereo s;
    for (std::size_t i = 0; i < static_cast<std::size_t>(seconds * kRate); ++i) {
        const auto v = static_cast<float>(
            amplitude * std::sin(2.0 * std::numbers::pi * 441.0 * static_cast<double>(i) / kRate));
        s.left.push_back(v);
        s.right.push_back(v);
    }
    return s;
}

Stereo concat(const Stereo& a, const Stereo& b) {
    Stereo s = a;
    s.left.insert(s.left.end(), b.left.begin(), b.left.end());
    s.right.insert(s.right.end(), b.right.begin(), b.right.end());
    return s;
}

TEST(LevelCompare, finds_the_lag_and_gain_of_a_later_louder_copy) {
    const Stereo candidate = bursts(20.0);
    const Stereo reference = shifted(candidate, 37, 2.0);  // FluidSynth 37 frames late, 6 dB louder
    const LevelComparison r = compare_levels(reference.view(), candidate.view());
    EXPECT_EQ(r.lag_frames, 37);
    EXPECT_NEAR(r.gain_db, 20.0 * std::log10(2.0), 0.01);
    EXPECT_NEAR(r.gain, 2.0, 0.002);
    EXPECT_LT(r.median_db, 0.01);
    EXPECT_LT(r.p95_db, 0.01);
    EXPECT_EQ(r.windows_compared, 20u * 20u);
    EXPECT_GT(r.windows_judged, 350u);
}

TEST(LevelCompare, finds_a_lag_the_other_way_at_the_edge_of_the_search) {
    const Stereo reference = bursts(10.0);
    const Stereo candidate = shifted(reference, 190, 0.25);  // the candidate late: negative lag
    const LevelComparison r = compare_levels(reference.view(), candidate.view());
    EXPECT_EQ(r.lag_frames, -190);
    EXPECT_NEAR(r.gain_db, 20.0 * std::log10(4.0), 0.01);
    EXPECT_LT(r.p95_db, 0.01);
}

TEST(LevelCompare, forgives_each_note_its_own_start_within_a_block) {
    // As FluidSynth plays a file: every note late by its own 0..63 frames (here on top of 30).
    const Stereo candidate = bursts(20.0, {1.0}, {0});
    const Stereo scattered = shifted(bursts(20.0, {1.0}, {0, 40, 17, 63, 5, 28, 51, 0, 33}), 30, 1.0);
    const LevelComparison r = compare_levels(scattered.view(), candidate.view());
    LevelCompareOptions strict;
    strict.onset_tolerance_frames = 0;
    const LevelComparison s = compare_levels(scattered.view(), candidate.view(), strict);
    std::printf(
        "  scattered starts: p95 %.3f dB, max %.3f dB; judged at the lag only: p95 %.3f dB, max %.3f dB\n",
        r.p95_db, r.max_db, s.p95_db, s.max_db);
    // Where two notes overlap, one window cannot move for both: a little is left.
    EXPECT_LT(r.p95_db, 0.25);
    EXPECT_LT(r.p95_db, s.p95_db / 2);
    // A missing note is not forgiven: every seventh burst silent.
    const Stereo missing = bursts(20.0, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0});
    EXPECT_GT(compare_levels(missing.view(), candidate.view()).p95_db, 10.0);
}

TEST(LevelCompare, music_played_differently_is_judged_unlike) {
    const Stereo reference = bursts(20.0);
    // Every other note 12 dB softer: after the best gain, half the windows are far off.
    const Stereo uneven = bursts(20.0, {1.0, 0.25});
    const LevelComparison r = compare_levels(reference.view(), uneven.view());
    EXPECT_GT(r.p95_db, 3.0);
    // Other notes altogether (another seed's timing): far off almost everywhere.
    Stereo other = shifted(bursts(20.0), 7000, 1.0);
    const LevelComparison o = compare_levels(reference.view(), other.view());
    EXPECT_GT(o.median_db, 1.0);
    EXPECT_GT(o.p95_db, 3.0);
}

TEST(LevelCompare, windows_under_the_floor_are_not_judged) {
    // One second at full level, then one at -70 dB (reference) or -90 dB (candidate): the quiet
    // second is under the floor (60 dB under the loudest window) in both, so it is not judged.
    const Stereo reference = concat(tone(1.0, 0.5), tone(1.0, 0.5 * std::pow(10.0, -70.0 / 20.0)));
    const Stereo candidate = concat(tone(1.0, 0.5), tone(1.0, 0.5 * std::pow(10.0, -90.0 / 20.0)));
    const LevelComparison r = compare_levels(reference.view(), candidate.view());
    EXPECT_EQ(r.windows_compared, 40u);
    EXPECT_EQ(r.windows_judged, 20u);
    EXPECT_LT(r.p95_db, 0.01);
    // At -50 dB against -56 dB the quiet second is heard, and judged: 6 dB off in half the windows.
    const Stereo ref2 = concat(tone(1.0, 0.5), tone(1.0, 0.5 * std::pow(10.0, -50.0 / 20.0)));
    const Stereo cand2 = concat(tone(1.0, 0.5), tone(1.0, 0.5 * std::pow(10.0, -56.0 / 20.0)));
    const LevelComparison q = compare_levels(ref2.view(), cand2.view());
    EXPECT_EQ(q.windows_judged, 40u);
    EXPECT_NEAR(q.p95_db, 6.0, 0.05);
}

TEST(LevelCompare, judges_the_span_both_cover_unless_told_to_judge_all) {
    // The reference stops after 2 s (as FluidSynth's file renderer stops with the file); the candidate
    // plays on for another second.
    const Stereo candidate = bursts(3.0);
    Stereo reference = candidate;
    reference.left.resize(static_cast<std::size_t>(2.0 * kRate));
    reference.right.resize(reference.left.size());
    const LevelComparison overlap = compare_levels(reference.view(), candidate.view());
    EXPECT_EQ(overlap.lag_frames, 0);
    EXPECT_EQ(overlap.windows_compared, 40u);
    EXPECT_LT(overlap.p95_db, 0.01);
    LevelCompareOptions whole;
    whole.overlap_only = false;
    const LevelComparison all = compare_levels(reference.view(), candidate.view(), whole);
    EXPECT_EQ(all.windows_compared, 60u);
    EXPECT_GT(all.p95_db, 20.0);  // the last second sounds where the reference is silent
}

TEST(LevelCompare, silence_judges_nothing) {
    const Stereo silent = tone(1.0, 0.0);
    const LevelComparison r = compare_levels(silent.view(), silent.view());
    EXPECT_EQ(r.windows_compared, 20u);
    EXPECT_EQ(r.windows_judged, 0u);
    EXPECT_EQ(r.lag_frames, 0);
}

// --- FluidSynth's render, the reference ---

std::string midi_file(const std::string& name) {
    return std::string(TACTUS_SOURCE_DIR) + "/tests/data/midi/" + name;
}

class FluidSynthReference : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(kFont))
            << kFont << " is missing: install Debian's fluid-soundfont-gm (make deps)";
        dir_ = fs::temp_directory_path() / ("tactus-level-compare-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

Stereo read_wav(const fs::path& path) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    Stereo s;
    if (!file) return s;
    std::vector<float> interleaved(static_cast<std::size_t>(info.frames * info.channels));
    sf_readf_float(file, interleaved.data(), info.frames);
    sf_close(file);
    for (std::size_t i = 0; i + 1 < interleaved.size(); i += 2) {
        s.left.push_back(interleaved[i]);
        s.right.push_back(interleaved[i + 1]);
    }
    return s;
}

TEST_F(FluidSynthReference, is_what_the_fluidsynth_command_line_writes) {
    const std::string midi = midi_file("jazzsoft_test-multichannel-chords-1.mid");
    const fs::path wav = dir_ / "cli.wav";
    const CliRun run = [&] {
        FILE* pipe = popen(("fluidsynth -ni -q -F '" + wav.string() + "' -r 48000 -R 0 -C 0 '" + kFont +
                            "' '" + midi + "' 2>&1")
                               .c_str(),
                           "r");
        return pipe ? finish_run(pipe) : CliRun{};
    }();
    ASSERT_EQ(run.exit_code, 0) << "fluidsynth (Debian package fluidsynth): " << run.output;
    const Stereo cli = read_wav(wav);
    const FluidSynthAudio ours = render_with_fluidsynth(midi, kFont);
    ASSERT_EQ(ours.error, "");
    ASSERT_GT(cli.left.size(), 48000u);
    ASSERT_EQ(ours.left.size(), cli.left.size());
    // The command line writes 16-bit samples: ours, so quantised, are the same.
    double worst = 0.0;
    for (std::size_t i = 0; i < cli.left.size(); ++i) {
        worst = std::max(worst, std::abs(double{ours.left[i]} - cli.left[i]));
        worst = std::max(worst, std::abs(double{ours.right[i]} - cli.right[i]));
    }
    EXPECT_LE(worst, 1.5 / 32768.0);
}

TEST_F(FluidSynthReference, at_another_gain_is_alike_once_the_gain_is_aligned) {
    const std::string midi = midi_file("craigsapp_wtc2p02.mid");
    const FluidSynthAudio normal = render_with_fluidsynth(midi, kFont);
    FluidSynthRenderOptions louder;
    louder.gain = 0.5;
    const FluidSynthAudio loud = render_with_fluidsynth(midi, kFont, louder);
    ASSERT_EQ(normal.error, "");
    ASSERT_EQ(loud.error, "");
    const LevelComparison r = compare_levels({normal.left.data(), normal.right.data(), normal.left.size()},
                                             {loud.left.data(), loud.right.data(), loud.left.size()});
    EXPECT_EQ(r.lag_frames, 0);
    EXPECT_NEAR(r.gain_db, 20.0 * std::log10(0.2 / 0.5), 0.01);
    EXPECT_LT(r.median_db, 0.01);
    EXPECT_LT(r.p95_db, 0.01);
    EXPECT_GT(r.windows_judged, 1000u);  // the prelude is about 58 s: 1,160 windows
}

TEST_F(FluidSynthReference, a_missing_or_foreign_file_is_refused_by_name) {
    const FluidSynthAudio missing = render_with_fluidsynth((dir_ / "nothing.mid").string(), kFont);
    EXPECT_NE(missing.error.find("nothing.mid"), std::string::npos) << missing.error;
    EXPECT_TRUE(missing.left.empty());
    const FluidSynthAudio not_a_font =
        render_with_fluidsynth(midi_file("craigsapp_wtc2p02.mid"), midi_file("craigsapp_wtc2p02.mid"));
    EXPECT_NE(not_a_font.error.find("not a SoundFont"), std::string::npos) << not_a_font.error;
}

}  // namespace
}  // namespace tactus::test
