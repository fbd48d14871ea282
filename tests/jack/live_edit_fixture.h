// What every live-edit test (live_edit_*.test.cpp) starts from: TactusdJackTest (a private JACK dummy
// server, tactusd, a recorder) plus a TCP connection for the edits, the scores the tests edit, and the
// checks they share: onsets judged on their exact frames against the tests' own reading of the timing
// model (support/reference_timing.h), never against src/core.
//
// Each test runs tactusd_rtcheck where it is built (tactusd_jack_fixture.h): an allocation, free or
// lock on the audio thread aborts it. Every test ends by checking that the engine is still alive,
// answers, and exits 0 on /quit.
//
// Frames are JACK frame times: the /play reply gives the frame where score frame 0 plays, the
// recorder stamps every cycle with its frame, and the test reads the current frame with
// jack_frame_time() on the recorder's client. Notes in (or right after) a cycle lost to an xrun are
// not judged, and xruns themselves are reported, never asserted on.
#pragma once

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "click_score.h"
#include "support/osc_tcp_client.h"
#include "support/reference_timing.h"
#include "support/score_builder.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {

class LiveEditJackTest : public TactusdJackTest {
protected:
    void SetUp() override {
        TactusdJackTest::SetUp();
        if (HasFatalFailure()) return;
        std::string error;
        ASSERT_TRUE(tcp_.connect(tactusd_->port(), &error)) << error;
        report("engine", std::getenv("TACTUSD") ? std::getenv("TACTUSD") : TACTUS_DAEMON_PATH);
    }

    bool restart_tactusd() override {
        if (!TactusdJackTest::restart_tactusd()) return false;
        std::string error;
        if (!tcp_.connect(tactusd_->port(), &error)) {
            ADD_FAILURE() << error;
            return false;
        }
        return true;
    }

    // The current JACK frame (jack_frame_time on the recorder's client; a fresh server counts from 0).
    JackFrame jack_now() const { return static_cast<JackFrame>(jack_frame_time(recorder_->client())); }

    // An edit over TCP, and its answer (nullopt with a failure recorded when none came).
    std::optional<OscIncoming> tcp_edit(const std::string& address, const OscOutgoing& message) {
        auto reply = tcp_.call(address, message, 30000ms);
        if (!reply) ADD_FAILURE() << address << " over TCP: no answer within 30 s; " << engine_state();
        return reply;
    }

    struct FullStatus {
        JackFrame frame = 0;
        bool playing = false;
        double beat = 0, bpm = 0;
        std::int64_t xruns = 0, revision = 0;
    };
    std::optional<FullStatus> full_status(OscTcpClient& client) {
        if (!client.send("/status")) return std::nullopt;
        auto s = client.wait_message("/status", 30000ms);
        if (!s || s->args.size() < 19) {
            ADD_FAILURE() << "/status over TCP: " << (s ? s->to_string() : std::string("no answer"));
            return std::nullopt;
        }
        FullStatus f;
        f.frame = s->integer(2);
        f.playing = s->integer(3) != 0;
        f.beat = s->number(4);
        f.bpm = s->number(7);
        f.xruns = s->integer(8);
        f.revision = s->integer(18);
        return f;
    }

    // Whether the engine process still runs (a crashed one is a zombie until quit() reaps it), and
    // if not, how it ended (from /proc/PID/stat: its state, and its wait status as the last field).
    bool engine_running(std::string* how_it_ended = nullptr) const {
        std::ifstream stat("/proc/" + std::to_string(tactusd_->pid()) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return false;
        const auto paren = line.rfind(')');
        if (paren == std::string::npos || paren + 2 >= line.size()) return false;
        if (line[paren + 2] != 'Z') return true;
        if (how_it_ended) {
            const int status = std::atoi(line.substr(line.find_last_of(' ') + 1).c_str());
            *how_it_ended = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) +
                                                      " (" + strsignal(WTERMSIG(status)) + ")"
                                                : "exited with status " + std::to_string(WEXITSTATUS(status));
        }
        return false;
    }
    std::string engine_state() const {
        std::string how;
        if (engine_running(&how)) return "tactusd still runs";
        return "tactusd is no longer running (" + how + "); its log:\n" + tactusd_->log();
    }

    // The check at the end of every test: the engine (tactusd_rtcheck, which aborts on any
    // allocation, free or lock on its audio thread) is still running, still answers, and exits 0.
    void expect_alive_then_clean_exit() {
        ASSERT_TRUE(tactusd_);
        ASSERT_TRUE(engine_running()) << engine_state();
        const auto pong = tcp_.call("/ping", OscOutgoing(), 30000ms);
        EXPECT_TRUE(pong && !pong->is_error()) << "tactusd did not answer /ping over TCP; its log:\n"
                                               << tactusd_->log();
        const std::string log = tactusd_->log();
        EXPECT_EQ(log.find("realtime violation"), std::string::npos) << log;
        if (recorder_) recorder_->stop();
        EXPECT_EQ(tactusd_->quit(), 0) << "tactusd did not exit 0 after /quit; its log:\n" << log;
    }

    // Clicks hard left at 120 bpm (a whole beat is 24000 frames), one a beat from beat 0 on.
    static Document click_document(int beats, std::vector<Note> extra = {}) {
        Document doc;
        doc.title = "live edits";
        doc.tempo = tempo_map({{0, 120, false}});
        std::vector<Note> notes;
        for (int b = 0; b < beats; ++b) notes.push_back(note(NoteId(b + 1), b, 1.0 / 16, 72 + (b % 5)));
        for (const Note& n : extra) notes.push_back(n);
        doc.tracks.push_back(track(1, "click", notes, -1.0));
        return doc;
    }

    // Four tracks of 50 notes each in the first 16 beats (seeded), for the random-edit and subscriber
    // tests.
    static Document band_document() {
        Document doc;
        doc.title = "live random edits";
        doc.revision = 40;
        doc.tempo = tempo_map({{0, 120, false}});
        std::mt19937 rng(4242);
        std::uniform_int_distribution<int> pitch(40, 90), slot(0, 16 * 8 - 1), velocity(40, 120);
        const char* presets[] = {"pluck", "sine", "drums", "click"};
        NoteId id = 1;
        for (int t = 0; t < 4; ++t) {
            Track tr = track(TrackId(t + 1), presets[t], {}, -0.6 + 0.4 * t);
            tr.level = 0.5;
            for (int k = 0; k < 50; ++k)
                tr.notes.push_back(
                    note(id++, slot(rng) / 8.0, 0.25 * (1 + k % 4), pitch(rng), velocity(rng)));
            doc.tracks.push_back(tr);
        }
        return doc;
    }

    OscTcpClient tcp_;
};

inline constexpr long double kBeatsPerFrame120 = 2.0L / 48000.0L;  // 120 bpm at 48 kHz

// A beat on the 1/128 grid with an odd numerator (at 120 bpm and 48 kHz its exact position is x.5
// frames: round half up decides), at least `target`, and at least 0.1 beat (50 ms) from every beat
// in `avoid` (so every click is preceded by exact silence).
inline double odd_grid_beat_from(long double target, const std::vector<double>& avoid) {
    long double k = std::ceil(target * 128.0L);
    if (std::fmod(k, 2.0L) == 0) k += 1;
    for (;;) {
        const double beat = double(k / 128.0L);
        const bool clear =
            std::none_of(avoid.begin(), avoid.end(), [&](double a) { return std::abs(a - beat) < 0.1; });
        if (clear) return beat;
        k += 16;  // 1/8 beat further, still odd
    }
}

// Onsets of channel 0 from `from` to `to`: every expected one whose frame (and the 64 frames before
// it) was recorded must be exactly there; every recorded onset must be expected (or in `tolerated`).
struct Judgement {
    int judged = 0, lost = 0;
    std::int64_t max_error = 0;
    std::vector<std::string> failures;
};
inline Judgement judge_onsets(const JackRecorder& recorder, const std::vector<ExpectedOnset>& expected,
                              JackFrame from, JackFrame to, const std::vector<JackFrame>& tolerated = {}) {
    Judgement j;
    const OnsetScan scan = recorder.onsets(0, from, 64);
    std::vector<JackFrame> found;
    for (JackFrame f : scan.onsets)
        if (f < to) found.push_back(f);
    for (const ExpectedOnset& e : expected) {
        if (e.frame < from || e.frame >= to) continue;
        if (!recorder.recorded(e.frame - 64, e.frame + 1)) {
            ++j.lost;
            continue;
        }
        ++j.judged;
        JackFrame nearest = -1;
        for (JackFrame f : found)
            if (nearest < 0 || std::abs(f - e.frame) < std::abs(nearest - e.frame)) nearest = f;
        if (nearest == e.frame) continue;
        const std::int64_t error =
            nearest < 0 ? 48000 : std::min<std::int64_t>(std::abs(nearest - e.frame), 48000);
        j.max_error = std::max(j.max_error, error);
        std::ostringstream line;
        line << e.what << " (beat " << e.beat << "): expected its onset at JACK frame " << e.frame << ", ";
        if (nearest < 0)
            line << "found no onset";
        else
            line << "the nearest onset is at " << nearest << " (" << (nearest - e.frame) << " samples)";
        j.failures.push_back(line.str());
    }
    for (JackFrame f : found) {
        const bool known = std::any_of(expected.begin(), expected.end(),
                                       [&](const ExpectedOnset& e) { return e.frame == f; }) ||
                           std::find(tolerated.begin(), tolerated.end(), f) != tolerated.end();
        if (!known)
            j.failures.push_back("unexpected onset at JACK frame " + std::to_string(f) +
                                 ": nothing was due there");
    }
    return j;
}

// Expected onsets of every note of a click document at 120 bpm (no edits), from play frame `play`,
// each named by its note id ("note 7").
inline std::vector<ExpectedOnset> plain_onsets(const Document& doc, JackFrame play) {
    std::vector<ExpectedOnset> out = expected_onsets(doc, {{0, 120, false}}, play, 48000);
    for (ExpectedOnset& e : out) e.what = "note " + std::to_string(doc.tracks.at(0).notes[e.index].id);
    return out;
}

}  // namespace tactus::test
