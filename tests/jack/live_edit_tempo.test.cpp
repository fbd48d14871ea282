// A live tempo change (docs/protocol.md, /tempo/set while playing), heard through JACK: the beat heard
// at the block where the change takes effect is kept, and every later note lands on the frame of the
// new tempo map anchored there (timing.md), also when another edit follows at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "live_edit_fixture.h"
#include "support/judged_rounds.h"

namespace tactus::test {
namespace {

// The beat at `seconds` under a reference map (bisection on its seconds_at).
long double beat_at_seconds(const ReferenceTiming& ref, long double seconds) {
    long double lo = 0, hi = 1;
    while (ref.seconds_at(hi) < seconds) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15L; ++i) {
        const long double mid = (lo + hi) / 2;
        (ref.seconds_at(mid) < seconds ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

struct TempoSwitchCheck {
    JackFrame switch_frame = -1;  // the frame the engine reported the new map heard from (/applied)
    int judged = 0, lost = 0, matched = 0, ambiguous = 0;
    std::vector<std::string> failures;
};

// Clicks every half beat (with small offsets), 120 bpm, from beat 0 to 12.
Document half_beat_clicks() {
    Document doc;
    doc.title = "live tempo";
    doc.tempo = tempo_map({{0, 120, false}});
    std::vector<Note> notes;
    for (int k = 0; k < 24; ++k)
        notes.push_back(note(NoteId(k + 1), k * 0.5 + (k % 4) * 3.0 / 128, 1.0 / 16, 70 + k % 7));
    doc.tracks.push_back(track(1, "click", notes, -1.0));
    return doc;
}

// Plays half_beat_clicks(), sends the new tempo map over TCP right after the note at beat 2.5
// (and, with `then_note_edit`, a note edit in the same TCP write), and checks the notes after the
// switch against the frame the engine reports the new map heard from (`tcp` subscribes to edits).
void run_tempo_change(OscTcpClient& tcp, JackRecorder* recorder, JackFrame play, bool then_note_edit,
                      TempoSwitchCheck& out, std::function<JackFrame()> now,
                      std::function<void(const std::string&, std::int64_t)> note_down) {
    const int rate = 48000, period = 128;
    const Document doc = half_beat_clicks();
    const ReferenceTiming old_ref({{0, 120, false}});
    // The new map: 90 bpm, a ramp from beat 5 to 9 up to 150 bpm, then 150 (first point at beat 0).
    const std::vector<RefTempoPoint> new_points = {{0, 90, false}, {5, 90, true}, {9, 150, false}};
    const ReferenceTiming new_ref(new_points);

    const auto subscribed = tcp.call("/edits/subscribe", OscOutgoing(), 3000ms);
    ASSERT_TRUE(subscribed && !subscribed->is_error());
    const std::int64_t base_revision = subscribed->integer(1);
    // Right after the click at beat 2.5 (+ offset 6/128): send at beat 2.6.
    while (now() < play + old_ref.frame_at(2.6L, rate)) std::this_thread::sleep_for(1ms);
    const JackFrame sent_at = now();
    std::vector<OscBytes> packets = {
        osc_message_bytes("/tempo/set", osc().d(0).d(90).i(0).d(5).d(90).i(1).d(9).d(150).i(0))};
    if (then_note_edit) packets.push_back(osc_message_bytes("/note/velocity", osc().h(24).i(90)));
    ASSERT_TRUE(tcp.send_packets(packets));
    const auto reply = tcp.wait_reply("/tempo/set", 3000ms);
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->to_string(), "/reply ,shi \"/tempo/set\" " + std::to_string(base_revision + 1) + " 1");
    if (then_note_edit) {
        const auto second = tcp.wait_reply("/note/velocity", 3000ms);
        ASSERT_TRUE(second);
        ASSERT_EQ(second->to_string(),
                  "/reply ,shi \"/note/velocity\" " + std::to_string(base_revision + 2) + " 1");
    }
    // The first program holding the new map that the audio thread switched to (the two batches may
    // have been switched to together).
    for (;;) {
        const auto applied = tcp.wait_message("/applied", 3000ms);
        ASSERT_TRUE(applied) << "no /applied for the tempo change";
        if (applied->integer(0) > base_revision) {
            out.switch_frame = applied->integer(1);
            break;
        }
    }
    const JackFrame replied_at = now();
    note_down("reply_ms", (replied_at - sent_at) * 1000 / rate);

    // The last note is at beat 11.5 + 9/128: under the new map about 5 s after the switch.
    const JackFrame end = replied_at + 6 * rate;
    ASSERT_TRUE(recorder->wait_until_recorded(end, 15s));
    recorder->stop();

    const OnsetScan scan = recorder->onsets(0, play - 4 * period, 64);
    const auto found = [&](JackFrame f) {
        return std::binary_search(scan.onsets.begin(), scan.onsets.end(), f);
    };
    const auto& notes = doc.tracks[0].notes;
    const auto old_frame = [&](const Note& n) { return play + old_ref.frame_at(n.start, rate); };
    // For a switch at frame F, the beat heard there is the old map's beat at score frame
    // F - play; the new map puts that beat at score frame round(seconds_new(beat) * rate), and a
    // later note at beat b sounds at F + frame_new(b) - that.
    const auto prediction = [&](JackFrame F, double beat) {
        const long double heard = (F - play) * kBeatsPerFrame120;
        const auto anchor = static_cast<JackFrame>(std::floor(new_ref.seconds_at(heard) * rate + 0.5L));
        return F + new_ref.frame_at(beat, rate) - anchor;
    };
    // Notes due before the edit was sent play on the old map; notes due (on the old map) after the
    // reply came back play on the new one; a note in between (only on a stalled machine) may do
    // either and is not judged.
    const JackFrame old_until = sent_at - period, new_from = replied_at + 2 * period;
    std::vector<const Note*> after, ambiguous;
    for (const Note& n : notes) {
        const JackFrame f = old_frame(n);
        if (f < old_until) {
            if (recorder->recorded(f - 64, f + 1) && !found(f))
                out.failures.push_back("note " + std::to_string(n.id) +
                                       " before the tempo change: no onset at its frame " +
                                       std::to_string(f));
        } else {
            (f >= new_from ? after : ambiguous).push_back(&n);
        }
    }
    if (out.switch_frame < sent_at - 2 * period || out.switch_frame > new_from) {
        out.failures.push_back("the engine reports the switch at frame " + std::to_string(out.switch_frame) +
                               ", outside the time between sending the edit and its reply");
        return;
    }
    for (const Note* n : after) {
        const JackFrame f = prediction(out.switch_frame, n->start);
        if (!recorder->recorded(f - 64, f + 1)) {
            ++out.lost;
            continue;
        }
        ++out.judged;
        if (found(f)) ++out.matched;
    }
    // Name the notes the best switch misses, and say where the new map anchored at the play frame
    // (the position kept in frames, not the beat) would have put them, when an onset is there.
    for (const Note* n : after) {
        const JackFrame f = prediction(out.switch_frame, n->start);
        if (!recorder->recorded(f - 64, f + 1) || found(f)) continue;
        const JackFrame kept_position = play + new_ref.frame_at(n->start, rate);
        std::ostringstream line;
        line << "note " << n->id << " (beat " << n->start
             << ") after the tempo change: expected at JACK frame " << f << " (switch at frame "
             << out.switch_frame << ", " << (out.switch_frame - sent_at)
             << " frames after the edit was sent), no onset there";
        JackFrame nearest = -1;
        for (JackFrame o : scan.onsets)
            if (nearest < 0 || std::abs(o - f) < std::abs(nearest - f)) nearest = o;
        if (nearest >= 0) line << "; nearest onset " << nearest << " (" << (nearest - f) << " samples)";
        if (found(kept_position))
            line << "; there IS an onset at " << kept_position
                 << ", where the new map anchored at the play frame puts it: the beat was not kept";
        out.failures.push_back(line.str());
    }
    // Every onset from the edit on is one of the notes', where it is due.
    for (JackFrame f : scan.onsets) {
        if (f < old_until || f >= end) continue;
        const bool known =
            std::any_of(after.begin(), after.end(),
                        [&](const Note* n) { return prediction(out.switch_frame, n->start) == f; }) ||
            std::any_of(ambiguous.begin(), ambiguous.end(), [&](const Note* n) {
                return prediction(out.switch_frame, n->start) == f || old_frame(*n) == f;
            });
        if (!known)
            out.failures.push_back("unexpected onset at JACK frame " + std::to_string(f) +
                                   " after the tempo change");
    }
    out.ambiguous = int(ambiguous.size());
}

TEST_F(LiveEditJackTest, a_tempo_change_while_playing_keeps_the_beat_and_later_notes_follow_the_new_map) {
    const Document doc = half_beat_clicks();
    const std::string path = save_temp(doc, "live-tempo");
    // Rounds (a fresh engine each) until 12 notes after the change were judged, at most 4.
    JudgedRounds rounds("notes after the change", 12, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 12.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;

        // A second connection polls /status across the change: (frame, beat, bpm) of block starts.
        OscTcpClient poller;
        std::string error;
        ASSERT_TRUE(poller.connect(tactusd_->port(), &error)) << error;
        std::vector<FullStatus> statuses;
        std::atomic<bool> polling{true};
        std::thread poll_thread([&] {
            while (polling.load()) {
                if (auto s = full_status(poller)) statuses.push_back(*s);
                std::this_thread::sleep_for(15ms);
            }
        });
        TempoSwitchCheck check;
        run_tempo_change(
            tcp_, recorder, play, false, check, [this] { return jack_now(); },
            [this](const std::string& k, std::int64_t v) { report(k, v); });
        polling = false;
        poll_thread.join();
        if (HasFatalFailure()) return;
        for (const std::string& f : check.failures) ADD_FAILURE() << f;
        EXPECT_EQ(check.matched, check.judged)
            << "notes after the tempo change on their frames (switch at frame " << check.switch_frame << ")";
        report("switch_frame_after_play", check.switch_frame - play);
        report("notes_after_switch_judged", check.judged);
        report("notes_after_switch_lost", check.lost);
        report("notes_near_switch_not_judged", check.ambiguous);

        if (check.judged == 0) {  // every note after the change lost to xruns in this round
            rounds.add_round(0, check.lost);
            continue;
        }
        // /status before and after agrees with the same switch: the beat is continuous (the old map up
        // to the switch, the new one from the beat heard there), and the tempo is the new map's.
        const ReferenceTiming new_ref({{0, 90, false}, {5, 90, true}, {9, 150, false}});
        const long double heard = (check.switch_frame - play) * kBeatsPerFrame120;
        const auto anchor = static_cast<JackFrame>(std::floor(new_ref.seconds_at(heard) * kRate + 0.5L));
        int before = 0, after = 0;
        for (const FullStatus& s : statuses) {
            if (!s.playing) continue;
            long double want = 0;
            double want_bpm = 120;
            if (s.frame < check.switch_frame) {
                want = (s.frame - play) * kBeatsPerFrame120;
                ++before;
            } else {
                want = beat_at_seconds(new_ref, (long double)(anchor + s.frame - check.switch_frame) / kRate);
                want_bpm = want < 5 ? 90 : want < 9 ? 90 + 60 * double(want - 5) / 4 : 150;
                ++after;
            }
            // The engine names a frame's position by the simplest beat within it (positions round-trip:
            // docs/protocol.md), so a reported beat is within half a frame of the exact one.
            const double half_frame = 0.5 * std::max(want_bpm, 120.0) / 60.0 / kRate + 1e-9;
            EXPECT_NEAR(s.beat, double(want), half_frame)
                << "/status at JACK frame " << s.frame << " (switch at " << check.switch_frame << ")";
            // The ramp rises 15 bpm a beat: the tempo at a beat half a frame away.
            EXPECT_NEAR(s.bpm, want_bpm, 15 * half_frame) << "/status bpm at JACK frame " << s.frame;
        }
        rounds.add_round(check.judged, check.lost);
        report("status_samples_before_after", std::to_string(before) + " / " + std::to_string(after));
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
    expect_alive_then_clean_exit();
}

// The same change followed at once by a note edit (another batch, same TCP write, as a GUI sends a
// tempo change and a note drag in quick succession): the beat must still be kept.
TEST_F(LiveEditJackTest, a_tempo_change_followed_at_once_by_a_note_edit_still_keeps_the_beat) {
    const Document doc = half_beat_clicks();
    const std::string path = save_temp(doc, "live-tempo2");
    // Rounds (a fresh engine each) until 12 notes after the change were judged, at most 4.
    JudgedRounds rounds("notes after the change", 12, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        const auto started = begin_round(rounds.rounds(), path, 12.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;
        TempoSwitchCheck check;
        run_tempo_change(
            tcp_, recorder, play, true, check, [this] { return jack_now(); },
            [this](const std::string& k, std::int64_t v) { report(k, v); });
        if (HasFatalFailure()) return;
        for (const std::string& f : check.failures) ADD_FAILURE() << f;
        EXPECT_EQ(check.matched, check.judged)
            << "notes after the tempo change on their frames (switch at frame " << check.switch_frame << ")";
        report("notes_after_switch_judged", check.judged);
        rounds.add_round(check.judged, check.lost);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
