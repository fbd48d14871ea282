// A locate or loop wrap chases the controllers: each track gets, per controller, its last event before
// the new position (in score order: a bank select before the program it selects), and the reset value
// of a controller it moves only later, so that a program change before the start point is heard and a
// sustain pedal pressed late in a loop is up again at its start.
#include "engine/controller_chase.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/render_helpers.h"
#include "support/score_builder.h"
#include "support/test_soundfont.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

struct Sent {
    std::uint32_t slot;
    ControllerEvent event;
};

std::vector<Sent> chased(const ControllerChase& chase, Frame frame) {
    std::vector<Sent> sent;
    chase.for_each_at(frame, [&](std::uint32_t slot, const ControllerEvent& e) {
        sent.push_back({slot, e});
    });
    return sent;
}

TEST(ControllerChase, the_last_event_of_each_controller_before_the_frame_in_score_order) {
    const std::vector<ControllerEvent> events = {
        {0, ControllerKind::ControlChange, 0, 8},    {0, ControllerKind::ProgramChange, 5, 0},
        {0, ControllerKind::ControlChange, 64, 127}, {0, ControllerKind::PitchBend, 0, 0.5},
        {0, ControllerKind::ControlChange, 64, 0},   {0, ControllerKind::ControlChange, 7, 80}};
    const std::vector<Frame> frames = {40, 50, 100, 150, 200, 300};
    ControllerChase chase;
    chase.add_track(3, 2, events, frames);
    const auto at160 = chased(chase, 160);
    // CC7 is moved only later: its reset value; then bank, program, pedal down, bend, in score order.
    ASSERT_EQ(at160.size(), 5u);
    EXPECT_EQ(at160[0].event, (ControllerEvent{0, ControllerKind::ControlChange, 7, 100}));
    EXPECT_EQ(at160[1].event, events[0]);
    EXPECT_EQ(at160[2].event, events[1]);
    EXPECT_EQ(at160[3].event, events[2]);
    EXPECT_EQ(at160[4].event, events[3]);
    for (const Sent& s : at160) EXPECT_EQ(s.slot, 3u);
    // At the start: every controller the track moves goes back to its reset (the program to the track's).
    const auto at0 = chased(chase, 0);
    ASSERT_EQ(at0.size(), 5u);
    EXPECT_EQ(at0[0].event, (ControllerEvent{0, ControllerKind::ControlChange, 0, 0}));
    EXPECT_EQ(at0[1].event, (ControllerEvent{0, ControllerKind::ControlChange, 7, 100}));
    EXPECT_EQ(at0[2].event, (ControllerEvent{0, ControllerKind::ControlChange, 64, 0}));
    EXPECT_EQ(at0[3].event, (ControllerEvent{0, ControllerKind::ProgramChange, 2, 0}));
    EXPECT_EQ(at0[4].event, (ControllerEvent{0, ControllerKind::PitchBend, 0, 0}));
    // An event exactly at the frame is the block's own event, not chased.
    const auto at100 = chased(chase, 100);
    ASSERT_EQ(at100.size(), 5u);
    EXPECT_EQ(at100[1].event, (ControllerEvent{0, ControllerKind::ControlChange, 64, 0}));
}

TEST(ControllerChase, channel_mode_messages_and_data_entry_are_never_reset) {
    const std::vector<ControllerEvent> events = {{0, ControllerKind::ControlChange, 121, 0},
                                                 {0, ControllerKind::ControlChange, 101, 0},
                                                 {0, ControllerKind::ControlChange, 6, 12}};
    ControllerChase chase;
    chase.add_track(0, 0, events, std::vector<Frame>{10, 20, 30});
    EXPECT_TRUE(chased(chase, 0).empty());
    EXPECT_EQ(chased(chase, 31).size(), 3u) << "what came before is chased as it came";
}

class ChaseOnSoundFont : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-chase-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        font_ = test::write_test_soundfont(dir_ / "test.sf2");
    }
    void TearDown() override { fs::remove_all(dir_); }

    Document song(std::vector<Note> notes, std::vector<ControllerEvent> controllers) {
        Document doc;
        doc.tempo = test::tempo_map({{0, 120, false}});  // a beat is 24,000 frames
        Track t = test::track(1, "Left", std::move(notes));
        t.instrument = "soundfont";
        t.soundfont = font_;
        t.controllers = std::move(controllers);
        doc.tracks.push_back(t);
        return doc;
    }
    static double energy(const std::vector<float>& x, std::size_t from, std::size_t to) {
        double sum = 0;
        for (std::size_t i = from; i < to && i < x.size(); ++i) sum += double(x[i]) * x[i];
        return sum;
    }

    fs::path dir_;
    std::string font_;
};

TEST_F(ChaseOnSoundFont, playing_from_after_a_program_change_plays_the_new_program) {
    // Program 1 (right) from beat 2; play from beat 3: the note at beat 3.5 is on the right.
    test::SequencerRig rig(song({test::note(1, 3.5, 0.5)}, {{2.0, ControllerKind::ProgramChange, 1, 0}}),
                           48000);
    rig.sequencer.play(0, 3 * 24000);
    test::StereoAudio out;
    rig.render(48000, 128, out);
    EXPECT_GT(energy(out.right, 12000, 24000), 1.0);
    EXPECT_EQ(energy(out.left, 0, 48000), 0.0);
}

TEST_F(ChaseOnSoundFont, a_loop_wrap_lifts_a_sustain_pedal_pressed_late_in_the_loop) {
    // Loop beats [0, 4): a short note at beat 0.5, the pedal pressed at beat 3 and never lifted.
    test::SequencerRig rig(song({test::note(1, 0.5, 0.25)}, {{3.0, ControllerKind::ControlChange, 64, 127}}),
                           48000);
    rig.sequencer.set_loop({true, 0, 4 * 24000});
    rig.sequencer.play(0, 0);
    test::StereoAudio out;
    rig.render(2 * 4 * 24000, 128, out);
    // Second pass: the note ends at beat 0.75 and its 1 ms release is long over by beat 2.
    const std::size_t pass = 4 * 24000;
    EXPECT_GT(energy(out.left, pass + 12000, pass + 18000), 1.0);
    EXPECT_EQ(energy(out.left, pass + 48000, pass + 72000), 0.0) << "held by a pedal the loop's start lifts";
}

}  // namespace
}  // namespace tactus
