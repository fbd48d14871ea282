// Timestamped bundles (timing.md, "Wall time -> engine frames"): a /note/on in a bundle timetagged
// 100 ms ahead executes on the frame the audio clock assigns to its timetag, and the engine reports
// that frame. What is correctness, and judged here:
//  * the recorded click starts on exactly the reported frame (0 samples), for every bundle whose
//    frame lies in recorded cycles, late or not: the engine says truly where it applied each command;
//  * bundles are applied in the order of their timetags (the reported frames never go back);
//  * a command applied late says so: the late flags of the replies add up to /status "late".
// How close the reported frame's time is to the timetag (JACK's time<->frame estimate, which on an
// idle virtual machine wanders by tens of milliseconds) is not correctness: bench/timetag_accuracy
// measures it. When xruns leave fewer than 90% of the onsets observable, another round of bundles is
// sent (at most 3; support/judged_rounds.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

TEST_F(TactusdJackTest, timestamped_bundles_start_on_the_reported_frame_and_late_ones_say_so) {
    constexpr int kNotes = 200;
    constexpr auto kSpacing = 60ms;
    constexpr auto kAhead = 100ms;
    Document doc;
    doc.title = "audition";
    doc.tracks.push_back(track(1, "click", {}, -1.0));
    ASSERT_TRUE(load(save_temp(doc, "audition")));
    JudgedRounds rounds("onsets", kNotes * 9 / 10, 3);
    std::int64_t late_total = 0;
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        JackRecorder* recorder = start_recorder(20.0);
        ASSERT_NE(recorder, nullptr);
        std::this_thread::sleep_for(200ms);
        const auto status_before = status();
        ASSERT_TRUE(status_before);

        std::vector<OscIncoming> on_replies, off_replies;
        const auto start = std::chrono::steady_clock::now();
        auto collect_until = [&](std::chrono::steady_clock::time_point until) {
            while (std::chrono::steady_clock::now() < until) {
                const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    until - std::chrono::steady_clock::now());
                auto r = osc_.receive(std::max(left, 1ms));
                if (!r || r->args.empty() || r->types.empty() || r->types[0] != 's') continue;
                if (r->string(0) == "/note/on")
                    on_replies.push_back(std::move(*r));
                else if (r->string(0) == "/note/off")
                    off_replies.push_back(std::move(*r));
            }
        };
        for (int k = 0; k < kNotes; ++k) {
            collect_until(start + k * kSpacing);
            const std::int64_t timetag = realtime_now_ns() + std::chrono::nanoseconds(kAhead).count();
            const int pitch = 72 + k % 12;
            std::vector<std::pair<std::string, OscOutgoing>> on;
            on.emplace_back("/note/on", osc().i(1).i(pitch).i(100));
            ASSERT_TRUE(osc_.send_bundle(ntp_timetag_from_unix_ns(timetag), std::move(on)));
            std::vector<std::pair<std::string, OscOutgoing>> off;
            off.emplace_back("/note/off", osc().i(1).i(pitch));
            ASSERT_TRUE(osc_.send_bundle(ntp_timetag_from_unix_ns(timetag + 25'000'000), std::move(off)));
        }
        const auto replies_due = std::chrono::steady_clock::now() + 10s;
        while ((on_replies.size() < std::size_t(kNotes) || off_replies.size() < std::size_t(kNotes)) &&
               std::chrono::steady_clock::now() < replies_due)
            collect_until(std::chrono::steady_clock::now() + 100ms);
        ASSERT_EQ(on_replies.size(), static_cast<std::size_t>(kNotes))
            << "one /reply \"/note/on\" per bundle";
        ASSERT_EQ(off_replies.size(), static_cast<std::size_t>(kNotes))
            << "one /reply \"/note/off\" per bundle";

        // Replies come in the order the audio thread applied the notes: the order of their timetags.
        std::vector<ExpectedOnset> expected;
        std::int64_t late = 0;
        JackFrame previous = -1;
        for (int k = 0; k < kNotes; ++k) {
            const OscIncoming& reply = on_replies[static_cast<std::size_t>(k)];
            ASSERT_EQ(reply.types, "shi")
                << "bundle " << k << ": expected /reply ,shi \"/note/on\" frame late, got "
                << reply.to_string();
            const JackFrame frame = reply.integer(1);
            EXPECT_GE(frame, previous) << "bundle " << k << " was applied on an earlier frame than bundle "
                                       << k - 1 << ", whose timetag is 60 ms earlier";
            previous = frame;
            late += reply.integer(2);
            expected.push_back({static_cast<std::size_t>(k), 0.0, 0, frame,
                                "bundle " + std::to_string(k) + " (reported frame " + std::to_string(frame) +
                                    (reply.integer(2) ? ", applied late" : "") + ")"});
        }
        for (const OscIncoming& reply : off_replies) {
            ASSERT_EQ(reply.types, "shi") << reply.to_string();
            late += reply.integer(2);
        }
        const JackFrame end = expected.back().frame + kRate / 10;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 30s));
        recorder->stop();
        const auto status_after = status();
        ASSERT_TRUE(status_after);
        EXPECT_EQ(status_after->late - status_before->late, late)
            << "/status counts a different number of late commands than the replies flagged late";
        EXPECT_EQ(status_after->rejected, status_before->rejected) << "no bundle was to be rejected";
        late_total += late;

        // The sound starts on the reported frame.
        const OnsetCheck check =
            check_onsets(*recorder, expected, 0, expected.front().frame - 4 * kPeriod, end);
        for (const std::string& failure : check.failures) ADD_FAILURE() << failure;
        EXPECT_EQ(check.max_error, 0) << "largest onset error in samples";
        rounds.add_round(check.observable, check.unobservable);
        report("round_" + std::to_string(rounds.rounds()) + "_commands_applied_late", late);
        report("round_" + std::to_string(rounds.rounds()) + "_recorder_xruns", recorder->xruns());
    }
    report("bundles_per_round", kNotes);
    report("commands_applied_late", late_total);
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
