// A MIDI keyboard through JACK: a test client sends notes into tactusd's midi_in port at chosen JACK
// frames; each note starts in tactusd's output exactly the engine's lookahead (/status) after that
// frame, on the instrument of the track armed for input (the first track after a load, or the one /midi/input
// names). Judged on every note whose frame was heard (not in, or right after, a cycle lost to an xrun).
#include <gtest/gtest.h>

#include "click_score.h"
#include "support/jack_midi_sender.h"
#include "support/judged_rounds.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

Document two_click_tracks() {
    Document doc;
    Track a;
    a.id = 1;
    a.name = "first";
    a.preset = "click";
    a.pan = 1.0;  // hard right: not the armed track after /midi/input 2
    Track b = a;
    b.id = 2;
    b.name = "keyboard";
    b.pan = -1.0;  // hard left
    doc.tracks = {a, b};
    return doc;
}

TEST_F(TactusdJackTest, midi_notes_sent_through_jack_start_on_their_exact_frames) {
    ASSERT_TRUE(load(save_temp(two_click_tracks(), "midi-in")));
    const auto armed = osc_.call("/midi/input", osc().i(2));
    ASSERT_TRUE(armed && !armed->is_error()) << (armed ? armed->to_string() : "no answer");
    const auto engine = status();
    ASSERT_TRUE(engine);

    // Rounds of 40 notes until 80% of them were heard in all, at most 3: every note heard is exact.
    JudgedRounds rounds("notes", 32, 3);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        JackRecorder* recorder = start_recorder(10.0);
        ASSERT_NE(recorder, nullptr);
        JackMidiSenderOptions options;
        options.server = server_->name();
        JackMidiSender keyboard(options);
        ASSERT_TRUE(keyboard.ok()) << keyboard.error();
        ASSERT_TRUE(keyboard.start()) << keyboard.error();
        std::this_thread::sleep_for(200ms);  // the connections take effect

        // 40 notes, 4801 frames apart (so their offsets in the 128-frame cycles vary), each held 2000
        // frames, on channels 1 and 3 (input plays whatever the channel), half a second from now.
        std::vector<ScheduledMidi> messages;
        std::vector<ExpectedOnset> scheduled;
        const JackFrame first = keyboard.now() + kRate / 2;
        for (int k = 0; k < 40; ++k) {
            const JackFrame on = first + JackFrame(k) * 4801;
            const std::uint8_t channel = k % 2 ? 2 : 0;
            const std::uint8_t pitch = static_cast<std::uint8_t>(60 + k % 12);
            messages.push_back({on, {std::uint8_t(0x90 | channel), pitch, 100}, 3});
            messages.push_back({on + 2000, {std::uint8_t(0x80 | channel), pitch, 0}, 3});
            ExpectedOnset e;
            e.index = std::size_t(k);
            e.frame = on + engine->lookahead;  // live input is played the lookahead later
            e.what = "MIDI note " + std::to_string(k) + " at frame " + std::to_string(on);
            scheduled.push_back(e);
        }
        keyboard.schedule(messages);
        const JackFrame end = scheduled.back().frame + kRate / 4;
        report("lookahead", engine->lookahead);
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s))
            << "the recorder reached only " << recorder->recorded_until();
        recorder->stop();
        keyboard.stop();

        // A note-on the keyboard missed (its cycle was lost) was never played: not expected.
        std::vector<ExpectedOnset> expected;
        for (const ExpectedOnset& e : scheduled)
            if (!keyboard.was_missed(2 * e.index)) expected.push_back(e);
        const OnsetCheck check = check_onsets(*recorder, expected, first, first - 4 * kPeriod, end);
        for (const std::string& failure : check.failures) ADD_FAILURE() << failure;
        EXPECT_EQ(check.max_error, 0)
            << "largest onset error in samples over " << check.observable << " observable notes";
        // Only the armed (hard-left) track sounds: the right channel stays silent.
        for (JackFrame f = first; f < end; ++f) {
            const auto right = recorder->sample_at(1, f);
            ASSERT_TRUE(!right || *right == 0.0f) << "the unarmed track sounded at frame " << f;
        }
        rounds.add_round(check.observable, 40 - check.observable);
        report("max_onset_error_samples", check.max_error);
        report("sender_missed", keyboard.missed());
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

// Recording: /record 1 1 0.25 (replace, quantize to sixteenths) while the score plays from beat 0
// at 120 bpm (a beat is 24000 frames). Three notes are played at beats 0.5, 1.26 and 2.0 (JACK frames
// computed from /play's frame), each half a beat long; the track's old note at beat 1 is replaced.
// The document then holds the recorded notes at 0.5, 1.25 (quantized) and 2.0, and the subscriber
// was pushed every recorded edit.
TEST_F(TactusdJackTest, recorded_midi_notes_become_edits_at_the_beats_they_were_played) {
    Document doc = two_click_tracks();
    Note old;
    old.id = 77;
    old.start = 1.0;
    old.length = 0.25;
    old.pitch = 40;
    doc.tracks[1].notes.push_back(old);
    const std::string path = save_temp(doc, "record");
    // A run whose keyboard lost a note's cycle to an xrun cannot judge; it is repeated with a fresh
    // engine, at most 4 runs.
    JudgedRounds rounds("recorded notes", 3, 4);
    while (rounds.another()) {
        SCOPED_TRACE("run " + std::to_string(rounds.rounds() + 1));
        if (rounds.rounds() > 0) {
            ASSERT_TRUE(restart_tactusd());
        }
        ASSERT_TRUE(load(path));
        ASSERT_TRUE(osc_.call("/midi/input", osc().i(2)));
        OscTestClient subscriber;
        std::string error;
        ASSERT_TRUE(subscriber.open(tactusd_->port(), &error)) << error;
        ASSERT_TRUE(subscriber.call("/edits/subscribe"));
        const auto record = osc_.call("/record", osc().i(1).i(1).d(0.25));
        ASSERT_TRUE(record && !record->is_error()) << (record ? record->to_string() : "no answer");

        JackMidiSenderOptions options;
        options.server = server_->name();
        JackMidiSender keyboard(options);
        ASSERT_TRUE(keyboard.ok()) << keyboard.error();
        ASSERT_TRUE(keyboard.start()) << keyboard.error();
        std::this_thread::sleep_for(200ms);
        const auto play = play_from(0.0);
        ASSERT_TRUE(play.has_value());
        const double beats[] = {0.5, 1.26, 2.0};
        const std::uint8_t pitches[] = {60, 64, 67};
        std::vector<ScheduledMidi> messages;
        for (int k = 0; k < 3; ++k) {
            const JackFrame on = *play + JackFrame(std::llround(beats[k] * 24000));
            messages.push_back({on, {0x90, pitches[k], 100}, 3});
            messages.push_back({on + 12000, {0x80, pitches[k], 0}, 3});
        }
        if (messages.front().frame <= keyboard.now()) {  // a stalled machine: the first note's frame passed
            rounds.add_round(0, 3);
            continue;
        }
        keyboard.schedule(messages);
        while (keyboard.now() < *play + 3 * 24000) std::this_thread::sleep_for(20ms);
        if (keyboard.missed() > 0) {  // a note fell in a cycle lost to an xrun: its beat cannot be judged
            rounds.add_round(0, 3);
            continue;
        }
        ASSERT_TRUE(osc_.call("/stop"));
        ASSERT_TRUE(osc_.call("/record", osc().i(0)));

        ASSERT_TRUE(osc_.send("/document"));
        const auto fetched = osc_.wait_message("/document", 3000ms);
        ASSERT_TRUE(fetched && fetched->address == "/document")
            << (fetched ? fetched->to_string() : "no answer");
        const LoadResult now = parse_document(fetched->string(1), "<document>");
        ASSERT_TRUE(now.errors.empty()) << now.errors.front().to_string();
        const Track& track = now.document->tracks.at(1);
        ASSERT_EQ(track.notes.size(), 3u) << "the old note at beat 1 must be replaced by the recording";
        const double expected_starts[] = {0.5, 1.25, 2.0};
        for (int k = 0; k < 3; ++k) {
            EXPECT_DOUBLE_EQ(track.notes[std::size_t(k)].start, expected_starts[k]) << "note " << k;
            EXPECT_DOUBLE_EQ(track.notes[std::size_t(k)].length, 0.5) << "note " << k;
            EXPECT_EQ(track.notes[std::size_t(k)].pitch, pitches[k]) << "note " << k;
            EXPECT_EQ(track.notes[std::size_t(k)].velocity, 100) << "note " << k;
        }
        EXPECT_TRUE(now.document->tracks.at(0).notes.empty()) << "only the armed track records";
        // The subscriber saw each recorded edit as it happened: revisions 1, 2, 3 (the deletion of the
        // old note rides with the note that replaced it).
        int pushes = 0;
        while (auto m = subscriber.receive(300ms))
            if (m->address == "/edited") ++pushes;
        EXPECT_EQ(pushes, 3);
        EXPECT_EQ(now.document->revision, 3u);
        rounds.add_round(3, 0);
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
