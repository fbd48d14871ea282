// What every end-to-end test of tactusd through JACK starts from: a private JACK server (`jackd -d
// dummy`, 48 kHz, period 128, a unique name), its own tactusd process on a free port driven over OSC,
// and a recorder (a JACK client of the test's own) on tactusd's two outputs.
//
// Frames are JACK frame times throughout: tactusd reports them (/play, /note/on replies) and the
// recorder stamps every cycle with jack_last_frame_time, so the test relates the two without ever
// aligning on the audio itself. Expectations come from the test's own reading of timing.md
// (support/reference_timing.h), never from src/core.
//
// The engine under test is this build's tactusd (TACTUS_DAEMON_PATH), or the one the environment
// variable TACTUSD names.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/document_json.h"
#include "server/edit_journal.h"
#include "support/jack_recorder.h"
#include "support/jack_server.h"
#include "support/tactusd_process.h"

#ifndef TACTUS_DAEMON_PATH
#error "TACTUS_DAEMON_PATH must name the tactusd executable"
#endif

namespace tactus::test {

using namespace std::chrono_literals;

class TactusdJackTest : public ::testing::Test {
protected:
    static constexpr int kRate = 48000;
    static constexpr int kPeriod = 128;

    void SetUp() override {
        JackServerOptions jack;
        jack.sample_rate = kRate;
        jack.period = kPeriod;
        server_ = std::make_unique<JackServer>(jack);
        ASSERT_TRUE(server_->running()) << server_->error();
        TactusdOptions options;
        options.daemon_path = TACTUS_DAEMON_PATH;
        // Another build of the engine may be tested with the same suite: TACTUSD=/path/to/tactusd.
        if (const char* other = std::getenv("TACTUSD"); other && *other) options.daemon_path = other;
        options.jack_server = server_->name();
        options.extra_args = tactusd_extra_args_;
        tactusd_options_ = options;
        tactusd_ = std::make_unique<TactusdProcess>(options);
        ASSERT_TRUE(tactusd_->running()) << tactusd_->error();
        std::string error;
        ASSERT_TRUE(osc_.open(tactusd_->port(), &error)) << error;
    }

    // Arguments for tactusd besides the fixture's own; a test's fixture sets them in its constructor.
    std::vector<std::string> tactusd_extra_args_;

    // A fresh tactusd on the same JACK server, for a test that repeats a round because xruns left too
    // little to judge: each round starts from the same engine state (no voices, no edits, revision
    // of the loaded document). The previous engine must have exited 0 on /quit. The recorder goes too
    // (start a new one). False with a failure recorded when the new engine does not answer.
    virtual bool restart_tactusd() {
        if (recorder_) recorder_->stop();
        recorder_.reset();
        if (tactusd_) {
            const std::string log = tactusd_->log();
            const int status = tactusd_->quit();
            EXPECT_EQ(status, 0) << "tactusd did not exit cleanly after /quit; its log:\n" << log;
        }
        tactusd_ = std::make_unique<TactusdProcess>(tactusd_options_);
        if (!tactusd_->running()) {
            ADD_FAILURE() << tactusd_->error();
            return false;
        }
        std::string error;
        if (!osc_.open(tactusd_->port(), &error)) {
            ADD_FAILURE() << error;
            return false;
        }
        return true;
    }

    void TearDown() override {
        if (recorder_) recorder_->stop();
        if (tactusd_) {
            const std::string log = tactusd_->log();
            const int status = tactusd_->quit();
            EXPECT_EQ(status, 0) << "tactusd did not exit cleanly after /quit; its log:\n" << log;
        }
        recorder_.reset();
        tactusd_.reset();
        server_.reset();
        std::error_code ignored;
        for (const std::string& path : temp_files_) {
            std::filesystem::remove(path, ignored);
            std::filesystem::remove(journal_path_for(path), ignored);  // the engine's edit journal beside it
        }
    }

    // A recorder on tactusd's outputs with room for `seconds`, recording from now on.
    JackRecorder* start_recorder(double seconds) {
        JackRecorderOptions options;
        options.server = server_->name();
        options.seconds = seconds;
        recorder_.reset();  // a previous round's recorder closes first: the new one takes its name
        recorder_ = std::make_unique<JackRecorder>(options);
        if (!recorder_->ok()) {
            ADD_FAILURE() << recorder_->error();
            return nullptr;
        }
        if (!recorder_->start()) {
            ADD_FAILURE() << recorder_->error();
            return nullptr;
        }
        return recorder_.get();
    }

    // The document saved to a temporary file (removed at the end of the test), its path.
    std::string save_temp(const Document& doc, const std::string& stem) {
        const std::string path =
            (std::filesystem::temp_directory_path() / (stem + "-" + server_->name() + ".json")).string();
        std::string error;
        if (!save_document_file(doc, path, &error)) ADD_FAILURE() << error;
        temp_files_.push_back(path);
        return path;
    }

    // /load PATH; the reply (nullopt with a failure recorded on an error or no answer).
    std::optional<OscIncoming> load(const std::string& path) {
        auto reply = osc_.call("/load", osc().s(path), 30000ms);
        if (!reply || reply->is_error()) {
            ADD_FAILURE() << "/load " << path << ": expected /reply, got "
                          << (reply ? reply->to_string() : std::string("no answer"));
            return std::nullopt;
        }
        return reply;
    }

    // /play from `beat`: the JACK frame on which that beat plays (nullopt with a failure recorded).
    std::optional<std::int64_t> play_from(double beat) {
        auto reply = osc_.call("/play", osc().d(beat), 30000ms);
        if (!reply || reply->is_error() || reply->types != "shdi") {
            ADD_FAILURE() << "/play: expected /reply ,shdi \"/play\" frame beat late, got "
                          << (reply ? reply->to_string() : std::string("no answer"));
            return std::nullopt;
        }
        return reply->integer(1);
    }

    // One round of a judged test (support/judged_rounds.h) under way: a fresh engine after the first round,
    // `path` loaded as the file holds it, a recorder with room for `record_seconds` running, and /play
    // from beat 0 sent.
    // `play` is the JACK frame beat 0 plays on. nullopt with a failure recorded when a step failed.
    struct PlayingRound {
        JackRecorder* recorder = nullptr;
        std::int64_t play = 0;
    };
    std::optional<PlayingRound> begin_round(int round, const std::string& path, double record_seconds) {
        if (round > 0 && !restart_tactusd()) {
            ADD_FAILURE() << "tactusd did not start again for round " << round + 1;
            return std::nullopt;
        }
        // The last round's engine journaled its live edits beside the file, and /load would replay
        // them (the crash recovery of docs/protocol.md): a repeated round starts from the file itself.
        std::error_code ignored;
        std::filesystem::remove(journal_path_for(path), ignored);
        if (!load(path)) return std::nullopt;
        JackRecorder* recorder = start_recorder(record_seconds);
        if (!recorder) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const auto play = play_from(0.0);
        if (!play) return std::nullopt;
        return PlayingRound{recorder, *play};
    }

    // /status, with its fields by name.
    struct Status {
        std::int64_t frame = 0, xruns = 0, late = 0, rejected = 0;
        int lookahead = 0;  // frames the engine renders ahead: live input is heard this much later
        bool playing = false;
        double beat = 0;
    };
    std::optional<Status> status() {
        if (!osc_.send("/status")) return std::nullopt;
        auto reply = osc_.wait_message("/status", 30000ms);
        if (!reply || reply->args.size() < 11) {
            ADD_FAILURE() << "/status: no answer or too few fields: " << (reply ? reply->to_string() : "");
            return std::nullopt;
        }
        Status s;
        s.frame = reply->integer(2);
        s.playing = reply->integer(3) != 0;
        s.beat = reply->number(4);
        s.xruns = reply->integer(8);
        s.late = reply->integer(9);
        s.rejected = reply->integer(10);
        s.lookahead = static_cast<int>(reply->integer(reply->args.size() - 1));
        return s;
    }

    // A line for the test log (and a test property for XML reports).
    void report(const std::string& key, const std::string& value) {
        RecordProperty(key, value);
        std::printf("[ note     ] %s: %s\n", key.c_str(), value.c_str());
        std::fflush(stdout);
    }
    void report(const std::string& key, std::int64_t value) { report(key, std::to_string(value)); }

    std::unique_ptr<JackServer> server_;  // first: outlives tactusd and the recorder
    std::unique_ptr<TactusdProcess> tactusd_;
    std::unique_ptr<JackRecorder> recorder_;
    OscTestClient osc_;
    std::vector<std::string> temp_files_;
    TactusdOptions tactusd_options_;
};

}  // namespace tactus::test
