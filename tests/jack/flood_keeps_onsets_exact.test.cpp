// A flood of 100,000 OSC commands per second for 10 s, from another process, while tactusd plays
// through JACK: the engine keeps playing and every note that was heard still starts on its exact
// frame. What the flood costs is counted, not hidden: commands refused because the queue was full
// (rejected) and datagrams the kernel dropped before tactusd read them, each reported apart.
#include <gtest/gtest.h>

#include "click_score.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

#ifndef TACTUS_FLOOD_PATH
#error "TACTUS_FLOOD_PATH must name the osc_flood executable"
#endif

namespace tactus::test {
namespace {

// The sanitizer build runs the same path for memory errors at a third of the rate: an ASan tactusd
// is several times slower, and this test is about timing, which the release build checks in full.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr const char* kFloodRate = "30000";
#else
constexpr const char* kFloodRate = "100000";
#endif

TEST_F(TactusdJackTest, a_command_flood_leaves_onsets_exact) {
    const Document doc = click_score();
    const std::string path = save_temp(doc, "flood");
    const std::string flood_log =
        (std::filesystem::temp_directory_path() / ("flood-" + server_->name() + ".log")).string();
    temp_files_.push_back(flood_log);
    // Rounds (each with a fresh engine) until three quarters of the notes were heard in some round,
    // at most 3: every note heard in any round must be exact.
    const std::size_t notes = doc.tracks.at(0).notes.size();
    HeardNotes heard(notes);
    JudgedRounds rounds("notes", static_cast<std::int64_t>(notes) * 3 / 4, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 32.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;

        ChildProcess flood({TACTUS_FLOOD_PATH, "--port", std::to_string(tactusd_->port()), "--rate",
                            kFloodRate, "--seconds", "10", "--message", "track-level", "--track", "1"},
                           flood_log);
        ASSERT_TRUE(flood.running()) << flood.error();

        const std::vector<ExpectedOnset> expected = expected_onsets(doc, kClickTempo, play, kRate);
        const JackFrame end = expected.back().frame + kRate / 2;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 120s))
            << "playback stalled at " << recorder->recorded_until();
        EXPECT_EQ(flood.stop(), 0) << flood.output();
        recorder->stop();

        const OnsetCheck check = check_onsets(*recorder, expected, play, play - 4 * kPeriod, end);
        expect_exact_onsets(check, " during the flood");
        heard.add(check);
        rounds.add_round(check.observable, check.unobservable);
        rounds.set_judged_total(heard.count());

        // The engine still answers, and says what the flood cost.
        osc_.send("/status");
        const auto status = osc_.wait_message("/status", 3000ms);
        ASSERT_TRUE(status.has_value()) << "tactusd stopped answering after the flood";
        std::printf("flood: %s\n", flood.output().c_str());
        report("rejected_commands", status->integer(10));
        report("kernel_udp_drops", status->integer(13));
        report("xruns", status->integer(8));
    }
    report("notes_observed_in_some_round", heard.count());
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
