// The `tactus` command never writes its output over its own input, nor replaces what is not a regular
// file; `tactus play` keeps the log of the engine it starts in the user's private directory. Runs the
// real binaries (tactus, and the tactusd built beside it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "support/cli_run.h"
#include "support/jack_server.h"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using tactus::test::CliRun;
using tactus::test::finish_run;

// `tactus ARGS` run by the shell in `dir`, with `env` ("NAME=value ...") in front.
FILE* start_tactus(const fs::path& dir, const std::string& args, const std::string& env = "") {
    const std::string command =
        "cd '" + dir.string() + "' && " + env + " " + std::string(TACTUS_CLI_PATH) + " " + args + " 2>&1";
    return popen(command.c_str(), "r");
}

CliRun run_tactus(const fs::path& dir, const std::string& args, const std::string& env = "") {
    FILE* pipe = start_tactus(dir, args, env);
    if (!pipe) return {};
    return finish_run(pipe);
}

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

mode_t mode_of(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode;
}

// A UDP port that nothing on loopback uses right now.
int free_udp_port() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0)
        port = ntohs(address.sin_port);
    ::close(fd);
    return port;
}

// A process whose command line names `program` and holds `word` (-1 when there is none): the tactusd
// that a `tactus play` started on the test's own port.
pid_t find_process(const std::string& program, const std::string& word) {
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = read_bytes(entry.path() / "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find(program) != std::string::npos && cmdline.find(word) != std::string::npos)
            return static_cast<pid_t>(std::stol(name));
    }
    return -1;
}

class CliOutputRules : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-cli-rules-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        // Two quick notes at 240 bpm: a play of it takes about a second.
        score_ = dir_ / "song.json";
        std::ofstream(score_) << R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 240}],
            "tracks": [{"id": 1, "name": "A", "instrument": "synth", "preset": "sine", "notes": [
              {"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100},
              {"id": 2, "start": 1, "length": 1, "pitch": 64, "velocity": 90}]}]})";
        score_bytes_ = read_bytes(score_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // song.mid, exported from the score.
    fs::path midi() {
        const fs::path path = dir_ / "song.mid";
        if (!fs::exists(path)) {
            const CliRun run = run_tactus(dir_, "export song.json -o song.mid");
            EXPECT_EQ(run.exit_code, 0) << run.output;
        }
        return path;
    }

    // `command` was refused with exit status 1, a message naming the command and what was refused, and
    // `input` still holds `bytes`.
    static void expect_refused(const CliRun& run, const std::string& message, const fs::path& input,
                               const std::string& bytes) {
        EXPECT_FALSE(run.crashed) << run.output;
        EXPECT_EQ(run.exit_code, 1) << run.output;
        EXPECT_THAT(run.output, HasSubstr(message)) << run.output;
        EXPECT_EQ(read_bytes(input), bytes) << input << " was changed";
    }

    fs::path dir_;
    fs::path score_;
    std::string score_bytes_;
};

TEST_F(CliOutputRules, render_onto_its_own_input_is_refused_and_the_score_is_unchanged) {
    expect_refused(run_tactus(dir_, "render song.json -o song.json"),
                   "error: render: the output song.json is the input file; choose another -o", score_,
                   score_bytes_);
    // Refused before rendering: no temporary file is left beside it.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(CliOutputRules, export_onto_its_own_input_is_refused_and_the_score_is_unchanged) {
    expect_refused(run_tactus(dir_, "export song.json -o song.json"),
                   "error: export: the output song.json is the input file; choose another -o", score_,
                   score_bytes_);
}

TEST_F(CliOutputRules, import_onto_its_own_input_is_refused_and_the_midi_file_is_unchanged) {
    const fs::path mid = midi();
    const std::string bytes = read_bytes(mid);
    ASSERT_FALSE(bytes.empty());
    expect_refused(run_tactus(dir_, "import song.mid -o song.mid"),
                   "error: import: the output song.mid is the input file; choose another -o", mid, bytes);
}

TEST_F(CliOutputRules, another_spelling_a_symlink_or_a_hard_link_of_the_input_is_the_same_file) {
    fs::create_symlink("song.json", dir_ / "link.json");
    fs::create_hard_link(score_, dir_ / "hard.json");
    for (const std::string& output :
         std::vector<std::string>{"./song.json", "../" + dir_.filename().string() + "/song.json",
                                  (dir_ / "song.json").string(), "link.json", "hard.json"}) {
        SCOPED_TRACE(output);
        for (const std::string command : {"render", "export"}) {
            expect_refused(
                run_tactus(dir_, command + " song.json -o " + output),
                "error: " + command + ": the output " + output +
                    " is the input file song.json (the same file by another name); choose another -o",
                score_, score_bytes_);
        }
    }
    EXPECT_TRUE(fs::is_symlink(dir_ / "link.json"));
    EXPECT_EQ(fs::hard_link_count(score_), 2u);

    const fs::path mid = midi();
    const std::string bytes = read_bytes(mid);
    fs::create_symlink("song.mid", dir_ / "link.mid");
    fs::create_hard_link(mid, dir_ / "hard.mid");
    for (const std::string output : {"./song.mid", "link.mid", "hard.mid"}) {
        SCOPED_TRACE(output);
        expect_refused(run_tactus(dir_, "import song.mid -o " + output),
                       "error: import: the output " + output + " is the input file song.mid", mid, bytes);
    }
}

TEST_F(CliOutputRules, a_directory_as_output_is_refused_and_left_as_it_was) {
    fs::create_directory(dir_ / "out.wav");
    std::ofstream(dir_ / "out.wav" / "inside") << "kept";
    for (const std::string command : {"render", "export"}) {
        SCOPED_TRACE(command);
        expect_refused(
            run_tactus(dir_, command + " song.json -o out.wav"),
            "error: " + command +
                ": the output out.wav is a directory, not a regular file (writing would replace it "
                "with one); choose another -o",
            score_, score_bytes_);
    }
    midi();
    expect_refused(run_tactus(dir_, "import song.mid -o out.wav"),
                   "error: import: the output out.wav is a directory", score_, score_bytes_);
    EXPECT_TRUE(fs::is_directory(dir_ / "out.wav"));
    EXPECT_EQ(read_bytes(dir_ / "out.wav" / "inside"), "kept");
}

TEST_F(CliOutputRules, a_fifo_as_output_is_refused_and_left_as_it_was) {
    const fs::path fifo = dir_ / "pipe.wav";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    fs::create_symlink("pipe.wav", dir_ / "to-pipe.wav");
    for (const std::string command : {"render", "export"}) {
        SCOPED_TRACE(command);
        expect_refused(run_tactus(dir_, command + " song.json -o pipe.wav"),
                       "error: " + command + ": the output pipe.wav is a FIFO, not a regular file", score_,
                       score_bytes_);
        // A link to it is judged by what it names.
        expect_refused(run_tactus(dir_, command + " song.json -o to-pipe.wav"),
                       "error: " + command + ": the output to-pipe.wav is a FIFO", score_, score_bytes_);
    }
    midi();
    expect_refused(run_tactus(dir_, "import song.mid -o pipe.wav"),
                   "error: import: the output pipe.wav is a FIFO", score_, score_bytes_);
    EXPECT_TRUE(S_ISFIFO(mode_of(fifo)));
    EXPECT_TRUE(fs::is_symlink(dir_ / "to-pipe.wav"));
}

TEST_F(CliOutputRules, a_device_node_as_output_is_refused) {
    // /dev/null is refused before anything is written: the atomic rename would have replaced the device.
    expect_refused(run_tactus(dir_, "render song.json -o /dev/null"),
                   "error: render: the output /dev/null is a character device, not a regular file", score_,
                   score_bytes_);
    expect_refused(run_tactus(dir_, "export song.json -o /dev/null"),
                   "error: export: the output /dev/null is a character device", score_, score_bytes_);
    EXPECT_TRUE(S_ISCHR(mode_of("/dev/null")));
}

TEST_F(CliOutputRules, play_refuses_a_fallback_render_onto_its_own_score) {
    expect_refused(
        run_tactus(dir_, "play song.json --port 1 --fallback-render ./song.json"),
        "error: play: the output ./song.json is the input file song.json (the same file by another "
        "name); choose another --fallback-render",
        score_, score_bytes_);
}

TEST_F(CliOutputRules, other_existing_files_are_still_replaced) {
    std::ofstream(dir_ / "old.wav") << "old";
    std::ofstream(dir_ / "old.mid") << "old";
    fs::create_symlink("old.wav", dir_ / "old-link.wav");
    EXPECT_EQ(run_tactus(dir_, "render song.json -o old.wav").exit_code, 0);
    EXPECT_EQ(run_tactus(dir_, "render song.json -o old-link.wav").exit_code, 0);
    EXPECT_EQ(run_tactus(dir_, "export song.json -o old.mid").exit_code, 0);
    EXPECT_EQ(read_bytes(dir_ / "old.wav").substr(0, 4), "RIFF");
    EXPECT_EQ(read_bytes(dir_ / "old.mid").substr(0, 4), "MThd");
    EXPECT_EQ(read_bytes(score_), score_bytes_);
}

// `tactus play` with its private directory under the test's own XDG_RUNTIME_DIR.
class CliPlayLog : public CliOutputRules {
protected:
    void SetUp() override {
        CliOutputRules::SetUp();
        // Short: the engine's Unix socket goes beside the log, and its path must fit in 107 bytes.
        std::string runtime = (fs::temp_directory_path() / "tcr-XXXXXX").string();
        ASSERT_NE(::mkdtemp(runtime.data()), nullptr);  // mode 0700
        runtime_ = runtime;
        private_ = runtime_ / "tactus";
    }
    void TearDown() override {
        std::error_code ec;
        if (!runtime_.empty()) fs::remove_all(runtime_, ec);
        CliOutputRules::TearDown();
    }
    std::string env(const std::string& jack_server) const {
        return "XDG_RUNTIME_DIR='" + runtime_.string() + "' JACK_DEFAULT_SERVER='" + jack_server + "'";
    }
    std::vector<fs::path> logs() const {
        std::vector<fs::path> found;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(private_, ec))
            if (entry.path().filename().string().rfind("tactusd-", 0) == 0 &&
                entry.path().extension() == ".log")
                found.push_back(entry.path());
        return found;
    }
    // What the logs left in the private directory say (for a failure's message).
    std::string kept_logs() const {
        std::string text;
        for (const fs::path& log : logs()) text += "\n--- " + log.string() + ":\n" + read_bytes(log);
        return text;
    }
    static bool tactusd_built() {
        return fs::exists(fs::path(TACTUS_CLI_PATH).parent_path() / "../server/tactusd");
    }

    fs::path runtime_;
    fs::path private_;
};

TEST_F(CliPlayLog, the_log_is_private_and_unique_and_removed_after_a_normal_run) {
    if (!tactusd_built()) GTEST_SKIP() << "tactusd is not built";
    tactus::test::JackServer jack;
    if (!jack.running()) GTEST_SKIP() << "no JACK server for the engine: " << jack.error();
    const int port = free_udp_port();
    ASSERT_GT(port, 0);
    FILE* pipe =
        start_tactus(dir_, "play song.json --audio jack --port " + std::to_string(port), env(jack.name()));
    ASSERT_NE(pipe, nullptr);

    // While the engine runs, its log is in the private directory, private itself.
    std::vector<fs::path> seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
        seen = logs();
        if (seen.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    mode_t log_mode = 0;
    if (!seen.empty()) log_mode = mode_of(seen.front());
    const CliRun run = finish_run(pipe);

    EXPECT_EQ(run.exit_code, 0) << run.output << kept_logs();
    EXPECT_THAT(run.output, HasSubstr("Finished.")) << run.output;
    ASSERT_EQ(seen.size(), 1u) << run.output;
    const std::string name = seen.front().filename().string();
    EXPECT_THAT(name, ::testing::MatchesRegex("tactusd-[A-Za-z0-9]{6}\\.log"));
    EXPECT_TRUE(S_ISREG(log_mode));
    EXPECT_EQ(log_mode & 07777, 0600u);
    EXPECT_EQ(mode_of(private_) & 07777, 0700u);
    EXPECT_TRUE(logs().empty()) << "the log of an engine that quit normally is removed: " << run.output;
    EXPECT_THAT(run.output, Not(HasSubstr("log")));
}

TEST_F(CliPlayLog, the_log_is_kept_and_named_when_the_engine_dies) {
    if (!tactusd_built()) GTEST_SKIP() << "tactusd is not built";
    tactus::test::JackServer jack;
    if (!jack.running()) GTEST_SKIP() << "no JACK server for the engine: " << jack.error();
    // A long score, so that the engine is still playing when it is killed.
    std::ofstream(score_) << R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 60}],
        "tracks": [{"id": 1, "name": "A", "instrument": "synth", "preset": "sine", "notes": [
          {"id": 1, "start": 0, "length": 60, "pitch": 60, "velocity": 100}]}]})";
    const int port = free_udp_port();
    ASSERT_GT(port, 0);
    FILE* pipe =
        start_tactus(dir_, "play song.json --audio jack --port " + std::to_string(port), env(jack.name()));
    ASSERT_NE(pipe, nullptr);
    const std::string listen = "127.0.0.1:" + std::to_string(port);
    pid_t engine = -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (engine < 0 && std::chrono::steady_clock::now() < deadline) {
        if (!logs().empty()) engine = find_process("tactusd", listen);
        if (engine < 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (engine > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // playing by now
        ::kill(engine, SIGKILL);
    }
    const CliRun run = finish_run(pipe);
    ASSERT_GT(engine, 0) << run.output;
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const auto kept = logs();
    ASSERT_EQ(kept.size(), 1u) << run.output;
    EXPECT_THAT(run.output, HasSubstr("tactusd ended abnormally (killed by signal 9); its log is kept: " +
                                      kept.front().string()));
    EXPECT_EQ(mode_of(kept.front()) & 07777, 0600u);
}

TEST_F(CliPlayLog, the_log_is_kept_and_named_when_the_engine_cannot_start) {
    if (!tactusd_built()) GTEST_SKIP() << "tactusd is not built";
    const int port = free_udp_port();
    ASSERT_GT(port, 0);
    // No JACK server by that name: the engine exits at once with an error in its log.
    const CliRun run = run_tactus(dir_, "play song.json --audio jack --port " + std::to_string(port),
                                  env("tactus-no-such-server-" + std::to_string(::getpid())));
    EXPECT_EQ(run.exit_code, 1) << run.output;
    const auto kept = logs();
    ASSERT_EQ(kept.size(), 1u) << run.output;
    EXPECT_THAT(run.output,
                HasSubstr("none could start (no JACK server, no audio device) (tactusd's log says why: " +
                          kept.front().string() + ")"));
    EXPECT_EQ(mode_of(kept.front()) & 07777, 0600u);
    EXPECT_FALSE(read_bytes(kept.front()).empty()) << "tactusd's complaint is in the log";

    // With --fallback-render the same: the render happens, and the log says why it had to.
    fs::remove(kept.front());
    const CliRun fallback = run_tactus(
        dir_, "play song.json --audio jack --port " + std::to_string(port) + " --fallback-render out.wav",
        env("tactus-no-such-server-" + std::to_string(::getpid())));
    EXPECT_EQ(fallback.exit_code, 0) << fallback.output;
    EXPECT_TRUE(fs::exists(dir_ / "out.wav"));
    ASSERT_EQ(logs().size(), 1u) << fallback.output;
    EXPECT_THAT(fallback.output, HasSubstr("tactusd's log says why: " + logs().front().string()));
}

TEST_F(CliPlayLog, a_private_directory_open_to_others_is_not_used) {
    if (!tactusd_built()) GTEST_SKIP() << "tactusd is not built";
    fs::create_directory(private_);
    fs::permissions(private_,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    fs::perm_options::replace);
    const int port = free_udp_port();
    const CliRun run = run_tactus(dir_, "play song.json --audio jack --port " + std::to_string(port),
                                  env("tactus-no-such-server-" + std::to_string(::getpid())));
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_THAT(run.output, HasSubstr("warning: no private log for tactusd (refusing the private directory " +
                                      private_.string() + ": open to other users (mode 755)"));
    EXPECT_TRUE(logs().empty());
}

}  // namespace
