// `tactus render` of a document with a csound track: the example in examples/csound renders from any
// working directory (its orchestra's name is relative to the document), and a broken orchestra is
// reported with the document, the track's JSON path, the orchestra file and Csound's line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "audio/audio_file_writer.h"
#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using namespace tactus;

class CliCsound : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-cli-csound-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(CliCsound, the_csound_example_renders_from_another_directory_with_its_bell_sounding) {
    const std::string score = std::string(TACTUS_SOURCE_DIR) + "/examples/csound/bell.json";
    const std::string wav = (dir_ / "bell.wav").string();
    // Run in dir_: "bell.orc" is found beside the document, not in the working directory.
    FILE* pipe = popen(("cd " + dir_.string() + " && " + TACTUS_CLI_PATH + " render " + score +
                        " -o bell.wav --bits 32f --rate 48000 2>&1")
                           .c_str(),
                       "r");
    ASSERT_NE(pipe, nullptr);
    const test::CliRun rendered = test::finish_run(pipe);
    ASSERT_EQ(rendered.exit_code, 0) << rendered.output;
    std::string error;
    ASSERT_TRUE(read_audio_file(wav, &error)) << error;
    const test::CliRun info = test::run_tactus("info " + score);
    EXPECT_NE(info.output.find("1  Bell  csound Bell of " + std::string(TACTUS_SOURCE_DIR) +
                               "/examples/csound/bell.orc  level 1.00"),
              std::string::npos)
        << info.output;

    // The bell alone (the example without its synth bass, naming the orchestra by an absolute path):
    // it sounds from the first note, and the last note (beat 3 at 96 bpm: 1.875 s) rings on.
    nlohmann::json doc = nlohmann::json::parse(std::ifstream(score));
    doc["tracks"].erase(1);
    doc["tracks"][0]["orchestra"] = std::string(TACTUS_SOURCE_DIR) + "/examples/csound/bell.orc";
    std::ofstream(dir_ / "bell_only.json") << doc.dump();
    const std::string bell_wav = (dir_ / "bell_only.wav").string();
    const test::CliRun bell = test::run_tactus("render " + (dir_ / "bell_only.json").string() + " -o " +
                                               bell_wav + " --bits 32f --rate 48000");
    ASSERT_EQ(bell.exit_code, 0) << bell.output;
    const auto file = read_audio_file(bell_wav, &error);
    ASSERT_TRUE(file) << error;
    ASSERT_EQ(file->channels, 2);
    auto peak = [&](double from_s, double to_s) {
        float p = 0.0f;
        for (auto i = std::int64_t(from_s * 48000); i < std::int64_t(to_s * 48000) && i < file->frames(); ++i)
            p = std::max(p, std::abs(file->samples[std::size_t(2 * i)]));
        return p;
    };
    EXPECT_GT(peak(0.0, 0.3), 0.05f);
    EXPECT_GT(peak(1.9, 2.2), 0.05f);
    EXPECT_GT(peak(3.0, 3.5), 0.01f) << "the last note still sounds";
    EXPECT_GT(file->frames(), std::int64_t(3.75 * 48000)) << "the render runs to the end of the last note";
}

TEST_F(CliCsound, a_broken_orchestra_names_the_document_the_track_the_file_and_csounds_line) {
    std::ofstream(dir_ / "broken.orc")
        << "ksmps = 32\n\ninstr 1\n  aout oscil 1, 440\n  gkcut chn_k\nendin\n";
    std::ofstream(dir_ / "song.json")
        << R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "instrument": "csound",
              "orchestra": "broken.orc", "csound_instrument": 1,
              "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]}]})";
    const std::string score = (dir_ / "song.json").string();
    const test::CliRun run = test::run_tactus("render " + score + " -o " + (dir_ / "out.wav").string());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const std::string expected = "error: " + score +
                                 ": /tracks/0/orchestra: " + (dir_ / "broken.orc").string() +
                                 ":5: error: syntax error";
    EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;
    EXPECT_FALSE(fs::exists(dir_ / "out.wav"));
}

// An orchestra that writes a file runs only when the user allows files (--csound-allow files): refused
// with the opcode's line by default, nothing written; allowed, it renders and its file appears.
TEST_F(CliCsound, an_orchestra_that_writes_a_file_renders_only_with_csound_allow_files) {
    const std::string written = (dir_ / "written.txt").string();
    std::ofstream(dir_ / "writer.orc") << "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr 1\n"
                                          "  fprints \""
                                       << written << "\", \"played\\n\"\n  outs a(0.1), a(0.1)\nendin\n";
    std::ofstream(dir_ / "song.json")
        << R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "instrument": "csound",
              "orchestra": "writer.orc", "csound_instrument": 1,
              "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]}]})";
    const std::string score = (dir_ / "song.json").string(), out = (dir_ / "out.wav").string();
    const test::CliRun refused = test::run_tactus("render " + score + " -o " + out);
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_NE(refused.output.find("writer.orc:5: opcode 'fprints'"), std::string::npos) << refused.output;
    EXPECT_FALSE(fs::exists(written));
    EXPECT_FALSE(fs::exists(out));

    const test::CliRun bad = test::run_tactus("render " + score + " -o " + out + " --csound-allow disks");
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find("error: --csound-allow: unknown Csound permission 'disks'"), std::string::npos)
        << bad.output;

    const test::CliRun allowed = test::run_tactus("render " + score + " -o " + out + " --csound-allow files");
    EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
    EXPECT_TRUE(fs::exists(out));
    EXPECT_TRUE(fs::exists(written));
}

}  // namespace
