// The `tactus` command refuses bad input with a message naming file and JSON path, a non-zero exit,
// and no crash. Runs the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using tactus::test::CliRun;
using tactus::test::run_tactus;

class CliBadInput : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-cli-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const fs::path path = dir_ / name;
        std::ofstream(path) << text;
        return path.string();
    }
    // A valid document with one track; `note` and `tempo` are spliced in as JSON text.
    std::string score(const std::string& note, const std::string& tempo = R"([{"beat": 0, "bpm": 120}])",
                      const std::string& preset = "sine", const std::string& instrument = "synth") {
        return R"({"format": "tactus", "version": 1, "tempo": )" + tempo +
               R"(, "tracks": [{"id": 1, "name": "A", "instrument": ")" + instrument + R"(", "preset": ")" +
               preset + R"(", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100}, )" +
               note + "]}]}";
    }
    std::string ok_note() const {
        return R"({"id": 2, "start": 1, "length": 1, "pitch": 62, "velocity": 90})";
    }

    void expect_refused(const CliRun& run, const std::string& path, const std::string& json_path,
                        const std::string& text) {
        EXPECT_FALSE(run.crashed) << run.output;
        EXPECT_EQ(run.exit_code, 1) << run.output;
        EXPECT_THAT(run.output, HasSubstr("error: " + path)) << run.output;
        EXPECT_THAT(run.output, HasSubstr(" " + json_path + ": ")) << run.output;
        EXPECT_THAT(run.output, HasSubstr(text)) << run.output;
    }
    std::string out() const { return (dir_ / "out.wav").string(); }

    fs::path dir_;
};

TEST_F(CliBadInput, malformed_json_names_file_line_and_column) {
    const std::string path = write("broken.json", "{\n  \"format\": \"tactus\",\n  \"tracks\": [1, 2\n}\n");
    const CliRun run = run_tactus("render " + path + " -o " + out());
    EXPECT_FALSE(run.crashed);
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_THAT(run.output, HasSubstr(path + ":4:1:")) << run.output;
    EXPECT_THAT(run.output, HasSubstr("invalid JSON")) << run.output;
    EXPECT_FALSE(fs::exists(out())) << "no output file for a refused document";
}

TEST_F(CliBadInput, unknown_preset_names_the_track_path_and_lists_the_presets) {
    const std::string path = write("s.json", score(ok_note(), R"([{"beat": 0, "bpm": 120}])", "kazoo"));
    const CliRun run = run_tactus("render " + path + " -o " + out());
    expect_refused(run, path, "/tracks/0/preset", "unknown preset 'kazoo'");
    EXPECT_THAT(run.output, HasSubstr("click"));
}

TEST_F(CliBadInput, unknown_instrument_is_refused) {
    const std::string path =
        write("s.json", score(ok_note(), R"([{"beat": 0, "bpm": 120}])", "sine", "theremin"));
    expect_refused(run_tactus("info " + path), path, "/tracks/0/instrument", "unknown instrument 'theremin'");
}

TEST_F(CliBadInput, negative_length_is_refused) {
    const std::string path =
        write("s.json", score(R"({"id": 2, "start": 1, "length": -1, "pitch": 62, "velocity": 90})"));
    expect_refused(run_tactus("render " + path + " -o " + out()), path, "/tracks/0/notes/1/length",
                   "must be >= 0");
}

TEST_F(CliBadInput, velocity_out_of_range_is_refused) {
    const std::string path =
        write("s.json", score(R"({"id": 2, "start": 1, "length": 1, "pitch": 62, "velocity": 128})"));
    expect_refused(run_tactus("render " + path + " -o " + out()), path, "/tracks/0/notes/1/velocity",
                   "1..127");
}

TEST_F(CliBadInput, nan_and_infinite_numbers_are_refused) {
    // JSON has no NaN literal; a bare NaN is a syntax error, an overflowing number parses as infinity.
    const std::string nan_path =
        write("nan.json", score(R"({"id": 2, "start": NaN, "length": 1, "pitch": 62, "velocity": 90})"));
    const CliRun nan_run = run_tactus("info " + nan_path);
    EXPECT_EQ(nan_run.exit_code, 1);
    EXPECT_THAT(nan_run.output, HasSubstr("invalid JSON"));
    const std::string inf_path =
        write("inf.json", score(R"({"id": 2, "start": 1e999, "length": 1, "pitch": 62, "velocity": 90})"));
    expect_refused(run_tactus("info " + inf_path), inf_path, "/tracks/0/notes/1/start", "finite");
}

TEST_F(CliBadInput, zero_and_absurd_tempos_are_refused) {
    const std::string zero = write("zero.json", score(ok_note(), R"([{"beat": 0, "bpm": 0}])"));
    expect_refused(run_tactus("render " + zero + " -o " + out()), zero, "/tempo/0/bpm", "1..1000");
    const std::string absurd = write("absurd.json", score(ok_note(), R"([{"beat": 0, "bpm": 1e9}])"));
    expect_refused(run_tactus("render " + absurd + " -o " + out()), absurd, "/tempo/0/bpm", "1..1000");
}

TEST_F(CliBadInput, missing_file_names_the_path) {
    const std::string path = (dir_ / "nowhere.json").string();
    const CliRun run = run_tactus("render " + path + " -o " + out());
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_THAT(run.output, HasSubstr(path));
    EXPECT_THAT(run.output, HasSubstr("No such file"));
}

TEST_F(CliBadInput, unknown_sample_format_and_float_flac_are_refused) {
    const std::string path = write("s.json", score(ok_note()));
    const CliRun bits = run_tactus("render " + path + " -o " + out() + " --bits 12");
    EXPECT_EQ(bits.exit_code, 1);
    EXPECT_THAT(bits.output, HasSubstr("--bits: unknown sample format '12'"));
    const CliRun flac = run_tactus("render " + path + " -o " + (dir_ / "x.flac").string() + " --bits 32f");
    EXPECT_EQ(flac.exit_code, 1);
    EXPECT_THAT(flac.output, HasSubstr("FLAC"));
}

TEST_F(CliBadInput, missing_arguments_exit_with_usage_status_2) {
    const CliRun run = run_tactus("render");
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.output, HasSubstr("score is required"));
}

TEST_F(CliBadInput, good_document_renders_and_reports_a_summary) {
    const std::string path = write("s.json", score(ok_note()));
    const CliRun run = run_tactus("render " + path + " -o " + out());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(fs::exists(out()));
    EXPECT_THAT(run.output, HasSubstr("duration"));
    EXPECT_THAT(run.output, HasSubstr("peak"));
    EXPECT_THAT(run.output, HasSubstr("x realtime"));
    const CliRun info = run_tactus("info " + path);
    EXPECT_EQ(info.exit_code, 0);
    EXPECT_THAT(info.output, HasSubstr("Notes:    2 in 1 track"));
    EXPECT_THAT(info.output, HasSubstr("120.00 bpm"));
}

}  // namespace
