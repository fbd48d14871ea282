// A Csound track live through JACK, with tactusd's realtime checker linked in (tactusd_rtcheck: any
// allocation or lock on the audio thread aborts it, apart from Csound's API lock, private to the audio
// thread). The click score's notes on an instantaneous-attack orchestra at ksmps 64: every note whose
// frame was heard starts on JACK frame play_frame + floor(seconds(b) * rate + 0.5), exactly, as the
// built-in synth's do (onsets_through_jack.test.cpp). Rounds are repeated with a fresh engine until
// 90% of the notes were heard in some round (at most 3).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

TEST_F(TactusdJackTest, a_csound_track_plays_every_note_on_its_frame_through_jack) {
    Document doc = click_score();
    const std::string orchestra =
        (std::filesystem::temp_directory_path() / ("instant-" + server_->name() + ".orc")).string();
    std::ofstream(orchestra)
        << "ksmps = 64\nnchnls = 2\n0dbfs = 1\ninstr 1\n  a1 = 0.5\n  outs a1, a1\nendin\n";
    temp_files_.push_back(orchestra);
    Track& track = doc.tracks.at(0);
    track.instrument = "csound";
    track.orchestra = orchestra;
    track.csound_instrument = "1";
    // The orchestra sounds for all of a note (the click decays on its own): no note may reach the next.
    for (Note& n : track.notes) n.length = std::min(n.length, 1.0 / 16);
    const std::string path = save_temp(doc, "csound-click");

    const std::size_t notes = track.notes.size();
    HeardNotes heard(notes);
    JudgedRounds rounds("notes", static_cast<std::int64_t>(notes) * 9 / 10, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 32.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::optional<JackFrame> play = started->play;

        const std::vector<ExpectedOnset> expected = expected_onsets(doc, kClickTempo, *play, kRate);
        const JackFrame end = expected.back().frame + kRate / 2;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 120s))
            << "the recorder reached only frame " << recorder->recorded_until() << ", expected " << end;
        recorder->stop();
        ASSERT_TRUE(tactusd_->running()) << "tactusd stopped (the realtime checker?):\n" << tactusd_->log();

        const OnsetCheck check = check_onsets(*recorder, expected, *play, *play - 4 * kPeriod, end);
        expect_exact_onsets(check);
        heard.add(check);
        rounds.add_round(check.observable, check.unobservable);
        rounds.set_judged_total(heard.count());
        report("max_onset_error_samples", check.max_error);
        report("recorder_xruns", recorder->xruns());
    }
    report("notes", static_cast<std::int64_t>(notes));
    report("notes_observed_in_some_round", heard.count());
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
