// `tactus play` and the engine it starts (README, "Playing"): killed with SIGKILL, so that it can say
// nothing to its engine, `tactus play` still takes the engine down with it (tactusd --owner-pid);
// with --detach the engine stays, in a session of its own.
//
// The engine plays on a private JACK dummy server (JACK_DEFAULT_SERVER) and writes its log into a
// private XDG_RUNTIME_DIR, where the test reads it. The test waits far longer than any stop takes
// before calling an engine immortal; an engine that must stay is asked a while after the kill, when
// one tied to its starter would long have gone.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/document_json.h"
#include "support/jack_server.h"
#include "support/process_tree.h"
#include "support/score_builder.h"
#include "support/tactusd_process.h"

namespace tactus::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A `tactus play` of a long score on a private JACK server; its engine found and playing.
class PlayLifetime : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<JackServer>();
        ASSERT_TRUE(server_->running()) << server_->error();
        dir_ = fs::temp_directory_path() / ("play-lifetime-" + server_->name());
        fs::create_directories(dir_);
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
        Document doc;
        doc.title = "long";
        doc.tracks = {track(1, "pluck", {note(1, 0.0, 1.0), note(2, 600.0, 1.0)})};  // five minutes
        std::string error;
        ASSERT_TRUE(save_document_file(doc, (dir_ / "long.json").string(), &error)) << error;
        port_ = free_local_port();
        ASSERT_NE(port_, 0);
    }

    void TearDown() override {
        if (engine_ > 0 && !process_has_ended(engine_)) {  // a failed test: no engine is left behind
            OscTestClient client;
            std::string ignored;
            if (client.open(port_, &ignored)) client.call("/quit", osc(), 1000ms);
            if (!wait_until([&] { return process_has_ended(engine_); }, 5s)) kill(engine_, SIGKILL);
        }
        play_.reset();
        server_.reset();
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // Starts `tactus play` (with `extra` options) and waits until its engine plays; the engine's pid.
    pid_t start_play(const std::vector<std::string>& extra) {
        std::vector<std::string> argv{"env",
                                      "JACK_DEFAULT_SERVER=" + server_->name(),
                                      "XDG_RUNTIME_DIR=" + dir_.string(),
                                      TACTUS_CLI_PATH,
                                      "play",
                                      (dir_ / "long.json").string(),
                                      "--audio",
                                      "jack",
                                      "--port",
                                      std::to_string(port_)};
        argv.insert(argv.end(), extra.begin(), extra.end());
        play_ = std::make_unique<ChildProcess>(argv, (dir_ / "play.out").string());
        if (!play_->running()) {
            ADD_FAILURE() << play_->error();
            return -1;
        }
        OscTestClient client;
        std::string error;
        if (!client.open(port_, &error)) {
            ADD_FAILURE() << error;
            return -1;
        }
        // Playing: the score was loaded and /play sent, so `tactus play` is in its report loop.
        const bool playing = wait_until(
            [&] {
                client.send("/status");
                const auto status = client.wait_message("/status", 200ms);
                return status && status->args.size() > 3 && status->integer(3) != 0;
            },
            30s);
        if (!playing) {
            ADD_FAILURE() << "the engine of `tactus play` never played; its output:\n" << play_->output();
            return -1;
        }
        const auto engines = children_named(play_->pid(), "tactusd");
        if (engines.size() != 1) {
            ADD_FAILURE() << "expected one tactusd child of `tactus play`, found " << engines.size();
            return -1;
        }
        engine_ = engines.front();
        return engine_;
    }

    // The engine's log: the one file tactusd-*.log in the private directory.
    std::string engine_log() const {
        for (const auto& entry : fs::directory_iterator(dir_ / "tactus")) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("tactusd-", 0) == 0 && entry.path().extension() == ".log")
                return read_text(entry.path());
        }
        return "(no engine log in " + (dir_ / "tactus").string() + ")";
    }

    std::unique_ptr<JackServer> server_;
    fs::path dir_;
    int port_ = 0;
    std::unique_ptr<ChildProcess> play_;
    pid_t engine_ = -1;
};

TEST_F(PlayLifetime, killing_tactus_play_ends_the_engine_it_started) {
    const pid_t engine = start_play({});
    ASSERT_GT(engine, 0);
    const pid_t play = play_->pid();
    ASSERT_EQ(kill(play, SIGKILL), 0);
    play_->stop();  // reaps it
    EXPECT_TRUE(wait_until([&] { return process_has_ended(engine); }, 30s))
        << "the engine outlived `tactus play`; its log:\n"
        << engine_log();
    const std::string log = engine_log();
    EXPECT_NE(log.find("tactusd: the process that started this engine (pid " + std::to_string(play)),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("tactusd: stopped (owner ended)"), std::string::npos) << log;
}

TEST_F(PlayLifetime, a_detached_engine_outlives_a_killed_tactus_play) {
    const pid_t engine = start_play({"--detach"});
    ASSERT_GT(engine, 0);
    EXPECT_EQ(getsid(engine), engine)
        << "a detached engine leads a session of its own (no Ctrl-C reaches it)";
    ASSERT_EQ(kill(play_->pid(), SIGKILL), 0);
    play_->stop();
    // Long after an engine tied to its starter would have gone, this one still runs and answers.
    std::this_thread::sleep_for(2s);
    EXPECT_FALSE(process_has_ended(engine)) << engine_log();
    OscTestClient client;
    std::string error;
    ASSERT_TRUE(client.open(port_, &error)) << error;
    EXPECT_TRUE(client.call("/ping", osc(), 3000ms)) << engine_log();
    const auto quit = client.call("/quit", osc(), 3000ms);
    EXPECT_TRUE(quit && !quit->is_error());
    EXPECT_TRUE(wait_until([&] { return process_has_ended(engine); }, 30s)) << engine_log();
    EXPECT_EQ(engine_log().find("owner ended"), std::string::npos);
}

}  // namespace
}  // namespace tactus::test
