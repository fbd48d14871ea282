// A live edit that deletes notes while they sound (docs/protocol.md, "Editing the document (live,
// while it plays)"): a deleted sounding note is released with its envelope, heard through JACK: exact
// silence within the preset's release time, no step larger than the waveform's own. Judged only where
// every cycle around an edit was recorded; repeated with a fresh engine when xruns left nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "live_edit_fixture.h"
#include "support/judged_rounds.h"

namespace tactus::test {
namespace {

TEST_F(LiveEditJackTest, deleting_a_sounding_note_releases_it_with_its_envelope_never_cut) {
    // Two rounds, so that an xrun in one still leaves the other to judge. In each, a sine (release
    // 80 ms from full level) hard left and a pad (release 600 ms) hard right sound one long note each
    // (20 beats, 10 s), and both are deleted together 1.8 s after they started (the pad's envelopes
    // have settled by then). Round 1's notes start at beat 6 (3 s), when round 0's have died away.
    Document doc;
    doc.title = "live delete";
    doc.tempo = tempo_map({{0, 120, false}});
    doc.tracks.push_back(track(1, "sine", {note(1, 0.0, 20.0, 69, 100), note(3, 6.0, 20.0, 71, 100)}, -1.0));
    doc.tracks.push_back(track(2, "pad", {note(2, 0.0, 20.0, 57, 100), note(4, 6.0, 20.0, 59, 100)}, 1.0));
    const std::string path = save_temp(doc, "live-delete");
    // A run of both rounds judges those whose cycles were all recorded; when xruns leave none, the run
    // is repeated with a fresh engine (support/judged_rounds.h), at most 4 runs.
    JudgedRounds runs("rounds", 1, 4);
    while (runs.another()) {
        SCOPED_TRACE("run " + std::to_string(runs.rounds() + 1));
        const auto started = begin_round(runs.rounds(), path, 8.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;

        struct Round {
            JackFrame sent_at = 0, replied_at = 0;
        };
        Round rounds[2];
        for (int r = 0; r < 2; ++r) {
            while (jack_now() < play + (18 + 30 * r) * kRate / 10) std::this_thread::sleep_for(5ms);
            rounds[r].sent_at = jack_now();
            const auto reply = tcp_edit("/note/delete", osc().h(1 + 2 * r).h(2 + 2 * r));
            rounds[r].replied_at = jack_now();
            ASSERT_TRUE(reply);
            ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/delete\" " + std::to_string(r + 1) + " 2");
            report("round_" + std::to_string(r) + "_reply_ms",
                   (rounds[r].replied_at - rounds[r].sent_at) * 1000 / kRate);
        }
        const JackFrame end = rounds[1].replied_at + kRate;
        const auto engine = status();
        ASSERT_TRUE(engine);
        const JackFrame lookahead = engine->lookahead;  // 1 s after: well past both releases
        ASSERT_TRUE(recorder->wait_until_recorded(end, 10s));
        recorder->stop();

        int judged = 0;
        for (int r = 0; r < 2; ++r) {
            SCOPED_TRACE("round " + std::to_string(r));
            const JackFrame sent_at = rounds[r].sent_at, replied_at = rounds[r].replied_at;
            // The edit is heard from the frame it lands on (before its reply was sent): in
            // [sent_at - period, replied_at + the engine's lookahead + 2 periods].
            const JackFrame switch_earliest = sent_at - kPeriod,
                            switch_latest = replied_at + lookahead + 2 * kPeriod;
            const JackFrame from = sent_at - kRate / 2, until = replied_at + kRate;
            if (!recorder->recorded(from, until)) {
                report("round_" + std::to_string(r) + "_not_judged",
                       "cycles around the edit were lost to an xrun");
                continue;
            }
            ++judged;
            struct Channel {
                int index;
                const char* name;
                double release_s;
            };
            for (const Channel ch : {Channel{0, "sine (left)", 0.08}, Channel{1, "pad (right)", 0.6}}) {
                SCOPED_TRACE(ch.name);
                const auto release_frames = static_cast<JackFrame>(std::lround(ch.release_s * kRate));
                const auto at = [&](JackFrame f) { return *recorder->sample_at(ch.index, f); };
                // The last non-zero sample; exact silence after it up to a second after the reply.
                JackFrame last_sound = -1;
                for (JackFrame f = from; f < until; ++f)
                    if (at(f) != 0.0f) last_sound = f;
                ASSERT_GT(last_sound, sent_at)
                    << "silent before the edit was sent: the note never sounded or was cut";
                EXPECT_LE(last_sound, switch_latest + release_frames + 2)
                    << "still sounding " << (last_sound - switch_latest)
                    << " frames after the latest possible switch; the release takes " << release_frames;
                // Not cut: it kept sounding for a good part of its release after the edit.
                EXPECT_GE(last_sound, switch_earliest + release_frames / 2)
                    << "silent " << (last_sound - switch_earliest)
                    << " frames after the edit: cut, not released";
                // No step larger than the waveform's own: the largest sample-to-sample step from the edit
                // to the end of the release against the largest in the half second before the edit.
                float before = 0.0f, after = 0.0f;
                for (JackFrame f = from + 1; f < switch_earliest; ++f)
                    before = std::max(before, std::abs(at(f) - at(f - 1)));
                for (JackFrame f = switch_earliest; f <= last_sound + 1; ++f)
                    after = std::max(after, std::abs(at(f) - at(f - 1)));
                EXPECT_GT(before, 0.0f);
                EXPECT_LE(after, before * 1.02f + 1e-6f)
                    << "a step of " << after << " across the release, larger than the note's own " << before;
                const std::string key = "round_" + std::to_string(r) + " " + ch.name;
                report(key + " max_step_before", std::to_string(before));
                report(key + " max_step_after", std::to_string(after));
                report(key + " sounding_frames_after_reply", last_sound - replied_at);
                if (ch.index != 0) continue;
                // The sine's release starts at full level (sustain 1.0), so its envelope falls from the
                // switch on: the peak of each 10 ms window is not above the one before.
                float previous = 1.0f;
                for (JackFrame w = switch_latest; w + 480 <= last_sound; w += 480) {
                    float peak = 0.0f;
                    for (JackFrame f = w; f < w + 480; ++f) peak = std::max(peak, std::abs(at(f)));
                    EXPECT_LE(peak, previous * 1.001f)
                        << "the sine's level rose during its release, at frame " << w;
                    previous = peak;
                }
            }
        }
        runs.add_round(judged, 2 - judged);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(runs);
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
