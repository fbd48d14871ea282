// tactusd --workers 2 through a real JACK server: the tracks' instruments render on the audio thread
// and a realtime helper at once, and the timing promise holds all the same. The click score plays hard
// left while three dense tracks play hard right, so every cycle with a click has several instruments
// to share out; every click observed must start on its exact frame. Where the realtime checker is
// built (tactusd_rtcheck), the helper's share runs under the audio thread's rules too: an allocation,
// free or lock there aborts tactusd and the test fails. Rounds as in onsets_through_jack.
#include <gtest/gtest.h>

#include <cstdlib>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

class TactusdWorkersJackTest : public TactusdJackTest {
protected:
    TactusdWorkersJackTest() { tactusd_extra_args_ = {"--workers", "2"}; }
};

// The click score and, hard right, three tracks of overlapping chords across its whole length.
Document click_score_with_dense_tracks() {
    Document doc = click_score();
    NoteId id = 100000;
    for (TrackId t = 2; t <= 4; ++t) {
        std::vector<Note> notes;
        for (int beat = 0; beat < int(kClickScoreBeats); ++beat)
            for (int voice = 0; voice < 6; ++voice)
                notes.push_back(note(id++, beat + voice / 12.0, 1.25, 48 + 7 * int(t) + voice * 3, 70));
        doc.tracks.push_back(track(t, t == 3 ? "saw" : "sine", notes, 1.0));
    }
    return doc;
}

bool jack_without_realtime() {
    const char* no_rt = std::getenv("TACTUS_TEST_JACK_NO_REALTIME");
    return no_rt && *no_rt && *no_rt != '0';
}

TEST_F(TactusdWorkersJackTest, onsets_stay_exact_with_a_realtime_helper_rendering_tracks) {
    if (jack_without_realtime())
        GTEST_SKIP() << "helpers need realtime scheduling (TACTUS_TEST_JACK_NO_REALTIME)";
    const Document doc = click_score_with_dense_tracks();
    const std::string path = save_temp(doc, "workers");

    const std::size_t notes = doc.tracks.at(0).notes.size();
    HeardNotes heard(notes);
    JudgedRounds rounds("notes", static_cast<std::int64_t>(notes) * 9 / 10, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 32.0);
        ASSERT_TRUE(started);
        // The helper exists: tactusd says how many threads render (or why only one would).
        ASSERT_NE(tactusd_->log().find("2 threads render the instruments"), std::string::npos)
            << tactusd_->log();
        JackRecorder* recorder = started->recorder;
        const std::optional<JackFrame> play = started->play;

        const std::vector<ExpectedOnset> expected = expected_onsets(doc, kClickTempo, *play, kRate);
        const JackFrame end = expected.back().frame + kRate / 2;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 120s))
            << "the recorder reached only frame " << recorder->recorded_until() << ", expected " << end;
        recorder->stop();

        const OnsetCheck check = check_onsets(*recorder, expected, *play, *play - 4 * kPeriod, end);
        expect_exact_onsets(check);
        heard.add(check);

        // The dense tracks played (on the right, where the clicks are not).
        std::int64_t right_sounding = 0;
        for (JackFrame f = *play; f < end; ++f)
            if (auto s = recorder->sample_at(1, f); s && *s != 0.0f) ++right_sounding;
        EXPECT_GT(right_sounding, (end - *play) / 2) << "the dense tracks were not heard on the right";

        rounds.add_round(check.observable, check.unobservable);
        rounds.set_judged_total(heard.count());
        report("max_onset_error_samples", check.max_error);
        report("recorder_xruns", recorder->xruns());
    }
    report("notes_observed_in_some_round", heard.count());
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
