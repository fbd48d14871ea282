// timing.md: "An xrun loses audio but never shifts time: the transport follows the device's frame
// clock." Provoked for real: tactusd is frozen (SIGSTOP) for ~150 ms while it plays, just before a
// note is due. The JACK server keeps its clock running and skips the frozen client, so the cycles of
// the freeze are lost (the recorder, fed by tactusd, sees a gap in frame time). After SIGCONT, every
// later note must still start exactly on play_frame + its score frame, the notes due in the freeze
// must not be played late (no catching up), and nothing may start where no note is due. Rounds are
// repeated (fresh engine) when the freeze came too late or too few later notes were heard.
#include <gtest/gtest.h>
#include <signal.h>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

TEST_F(TactusdJackTest, an_xrun_loses_audio_but_never_shifts_time) {
    const Document doc = click_score();
    const std::string path = save_temp(doc, "click");
    // Rounds (a fresh engine each) until 90% of the notes after the freeze were heard in all, at most 3.
    // A round whose freeze came too late (the test thread was not scheduled in time) judges nothing.
    JudgedRounds rounds("notes after the freeze", 0, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        if (rounds.rounds() > 0) {
            ASSERT_TRUE(restart_tactusd());
        }
        ASSERT_TRUE(load(path));
        JackRecorder* recorder = start_recorder(20.0);
        ASSERT_NE(recorder, nullptr);
        std::this_thread::sleep_for(100ms);
        const auto before = status();
        const auto play = play_from(0.0);
        ASSERT_TRUE(play.has_value());
        const std::vector<ExpectedOnset> expected = expected_onsets(doc, kClickTempo, *play, kRate);

        // The victim: a note 3..8 s in with at least 110 ms of silence before it, so that when the freeze
        // starts 50 ms before it, no click is sounding (each decays to silence within 30 ms).
        std::size_t victim = 0;
        for (std::size_t i = 1; i < expected.size() && victim == 0; ++i) {
            const std::int64_t s = expected[i].score_frame;
            if (s > 3 * kRate && s < 8 * kRate &&
                expected[i].frame - expected[i - 1].frame >= kRate * 110 / 1000)
                victim = i;
        }
        ASSERT_NE(victim, 0u) << "the score has no note 3..8 s in with 110 ms of silence before it";
        const JackFrame freeze_at = expected[victim].frame - kRate / 20;
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (recorder->recorded_until() < freeze_at) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline)
                << "the recorder stalled before frame " << freeze_at;
            std::this_thread::sleep_for(1ms);
        }
        ASSERT_TRUE(tactusd_->suspend());
        std::this_thread::sleep_for(150ms);
        // The recorder is fed by tactusd: it stopped where tactusd stopped.
        const JackFrame frozen_from = recorder->recorded_until();
        ASSERT_TRUE(tactusd_->resume());
        if (frozen_from >= expected[victim].frame) {
            report("round_" + std::to_string(rounds.rounds() + 1) + "_not_judged",
                   "the freeze began after note " + std::to_string(victim) + " was due (a busy machine)");
            rounds.add_round(0, 0);
            continue;
        }

        const JackFrame end = *play + 12 * kRate;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 120s))
            << "the recorder reached only frame " << recorder->recorded_until() << ", expected " << end;
        const auto after = status();
        recorder->stop();

        // The freeze really lost cycles: a gap in the frame times of tactusd's output, covering the note
        // that was due in it.
        std::pair<JackFrame, JackFrame> freeze_gap{0, 0};
        for (const auto& gap : recorder->gaps())
            if (gap.second > frozen_from && gap.first <= expected[victim].frame + kRate / 10 &&
                gap.second - gap.first > freeze_gap.second - freeze_gap.first)
                freeze_gap = gap;
        const JackFrame gap_frames = freeze_gap.second - freeze_gap.first;
        ASSERT_GE(gap_frames, kRate / 10)
            << "a 150 ms freeze of tactusd from JACK frame " << frozen_from
            << " must lose at least 100 ms of cycles; the largest gap found there is " << gap_frames
            << " frames";
        std::vector<std::size_t> due_in_freeze;
        for (const ExpectedOnset& e : expected)
            if (e.frame >= freeze_gap.first && e.frame < freeze_gap.second) due_in_freeze.push_back(e.index);
        EXPECT_FALSE(recorder->sample_at(0, expected[victim].frame).has_value())
            << "note " << victim << " (beat " << expected[victim].beat << ", JACK frame "
            << expected[victim].frame
            << ") was due in the freeze, yet the recorder heard its frame; the gap is [" << freeze_gap.first
            << ", " << freeze_gap.second << ")";
        EXPECT_FALSE(due_in_freeze.empty())
            << "no note was due in the lost cycles [" << freeze_gap.first << ", " << freeze_gap.second << ")";

        // No catching up: after the gap, the first sound is the first note due after it, on its frame.
        const auto first_after = std::find_if(expected.begin(), expected.end(), [&](const ExpectedOnset& e) {
            return e.frame >= freeze_gap.second;
        });
        ASSERT_NE(first_after, expected.end());
        // (Judged when every frame from the gap's end to that note was heard: another xrun there
        // would hide it.)
        if (recorder->recorded(freeze_gap.second, first_after->frame + 1)) {
            JackFrame first_sound = -1;
            for (JackFrame f = freeze_gap.second; f <= first_after->frame && first_sound < 0; ++f)
                if (auto s = recorder->sample_at(0, f); s && *s != 0.0f) first_sound = f;
            EXPECT_EQ(first_sound, first_after->frame)
                << "after the freeze (JACK frames " << freeze_gap.first << ".." << freeze_gap.second
                << " lost), the first sound must be note " << first_after->index << " (beat "
                << first_after->beat << ") on frame " << first_after->frame << "; found sound first at "
                << first_sound << " (notes due in the freeze must be lost, not played late)";
        }

        // Every note heard after the freeze is exactly on its frame; nothing starts anywhere else.
        const OnsetCheck later = check_onsets(*recorder, expected, *play, freeze_gap.second, end);
        for (const std::string& failure : later.failures) ADD_FAILURE() << "after the freeze: " << failure;
        EXPECT_EQ(later.max_error, 0) << "largest onset error after the freeze, in samples";
        rounds.set_wanted(std::int64_t(later.observable + later.unobservable) * 9 / 10);
        rounds.add_round(later.observable, later.unobservable);
        const OnsetCheck earlier =
            check_onsets(*recorder, expected, *play, *play - 4 * kPeriod, freeze_gap.first);
        for (const std::string& failure : earlier.failures) ADD_FAILURE() << "before the freeze: " << failure;

        // JACK told tactusd about it (its xrun callback; /status "xruns").
        ASSERT_TRUE(before && after);
        EXPECT_GT(after->xruns, before->xruns) << "tactusd's /status reports no xrun for a 150 ms freeze";

        report("freeze_gap_frames", gap_frames);
        report("notes_due_in_freeze", static_cast<std::int64_t>(due_in_freeze.size()));
        report("observable_notes_after_freeze", later.observable);
        report("unobservable_notes_after_freeze", later.unobservable);
        report("max_onset_error_after_freeze_samples", later.max_error);
        report("tactusd_xruns", after->xruns - before->xruns);
        report("recorder_xruns", recorder->xruns());
        report("recorder_gaps", static_cast<std::int64_t>(recorder->gaps().size()));
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
