// MIDI through the system's MIDI ports (audio/midi_timing.h, audio/rtmidi_ports.h), without a
// device: received messages are placed one period after the frame their stamp maps to, clamped into
// the block and kept in order; output messages leave sorted by frame at the host time of frame +
// latency; and where there is no ALSA sequencer, opening the ports fails with one clear message.
#include "audio/midi_timing.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <vector>

#include "audio/clock_model.h"
#include "audio/rtmidi_ports.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;
constexpr int kPeriod = 256;
constexpr std::int64_t kOrigin = 7'000'000'000;  // host time of frame 0

// An ideal device clock: frame f is processed at kOrigin + f / rate.
Frame ideal_frame_at(std::int64_t ns) {
    return static_cast<Frame>(std::floor(double(ns - kOrigin) * kRate / 1e9 + 0.5));
}
std::int64_t ideal_time_at(Frame frame) {
    return kOrigin + static_cast<std::int64_t>(std::floor(double(frame) * 1e9 / kRate + 0.5));
}

StampedMidi note_on(std::int64_t ns, int pitch) {
    StampedMidi m;
    m.host_ns = ns;
    m.bytes[0] = 0x90;
    m.bytes[1] = static_cast<std::uint8_t>(pitch);
    m.bytes[2] = 100;
    m.size = 3;
    return m;
}

std::vector<MidiInputEvent> place(const std::vector<StampedMidi>& stamped, Frame block) {
    std::vector<MidiInputEvent> out(stamped.size());
    place_midi_input(stamped, block, kPeriod, kPeriod, ideal_frame_at, out.data());
    return out;
}

TEST(MidiInputPlacement, a_message_lands_one_period_after_the_frame_of_its_stamp) {
    const Frame block = 100 * kPeriod;
    // Received during the previous period, at its frames 3, 100 and 255.
    const std::vector<StampedMidi> stamped = {note_on(ideal_time_at(block - kPeriod + 3), 60),
                                              note_on(ideal_time_at(block - kPeriod + 100), 62),
                                              note_on(ideal_time_at(block - 1), 64)};
    const std::vector<MidiInputEvent> out = place(stamped, block);
    EXPECT_EQ(out[0].offset, 3);
    EXPECT_EQ(out[1].offset, 100);
    EXPECT_EQ(out[2].offset, 255);
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].size, 3);
        EXPECT_EQ(out[i].bytes[0], 0x90);
        EXPECT_EQ(out[i].bytes[1], stamped[i].bytes[1]);
        EXPECT_EQ(out[i].bytes[2], 100);
    }
}

TEST(MidiInputPlacement, late_messages_go_to_offset_0_early_ones_to_the_last_frame_in_order) {
    const Frame block = 100 * kPeriod;
    const std::vector<StampedMidi> stamped = {
        note_on(ideal_time_at(block - 5 * kPeriod), 60),   // drained late: offset 0
        note_on(ideal_time_at(block - kPeriod - 1), 61),   // one frame late: offset 0
        note_on(ideal_time_at(block - kPeriod + 50), 62),  // on time
        note_on(ideal_time_at(block - kPeriod + 40), 63),  // stamped before the one ahead of it
        note_on(ideal_time_at(block + 10), 64),            // after the callback began: last frame
        note_on(ideal_time_at(block + 3 * kPeriod), 65)};  // far ahead (a clock jump): last frame
    const std::vector<MidiInputEvent> out = place(stamped, block);
    const std::vector<int> expected = {0, 0, 50, 50, kPeriod - 1, kPeriod - 1};
    for (std::size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].offset, expected[i]) << "message " << i;
        EXPECT_EQ(out[i].bytes[1], stamped[i].bytes[1]) << "the order must not change";
    }
}

// Through the real clock model, fed as the RtAudio callback feeds it (callback entry times without
// jitter): every message stamped during a period is placed exactly one period later.
TEST(MidiInputPlacement, through_a_locked_clock_model_the_jitter_is_zero) {
    ClockModel clock(kRate);
    Frame block = 0;
    for (; block < 2000 * kPeriod; block += kPeriod) clock.update(ideal_time_at(block), block, kPeriod);
    int placed = 0;
    std::int64_t worst = 0;
    for (int period = 0; period < 100; ++period, block += kPeriod) {
        clock.update(ideal_time_at(block), block, kPeriod);
        std::vector<StampedMidi> stamped;
        for (int f = 0; f < kPeriod; f += 17)
            stamped.push_back(note_on(ideal_time_at(block - kPeriod + f), 60));
        std::vector<MidiInputEvent> out(stamped.size());
        place_midi_input(
            stamped, block, kPeriod, kPeriod, [&](std::int64_t ns) { return clock.frame_at(ns); },
            out.data());
        for (std::size_t i = 0; i < out.size(); ++i) {
            const std::int64_t error = std::llabs(out[i].offset - static_cast<int>(17 * i));
            worst = std::max(worst, error);
            ++placed;
        }
    }
    EXPECT_EQ(worst, 0);
    RecordProperty("messages_placed", placed);
    RecordProperty("max_placement_error_frames", static_cast<int>(worst));
}

TEST(MidiOutputTiming, a_block_leaves_sorted_by_frame_at_the_host_time_of_frame_plus_latency) {
    const Frame block = 4800;
    std::vector<MidiInputEvent> events(4);
    auto set = [](MidiInputEvent& e, int offset, std::uint8_t status, std::uint8_t data1, int size) {
        e.offset = offset;
        e.bytes[0] = status;
        e.bytes[1] = data1;
        e.bytes[2] = size == 3 ? 64 : 0;
        e.size = size;
    };
    // As the engine writes them: a clock pulse pushed after the notes of earlier frames.
    set(events[0], 90, 0x80, 60, 3);  // note-off then note-on on frame 90: that order stays
    set(events[1], 90, 0x90, 62, 3);
    set(events[2], 10, 0xF8, 0, 1);
    set(events[3], 200, 0xC0, 5, 2);
    sort_midi_by_offset(events.data(), 4);
    const std::vector<std::pair<int, std::uint8_t>> order = {{10, 0xF8}, {90, 0x80}, {90, 0x90}, {200, 0xC0}};
    std::vector<TimedMidi> sent;
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].offset, order[i].first);
        EXPECT_EQ(events[i].bytes[0], order[i].second);
        const FramedMidi f = framed(events[i], block);
        EXPECT_EQ(f.frame, block + order[i].first);
        sent.push_back(time_midi_output(f, kPeriod, ideal_time_at));
    }
    for (std::size_t i = 0; i < sent.size(); ++i) {
        EXPECT_EQ(sent[i].send_at_ns, ideal_time_at(block + order[i].first + kPeriod)) << "message " << i;
        EXPECT_EQ(sent[i].size, events[i].size);
        for (int b = 0; b < sent[i].size; ++b) EXPECT_EQ(sent[i].bytes[b], events[i].bytes[b]);
        if (i > 0) {
            EXPECT_GE(sent[i].send_at_ns, sent[i - 1].send_at_ns);
        }
    }
}

TEST(MidiInputFilter, only_channel_messages_are_played) {
    const std::uint8_t note[] = {0x93, 60, 1}, bend[] = {0xE0, 0, 64}, clock[] = {0xF8},
                       sysex[] = {0xF0, 1, 0xF7};
    EXPECT_TRUE(is_channel_message(note, 3));
    EXPECT_TRUE(is_channel_message(bend, 3));
    EXPECT_FALSE(is_channel_message(clock, 1));
    EXPECT_FALSE(is_channel_message(sysex, 3));
    EXPECT_FALSE(is_channel_message(note, 0));
    EXPECT_FALSE(is_channel_message(note, 4));
}

// No sound hardware here (nor in CI): no /dev/snd/seq. Opening fails with one line saying so; where
// a sequencer exists, the ports open.
#if defined(__linux__)
TEST(RtMidiPorts, without_an_alsa_sequencer_opening_fails_with_one_clear_message) {
    struct stat info {};
    const bool sequencer = ::stat("/dev/snd/seq", &info) == 0;
    MidiPortOptions options;
    options.client_name = "tactus-test";
    std::string error, notes;
    auto ports = RtMidiPorts::open(options, &error, &notes);
    if (sequencer) {
        ASSERT_NE(ports, nullptr) << error;
        EXPECT_NE(ports->description().find("tactus-test:midi_in"), std::string::npos)
            << ports->description();
        GTEST_SKIP() << "an ALSA sequencer exists here: the failure path is not reachable";
    }
    EXPECT_EQ(ports, nullptr);
    EXPECT_EQ(error, "no ALSA sequencer (/dev/snd/seq: No such file or directory)");
    EXPECT_EQ(error.find('\n'), std::string::npos);
}
#endif

}  // namespace
}  // namespace tactus
