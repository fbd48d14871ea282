// tactusd's lifetime (docs/protocol.md, "Lifetime"): a stop ends the process whatever JACK does, and
// an engine started for a program (--owner-pid) ends with that program.
//
// A JACK server frozen with SIGSTOP answers no client: jack_deactivate and jack_client_close then
// block for good (as libjack was seen to under heavy xruns), so without the stop watchdog tactusd
// would never exit. The test waits far longer than the watchdog's limit (5 s) before it kills the
// process itself: a kill is the failure, never the host's timing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cmath>

#include "click_score.h"
#include "support/score_builder.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

constexpr const char* kWatchdogLine =
    "tactusd: the audio backend did not close within 5 s; exiting without it";
// StopWatchdog::kTimedOutStatus, as documented.
constexpr int kTimedOutStatus = 3;
// Much longer than the watchdog's 5 s: only a process that never ends is killed.
constexpr auto kPatience = std::chrono::seconds(30);

// This build's tactusd, or the one TACTUSD names (as in TactusdJackTest).
std::string daemon_path() {
    const char* other = std::getenv("TACTUSD");
    return other && *other ? other : TACTUS_DAEMON_PATH;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class EngineLifetimeJackTest : public TactusdJackTest {};

TEST_F(EngineLifetimeJackTest, sigterm_while_playing_stops_cleanly_with_status_0) {
    ASSERT_TRUE(load(save_temp(click_score(), "lifetime")));
    ASSERT_TRUE(play_from(0.0));
    bool killed = false;
    const int status = tactusd_->stop_with_signal(SIGTERM, kPatience, &killed);
    const std::string log = tactusd_->log();
    EXPECT_FALSE(killed) << log;
    EXPECT_EQ(status, 0) << log;
    EXPECT_TRUE(contains(log, "tactusd: stopped (signal)")) << log;
    EXPECT_FALSE(contains(log, "did not close")) << log;
}

// The largest |sample| of `channel` over the recorded frames of [from, to).
float recorded_peak(const JackRecorder& recorder, int channel, JackFrame from, JackFrame to) {
    float p = 0.0f;
    for (JackFrame f = from; f < to; ++f)
        if (auto s = recorder.sample_at(channel, f)) p = std::max(p, std::abs(*s));
    return p;
}

// The frame after the last audible sample of `channel` in the recording (0 if none).
JackFrame end_of_sound(const JackRecorder& recorder, int channel) {
    const auto& cycles = recorder.cycles();
    for (auto c = cycles.rbegin(); c != cycles.rend(); ++c) {
        const float* samples = recorder.samples(channel) + c->offset;
        for (std::int64_t i = c->frames - 1; i >= 0; --i)
            if (std::abs(samples[i]) > 1e-4f) return c->frame_time + i + 1;
    }
    return 0;
}

// A note sounding when tactusd is told to stop is faded out (the /panic path: 3 ms), not cut: over
// the last millisecond before the sound ends, it is below half its held level (a cut sine keeps its
// full level up to its last sample). When the end of the sound falls in cycles lost to an xrun, that
// round cannot be judged and another is played.
TEST_F(EngineLifetimeJackTest, sigterm_fades_out_a_sounding_note_before_the_audio_closes) {
    tactusd_->quit();  // each round has a tactusd of its own, named as the recorder expects
    tactusd_.reset();
    Document doc;
    doc.title = "held sine";
    doc.tracks.push_back(track(1, "sine", {}, -1.0));
    const std::string path = save_temp(doc, "held-sine");
    constexpr int kRounds = 5;
    int judged = 0;
    for (int round = 1; round <= kRounds && judged == 0; ++round) {
        TactusdOptions options;
        options.daemon_path = daemon_path();
        options.jack_server = server_->name();
        TactusdProcess engine(options);
        ASSERT_TRUE(engine.running()) << engine.error();
        OscTestClient client;
        std::string error;
        ASSERT_TRUE(client.open(engine.port(), &error)) << error;
        const auto loaded = client.call("/load", osc().s(path), 5000ms);
        ASSERT_TRUE(loaded && !loaded->is_error()) << (loaded ? loaded->to_string() : "no reply to /load");
        JackRecorderOptions recording;
        recording.server = server_->name();
        recording.seconds = 10.0;
        JackRecorder recorder(recording);
        ASSERT_TRUE(recorder.ok() && recorder.start()) << recorder.error();
        std::this_thread::sleep_for(100ms);

        const auto on = client.call("/note/on", osc().i(1).i(69).i(127));
        ASSERT_TRUE(on && !on->is_error()) << (on ? on->to_string() : "no reply to /note/on");
        const JackFrame settled = on->integer(1) + kRate / 4;  // past the attack and decay
        ASSERT_TRUE(recorder.wait_until_recorded(settled + kRate / 10, 5s));
        bool killed = false;
        EXPECT_EQ(engine.stop_with_signal(SIGTERM, kPatience, &killed), 0) << engine.log();
        ASSERT_FALSE(killed) << engine.log();
        recorder.stop();

        // Cycles the recorder lost (an xrun on a busy machine) hold nothing to judge: play again.
        if (!recorder.recorded(settled, settled + kRate / 10)) {
            report("round " + std::to_string(round), "the held note fell in lost cycles; playing again");
            continue;
        }
        const float held = recorded_peak(recorder, 0, settled, settled + kRate / 10);
        ASSERT_GT(held, 0.05f) << "the held sine is (nearly) silent";
        const JackFrame end = end_of_sound(recorder, 0);
        ASSERT_GT(end, settled);
        if (!recorder.recorded(end - kRate / 1000, end + kRate / 500)) {
            report("round " + std::to_string(round),
                   "the end of the sound fell in lost cycles; playing again");
            continue;
        }
        ++judged;
        const float last_ms = recorded_peak(recorder, 0, end - kRate / 1000, end);
        EXPECT_LT(last_ms, 0.5f * held) << "the note was cut, not faded: peak " << last_ms
                                        << " in its last millisecond, held at " << held;
    }
    if (judged == 0) GTEST_SKIP() << "every round lost the end of the sound to xruns: nothing to judge";
}

// A JACK server that will be frozen, and a tactusd playing on it. The server's client timeout is
// short (1 s): once thawed, it waits about twice that for a client that died meanwhile (JackServer
// lets it settle before stopping it; a SIGKILLed jackd would leave its registration behind).
class StopWithFrozenJackTest : public ::testing::Test {
protected:
    void SetUp() override {
        JackServerOptions jack;
        jack.client_timeout = 1000ms;
        server_ = std::make_unique<JackServer>(jack);
        ASSERT_TRUE(server_->running()) << server_->error();
        TactusdOptions options;
        options.daemon_path = daemon_path();
        options.jack_server = server_->name();
        tactusd_ = std::make_unique<TactusdProcess>(options);
        ASSERT_TRUE(tactusd_->running()) << tactusd_->error();
        std::string error;
        ASSERT_TRUE(osc_.open(tactusd_->port(), &error)) << error;
        score_path_ =
            (std::filesystem::temp_directory_path() / ("frozen-" + server_->name() + ".json")).string();
        ASSERT_TRUE(save_document_file(click_score(), score_path_, &error)) << error;
        const auto loaded = osc_.call("/load", osc().s(score_path_), 5000ms);
        ASSERT_TRUE(loaded && !loaded->is_error()) << (loaded ? loaded->to_string() : "no reply to /load");
        const auto playing = osc_.call("/play", osc().d(0.0));
        ASSERT_TRUE(playing && !playing->is_error())
            << (playing ? playing->to_string() : "no reply to /play");
    }
    void TearDown() override {
        tactusd_.reset();
        server_.reset();
        std::error_code ignored;
        if (!score_path_.empty()) std::filesystem::remove(score_path_, ignored);
    }

    std::unique_ptr<JackServer> server_;
    std::unique_ptr<TactusdProcess> tactusd_;
    OscTestClient osc_;
    std::string score_path_;
};

TEST_F(StopWithFrozenJackTest, sigterm_ends_tactusd_with_the_watchdogs_line_and_status_3) {
    ASSERT_TRUE(server_->suspend());
    bool killed = false;
    const int status = tactusd_->stop_with_signal(SIGTERM, kPatience, &killed);
    const std::string log = tactusd_->log();
    server_->resume();
    EXPECT_FALSE(killed) << "tactusd did not end within " << kPatience.count() << " s; its log:\n" << log;
    EXPECT_EQ(status, kTimedOutStatus) << log;
    EXPECT_TRUE(contains(log, kWatchdogLine)) << log;
    EXPECT_FALSE(contains(log, "tactusd: stopped")) << log;  // it did not get that far
}

TEST_F(StopWithFrozenJackTest, quit_is_answered_then_tactusd_ends_with_the_watchdogs_line) {
    ASSERT_TRUE(server_->suspend());
    const auto reply = osc_.call("/quit", osc(), 5000ms);
    ASSERT_TRUE(reply && !reply->is_error()) << (reply ? reply->to_string() : "no reply to /quit");
    bool killed = false;
    const int status = tactusd_->wait_for_exit(kPatience, &killed);
    const std::string log = tactusd_->log();
    server_->resume();
    EXPECT_FALSE(killed) << log;
    EXPECT_EQ(status, kTimedOutStatus) << log;
    EXPECT_TRUE(contains(log, kWatchdogLine)) << log;
}

// Not the fixture: this engine is started with an owner.
TEST(EngineOwnerJackTest, an_engine_stops_when_its_owner_is_killed_and_says_why) {
    JackServer server;
    ASSERT_TRUE(server.running()) << server.error();
    const std::string owner_log =
        std::filesystem::temp_directory_path() / ("owner-" + server.name() + ".log");
    ChildProcess owner({"sleep", "600"}, owner_log);
    ASSERT_TRUE(owner.running()) << owner.error();
    TactusdOptions options;
    options.daemon_path = daemon_path();
    options.jack_server = server.name();
    options.extra_args = {"--owner-pid", std::to_string(owner.pid())};
    TactusdProcess tactusd(options);
    ASSERT_TRUE(tactusd.running()) << tactusd.error();
    {
        // Alive while its owner is: still answering a moment after starting.
        OscTestClient client;
        std::string error;
        ASSERT_TRUE(client.open(tactusd.port(), &error)) << error;
        EXPECT_TRUE(client.call("/ping", osc(), 3000ms)) << tactusd.log();
    }

    ASSERT_EQ(kill(owner.pid(), SIGKILL), 0);  // no word to the engine; left unreaped (a zombie) here
    bool killed = false;
    const int status = tactusd.wait_for_exit(kPatience, &killed);
    const std::string log = tactusd.log();
    EXPECT_FALSE(killed) << "tactusd outlived its owner; its log:\n" << log;
    EXPECT_EQ(status, 0) << log;
    EXPECT_TRUE(contains(log, "tactusd: the process that started this engine (pid " +
                                  std::to_string(owner.pid()) + ", --owner-pid) has ended; stopping"))
        << log;
    EXPECT_TRUE(contains(log, "tactusd: stopped (owner ended)")) << log;
    owner.stop();
    std::error_code ignored;
    std::filesystem::remove(owner_log, ignored);
}

TEST(EngineOwnerJackTest, an_owner_that_has_already_ended_is_refused_at_start) {
    JackServer server;
    ASSERT_TRUE(server.running()) << server.error();
    pid_t gone = 0;
    {
        ChildProcess owner({"true"}, "/dev/null");
        ASSERT_TRUE(owner.running()) << owner.error();
        gone = owner.pid();
        owner.stop();  // reaped: the pid names no process now
    }
    TactusdOptions options;
    options.daemon_path = daemon_path();
    options.jack_server = server.name();
    options.extra_args = {"--owner-pid", std::to_string(gone)};
    TactusdProcess tactusd(options);
    EXPECT_FALSE(tactusd.running());
    EXPECT_TRUE(contains(tactusd.error(), "--owner-pid " + std::to_string(gone) + ": no such process"))
        << tactusd.error();
}

}  // namespace
}  // namespace tactus::test
