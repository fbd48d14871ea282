// Live edits that place notes, heard through JACK (docs/protocol.md, "Editing the document (live,
// while it plays)"): tactusd plays while the test edits its document over TCP, and what was heard is
// checked against the test's own reading of the timing model (live_edit_fixture.h):
//
// - a note added 200 ms ahead of the play position starts on its exact frame (0 samples);
// - a note moved to another beat still ahead starts on its new frame, and nothing sounds at its old one.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "live_edit_fixture.h"
#include "support/judged_rounds.h"

namespace tactus::test {
namespace {

// ------------------------------------------------------------------------------------------------
// A note added 200 ms ahead sounds on its exact frame

TEST_F(LiveEditJackTest, a_note_added_over_tcp_200ms_ahead_sounds_on_its_exact_frame) {
    const Document doc = click_document(8);
    const std::string path = save_temp(doc, "live-add");
    // Rounds (a fresh engine each) until two added notes were judged (in time, and heard), at most 4.
    JudgedRounds rounds("added notes", 2, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 8.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;
        const ReferenceTiming ref({{0, 120, false}});

        std::vector<ExpectedOnset> expected = plain_onsets(doc, play);
        std::vector<double> avoid;
        for (const Note& n : doc.tracks[0].notes) avoid.push_back(n.start);
        std::vector<JackFrame> tolerated;
        int in_time = 0;
        std::int64_t revision = 0;
        // Three notes, each added 200 ms ahead of the position heard when it is sent, about a second apart.
        for (int k = 0; k < 3; ++k) {
            std::this_thread::sleep_for(k == 0 ? 600ms : 900ms);
            // The play position, from /status (exact at the block start it reports) ...
            const auto status = full_status(tcp_);
            ASSERT_TRUE(status && status->playing);
            // (The simplest beat on that frame: within half a frame of the exact one, protocol.md.)
            EXPECT_NEAR(status->beat, double((status->frame - play) * kBeatsPerFrame120),
                        0.5 * double(kBeatsPerFrame120) + 1e-9)
                << "/status beat is not the beat of its frame";
            // ... and now, from JACK's clock: the note goes 200 ms (9600 frames) ahead of it.
            const JackFrame sent_at = jack_now();
            const double beat = odd_grid_beat_from((sent_at - play + 9600) * kBeatsPerFrame120, avoid);
            avoid.push_back(beat);
            const NoteId id = 1000 + NoteId(k);
            const JackFrame frame = play + ref.frame_at(beat, kRate);
            const auto reply = tcp_edit(
                "/note/add", osc().i(1).h(std::int64_t(id)).d(beat).d(1.0 / 16).i(60 + 3 * k).i(110));
            const JackFrame replied_at = jack_now();
            ASSERT_TRUE(reply);
            ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/add\" " + std::to_string(++revision) + " 1");
            report("note_" + std::to_string(k) + "_lead_ms_at_send", (frame - sent_at) * 1000 / kRate);
            report("note_" + std::to_string(k) + "_reply_ms", (replied_at - sent_at) * 1000 / kRate);
            ExpectedOnset e{doc.tracks[0].notes.size() + std::size_t(k), beat, frame - play, frame,
                            "added note " + std::to_string(id)};
            if (replied_at + 2 * kPeriod < frame) {
                ++in_time;
                expected.push_back(e);
            } else {
                // The machine stalled: the edit's reply came after the note was due. Not judged.
                tolerated.push_back(frame);
                report("note_" + std::to_string(k) + "_not_judged", "reply came after its frame");
            }
        }

        const JackFrame end = play + ref.frame_at(8.0, kRate);
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s));
        recorder->stop();
        const Judgement j = judge_onsets(*recorder, expected, play - 4 * kPeriod, end, tolerated);
        for (const std::string& f : j.failures) ADD_FAILURE() << f;
        EXPECT_EQ(j.max_error, 0);
        int added_judged = 0;
        for (const ExpectedOnset& e : expected)
            if (e.what.rfind("added", 0) == 0 && recorder->recorded(e.frame - 64, e.frame + 1))
                ++added_judged;
        rounds.add_round(added_judged, 3 - added_judged);
        report("notes_judged", j.judged);
        report("notes_lost_to_xruns", j.lost);
        report("recorder_gaps", std::int64_t(recorder->gaps().size()));
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// A note moved ahead lands on its new frame; nothing sounds at its old one

TEST_F(LiveEditJackTest, a_note_moved_ahead_lands_on_its_new_frame_and_not_on_its_old_one) {
    // Two rounds, at beats 2 and 6: in each, note A (0.3 s ahead) moves later, note B (0.75 s ahead)
    // moves earlier, to 200 ms ahead, in one /note/move of two groups.
    std::vector<Note> movable;
    for (int round = 0; round < 2; ++round) {
        const double base = 2.0 + 4.0 * round;
        movable.push_back(note(NoteId(100 + 2 * round), base + 77.0 / 128, 1.0 / 16, 64));
        movable.push_back(note(NoteId(101 + 2 * round), base + 193.0 / 128, 1.0 / 16, 67));
    }
    const Document doc = click_document(11, movable);
    const std::string path = save_temp(doc, "live-move");
    // Rounds (a fresh engine each) until two moved notes were judged (their edit in time, their frames
    // heard), at most 4.
    JudgedRounds rounds("moved notes", 2, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 9.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;
        const ReferenceTiming ref({{0, 120, false}});
        const auto frame_of = [&](double beat) { return play + ref.frame_at(beat, kRate); };

        // Expected: every click that is not moved, plus the moved ones at their new beats.
        std::vector<ExpectedOnset> expected;
        std::vector<double> avoid;
        for (const ExpectedOnset& e : plain_onsets(doc, play)) {
            avoid.push_back(e.beat);
            if (e.what != "note 100" && e.what != "note 101" && e.what != "note 102" && e.what != "note 103")
                expected.push_back(e);
        }
        std::vector<JackFrame> old_frames, tolerated;
        int conclusive = 0;
        std::int64_t revision = 0;
        for (int round = 0; round < 2; ++round) {
            const double base = 2.0 + 4.0 * round;
            const NoteId a = NoteId(100 + 2 * round), b = NoteId(101 + 2 * round);
            const double old_a = base + 77.0 / 128, old_b = base + 193.0 / 128;
            // Wait for the position to reach the round's beat.
            while (jack_now() < frame_of(base)) std::this_thread::sleep_for(2ms);
            const JackFrame sent_at = jack_now();
            const long double position = (sent_at - play) * kBeatsPerFrame120;
            const double new_b = odd_grid_beat_from(position + 0.4L, avoid);  // 200 ms ahead
            avoid.push_back(new_b);
            const double new_a = odd_grid_beat_from(position + 1.9L, avoid);  // 950 ms ahead
            avoid.push_back(new_a);
            const auto reply =
                tcp_edit("/note/move", osc().h(std::int64_t(a)).d(new_a).h(std::int64_t(b)).d(new_b));
            const JackFrame replied_at = jack_now();
            ASSERT_TRUE(reply);
            ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/move\" " + std::to_string(++revision) + " 2");
            report("round_" + std::to_string(round) + "_reply_ms", (replied_at - sent_at) * 1000 / kRate);
            const JackFrame first_due = std::min({frame_of(old_a), frame_of(new_b)});
            const std::vector<ExpectedOnset> moved = {{0, new_a, frame_of(new_a) - play, frame_of(new_a),
                                                       "note " + std::to_string(a) + " moved later"},
                                                      {0, new_b, frame_of(new_b) - play, frame_of(new_b),
                                                       "note " + std::to_string(b) + " moved earlier"}};
            if (replied_at + 2 * kPeriod < first_due) {
                ++conclusive;
                expected.insert(expected.end(), moved.begin(), moved.end());
                old_frames.push_back(frame_of(old_a));
                old_frames.push_back(frame_of(old_b));
            } else {
                report("round_" + std::to_string(round) + "_not_judged",
                       "reply came after a frame it changes");
                for (double beat : {old_a, old_b, new_a, new_b}) tolerated.push_back(frame_of(beat));
            }
        }

        const JackFrame end = frame_of(11.0);
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s));
        recorder->stop();
        const Judgement j = judge_onsets(*recorder, expected, play - 4 * kPeriod, end, tolerated);
        for (const std::string& f : j.failures) ADD_FAILURE() << f;
        EXPECT_EQ(j.max_error, 0);
        // Nothing at all around the old frames: exact silence from 64 frames before to 30 ms after.
        for (JackFrame old : old_frames) {
            if (!recorder->recorded(old - 64, old + 1440)) continue;
            for (JackFrame f = old - 64; f < old + 1440; ++f)
                if (*recorder->sample_at(0, f) != 0.0f) {
                    ADD_FAILURE() << "sound at JACK frame " << f << ", near the old frame " << old
                                  << " of a moved note";
                    break;
                }
        }
        // Judged: the moved notes of edit rounds in time whose new frames were heard.
        int moved_judged = 0;
        for (const ExpectedOnset& e : expected)
            if (e.what.find("moved") != std::string::npos && recorder->recorded(e.frame - 64, e.frame + 1))
                ++moved_judged;
        rounds.add_round(moved_judged, 4 - moved_judged);
        report("notes_judged", j.judged);
        report("notes_lost_to_xruns", j.lost);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
