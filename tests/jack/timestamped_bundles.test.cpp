// Timestamped bundles (timing.md, "Wall time -> engine frames"): a /note/on in a bundle timetagged
// 100 ms ahead executes on exactly the frame the audio clock assigns to its timetag, and the engine
// reports that frame. Checked from both ends:
//  * the recorded click starts on exactly the reported frame (0 samples), in every observable cycle;
//  * the reported frame, turned back into time by JACK's own clock (jack_frames_to_time, µs) and into
//    wall time (CLOCK_REALTIME, what the timetag is), is within 0.5 ms of the timetag at p99.
// The test relates JACK's clock to CLOCK_REALTIME itself, by bracketing jack_get_time() between two
// CLOCK_REALTIME readings (it never assumes which clock JACK reads).
#include <gtest/gtest.h>
#include <jack/jack.h>

#include <algorithm>
#include <limits>

#include "click_score.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

// CLOCK_REALTIME ns minus JACK's clock (jack_get_time() µs, as ns): the tightest of a few brackets.
std::int64_t realtime_minus_jack_ns() {
    std::int64_t best_span = std::numeric_limits<std::int64_t>::max();
    std::int64_t offset = 0;
    for (int i = 0; i < 16; ++i) {
        const std::int64_t before = realtime_now_ns();
        const jack_time_t us = jack_get_time();
        const std::int64_t after = realtime_now_ns();
        if (after - before < best_span) {
            best_span = after - before;
            // jack_get_time() truncates to whole µs: its instant is on average 500 ns after `us`.
            offset = before + (after - before) / 2 - (static_cast<std::int64_t>(us) * 1000 + 500);
        }
    }
    return offset;
}

TEST_F(TactusdJackTest, timestamped_bundles_start_on_the_reported_frame_within_half_a_millisecond) {
    constexpr int kNotes = 200;
    constexpr auto kSpacing = 60ms;
    constexpr auto kAhead = 100ms;
    Document doc;
    doc.title = "audition";
    doc.tracks.push_back(track(1, "click", {}, -1.0));
    ASSERT_TRUE(load(save_temp(doc, "audition")));
    JackRecorder* recorder = start_recorder(20.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(200ms);

    // Each reply's frame is turned into JACK's time as soon as the reply arrives, i.e. right after the
    // cycle holding that frame ran: jack_frames_to_time then interpolates within the latest cycles.
    // (Asked much later, JACK extrapolates from its latest cycle with a period rounded to whole µs,
    // 2666 or 2667 instead of 2666.67: up to 375 ppm, 4 ms after 12 s. That would be the test's error,
    // not the engine's.)
    struct Reply {
        OscIncoming message;
        std::int64_t frame_time_ns = 0;  // jack_frames_to_time(frame) as CLOCK_REALTIME, read on arrival
    };
    std::vector<std::int64_t> timetags_ns;  // CLOCK_REALTIME
    std::vector<Reply> replies;
    const auto start = std::chrono::steady_clock::now();
    auto collect_until = [&](std::chrono::steady_clock::time_point until) {
        while (std::chrono::steady_clock::now() < until) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            auto r = osc_.wait_reply("/note/on", std::max(left, 1ms));
            if (!r) continue;
            Reply reply{std::move(*r), 0};
            if (reply.message.types == "shi") {
                const auto frame = static_cast<jack_nframes_t>(reply.message.integer(1));
                const jack_time_t us = jack_frames_to_time(recorder->client(), frame);
                reply.frame_time_ns = static_cast<std::int64_t>(us) * 1000 + realtime_minus_jack_ns();
            }
            replies.push_back(std::move(reply));
        }
    };
    for (int k = 0; k < kNotes; ++k) {
        collect_until(start + k * kSpacing);
        const std::int64_t timetag = realtime_now_ns() + std::chrono::nanoseconds(kAhead).count();
        timetags_ns.push_back(timetag);
        const int pitch = 72 + k % 12;
        std::vector<std::pair<std::string, OscOutgoing>> on;
        on.emplace_back("/note/on", osc().i(1).i(pitch).i(100));
        ASSERT_TRUE(osc_.send_bundle(ntp_timetag_from_unix_ns(timetag), std::move(on)));
        std::vector<std::pair<std::string, OscOutgoing>> off;
        off.emplace_back("/note/off", osc().i(1).i(pitch));
        ASSERT_TRUE(osc_.send_bundle(ntp_timetag_from_unix_ns(timetag + 25'000'000), std::move(off)));
    }
    collect_until(std::chrono::steady_clock::now() + 500ms);
    ASSERT_EQ(replies.size(), static_cast<std::size_t>(kNotes)) << "one /reply \"/note/on\" per bundle";
    // Replies come in the order the audio thread applied the notes: the order of their timetags.
    std::vector<ExpectedOnset> expected;
    for (int k = 0; k < kNotes; ++k) {
        const OscIncoming& reply = replies[static_cast<std::size_t>(k)].message;
        ASSERT_EQ(reply.types, "shi")
            << "bundle " << k << ": expected /reply ,shi \"/note/on\" frame late, got " << reply.to_string();
        const JackFrame frame = reply.integer(1);
        EXPECT_EQ(reply.integer(2), 0)
            << "bundle " << k << ", sent 100 ms ahead, was applied late: " << reply.to_string();
        expected.push_back(
            {static_cast<std::size_t>(k), 0.0, 0, frame,
             "bundle " + std::to_string(k) + " (reported frame " + std::to_string(frame) + ")"});
    }
    const JackFrame end = expected.back().frame + kRate / 10;
    ASSERT_TRUE(recorder->wait_until_recorded(end, 5s));
    recorder->stop();

    // The sound starts on the reported frame.
    const OnsetCheck check = check_onsets(*recorder, expected, 0, expected.front().frame - 4 * kPeriod, end);
    for (const std::string& failure : check.failures) ADD_FAILURE() << failure;
    EXPECT_EQ(check.max_error, 0) << "largest onset error in samples";
    EXPECT_GE(check.observable * 10, kNotes * 9) << "only " << check.observable << " of " << kNotes
                                                 << " onsets were observable (the rest fell in lost cycles)";

    // The reported frame is the timetag's, by JACK's clock.
    std::vector<std::int64_t> errors_ns;
    for (int k = 0; k < kNotes; ++k)
        errors_ns.push_back(replies[static_cast<std::size_t>(k)].frame_time_ns -
                            timetags_ns[static_cast<std::size_t>(k)]);
    std::vector<std::int64_t> magnitudes;
    for (std::int64_t e : errors_ns) magnitudes.push_back(std::abs(e));
    std::sort(magnitudes.begin(), magnitudes.end());
    const std::int64_t p50 = magnitudes[magnitudes.size() / 2];
    const std::int64_t p99 = magnitudes[(magnitudes.size() * 99 + 99) / 100 - 1];
    const std::int64_t worst = magnitudes.back();
    int over = 0;
    for (int k = 0; k < kNotes && over < 5; ++k) {
        const std::int64_t e = errors_ns[static_cast<std::size_t>(k)];
        if (std::abs(e) > 500'000) {
            ++over;
            std::printf("[ note     ] bundle %d: frame %lld is at %+.1f µs from its timetag\n", k,
                        static_cast<long long>(expected[static_cast<std::size_t>(k)].frame),
                        double(e) / 1000.0);
        }
    }
    EXPECT_LE(p99, 500'000) << "p99 of |JACK time of the reported frame - timetag| is "
                            << double(p99) / 1000.0 << " µs (median " << double(p50) / 1000.0 << " µs, worst "
                            << double(worst) / 1000.0 << " µs); expected at most 500 µs";

    report("bundles", kNotes);
    report("observable_onsets", check.observable);
    report("onsets_lost_to_xruns", check.unobservable);
    report("max_onset_error_samples", check.max_error);
    report("timetag_error_p50_us", std::to_string(double(p50) / 1000.0));
    report("timetag_error_p99_us", std::to_string(double(p99) / 1000.0));
    report("timetag_error_max_us", std::to_string(double(worst) / 1000.0));
    report("recorder_xruns", recorder->xruns());
}

}  // namespace
}  // namespace tactus::test
