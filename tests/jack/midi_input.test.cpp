// A MIDI keyboard through JACK: a test client sends notes into tactusd's midi_in port at chosen JACK
// frames; each note starts in tactusd's output on exactly that frame, on the instrument of the track
// armed for input (the first track after a load, or the one /midi/input names). Judged on every note
// whose frame was heard (not in, or right after, a cycle lost to an xrun).
#include <gtest/gtest.h>

#include "click_score.h"
#include "support/jack_midi_sender.h"
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
    std::vector<ExpectedOnset> expected;
    const JackFrame first = keyboard.now() + kRate / 2;
    for (int k = 0; k < 40; ++k) {
        const JackFrame on = first + JackFrame(k) * 4801;
        const std::uint8_t channel = k % 2 ? 2 : 0;
        const std::uint8_t pitch = static_cast<std::uint8_t>(60 + k % 12);
        messages.push_back({on, {std::uint8_t(0x90 | channel), pitch, 100}, 3});
        messages.push_back({on + 2000, {std::uint8_t(0x80 | channel), pitch, 0}, 3});
        ExpectedOnset e;
        e.index = std::size_t(k);
        e.frame = on;
        e.what = "MIDI note " + std::to_string(k) + " at frame " + std::to_string(on);
        expected.push_back(e);
    }
    keyboard.schedule(messages);
    const JackFrame end = expected.back().frame + kRate / 4;
    ASSERT_TRUE(recorder->wait_until_recorded(end, 20s))
        << "the recorder reached only " << recorder->recorded_until();
    recorder->stop();
    keyboard.stop();

    const OnsetCheck check = check_onsets(*recorder, expected, first, first - 4 * kPeriod, end);
    for (const std::string& failure : check.failures) ADD_FAILURE() << failure;
    EXPECT_EQ(check.max_error, 0) << "largest onset error in samples over " << check.observable
                                  << " observable notes";
    EXPECT_GE(check.observable * 10, int(expected.size()) * 8) << "too few notes observable to judge";
    // Only the armed (hard-left) track sounds: the right channel stays silent.
    for (JackFrame f = first; f < end; ++f) {
        const auto right = recorder->sample_at(1, f);
        ASSERT_TRUE(!right || *right == 0.0f) << "the unarmed track sounded at frame " << f;
    }
    report("midi_notes", 40);
    report("observable_notes", check.observable);
    report("max_onset_error_samples", check.max_error);
    report("sender_missed", keyboard.missed());
}

}  // namespace
}  // namespace tactus::test
