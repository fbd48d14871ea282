// The engine's schedule of commands waiting for their frame (docs/protocol.md, "When commands take
// effect"), through the real ControlServer and EngineHost in process, every frame known:
// - a flood of far-future commands fills only its own room: the ones that do not fit are rejected
//   with an error (never applied early or late), and a bundle due 100 ms ahead still lands exactly;
// - timetags beyond the horizon are refused; /panic and /load cancel what waits, each sender told;
// - every message of one bundle (edits, transport, mixer) takes effect on one frame, and edit
//   subscribers are told the frame each program took effect on (/applied).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "server/osc_out.h"
#include "server/osc_packet.h"
#include "support/in_process_server.h"

namespace tactus {
namespace {

constexpr const char* kDocument = R"({"format": "tactus", "version": 1, "revision": 1,
    "tempo": [{"beat": 0, "bpm": 120}],
    "tracks": [
      {"id": 1, "name": "Lead", "preset": "sine", "notes": []},
      {"id": 2, "name": "Bass", "preset": "bass", "notes": []}]})";

class CommandSchedule : public InProcessServer {
protected:
    std::string document() const override { return kDocument; }

    // A timetag a quarter of a frame after output frame `frame` begins: the engine rounds it to that
    // frame even if the realtime-monotonic offset it samples has moved by a few microseconds.
    std::uint64_t timetag_of(Frame frame) {
        const std::int64_t quarter =
            (host_.host_time_at_frame(frame + 1) - host_.host_time_at_frame(frame)) / 4;
        return unix_ns_to_ntp(host_.host_time_at_frame(frame) + quarter + realtime_minus_monotonic_ns());
    }
    Bytes timed(Frame frame, std::vector<Bytes> messages) { return osc_bundle(messages, timetag_of(frame)); }

    // Sends with the arrival time of output frame `frame` (the test plays the network too).
    void send_at(const Bytes& bytes, Client& from, Frame frame) {
        send(bytes, from, host_.host_time_at_frame(frame));
    }

    // Every message that reached `client` so far, as text.
    std::vector<std::string> messages(Client& client) {
        std::vector<std::string> out;
        for (const OscPacket& p : client.receive(5))
            for (const OscMessage& m : p.messages) out.push_back(text_of(m));
        return out;
    }
    static std::size_t count_starting(const std::vector<std::string>& all, const std::string& prefix) {
        return std::count_if(all.begin(), all.end(),
                             [&](const std::string& m) { return m.rfind(prefix, 0) == 0; });
    }
    // Whether a note started on frame `at`: silence from `from` up to it, sound within its first few
    // samples (a sine starts at zero phase, the envelope at zero level).
    ::testing::AssertionResult starts_on(Frame from, Frame at) const {
        for (Frame f = from; f < Frame(out_.size()); ++f)
            if (out_[std::size_t(f)] != 0.0f) {
                if (f >= at && f < at + 4) return ::testing::AssertionSuccess();
                return ::testing::AssertionFailure() << "the first sound is on frame " << f << ", not " << at;
            }
        return ::testing::AssertionFailure() << "no sound after frame " << from;
    }
    Frame seconds(double s) const { return Frame(std::llround(s * host_.sample_rate())); }
};

TEST_F(CommandSchedule,
       a_far_future_flood_is_rejected_beyond_its_room_and_a_bundle_due_soon_still_lands_exactly) {
    render(64);
    messages(a_);
    // 10,000 notes scheduled 5 to 55 s ahead, sent 100 at a time with a block between (so the queue to
    // the audio thread never overflows: every refusal here is the schedule's).
    std::vector<std::string> answers;
    for (int i = 0; i < 10000; ++i) {
        const Frame at = rendered_ + seconds(5.0) + i * 240;
        send_at(timed(at, {OscOut("/note/on").h(1).i(60 + i % 12).bytes()}), a_, rendered_);
        if (i % 100 == 99) {
            render(64);
            for (auto& m : messages(a_)) answers.push_back(std::move(m));
        }
    }
    render(64);
    for (auto& m : messages(a_)) answers.push_back(std::move(m));
    const std::string full = "/error ,ss \"/note/on\" \"the engine's schedule is full";
    EXPECT_EQ(count_starting(answers, full), 10000u - 4096u) << "each command that did not fit is told";
    EXPECT_EQ(answers.size(), 10000u - 4096u)
        << "and nothing else answered yet: the rest wait for their frame";
    EXPECT_EQ(host_.status().late_commands, 0u);

    // A bundle due 100 ms from now lands on its frame: its room is not the flood's.
    const Frame soon = rendered_ + seconds(0.1) + 17;
    send_at(timed(soon, {OscOut("/note/on").h(1).i(72).bytes()}), a_, rendered_);
    const Frame silent_until = rendered_;
    render(seconds(0.2));
    const auto replies = messages(a_);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0], "/reply ,shi \"/note/on\" " + std::to_string(soon) + " 0");
    EXPECT_TRUE(starts_on(silent_until, soon)) << "the note sounds on the frame the reply names";

    // /panic cancels every waiting note, each sender told; afterwards nothing is degraded.
    send_at(OscOut("/panic").bytes(), a_, rendered_);
    render(seconds(0.1));
    EXPECT_EQ(host_.status().cancelled_commands, 4096u);
    EXPECT_EQ(host_.status().rejected_commands, 10000u - 4096u);
    const auto after_panic = messages(a_);
    const std::string cancelled = "/error ,ss \"/note/on\" \"cancelled before its frame by /panic\"";
    EXPECT_EQ(count_starting(after_panic, cancelled) + count_starting(after_panic, "/reply ,shi \"/panic\""),
              after_panic.size());
    if (a_.receive_buffer() >= (8 << 20)) {  // room for all 4097 answers sent at once (as root)
        EXPECT_EQ(count_starting(after_panic, cancelled), 4096u);
        EXPECT_EQ(count_starting(after_panic, "/reply ,shi \"/panic\""), 1u);
    }
    const Frame next = rendered_ + seconds(0.05) + 3;
    send_at(timed(next, {OscOut("/note/on").h(2).i(40).bytes()}), a_, rendered_);
    render(seconds(0.1));
    EXPECT_EQ(messages(a_),
              std::vector<std::string>{"/reply ,shi \"/note/on\" " + std::to_string(next) + " 0"});
    EXPECT_EQ(host_.status().late_commands, 0u);
}

TEST_F(CommandSchedule, timetags_beyond_the_horizon_are_refused_and_say_how_far) {
    render(64);
    messages(a_);
    send_at(timed(rendered_ + seconds(61), {OscOut("/note/on").h(1).i(60).bytes()}), a_, rendered_);
    EXPECT_EQ(messages(a_),
              std::vector<std::string>{
                  "/error ,ss \"/note/on\" \"timetag is 61.0 s ahead: the engine holds commands at "
                  "most 60 s ahead (docs/protocol.md)\""});
    // Edits are heard in order (a later batch waits for an earlier one's frame): 1 s at most.
    const std::uint64_t revision = host_.editor().revision();
    send_at(
        timed(rendered_ + seconds(2.5), {OscOut("/note/add").h(1).h(5).d(0.0).d(1.0).i(60).i(100).bytes()}),
        a_, rendered_);
    EXPECT_EQ(messages(a_),
              std::vector<std::string>{
                  "/error ,ss \"/note/add\" \"timetag is 2.5 s ahead: edits are heard in order, so a "
                  "batch may be timestamped at most 1 s ahead (docs/protocol.md)\""});
    EXPECT_EQ(host_.editor().revision(), revision);
    // Within the horizon both are taken.
    send_at(timed(rendered_ + seconds(59), {OscOut("/note/on").h(1).i(60).bytes()}), a_, rendered_);
    send_at(
        timed(rendered_ + seconds(0.5), {OscOut("/note/add").h(1).h(5).d(0.0).d(1.0).i(60).i(100).bytes()}),
        a_, rendered_);
    EXPECT_EQ(messages(a_), std::vector<std::string>{"/reply ,shi \"/note/add\" 2 1"});
}

TEST_F(CommandSchedule, a_load_cancels_the_commands_waiting_for_their_frame) {
    render(64);
    messages(a_);
    for (int i = 0; i < 3; ++i)
        send_at(timed(rendered_ + seconds(2 + i), {OscOut("/track/level").h(2).d(0.25).bytes()}), a_,
                rendered_);
    render(64);
    EXPECT_TRUE(messages(a_).empty());
    load(kDocument);
    render(64);
    EXPECT_EQ(messages(a_), std::vector<std::string>(
                                3, "/error ,ss \"/track/level\" \"cancelled before its frame by a /load\""));
    render(seconds(3.5));
    EXPECT_TRUE(messages(a_).empty()) << "a cancelled command never applies later";
}

// OSC 1.0: the messages of a bundle take effect atomically. Sent at every offset within a block,
// an untimestamped bundle of an edit, a loop, a play and a mixer change reports one frame for all,
// and the note the edit adds sounds on that frame.
TEST_F(CommandSchedule, every_message_of_one_bundle_takes_effect_on_the_same_frame) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    render(64);
    messages(a_);
    messages(b_);
    for (int round = 0; round < 12; ++round) {
        const Frame sent = rendered_ + round * 11 % 64;
        const NoteId id = 100 + round;
        send_at(osc_bundle({OscOut("/note/add").h(1).h(id).d(0.0).d(0.25).i(60 + round).i(100).bytes(),
                            OscOut("/loop").i(1).d(0.0).d(8.0).bytes(), OscOut("/play").d(0.0).bytes(),
                            OscOut("/track/level").h(1).d(0.9).bytes()}),
                a_, sent);
        const Frame before = rendered_;
        render(4096);
        std::map<std::string, Frame> frames;
        for (const OscPacket& p : a_.receive(5))
            for (const OscMessage& m : p.messages)
                if (m.address == "/reply" && m.args.size() >= 2 && m.args[0].s != "/note/add")
                    frames[m.args[0].s] = m.args[1].i;
        Frame applied = -1;
        for (const OscPacket& p : b_.receive(5))
            for (const OscMessage& m : p.messages)
                if (m.address == "/applied" && m.args[0].i == std::int64_t(host_.editor().revision()))
                    applied = m.args[1].i;
        ASSERT_EQ(frames.size(), 3u) << "round " << round;
        EXPECT_EQ(frames["/loop"], applied) << "round " << round;
        EXPECT_EQ(frames["/play"], applied) << "round " << round;
        EXPECT_EQ(frames["/track/level"], applied) << "round " << round;
        EXPECT_GE(applied, before);
        EXPECT_TRUE(starts_on(before, applied))
            << "the added note sounds from the bundle's frame, round " << round;
        send_at(OscOut("/stop").bytes(), a_, rendered_);
        render(4096 * 3);  // the note's release fades out
        messages(a_);
        messages(b_);
    }
}

TEST_F(CommandSchedule,
       a_timestamped_bundle_switches_its_edit_on_its_timetag_frame_and_tells_the_subscribers) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    render(64);
    messages(b_);
    const Frame at = rendered_ + 1000 + 7;
    send_at(timed(at, {OscOut("/note/add").h(1).h(9).d(0.0).d(1.0).i(64).i(100).bytes(),
                       OscOut("/play").d(0.0).bytes()}),
            a_, rendered_);
    render(2048);
    const auto pushed = messages(b_);
    EXPECT_EQ(count_starting(pushed, "/applied ,hh " + std::to_string(host_.editor().revision()) + " " +
                                         std::to_string(at)),
              1u);
    EXPECT_TRUE(starts_on(0, at));
}

}  // namespace
}  // namespace tactus
