// The promise of Tactus, end to end: tactusd plays a score through a real JACK server, and every
// note the score puts at beat b starts on JACK frame play_frame + floor(seconds(b) * rate + 0.5),
// exactly, where play_frame is the frame /play reports. Judged on every note whose frame was heard
// (not in, or right after, a cycle lost to an xrun); the lost ones are counted and reported, and the
// run is repeated with a fresh engine until 90% of the notes were heard in some run (at most 3).
#include <gtest/gtest.h>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

TEST_F(TactusdJackTest, onsets_through_jack_land_on_their_frames) {
    const Document doc = click_score();
    ASSERT_GE(doc.note_count(), 150u);
    const int half_frames = half_frame_notes(doc, kClickTempo, kRate);
    EXPECT_GE(half_frames, 20) << "too few notes on exact .5 frame positions";
    const std::string path = save_temp(doc, "click");

    // Rounds (each with a fresh engine) until 90% of the notes were observable in some round, at
    // most 3: every note observed in any round must be exact.
    const std::size_t notes = doc.tracks.at(0).notes.size();
    HeardNotes heard(notes);
    JudgedRounds rounds("notes", static_cast<std::int64_t>(notes) * 9 / 10, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        if (rounds.rounds() > 0) {
            ASSERT_TRUE(restart_tactusd());
        }
        ASSERT_TRUE(load(path));
        JackRecorder* recorder = start_recorder(32.0);
        ASSERT_NE(recorder, nullptr);
        const JackFrame recording_from = recorder->recorded_until();
        std::this_thread::sleep_for(100ms);  // the connections take effect
        const auto status_before = status();
        const auto play = play_from(0.0);
        ASSERT_TRUE(play.has_value());
        ASSERT_GT(*play, recording_from);

        const std::vector<ExpectedOnset> expected = expected_onsets(doc, kClickTempo, *play, kRate);
        const JackFrame end = expected.back().frame + kRate / 2;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 120s))
            << "the recorder reached only frame " << recorder->recorded_until() << ", expected " << end;
        const auto status_after = status();
        recorder->stop();

        const OnsetCheck check = check_onsets(*recorder, expected, *play, *play - 4 * kPeriod, end);
        expect_exact_onsets(check);
        heard.add(check);

        // Hard left: the right channel carries nothing.
        std::int64_t right_non_zero = 0;
        for (JackFrame f = *play; f < end; ++f)
            if (auto s = recorder->sample_at(1, f); s && *s != 0.0f) ++right_non_zero;
        EXPECT_EQ(right_non_zero, 0) << "non-zero samples on the right channel of a hard-left track";

        rounds.add_round(check.observable, check.unobservable);
        rounds.set_judged_total(heard.count());
        report("max_onset_error_samples", check.max_error);
        report("recorder_gaps", static_cast<std::int64_t>(recorder->gaps().size()));
        report("recorder_xruns", recorder->xruns());
        if (status_before && status_after)
            report("tactusd_xruns_during_play", status_after->xruns - status_before->xruns);
    }
    report("notes", static_cast<std::int64_t>(notes));
    report("notes_on_half_frames", half_frames);
    report("notes_observed_in_some_round", heard.count());
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
