// A plugin that crashes tactusd is named, and the engine restarted with it bypassed plays the session
// without it (docs/plugins.md, "When a plugin crashes"): tactusd on the offline backend as a child
// process, with the test plugin tests/fixtures/lv2/crasher.lv2 (a stereo pass-through that writes
// through a null pointer on demand) as a track's insert.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio_file_writer.h"

extern char** environ;

#if defined(__SANITIZE_ADDRESS__)
#define PLUGIN_CRASH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PLUGIN_CRASH_ASAN 1
#endif
#endif

namespace {

namespace fs = std::filesystem;
using namespace tactus;

constexpr const char* kCrasher = "urn:tactus:fixtures:crasher";
constexpr const char* kEPiano = "http://drobilla.net/plugins/mda/EPiano";

// One synth track (the crasher's input) and a second one; INSERTS is the first track's insert chain.
constexpr const char* kSong = R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}],
 "tracks": [
  {"id": 1, "name": "lead", "instrument": "synth", "preset": "pluck", "pan": -0.3,
   "inserts": [INSERTS],
   "notes": [{"id": 1, "start": 0.25, "length": 0.5, "pitch": 60, "velocity": 100},
             {"id": 2, "start": 1.0, "length": 0.5, "pitch": 67, "velocity": 90}]},
  {"id": 2, "name": "bass", "instrument": "synth", "preset": "pluck", "pan": 0.4,
   "notes": [{"id": 3, "start": 0.5, "length": 1, "pitch": 43, "velocity": 100}]}]})";

struct Ended {
    bool exited = false;
    int exit_code = -1;
    int signal = 0;      // the signal that ended it, or 0
    std::string output;  // stdout and stderr
};

class PluginCrash : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-plugin-crash-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path song(const std::string& name, const std::string& inserts) {
        std::string text = kSong;
        text.replace(text.find("INSERTS"), 7, inserts);
        std::ofstream(dir_ / name) << text;
        return dir_ / name;
    }
    static std::string crasher(const std::string& controls) {
        return std::string(R"({"plugin": ")") + kCrasher + R"(", "parameters": {)" + controls + "}}";
    }

    // tactusd --audio offline playing `doc` to `out` (1.5 s), with LV2_PATH on the test plugins and the
    // system's; killed after 30 s.
    Ended tactusd(const fs::path& doc, const fs::path& out, const std::vector<std::string>& options) {
        std::vector<std::string> args = {
            TACTUS_DAEMON_PATH, "--audio",     "offline",     "--out",  out.string(), "--seconds", "1.5",
            "--listen",         "127.0.0.1:0", "--no-socket", "--load", doc.string(), "--play"};
        args.insert(args.end(), options.begin(), options.end());
        std::vector<std::string> env = {std::string("LV2_PATH=") + TACTUS_TEST_LV2_DIR + ":/usr/lib/lv2"};
        for (char** e = environ; *e != nullptr; ++e)
            if (std::strncmp(*e, "LV2_PATH=", 9) != 0) env.emplace_back(*e);
        std::vector<char*> argv, envp;
        for (auto& a : args) argv.push_back(a.data());
        for (auto& e : env) envp.push_back(e.data());
        argv.push_back(nullptr);
        envp.push_back(nullptr);

        const fs::path log = dir_ / "tactusd.log";
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid = 0;
        const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        Ended ended;
        if (spawned != 0) {
            ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(spawned);
            return ended;
        }
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                ADD_FAILURE() << "tactusd did not end within 30 s";
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ended.exited = WIFEXITED(status);
        ended.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        ended.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
        ended.output = read_text(log);
        return ended;
    }
    static std::string read_text(const fs::path& path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    static AudioFileData audio(const fs::path& path) {
        std::string error;
        auto file = read_audio_file(path.string(), &error);
        EXPECT_TRUE(file) << error;
        return file ? *file : AudioFileData{};
    }
    // The same document without the first track's inserts, played by tactusd.
    AudioFileData without_inserts() {
        const Ended run = tactusd(song("dry.json", ""), dir_ / "dry.wav", {});
        EXPECT_EQ(run.exit_code, 0) << run.output;
        return audio(dir_ / "dry.wav");
    }

    fs::path dir_;
};

void expect_identical(const AudioFileData& played, const AudioFileData& expected) {
    ASSERT_EQ(played.channels, 2);
    ASSERT_EQ(played.samples.size(), expected.samples.size());
    std::size_t differ = 0, sounding = 0;
    for (std::size_t i = 0; i < played.samples.size(); ++i) {
        differ += played.samples[i] != expected.samples[i];
        sounding += played.samples[i] != 0.0f;
    }
    EXPECT_EQ(differ, 0u) << "samples that differ";
    EXPECT_GT(sounding, 10000u) << "the render is (nearly) silent";
}

#if defined(PLUGIN_CRASH_ASAN)
// AddressSanitizer has its own SIGSEGV handler and report: the death by SIGSEGV these tests check is
// the plain build's.
#define SKIP_UNDER_ASAN() GTEST_SKIP() << "AddressSanitizer handles SIGSEGV itself"
#else
#define SKIP_UNDER_ASAN() (void)0
#endif

TEST_F(PluginCrash, a_plugin_that_crashes_the_engine_is_named_on_stderr_and_in_the_crash_report) {
    SKIP_UNDER_ASAN();
    const fs::path report = dir_ / "crash-report";
    const Ended run = tactusd(song("song.json", crasher(R"("crash": 1)")), dir_ / "out.wav",
                              {"--crash-report", report.string()});
    EXPECT_FALSE(run.exited) << run.output;
    EXPECT_EQ(run.signal, SIGSEGV) << run.output;
    EXPECT_NE(run.output.find(std::string("tactusd: crashed in LV2 plugin <") + kCrasher + "> (SIGSEGV)\n"),
              std::string::npos)
        << run.output;
    EXPECT_EQ(read_text(report), std::string(kCrasher) + "\n");
}

TEST_F(PluginCrash, restarted_with_the_plugin_bypassed_it_plays_the_session_without_it) {
    const fs::path report = dir_ / "crash-report";
    const fs::path doc = song("song.json", crasher(R"("crash": 1)"));
    const Ended run =
        tactusd(doc, dir_ / "out.wav", {"--crash-report", report.string(), "--bypass-plugin", kCrasher});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("tactusd: warning: " + doc.string() +
                              ": /tracks/0/inserts/0/plugin: LV2 plugin <" + kCrasher +
                              "> (Tactus test crasher) was bypassed: it crashed the engine last time (the "
                              "track plays on without it)\n"),
              std::string::npos)
        << run.output;
    EXPECT_EQ(read_text(report), "") << "a report from a run that did not crash";
    expect_identical(audio(dir_ / "out.wav"), without_inserts());
}

TEST_F(PluginCrash, the_crasher_left_alone_passes_its_input_through) {
    const Ended run = tactusd(song("song.json", crasher(R"("crash": 0)")), dir_ / "out.wav", {});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.find("warning"), std::string::npos) << run.output;
    expect_identical(audio(dir_ / "out.wav"), without_inserts());
}

TEST_F(PluginCrash, a_crash_outside_the_hosts_calls_into_a_plugin_blames_no_plugin) {
    SKIP_UNDER_ASAN();
    // The crasher's own thread faults: no call of ours into a plugin is on that thread.
    const fs::path report = dir_ / "crash-report";
    const Ended run = tactusd(song("song.json", crasher(R"("crash_elsewhere": 1)")), dir_ / "out.wav",
                              {"--crash-report", report.string()});
    EXPECT_EQ(run.signal, SIGSEGV) << run.output;
    EXPECT_NE(run.output.find("tactusd: crashed (SIGSEGV, not in a plugin)\n"), std::string::npos)
        << run.output;
    EXPECT_EQ(run.output.find("crashed in LV2 plugin"), std::string::npos) << run.output;
    EXPECT_EQ(read_text(report), "");
}

TEST_F(PluginCrash, a_bypassed_instrument_plugin_leaves_its_track_silent) {
    // An lv2 instrument track whose plugin is bypassed plays silent; the others play as without it.
    const fs::path doc = dir_ / "ep.json";
    std::string text = kSong;
    text.replace(text.find("INSERTS"), 7, "");
    const std::string bass = R"("instrument": "synth", "preset": "pluck", "pan": 0.4)";
    text.replace(text.find(bass), bass.size(),
                 std::string(R"("instrument": "lv2", "plugin": ")") + kEPiano + R"(", "pan": 0.4)");
    std::ofstream(doc) << text;
    const Ended run = tactusd(doc, dir_ / "out.wav", {"--bypass-plugin", kEPiano});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    if (run.output.find("is not installed") != std::string::npos) GTEST_SKIP() << "mda-lv2 is not installed";
    EXPECT_NE(
        run.output.find("tactusd: warning: " + doc.string() + ": /tracks/1/plugin: LV2 plugin <" + kEPiano +
                        "> (MDA ePiano) was bypassed: it crashed the engine last time (the track plays "
                        "silent)\n"),
        std::string::npos)
        << run.output;
    // As the song with the EPiano's track muted.
    std::string muted = kSong;
    muted.replace(muted.find("INSERTS"), 7, "");
    muted.replace(muted.find(R"("pan": 0.4)"), 10, R"("pan": 0.4, "mute": true)");
    std::ofstream(dir_ / "muted.json") << muted;
    const Ended dry = tactusd(dir_ / "muted.json", dir_ / "muted.wav", {});
    ASSERT_EQ(dry.exit_code, 0) << dry.output;
    expect_identical(audio(dir_ / "out.wav"), audio(dir_ / "muted.wav"));
}

}  // namespace
