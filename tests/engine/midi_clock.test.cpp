// MIDI beat clock out, through the RealtimeEngine as the audio thread drives it: every Timing Clock
// (0xF8) lands on the output frame of beat k/24 computed independently (support/reference_timing.h)
// through a tempo change and a ramp, whatever the block size; Start, Stop, Song Position Pointer and
// Continue come on the frames of the commands that cause them; a loop wrap sends the pointer of the
// loop start and the pulses go on; a tempo scale moves the pulses with the new map.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "engine/realtime_engine.h"
#include "support/reference_timing.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;
constexpr std::uint8_t kClock = 0xF8, kStart = 0xFA, kContinue = 0xFB, kStop = 0xFC, kPointer = 0xF2;

// 120 bpm for 4 beats, a ramp 100 -> 160 over beats 4..8, 160 to beat 12, then 90.
const std::vector<TempoPoint> kTempo = {{0, 120, false}, {4, 100, true}, {8, 160, false}, {12, 90, false}};

test::ReferenceTiming reference(double scale = 1.0) {
    std::vector<test::RefTempoPoint> points;
    for (const TempoPoint& p : kTempo) points.push_back({p.beat, p.bpm * scale, p.ramp});
    return test::ReferenceTiming(points);
}

struct Message {
    Frame frame = 0;
    std::array<std::uint8_t, 3> bytes{};
    int size = 0;
    friend bool operator==(const Message&, const Message&) = default;
};

std::ostream& operator<<(std::ostream& out, const Message& m) {
    out << "{frame " << m.frame << ": " << std::hex;
    for (int b = 0; b < m.size; ++b) out << (b ? " " : "") << int(m.bytes[static_cast<std::size_t>(b)]);
    return out << std::dec << "}";
}

Message realtime(Frame frame, std::uint8_t status) {
    return {frame, {status, 0, 0}, 1};
}
Message pointer(Frame frame, int sixteenths) {
    return {frame, {kPointer, std::uint8_t(sixteenths & 0x7F), std::uint8_t(sixteenths >> 7)}, 3};
}

// A RealtimeEngine with an empty score on the tempo map, driven block by block; every MIDI message
// it sends is kept with its output frame.
class ClockRig {
public:
    // `lookahead`: frames the engine renders ahead of its output (its MIDI is delayed to match).
    explicit ClockRig(int block, double scale = 1.0, int lookahead = 0)
        : engine_(options(lookahead)), block_(block) {
        load(scale);
        left_.resize(static_cast<std::size_t>(block));
        right_.resize(static_cast<std::size_t>(block));
    }

    void load(double scale) {
        std::vector<TempoPoint> points = kTempo;
        for (TempoPoint& p : points) p.bpm *= scale;
        Document doc;
        doc.tempo = test::tempo_map(points);
        auto program = std::make_unique<EngineProgram>();
        program->score = ScoreSnapshot::build(doc, kRate);
        program->mixer = mixer_;
        program->generation = ++generation_;
        engine_.publish(std::move(program));
    }

    void command(CommandKind kind, Frame frame, Frame score_frame = 0, bool flag = false, Frame a = 0,
                 Frame b = 0) {
        EngineCommand c;
        c.kind = kind;
        c.frame = frame;
        c.score_frame = score_frame;
        c.flag = flag;
        c.a = a;
        c.b = b;
        ASSERT_TRUE(engine_.submit(c));
    }

    // Renders up to output frame `end` (exclusive).
    void run_until(Frame end) {
        while (now_ < end) {
            const int frames = static_cast<int>(std::min<Frame>(block_, end - now_));
            engine_.process(now_, 0, frames, left_.data(), right_.data());
            const MidiOutBus& bus = engine_.midi_out();
            for (int i = 0; i < bus.count(); ++i) {
                const MidiInputEvent& e = bus.events()[i];
                ASSERT_GE(e.offset, 0);
                ASSERT_LT(e.offset, frames);
                sent_.push_back({now_ + e.offset, {e.bytes[0], e.bytes[1], e.bytes[2]}, e.size});
            }
            now_ += frames;
        }
    }

    const std::vector<Message>& sent() const { return sent_; }

private:
    static RealtimeEngineOptions options(int lookahead) {
        RealtimeEngineOptions o;
        o.sample_rate = kRate;
        o.lookahead_frames = lookahead;
        return o;
    }

    RealtimeEngine engine_;
    std::shared_ptr<TrackMixer> mixer_ = std::make_shared<TrackMixer>(kRate);
    std::uint64_t generation_ = 0;
    int block_;
    Frame now_ = 0;
    std::vector<float> left_, right_;
    std::vector<Message> sent_;
};

// The pulses k = first.. whose frames (anchor + reference(k/24) - anchor_score) are before `end`.
void add_pulses(std::vector<Message>& expected, const test::ReferenceTiming& ref, Frame anchor_output,
                Frame anchor_score, int first, Frame end) {
    for (int k = first;; ++k) {
        const Frame frame = anchor_output + ref.frame_at(k / 24.0L, kRate) - anchor_score;
        if (frame >= end) break;
        expected.push_back(realtime(frame, kClock));
    }
}

void expect_same(const std::vector<Message>& got, const std::vector<Message>& expected) {
    ASSERT_EQ(got.size(), expected.size()) << "wrong number of MIDI messages";
    for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(got[i], expected[i]) << "message " << i << " of " << expected.size();
}

TEST(MidiClock, is_off_by_default) {
    ClockRig rig(256);
    rig.command(CommandKind::Play, 100);
    rig.run_until(48000);
    rig.command(CommandKind::Stop, 48000);
    rig.run_until(50000);
    EXPECT_TRUE(rig.sent().empty()) << rig.sent().front();
}

TEST(MidiClock,
     every_pulse_lands_on_its_frame_through_a_tempo_change_and_a_ramp_at_any_block_size_and_lookahead) {
    const test::ReferenceTiming ref = reference();
    constexpr Frame kPlay = 1000;
    const Frame end = kPlay + ref.frame_at(16, kRate) + 1;  // pulse 384 (beat 16) included
    std::vector<Message> expected = {realtime(kPlay, kStart)};
    add_pulses(expected, ref, kPlay, 0, 0, end);
    ASSERT_EQ(expected.size(), 1u + 16 * 24 + 1);
    for (const auto& [block, lookahead] :
         {std::pair{1, 0}, {37, 0}, {256, 0}, {1024, 0}, {37, 300}, {256, 300}}) {
        SCOPED_TRACE("block " + std::to_string(block) + ", lookahead " + std::to_string(lookahead));
        ClockRig rig(block, 1.0, lookahead);
        rig.command(CommandKind::MidiClock, 0, 0, true);
        rig.command(CommandKind::Play, kPlay, 0);
        rig.run_until(end);
        expect_same(rig.sent(), expected);
        std::int64_t jitter = 0;
        for (std::size_t i = 0; i < expected.size(); ++i)
            jitter = std::max<std::int64_t>(jitter, std::abs(rig.sent()[i].frame - expected[i].frame));
        if (lookahead != 0) continue;
        RecordProperty("pulses_block_" + std::to_string(block), std::to_string(expected.size() - 1));
        RecordProperty("max_jitter_frames_block_" + std::to_string(block), std::to_string(jitter));
    }
}

TEST(MidiClock, start_stop_continue_pause_and_locate_send_their_messages_on_the_command_frames) {
    const test::ReferenceTiming ref = reference();
    ClockRig rig(128);
    std::vector<Message> expected;
    rig.command(CommandKind::MidiClock, 0, 0, true);

    // Play from beat 0: Start, pulses; stop: Stop, no more pulses.
    const Frame play = 500, stop = 50'123;
    rig.command(CommandKind::Play, play, 0);
    rig.command(CommandKind::Stop, stop);
    expected.push_back(realtime(play, kStart));
    add_pulses(expected, ref, play, 0, 0, stop);
    expected.push_back(realtime(stop, kStop));
    rig.run_until(60'000);

    // Locate while stopped sends nothing; play there (beat 2.3, off the sixteenth grid): the
    // pointer names the next sixteenth (beat 2.5 = 10), the pulses resume on it.
    const Frame located = ref.frame_at(2.3L, kRate);
    rig.command(CommandKind::Locate, 60'000, located);
    const Frame resume = 70'007, pause = 150'000;
    rig.command(CommandKind::Play, resume, kResume);
    rig.command(CommandKind::Pause, pause);
    expected.push_back(pointer(resume, 10));
    expected.push_back(realtime(resume, kContinue));
    add_pulses(expected, ref, resume, located, 60, pause);
    expected.push_back(realtime(pause, kStop));
    rig.run_until(160'000);

    // Play from beat 0 again, then locate while playing into the ramp (beat 5.5 = sixteenth 22):
    // Stop, pointer, Continue on the locate frame, pulses from pulse 132 on.
    const Frame again = 160'000, locate = 200'000, end = 330'000;
    const Frame target = ref.frame_at(5.5L, kRate);
    rig.command(CommandKind::Play, again, 0);
    rig.command(CommandKind::Locate, locate, target);
    expected.push_back(realtime(again, kStart));
    add_pulses(expected, ref, again, 0, 0, locate);
    expected.push_back(realtime(locate, kStop));
    expected.push_back(pointer(locate, 22));
    expected.push_back(realtime(locate, kContinue));
    add_pulses(expected, ref, locate, target, 132, end);
    rig.run_until(end);
    expect_same(rig.sent(), expected);
}

TEST(MidiClock, a_count_in_starts_the_clock_with_the_score) {
    const test::ReferenceTiming ref = reference();
    ClockRig rig(256);
    rig.command(CommandKind::MidiClock, 0, 0, true);
    constexpr Frame kPlay = 3000, kCountIn = 96'000;  // one bar of 4/4 at 120 bpm
    rig.command(CommandKind::Play, kPlay, 0, false, kCountIn);
    const Frame end = kPlay + kCountIn + 60'000;
    rig.run_until(end);
    std::vector<Message> expected = {realtime(kPlay + kCountIn, kStart)};
    add_pulses(expected, ref, kPlay + kCountIn, 0, 0, end);
    expect_same(rig.sent(), expected);
}

TEST(MidiClock, a_loop_wrap_sends_the_pointer_of_the_loop_start_and_the_pulses_go_on) {
    const test::ReferenceTiming ref = reference();
    const Frame begin = ref.frame_at(4, kRate), end_of_loop = ref.frame_at(8, kRate);  // the ramp
    ClockRig rig(300);
    rig.command(CommandKind::MidiClock, 0, 0, true);
    rig.command(CommandKind::SetLoop, 0, 0, true, begin, end_of_loop);
    constexpr Frame kPlay = 2000;
    rig.command(CommandKind::Play, kPlay, 0);
    const Frame pass = end_of_loop - begin;
    const Frame first_wrap = kPlay + end_of_loop;
    const Frame end = first_wrap + 3 * pass + 5000;
    rig.run_until(end);

    std::vector<Message> expected = {realtime(kPlay, kStart)};
    add_pulses(expected, ref, kPlay, 0, 0, first_wrap);
    for (Frame wrap = first_wrap; wrap < end; wrap += pass) {
        expected.push_back(pointer(wrap, 16));  // beat 4
        add_pulses(expected, ref, wrap, begin, 96, std::min(wrap + pass, end));
    }
    expect_same(rig.sent(), expected);
}

TEST(MidiClock, a_tempo_scale_while_playing_moves_the_pulses_with_the_new_map) {
    ClockRig rig(256);
    rig.command(CommandKind::MidiClock, 0, 0, true);
    rig.command(CommandKind::Play, 0, 0);
    constexpr Frame kSwitch = 256 * 200;  // a block boundary, at beat ~1.07
    rig.run_until(kSwitch);
    const std::size_t before = rig.sent().size();
    rig.load(1.5);  // the tempo scale: the same map, every tempo times 1.5
    rig.run_until(kSwitch + 400'000);
    const std::vector<Message>& sent = rig.sent();
    ASSERT_GT(sent.size(), before + 300);
    const test::ReferenceTiming scaled = reference(1.5);
    // Message i (after Start) is pulse i - 1: consecutive pulses after the switch are as far apart
    // as the scaled map puts them, so no pulse was lost or doubled and the beat went on.
    for (std::size_t i = before + 1; i < sent.size(); ++i) {
        ASSERT_EQ(sent[i].bytes[0], kClock);
        const long double k = static_cast<long double>(i - 1);
        ASSERT_EQ(sent[i].frame - sent[i - 1].frame,
                  scaled.frame_at(k / 24.0L, kRate) - scaled.frame_at((k - 1) / 24.0L, kRate))
            << "pulse " << i - 1;
    }
}

TEST(MidiClock, turning_it_off_while_playing_sends_stop_and_on_again_joins_in_on_the_next_sixteenth) {
    const test::ReferenceTiming ref = reference();
    ClockRig rig(64);
    rig.command(CommandKind::Play, 0, 0);
    rig.command(CommandKind::MidiClock, 10'000, 0, true);   // beat 0.4167: sixteenth 2 (beat 0.5)
    rig.command(CommandKind::MidiClock, 30'000, 0, false);  // off
    rig.command(CommandKind::MidiClock, 40'000, 0, true);   // beat 1.6667: sixteenth 7 (beat 1.75)
    rig.run_until(60'000);
    std::vector<Message> expected = {pointer(10'000, 2), realtime(10'000, kContinue)};
    add_pulses(expected, ref, 0, 0, 12, 30'000);
    expected.push_back(realtime(30'000, kStop));
    expected.push_back(pointer(40'000, 7));
    expected.push_back(realtime(40'000, kContinue));
    add_pulses(expected, ref, 0, 0, 42, 60'000);
    expect_same(rig.sent(), expected);
}

}  // namespace
}  // namespace tactus
