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
    // Rounds (a fresh engine each) until one was heard whole, at most 4.
    JudgedRounds rounds("whole count-ins", 1, 4);
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
        // Judged when every frame from a bar before the reported frame (it may name the count-in's start
        // or the score's) to the end was heard: a lost click cannot be told from a missing one.
        // (The recorder started before /play, so before any click: from its first cycle at most.)
        const JackFrame judged_from =
            recorder->cycles().empty()
                ? end
                : std::max(play - 4 * kBeat - 64, recorder->cycles().front().frame_time);
        if (!recorder->recorded(judged_from, end)) {
            rounds.add_round(0, 1);
            continue;
        }

        const OnsetScan metronome =
            recorder->onsets(1, play - 3 * kRate);  // the reply may name the score start
        std::vector<JackFrame> clicks;
        for (JackFrame f : metronome.onsets)
            if (f < end) clicks.push_back(f);
        ASSERT_EQ(clicks.size(), 4u)
            << "expected a bar of count-in clicks (4 at 120 bpm in 4/4) on the right channel "
               "(the metronome; the score is hard left) after /play at frame "
            << play << ", found " << clicks.size();
        const JackFrame first = clicks[0];
        for (std::size_t k = 1; k < clicks.size(); ++k)
            EXPECT_EQ(clicks[k], first + JackFrame(k) * kBeat) << "count-in click " << k;
        // The score starts one bar after the first click, on the frame the reported play frame implies.
        const JackFrame score_start = first + 4 * kBeat;
        EXPECT_TRUE(play == first || play == score_start)
            << "/play reported frame " << play << "; expected the count-in's start (" << first
            << ") or the score's (" << score_start << ")";
        const OnsetScan left = recorder->onsets(0, score_start - kBeat / 2);
        for (int n = 0; n < 4; ++n) {
            const JackFrame want = score_start + n * kBeat;
            EXPECT_NE(std::find(left.onsets.begin(), left.onsets.end(), want), left.onsets.end())
                << "note " << n << " (beat " << n << "): expected onset at JACK frame " << want
                << " (one bar after the first count-in click " << first << ")";
        }
        rounds.add_round(1, 0);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
