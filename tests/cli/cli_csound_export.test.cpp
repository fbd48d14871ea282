// `tactus export song.json -o song.csd`: Csound's own `csound` renders the exported file exactly as
// `tactus render` renders the document: the same samples (nothing above -120 dBFS may differ; in practice
// they are identical) and every note's onset on the frame this test computes from the tempo map itself
// (timing.md), at ksmps 1, 10, 32, 64 and 100, over tempo changes and a ramp, notes on .5 positions and
// zero-length notes; with an instantaneous-attack orchestra and with one whose notes have a release and
// read the controllers. Also: which tracks an export leaves out, and one .csd per orchestra.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "audio/audio_file_writer.h"
#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using namespace tactus;

constexpr double kRate = 48000.0;

// The test's own tempo map (timing.md): 120 bpm, 97.3 from beat 20, a ramp 140 -> 75 over beats
// 40..60, then 75.
double seconds_at(double beat) {
    const double s20 = 20.0 * 60.0 / 120.0;
    const double s40 = s20 + 20.0 * 60.0 / 97.3;
    const auto ramp = [](double b) {
        const double t = 140.0 + (75.0 - 140.0) * (b - 40.0) / 20.0;
        return 60.0 * 20.0 / (75.0 - 140.0) * std::log(t / 140.0);
    };
    if (beat < 20.0) return beat * 60.0 / 120.0;
    if (beat < 40.0) return s20 + (beat - 20.0) * 60.0 / 97.3;
    if (beat < 60.0) return s40 + ramp(beat);
    return s40 + ramp(60.0) + (beat - 60.0) * 60.0 / 75.0;
}
long long frame_at(double beat) {
    return static_cast<long long>(std::floor(seconds_at(beat) * kRate + 0.5));
}

// 330 notes over beats 0..82: every quarter beat, every seventh half a beat later (on .5 positions),
// every eleventh of zero length; and controller changes (mod wheel, sustain, bend, pressure).
nlohmann::json piece(const std::string& orchestra, bool controllers) {
    nlohmann::json notes = nlohmann::json::array(), changes = nlohmann::json::array();
    const double lengths[] = {0.25, 0.5, 0.75, 1.0, 1.5, 0.125, 1.0 / 3.0};
    for (int i = 0; i < 330; ++i) {
        const double start = i * 0.25 + (i % 7 == 0 ? 0.5 : 0.0);
        const double length = i % 11 == 0 ? 0.0 : lengths[(i * 5) % 7];
        notes.push_back({{"id", i + 1},
                         {"start", start},
                         {"length", length},
                         {"pitch", 40 + (i * 37) % 50},
                         {"cents", i % 3 == 0 ? 12.5 : 0.0},
                         {"velocity", 20 + (i * 53) % 108}});
    }
    if (controllers) {
        for (int j = 0; j < 160; ++j) {
            const double beat = j * 0.5 + (j % 3 == 0 ? 0.01 : 0.0) + (j % 5 == 0 ? 0.25 : 0.0);
            switch (j % 4) {
                case 0:
                    changes.push_back(
                        {{"beat", beat}, {"kind", "cc"}, {"number", 1}, {"value", (j * 29) % 128}});
                    break;
                case 1:
                    changes.push_back(
                        {{"beat", beat}, {"kind", "cc"}, {"number", 64}, {"value", j % 8 < 4 ? 127 : 0}});
                    break;
                case 2:
                    changes.push_back(
                        {{"beat", beat}, {"kind", "pitch_bend"}, {"value", ((j * 7) % 21 - 10) / 10.0}});
                    break;
                default:
                    changes.push_back({{"beat", beat}, {"kind", "pressure"}, {"value", (j * 17) % 128}});
            }
        }
    }
    // Level sqrt(2) at pan centre is unity gain (the constant-power law takes 3 dB a side): the render
    // carries the orchestra's own samples, as `csound` writes them.
    return {{"format", "tactus"},
            {"version", 1},
            {"tempo",
             {{{"beat", 0}, {"bpm", 120}},
              {{"beat", 20}, {"bpm", 97.3}},
              {{"beat", 40}, {"bpm", 140}, {"ramp", true}},
              {{"beat", 60}, {"bpm", 75}}}},
            {"tracks",
             {{{"id", 1},
               {"name", "Csound"},
               {"instrument", "csound"},
               {"orchestra", orchestra},
               {"csound_instrument", "1"},
               {"level", std::sqrt(2.0)},
               {"parameters", {{"bright", controllers ? 0.8 : 0.5}}},
               {"notes", notes},
               {"controllers", changes}}}}};
}

// Instantaneous attack: a cosine at full amplitude from the note's first sample, and on the right a
// single impulse on that sample (the onset marker).
std::string attack_orchestra(int ksmps) {
    return "ksmps = " + std::to_string(ksmps) +
           "\nnchnls = 2\n0dbfs = 1\ninstr 1\n"
           "  a1 poscil 0.02 * p5 / 127, p6, -1, 0.25\n"
           "  aimp mpulse 0.001, 0\n"
           "  outs a1, aimp\nendin\n";
}

// A k-rate envelope with a release (linsegr: Csound lengthens the note and ends it on a k-cycle), the
// controller channels, read at init and every k-cycle, and a parameter ("bright", which the document
// sets to 0.8 instead of its default 0.5).
std::string release_orchestra(int ksmps) {
    return "ksmps = " + std::to_string(ksmps) +
           "\nnchnls = 2\n0dbfs = 1\n"
           "chn_k \"bright\", 1, 2, 0.5, 0, 1\n"
           "instr 1\n"
           "  kbright chnget \"bright\"\n"
           "  imod chnget \"tactus.cc1\"\n"
           "  kmod chnget \"tactus.cc1\"\n"
           "  kbend chnget \"tactus.bend\"\n"
           "  kpress chnget \"tactus.pressure\"\n"
           "  ksus chnget \"tactus.sustain\"\n"
           "  kenv linsegr 0, 0.005, 1, 0.2, 0.5, 0.1, 0\n"
           "  a1 poscil 0.03 * p5 / 127 * kenv * (1 + kmod / 127 + imod / 254 + kpress / 300 + ksus / 5), "
           "p6 * (1 + kbend / 20)\n"
           "  a2 poscil 0.03 * p5 / 127 * kenv * kbright, p6 * 1.5\n"
           "  outs a1, a2\nendin\n";
}

bool have_csound() {
    return std::system("command -v csound > /dev/null 2>&1") == 0;
}

class CliCsoundExport : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-cli-csexport-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    struct Renders {
        AudioFileData tactus, csound;
    };
    // Writes the orchestra and document, exports, renders both ways; fails the test on any error.
    std::optional<Renders> render_both(const std::string& orchestra_text, bool controllers) {
        std::ofstream(dir_ / "piece.orc") << orchestra_text;
        std::ofstream(dir_ / "piece.json") << piece("piece.orc", controllers).dump(1);
        const std::string json = (dir_ / "piece.json").string();
        const test::CliRun exported =
            test::run_tactus("export " + json + " -o " + (dir_ / "piece.csd").string());
        EXPECT_EQ(exported.exit_code, 0) << exported.output;
        const test::CliRun rendered =
            test::run_tactus("render " + json + " -o " + (dir_ / "tactus.wav").string() + " --bits 32f");
        EXPECT_EQ(rendered.exit_code, 0) << rendered.output;
        // The .csd names its own sound file (piece.wav, in the directory csound runs in).
        FILE* pipe = popen(("cd " + dir_.string() + " && csound piece.csd 2>&1").c_str(), "r");
        const test::CliRun csound = test::finish_run(pipe);
        EXPECT_EQ(csound.exit_code, 0) << csound.output;
        if (::testing::Test::HasFailure()) return std::nullopt;
        std::string error;
        auto tactus = read_audio_file((dir_ / "tactus.wav").string(), &error);
        EXPECT_TRUE(tactus) << error;
        auto theirs = read_audio_file((dir_ / "piece.wav").string(), &error);
        EXPECT_TRUE(theirs) << error;
        if (!tactus || !theirs) return std::nullopt;
        EXPECT_EQ(tactus->channels, 2);
        EXPECT_EQ(theirs->channels, 2);
        EXPECT_EQ(theirs->sample_rate, 48000);
        return Renders{std::move(*tactus), std::move(*theirs)};
    }

    fs::path dir_;
};

// The largest difference over the frames both files have; the longer one holds only silence after.
void expect_same_samples(const AudioFileData& a, const AudioFileData& b, const std::string& what) {
    const std::int64_t common = std::min(a.frames(), b.frames());
    double worst = 0.0;
    std::int64_t worst_at = -1, differing = 0;
    for (std::int64_t i = 0; i < 2 * common; ++i) {
        const double d = std::abs(double(a.samples[std::size_t(i)]) - double(b.samples[std::size_t(i)]));
        if (d > 0.0) ++differing;
        if (d > worst) worst = d, worst_at = i / 2;
    }
    EXPECT_LT(worst, 1e-6) << what << ": " << differing << " samples differ, the largest by " << worst
                           << " at frame " << worst_at;
    const AudioFileData& longer = a.frames() > b.frames() ? a : b;
    float tail = 0.0f;
    for (std::size_t i = std::size_t(2 * common); i < longer.samples.size(); ++i)
        tail = std::max(tail, std::abs(longer.samples[i]));
    EXPECT_LT(tail, 1e-6f) << what << ": sound beyond the shorter render (" << a.frames() << " vs "
                           << b.frames() << " frames)";
    EXPECT_GT(common, frame_at(82.0)) << what << ": the render stops before the piece ends";
}

std::set<long long> onsets(const AudioFileData& file) {
    std::set<long long> frames;
    for (std::int64_t i = 0; i < file.frames(); ++i)
        if (file.samples[std::size_t(2 * i + 1)] != 0.0f) frames.insert(i);
    return frames;
}

TEST_F(CliCsoundExport, csound_renders_an_export_as_tactus_does_with_every_onset_on_its_frame) {
    if (!have_csound()) GTEST_SKIP() << "the csound command is not installed";
    std::set<long long> expected;
    const nlohmann::json doc = piece("x.orc", false);
    for (const auto& note : doc["tracks"][0]["notes"]) expected.insert(frame_at(note["start"].get<double>()));
    ASSERT_GE(doc["tracks"][0]["notes"].size(), 300u);
    ASSERT_GT(expected.size(), 250u);  // distinct onset frames (some notes share one)
    for (const int ksmps : {1, 10, 32, 64, 100}) {
        SCOPED_TRACE("ksmps " + std::to_string(ksmps));
        const auto renders = render_both(attack_orchestra(ksmps), false);
        ASSERT_TRUE(renders);
        expect_same_samples(renders->tactus, renders->csound, "attack, ksmps " + std::to_string(ksmps));
        EXPECT_EQ(onsets(renders->tactus), expected) << "Tactus's onsets";
        EXPECT_EQ(onsets(renders->csound), expected) << "csound's onsets";
    }
}

TEST_F(CliCsoundExport, notes_with_a_release_and_controller_changes_render_the_same_in_csound) {
    if (!have_csound()) GTEST_SKIP() << "the csound command is not installed";
    for (const int ksmps : {1, 10, 32, 64, 100}) {
        SCOPED_TRACE("ksmps " + std::to_string(ksmps));
        const auto renders = render_both(release_orchestra(ksmps), true);
        ASSERT_TRUE(renders);
        expect_same_samples(renders->tactus, renders->csound, "release, ksmps " + std::to_string(ksmps));
        // Not a silent comparison: the piece sounds on both channels.
        float peak = 0.0f;
        for (const float s : renders->csound.samples) peak = std::max(peak, std::abs(s));
        EXPECT_GT(peak, 0.01f);
    }
}

// The .csd holds what a Csound user needs: the options, the orchestra as written, an i-statement per
// note at (frame + 0.25) / sr.
TEST_F(CliCsoundExport, the_csd_holds_options_orchestra_and_one_i_statement_per_note) {
    std::ofstream(dir_ / "a.orc")
        << "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr 1\n  outs a(0.1), a(0.1)\nendin\n";
    std::ofstream(dir_ / "song.json")
        << R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [
              {"id": 1, "instrument": "csound", "orchestra": "a.orc", "csound_instrument": "1",
               "notes": [{"id": 1, "start": 0.5, "length": 1, "pitch": 69, "cents": 50, "velocity": 90},
                         {"id": 2, "start": 1, "length": 0, "pitch": 60}]}]})";
    const test::CliRun run = test::run_tactus("export " + (dir_ / "song.json").string() +
                                              " --rate 44100 -o " + (dir_ / "song.csd").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::ifstream in(dir_ / "song.csd");
    const std::string csd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(csd.find("--sample-accurate -d -m0 -r 44100 -W -f -o song.wav"), std::string::npos) << csd;
    EXPECT_NE(csd.find("<CsInstruments>\nksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr 1\n"), std::string::npos)
        << csd;
    // Beat 0.5 at 120 bpm: frame 11025; one beat: 22050 frames, ending on a 32-frame cycle boundary?
    // (11025 + 22050) % 32 = 17: no, so p3 = (22050 + 0.2) / 44100.
    char first[200];
    std::snprintf(first, sizeof first, "i %.17g %.17g %.17g %.17g 90 %.17g", 1.001, 11025.25 / 44100.0,
                  22050.2 / 44100.0, 69.5, 440.0 * std::exp2(0.5 / 12.0));
    EXPECT_NE(csd.find(first), std::string::npos) << first << "\n" << csd;
    // The zero-length note at frame 22050 lasts one k-cycle (32 frames), held in the second voice slot.
    char second[200];
    std::snprintf(second, sizeof second, "i %.17g %.17g %.17g 60 100 ", 1.002, 22050.25 / 44100.0,
                  32.2 / 44100.0);
    EXPECT_NE(csd.find(second), std::string::npos) << second << "\n" << csd;
}

TEST_F(CliCsoundExport, a_synth_track_is_left_out_with_a_warning_and_each_orchestra_gets_its_own_csd) {
    for (const char* name : {"bell.orc", "pluck.orc"})
        std::ofstream(dir_ / name)
            << "ksmps = 16\nnchnls = 2\n0dbfs = 1\ninstr 1\n  outs a(0.1), a(0.1)\nendin\n";
    std::ofstream(dir_ / "song.json") << R"({"format": "tactus", "version": 1, "tracks": [
              {"id": 1, "name": "Bell", "instrument": "csound", "orchestra": "bell.orc", "csound_instrument": "1",
               "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]},
              {"id": 2, "name": "Bass", "instrument": "synth", "notes": [{"id": 2, "start": 0, "length": 1, "pitch": 40}]},
              {"id": 3, "name": "Pluck", "instrument": "csound", "orchestra": "pluck.orc", "csound_instrument": "1",
               "notes": [{"id": 3, "start": 1, "length": 1, "pitch": 67}]}]})";
    const std::string json = (dir_ / "song.json").string();
    const test::CliRun run = test::run_tactus("export " + json + " -o " + (dir_ / "song.csd").string());
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("warning: " + json + ": track 2 'Bass' left out: its instrument is 'synth'"),
              std::string::npos)
        << run.output;
    EXPECT_TRUE(fs::exists(dir_ / "song-bell.csd")) << run.output;
    EXPECT_TRUE(fs::exists(dir_ / "song-pluck.csd")) << run.output;
    EXPECT_FALSE(fs::exists(dir_ / "song.csd"));

    std::ofstream(dir_ / "synth.json") << R"({"format": "tactus", "version": 1, "tracks": [
              {"id": 1, "instrument": "synth", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]}]})";
    const test::CliRun none =
        test::run_tactus("export " + (dir_ / "synth.json").string() + " -o " + (dir_ / "synth.csd").string());
    EXPECT_EQ(none.exit_code, 1) << none.output;
    EXPECT_NE(none.output.find("no track to export: none plays a Csound orchestra"), std::string::npos)
        << none.output;
    EXPECT_FALSE(fs::exists(dir_ / "synth.csd"));
}

}  // namespace
