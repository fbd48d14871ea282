// tactusd --exit-reason FILE: an engine that cannot start writes its error line there (and still to
// stderr), so that the program that started it can say why in the engine's own words; an engine that
// ends normally leaves the file empty, and one left by an earlier engine is emptied at start.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/cli_run.h"

namespace tactus::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

CliRun run_tactusd(const std::string& args) {
    FILE* pipe = popen((std::string(TACTUS_DAEMON_PATH) + " " + args + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return CliRun{};
    return finish_run(pipe);
}

class ExitReasonTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-exit-reason-" + std::to_string(getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(ExitReasonTest, an_engine_that_cannot_open_its_audio_writes_why) {
    const fs::path reason = dir_ / "reason";
    std::ofstream(reason) << "left by an earlier engine\n";
    const std::string server = "tactus-absent-" + std::to_string(getpid());
    const CliRun run =
        run_tactusd("--audio jack --jack-server " + server + " --no-socket --exit-reason " + reason.string());
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const std::string expected =
        "tactusd: cannot open audio: jack: cannot connect to the JACK server '" + server + "'";
    EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;  // still on stderr
    const std::string written = read_file(reason);
    EXPECT_EQ(written.rfind(expected, 0), 0u) << written;
    EXPECT_EQ(written.find("earlier"), std::string::npos) << written;
    EXPECT_EQ(written.back(), '\n');
}

TEST_F(ExitReasonTest, an_engine_that_ends_normally_leaves_the_file_empty) {
    const fs::path reason = dir_ / "reason";
    std::ofstream(reason) << "left by an earlier engine\n";
    // An offline render of one second ends by itself, with status 0.
    const CliRun run =
        run_tactusd("--audio offline --out " + (dir_ / "out.wav").string() +
                    " --seconds 1 --no-socket --listen 127.0.0.1:0 --exit-reason=" + reason.string());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_TRUE(fs::exists(reason));
    EXPECT_EQ(read_file(reason), "");
}

}  // namespace
}  // namespace tactus::test
