// Positions against a running tactusd (offline backend, 44.1 kHz): a locate to beat 16 reports beat
// 16 and /status bar 5 beat 1 (issue 12: 15.99998544, bar 4 beat 4.99998); a load starts the new
// document at beat 0 with no loop; a loop set behind the playhead does not engage until the playhead
// is brought before its end, and then repeats (docs/protocol.md, "Transport").
//
// The offline backend renders as fast as it can (hundreds of times realtime), so these tests judge
// positions by the frames replies and /status report, never by the host's clock.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/offline_daemon.h"

namespace {  // fs, Clock, Bytes and the clients come from support/offline_daemon.h

constexpr auto kReplyTimeout = 5000ms;

// 97 bpm at 44.1 kHz: beat 16 falls between two frames (9.896907... s), so its frame's continuous
// beat is not 16.
std::string document_at(int bpm, int note_pitch) {
    return R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": )" + std::to_string(bpm) +
           R"(}], "meter": [{"bar": 0, "numerator": 4, "denominator": 4}], "tracks": [)"
           R"({"id": 1, "name": "Lead", "instrument": "synth", "preset": "sine", "notes": [)"
           R"({"id": 1, "start": 0, "length": 1, "pitch": )" +
           std::to_string(note_pitch) + R"(, "velocity": 100}]}]})";
}

// /status fields (docs/protocol.md).
enum StatusField : std::size_t { kFrame = 2, kPlaying = 3, kBeat = 4, kBar = 5, kBeatInBar = 6 };

class TactusdPositions : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tactus-positions-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        daemon_.emplace(dir_, "1000000", std::vector<std::string>{"--rate", "44100"});
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
        udp_.emplace(daemon_->udp_port());
    }
    void TearDown() override {
        udp_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), "exit 0") << "tactusd did not end cleanly; log:\n" << daemon_->log();
        }
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Sends `packet`; the /reply or /error answering `address` (or the message named so).
    OscMessage call(const Bytes& packet, const std::string& address) {
        udp_->drain();
        EXPECT_TRUE(udp_->send(packet));
        const auto reply =
            udp_->wait_for([&](const OscMessage& m) { return answered(m) == address; }, kReplyTimeout);
        EXPECT_TRUE(reply.has_value()) << "no answer to " << address << "; log:\n" << daemon_->log();
        return reply.value_or(OscMessage{});
    }
    // Sends and expects a /reply; returns it.
    OscMessage ok(const Bytes& packet, const std::string& address) {
        OscMessage reply = call(packet, address);
        EXPECT_EQ(reply.address, "/reply") << describe(reply);
        return reply;
    }
    void load(const std::string& name, int bpm, int pitch) {
        const fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary) << document_at(bpm, pitch);
        ok(Osc("/load").s(path.string()).bytes(), "/load");
    }
    // The first /status whose block frame is past `frame` (so it shows what was applied there).
    OscMessage status_after(std::int64_t frame) {
        const auto deadline = Clock::now() + kReplyTimeout;
        for (;;) {
            OscMessage s = call(Osc("/status").bytes(), "/status");
            if (s.args.size() <= kBeatInBar) return s;
            if (s.args[kFrame].i > frame || Clock::now() > deadline) return s;
        }
    }

    fs::path dir_;
    std::optional<Daemon> daemon_;
    std::optional<UdpClient> udp_;
};

TEST_F(TactusdPositions, locate_to_beat_16_reports_beat_16_and_status_bar_5_beat_1) {
    load("song.json", 97, 60);
    const OscMessage located = ok(Osc("/locate/beat").d(16).bytes(), "/locate/beat");
    ASSERT_EQ(located.types, "shdi") << describe(located);
    EXPECT_EQ(located.args[2].f, 16.0) << "the reply's beat";
    const OscMessage s = status_after(located.args[1].i);
    ASSERT_GT(s.args.size(), std::size_t{kBeatInBar}) << describe(s);
    EXPECT_EQ(s.args[kBeat].f, 16.0) << describe(s);
    EXPECT_EQ(s.args[kBar].i, 5) << describe(s);
    EXPECT_EQ(s.args[kBeatInBar].f, 1.0) << describe(s);

    // Other grid positions read back as given: a triplet, a tenth, a bar line further on.
    for (const double beat : {16.0 + 1.0 / 3, 100.1, 64.0}) {
        const OscMessage at = ok(Osc("/locate/beat").d(beat).bytes(), "/locate/beat");
        EXPECT_EQ(at.args.at(2).f, beat);
    }
    const OscMessage bar17 = status_after(ok(Osc("/locate/beat").d(64).bytes(), "/locate/beat").args.at(1).i);
    EXPECT_EQ(bar17.args.at(kBar).i, 17) << describe(bar17);
    EXPECT_EQ(bar17.args.at(kBeatInBar).f, 1.0) << describe(bar17);
}

TEST_F(TactusdPositions,
       a_load_after_play_from_beat_16_starts_the_new_document_at_beat_0_without_the_old_loop) {
    load("first.json", 120, 60);
    ok(Osc("/loop").i(1).d(16).d(20).bytes(), "/loop");
    const OscMessage played = ok(Osc("/play").d(16).bytes(), "/play");
    EXPECT_EQ(played.args.at(2).f, 16.0);
    ok(Osc("/stop").bytes(), "/stop");
    load("second.json", 100, 64);
    const OscMessage again = ok(Osc("/play").bytes(), "/play");
    ASSERT_EQ(again.types, "shdi") << describe(again);
    EXPECT_EQ(again.args[2].f, 0.0) << "a plain /play after a load starts the new document at its beginning";
    // The old loop (beats 16..20) is gone: the playhead goes on past beat 20 (about 12 s of audio,
    // well under a second here).
    double beat = 0;
    for (const auto deadline = Clock::now() + 20s; beat < 40 && Clock::now() < deadline;)
        beat = status_after(again.args[1].i).args.at(kBeat).f;
    EXPECT_GE(beat, 40.0) << "the playhead did not get past the old loop's end";
}

// docs/protocol.md's example: /play d 16, then /loop idd 1 8 16. The loop is behind the playhead: it
// does not engage (the playhead plays on); once the playhead is brought before its end, it repeats.
TEST_F(TactusdPositions, a_loop_behind_the_playhead_engages_once_the_playhead_is_before_its_end) {
    load("song.json", 120, 60);
    ok(Osc("/play").d(16).bytes(), "/play");
    const OscMessage looped = ok(Osc("/loop").i(1).d(8).d(16).bytes(), "/loop");
    double beat = 0;
    for (const auto deadline = Clock::now() + 20s; beat < 48 && Clock::now() < deadline;) {
        beat = status_after(looped.args.at(1).i).args.at(kBeat).f;
        ASSERT_FALSE(beat >= 8 && beat < 16) << "the loop behind the playhead took it back to beat " << beat;
    }
    EXPECT_GE(beat, 48.0) << "the playhead stopped moving";

    // Brought before the loop's end, the playhead stays within the loop over many passes.
    const OscMessage located = ok(Osc("/locate/beat").d(12).bytes(), "/locate/beat");
    const std::int64_t from = located.args.at(1).i;
    constexpr std::int64_t kLoopFrames = 8 * 22050;  // 8 beats at 120 bpm, 44.1 kHz
    // /status gives the position at its block's start through the transport's anchor; in a block
    // where the loop wrapped, that reads up to a block before the loop's start.
    const double block_beats = double(status_after(0).args.at(1).i) / 22050;
    std::int64_t frame = from;
    int polls = 0;
    for (const auto deadline = Clock::now() + 20s;
         frame < from + 5 * kLoopFrames && Clock::now() < deadline;) {
        const OscMessage s = status_after(frame);
        frame = s.args.at(kFrame).i;
        beat = s.args.at(kBeat).f;
        ++polls;
        EXPECT_TRUE(beat >= 8 - block_beats && beat < 16)
            << "beat " << beat << " at frame " << frame << ", outside the loop";
    }
    EXPECT_GE(frame, from + 5 * kLoopFrames)
        << "five passes of the loop did not play (" << polls << " polls)";
}

}  // namespace
