// MidiRecorder: recorded key presses become note edits at the beats they were played, with input
// quantize, punch in/out, overdub (old notes stay) and replace (old notes under the recording go).
#include "server/midi_recorder.h"

#include <gtest/gtest.h>

#include "support/score_builder.h"

namespace tactus {
namespace {

// Score frames are beats here (a beat is 1000 frames), so tests read in beats.
MidiRecorder recorder() {
    return MidiRecorder([](Frame f) { return double(f) / 1000.0; });
}

RecordedMidi key(double beat, int status, int pitch, int velocity = 100) {
    RecordedMidi r;
    r.score_frame = static_cast<Frame>(beat * 1000.0);
    r.bytes[0] = static_cast<std::uint8_t>(status);
    r.bytes[1] = static_cast<std::uint8_t>(pitch);
    r.bytes[2] = static_cast<std::uint8_t>(velocity);
    r.size = 3;
    return r;
}

Document with_old_notes() {
    Document doc;
    doc.tracks = {test::track(
        4, "sine", {test::note(1, 1.0, 1.0, 50), test::note(2, 3.0, 1.0, 52), test::note(3, 9.0, 1.0, 54)})};
    return doc;
}

TEST(MidiRecorder, a_note_is_added_on_release_at_the_quantized_beat_it_was_pressed) {
    MidiRecorder r = recorder();
    r.start({4, false, 0.25, 0.0, 1e300});
    const Document doc = with_old_notes();
    EXPECT_TRUE(r.feed(key(2.13, 0x90, 60, 90), doc).empty()) << "nothing is added while the key is held";
    const auto edits = r.feed(key(2.63, 0x80, 60), doc);
    ASSERT_EQ(edits.size(), 1u);
    const auto& add = std::get<edit::NoteAdd>(edits[0]);
    EXPECT_EQ(add.track, 4u);
    EXPECT_DOUBLE_EQ(add.note.start, 2.25);
    EXPECT_NEAR(add.note.length, 0.5, 1e-9);
    EXPECT_EQ(add.note.pitch, 60);
    EXPECT_EQ(add.note.velocity, 90);
    EXPECT_EQ(add.note.id, 0u) << "the editor picks the id";
}

TEST(MidiRecorder, overdub_keeps_the_old_notes_and_replace_deletes_those_it_passes_over) {
    const Document doc = with_old_notes();
    MidiRecorder overdub = recorder();
    overdub.start({4, false, 0.0, 0.0, 1e300});
    overdub.feed(key(0.5, 0x90, 60), doc);
    EXPECT_EQ(overdub.feed(key(3.5, 0x90, 60, 0), doc).size(), 1u)
        << "a note-on with velocity 0 ends the note";

    MidiRecorder replace = recorder();
    replace.start({4, true, 0.0, 0.0, 1e300});
    replace.feed(key(0.5, 0x90, 60), doc);
    const auto edits = replace.feed(key(3.5, 0x80, 60), doc);
    ASSERT_EQ(edits.size(), 3u);  // notes 1 (beat 1) and 2 (beat 3) lie under [0.5, 3.5): deleted
    EXPECT_EQ(std::get<edit::NoteDelete>(edits[0]).id, 1u);
    EXPECT_EQ(std::get<edit::NoteDelete>(edits[1]).id, 2u);
    EXPECT_TRUE(std::holds_alternative<edit::NoteAdd>(edits[2]));
    // Stopping at beat 10 clears the rest of the passage: note 3 at beat 9.
    const auto rest = replace.finish(10.0, doc);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(std::get<edit::NoteDelete>(rest[0]).id, 3u);
}

TEST(MidiRecorder, only_notes_starting_inside_the_punch_range_are_recorded) {
    const Document doc = with_old_notes();
    MidiRecorder r = recorder();
    r.start({4, false, 0.0, 2.0, 4.0});
    r.feed(key(1.5, 0x90, 60), doc);
    EXPECT_TRUE(r.feed(key(2.5, 0x80, 60), doc).empty()) << "pressed before the punch-in";
    r.feed(key(2.0, 0x90, 62), doc);
    EXPECT_EQ(r.feed(key(5.0, 0x80, 62), doc).size(), 1u) << "pressed inside: recorded whole";
    r.feed(key(4.0, 0x90, 64), doc);
    EXPECT_TRUE(r.feed(key(4.5, 0x80, 64), doc).empty()) << "pressed at the punch-out";
}

TEST(MidiRecorder, notes_still_held_when_recording_ends_end_there) {
    const Document doc = with_old_notes();
    MidiRecorder r = recorder();
    r.start({4, false, 0.0, 0.0, 1e300});
    r.feed(key(1.0, 0x90, 60), doc);
    r.feed(key(1.5, 0x91, 67), doc);  // another channel
    const auto edits = r.finish(3.0, doc);
    ASSERT_EQ(edits.size(), 2u);
    EXPECT_DOUBLE_EQ(std::get<edit::NoteAdd>(edits[0]).note.length, 2.0);
    EXPECT_DOUBLE_EQ(std::get<edit::NoteAdd>(edits[1]).note.length, 1.5);
    EXPECT_FALSE(r.active());
}

}  // namespace
}  // namespace tactus
