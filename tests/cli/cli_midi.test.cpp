// `tactus import` and `tactus export` through the real binary, and MIDI files given straight to
// `render` and `info`: conversions that keep every note, and malformed files refused with the byte
// offset and exit code 1; a FIFO refused at once rather than read forever.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/document_json.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// With a time limit, `timeout` kills a tactus that hangs (exit 124), so the test fails instead of stalling.
CliRun run_tactus(const std::string& args, int time_limit_seconds = 0) {
    CliRun run;
    const std::string limit =
        time_limit_seconds > 0 ? "timeout " + std::to_string(time_limit_seconds) + " " : std::string();
    FILE* pipe = ::popen((limit + TACTUS_CLI_PATH + " " + args + " 2>&1").c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
        run.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

const fs::path kBach = fs::path(TACTUS_SOURCE_DIR) / "tests" / "data" / "midi" / "craigsapp_wtc2p02.mid";

class CliMidi : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-cli-midi-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    fs::path dir_;
};

std::size_t notes_in(const std::string& json_path) {
    const tactus::LoadResult loaded = tactus::load_document_file(json_path);
    EXPECT_TRUE(loaded.document.has_value());
    return loaded.document ? loaded.document->note_count() : 0;
}

TEST_F(CliMidi, import_then_export_then_import_keeps_every_note) {
    const CliRun imported = run_tactus("import '" + kBach.string() + "' -o " + path("wtc.json"));
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_THAT(imported.output, HasSubstr("1 track, 686 notes"));
    EXPECT_EQ(notes_in(path("wtc.json")), 686u);

    const CliRun exported = run_tactus("export " + path("wtc.json") + " -o " + path("wtc.mid"));
    ASSERT_EQ(exported.exit_code, 0) << exported.output;
    const CliRun again = run_tactus("import " + path("wtc.mid") + " -o " + path("again.json"));
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(notes_in(path("again.json")), 686u);
}

TEST_F(CliMidi, render_and_info_take_a_midi_file_directly) {
    const CliRun info = run_tactus("info '" + kBach.string() + "'");
    ASSERT_EQ(info.exit_code, 0) << info.output;
    EXPECT_THAT(info.output, HasSubstr("686 in 1 track"));
    const CliRun render = run_tactus("render '" + kBach.string() + "' -o " + path("wtc.wav"));
    ASSERT_EQ(render.exit_code, 0) << render.output;
    EXPECT_GT(fs::file_size(path("wtc.wav")), 1'000'000u);
}

TEST_F(CliMidi, a_malformed_midi_file_is_refused_with_its_byte_offset) {
    std::ofstream(path("cut.mid"), std::ios::binary)
        << std::string("MThd\0\0\0\6\0\1\0\1\0\x60MTrk\0\0\0\x20\0\x90", 24);
    const CliRun run = run_tactus("import " + path("cut.mid") + " -o " + path("cut.json"));
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output,
                HasSubstr(path("cut.mid") + ": byte 18: chunk at byte 14 claims 32 bytes but only 2 remain"));
    EXPECT_FALSE(fs::exists(path("cut.json"))) << "nothing is written for a file that was refused";
}

// A FIFO (or a device) named as the input would block a plain read forever: it is refused at once,
// by the same safe read documents use.
TEST_F(CliMidi, import_of_a_fifo_fails_at_once_with_a_clear_message) {
    ASSERT_EQ(::mkfifo(path("pipe.mid").c_str(), 0600), 0) << std::strerror(errno);
    const CliRun run = run_tactus("import " + path("pipe.mid") + " -o " + path("pipe.json"), 10);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr("error: " + path("pipe.mid") +
                                      ": not a regular file (a FIFO, device or socket cannot be loaded)"));
    EXPECT_FALSE(fs::exists(path("pipe.json")));
}

TEST_F(CliMidi, import_of_a_missing_file_names_it_and_the_reason) {
    const CliRun run = run_tactus("import " + path("nowhere.mid") + " -o " + path("x.json"), 10);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr(path("nowhere.mid") + ": cannot open: No such file or directory"));
}

}  // namespace
