// tactusd --load with a csound track: the orchestra's name is relative to the document (whatever the
// engine's working directory), the offline render sounds, and a broken orchestra stops the engine at
// start with the document, the track's JSON path and Csound's message with the orchestra's line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "audio/audio_file_writer.h"
#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using namespace tactus;

class CsoundDaemonLoad : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-csound-daemon-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_ / "songs");
    }
    void TearDown() override { fs::remove_all(dir_); }

    // tactusd rendering `seconds` offline into dir_/out.wav, run from the root directory.
    test::CliRun run_daemon(const fs::path& song, double seconds) {
        const std::string command = "cd / && " + std::string(TACTUS_DAEMON_PATH) + " --audio offline --out " +
                                    (dir_ / "out.wav").string() + " --seconds " + std::to_string(seconds) +
                                    " --listen 127.0.0.1:0 --no-socket --load " + song.string() +
                                    " --play 2>&1";
        FILE* pipe = popen(command.c_str(), "r");
        return pipe ? test::finish_run(pipe) : test::CliRun{};
    }
    fs::path dir_;
};

constexpr const char* kSong =
    R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "instrument": "csound",
        "orchestra": "../orc/sine.orc", "csound_instrument": "Sine",
        "notes": [{"id": 1, "start": 1, "length": 1, "pitch": 69}]}]})";

TEST_F(CsoundDaemonLoad, the_orchestra_is_found_beside_the_document_and_its_note_sounds) {
    fs::create_directories(dir_ / "orc");
    std::ofstream(dir_ / "orc" / "sine.orc")
        << "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr Sine\n  kenv linsegr 1, 1, 1, 0.05, 0\n"
           "  asig oscili 0.5 * kenv, p6\n  outs asig, asig\nendin\n";
    std::ofstream(dir_ / "songs" / "song.json") << kSong;
    const test::CliRun run = run_daemon(dir_ / "songs" / "song.json", 2.0);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::string error;
    const auto file = read_audio_file((dir_ / "out.wav").string(), &error);
    ASSERT_TRUE(file) << error;
    const int rate = file->sample_rate;
    auto peak = [&](double from_s, double to_s) {
        float p = 0.0f;
        for (auto i = std::int64_t(from_s * rate); i < std::int64_t(to_s * rate) && i < file->frames(); ++i)
            p = std::max(p, std::abs(file->samples[std::size_t(file->channels * i)]));
        return p;
    };
    // At 120 bpm the note is 0.5 s .. 1 s.
    EXPECT_EQ(peak(0.0, 0.45), 0.0f);
    EXPECT_GT(peak(0.55, 0.95), 0.3f);
    EXPECT_EQ(peak(1.2, 2.0), 0.0f);
}

TEST_F(CsoundDaemonLoad, a_broken_orchestra_is_reported_with_csounds_line_and_the_engine_plays_on) {
    fs::create_directories(dir_ / "orc");
    std::ofstream(dir_ / "orc" / "sine.orc") << "ksmps = 32\ninstr Sine\n  asig oscil\nendin\n";
    std::ofstream(dir_ / "songs" / "song.json") << kSong;
    const test::CliRun run = run_daemon(dir_ / "songs" / "song.json", 1.0);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    const std::string expected = "tactusd: warning: " + (dir_ / "songs" / "song.json").string() +
                                 ": /tracks/0/orchestra: " + (dir_ / "orc" / "sine.orc").string() +
                                 ":3: error: ";
    EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;
    EXPECT_NE(run.output.find("(the track plays silent)"), std::string::npos) << run.output;
    std::string error;
    const auto file = read_audio_file((dir_ / "out.wav").string(), &error);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(file->frames(), 48000) << "the engine rendered its second";
    EXPECT_TRUE(std::all_of(file->samples.begin(), file->samples.end(), [](float s) { return s == 0.0f; }));
}

}  // namespace
