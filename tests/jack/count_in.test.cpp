// protocol.md, /countin: "the next /play is preceded by that many bars of metronome alone". Heard
// through JACK: after `/countin 1` at 120 bpm in 4/4, /play gives four metronome clicks one beat
// (24000 frames) apart, then the score's first note exactly one bar (96000 frames) after the first
// click. The score is hard left, so the right channel carries the metronome alone.
#include <gtest/gtest.h>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

TEST_F(TactusdJackTest, count_in_clicks_a_bar_of_metronome_before_the_score_starts) {
    Document doc;
    doc.title = "count-in";
    doc.tempo = tempo_map({{0, 120, false}});
    doc.tracks.push_back(track(1, "click",
                               {note(1, 0.0, 1.0 / 16, 72), note(2, 1.0, 1.0 / 16, 72),
                                note(3, 2.0, 1.0 / 16, 72), note(4, 3.0, 1.0 / 16, 72)},
                               -1.0));
    const std::string path = save_temp(doc, "countin");
    // Rounds (a fresh engine each) until the 4 clicks and 4 notes were judged (in all), at most 4.
    JudgedRounds rounds("clicks and notes", 8, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        if (rounds.rounds() > 0) {
            ASSERT_TRUE(restart_tactusd());
        }
        ASSERT_TRUE(load(path));
        JackRecorder* recorder = start_recorder(10.0);
        ASSERT_NE(recorder, nullptr);
        std::this_thread::sleep_for(100ms);
        auto countin = osc_.call("/countin", osc().i(1));
        ASSERT_TRUE(countin && !countin->is_error())
            << (countin ? countin->to_string() : "no reply to /countin");

        auto reply = osc_.call("/play");
        ASSERT_TRUE(reply && reply->types == "shdi") << (reply ? reply->to_string() : "no reply to /play");
        const JackFrame play = reply->integer(1);
        constexpr JackFrame kBeat = kRate / 2;  // 120 bpm
        const JackFrame end = play + 6 * kRate;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s));
        recorder->stop();
        // /play may report the count-in's start or the score's: the count-in starts at C = play or
        // C = play - 1 bar. Under the right C, the metronome (right channel) clicks on C + k beats
        // (k = 0..3) and nowhere else, and the score (left) starts on C + 4 + n beats (n = 0..3).
        // Judged on the clicks and notes whose frames (and 64 frames before) were heard; the other C
        // must be refuted by what was heard (the two differ by a bar).
        const JackFrame recorded_from =
            recorder->cycles().empty() ? end : recorder->cycles().front().frame_time;
        struct Hypothesis {
            JackFrame countin_start = 0;
            int judged = 0;
            std::vector<std::string> failures;
        };
        auto judge = [&](JackFrame c) {
            Hypothesis h;
            h.countin_start = c;
            const OnsetScan right = recorder->onsets(1, recorded_from);
            const OnsetScan left = recorder->onsets(0, c + 4 * kBeat - kBeat / 2);
            auto has = [](const OnsetScan& scan, JackFrame f) {
                return std::find(scan.onsets.begin(), scan.onsets.end(), f) != scan.onsets.end();
            };
            std::vector<JackFrame> clicks;
            for (int k = 0; k < 4; ++k) clicks.push_back(c + k * kBeat);
            for (int k = 0; k < 4; ++k) {
                if (!recorder->recorded(clicks[std::size_t(k)] - 64, clicks[std::size_t(k)] + 1)) continue;
                ++h.judged;
                if (!has(right, clicks[std::size_t(k)]))
                    h.failures.push_back("count-in click " + std::to_string(k) +
                                         ": expected on the right channel at " +
                                         std::to_string(clicks[std::size_t(k)]));
            }
            for (JackFrame f : right.onsets)
                if (f < end && std::find(clicks.begin(), clicks.end(), f) == clicks.end())
                    h.failures.push_back("a metronome click at " + std::to_string(f) +
                                         ", outside the count-in bar");
            for (int n = 0; n < 4; ++n) {
                const JackFrame want = c + (4 + n) * kBeat;
                if (!recorder->recorded(want - 64, want + 1)) continue;
                ++h.judged;
                if (!has(left, want))
                    h.failures.push_back("note " + std::to_string(n) + " (beat " + std::to_string(n) +
                                         "): expected onset at JACK frame " + std::to_string(want) +
                                         " (one bar after the count-in's start " + std::to_string(c) + ")");
            }
            return h;
        };
        const Hypothesis at_play = judge(play), bar_before = judge(play - 4 * kBeat);
        const Hypothesis& best = at_play.failures.size() <= bar_before.failures.size() ? at_play : bar_before;
        if (best.judged == 0 || (at_play.failures.empty() && bar_before.failures.empty())) {
            rounds.add_round(0, 8);  // nothing heard, or too little to tell the two apart
            continue;
        }
        EXPECT_TRUE(best.failures.empty()) << "/play reported frame " << play
                                           << "; neither a count-in starting there nor one a bar before "
                                              "matches what was heard";
        for (const std::string& f : best.failures)
            ADD_FAILURE() << f << " (count-in from " << best.countin_start << ")";
        rounds.add_round(best.judged, 8 - best.judged);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
