// A snapshot switched in while the score plays (a live edit): a deleted sounding note is released
// with its envelope (not cut, and not left hanging), a note moved or added ahead starts on its exact
// frame, and a note the edit leaves alone sounds on undisturbed.
#include <gtest/gtest.h>

#include <cmath>

#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using test::note;
using test::track;

constexpr double kRate = 48000;

Frame frame_at_120(double beat) {
    return test::ReferenceTiming({{0, 120, false}}).frame_at(beat, kRate);
}

float largest_step(const std::vector<float>& x, std::size_t from, std::size_t to) {
    float step = 0.0f;
    for (std::size_t i = from + 1; i < to && i < x.size(); ++i)
        step = std::max(step, std::abs(x[i] - x[i - 1]));
    return step;
}

TEST(SequencerEdits, deleting_a_sounding_note_releases_it_with_its_envelope) {
    Document doc;
    doc.tracks.push_back(track(1, "sine", {note(1, 0.0, 8.0, 69)}, -1.0));
    test::SequencerRig rig(doc, kRate);
    rig.sequencer.play(0, 0);
    test::StereoAudio audio;
    const Frame edit = 24000;  // half a second in, the note has four seconds left
    rig.render(edit, 64, audio);
    ASSERT_GT(largest_step(audio.left, 20000, 24000), 0.01f) << "the note must be sounding at the edit";

    doc.tracks[0].notes.clear();
    const auto edited =
        rig.snapshot->with_notes_changed(std::vector{rig.snapshot->compile(note(1, 0.0, 8.0, 69), 0)}, {});
    rig.sequencer.set_score(edited.get(), rig.position);
    rig.render(kRate * 2, 64, audio);

    // Not cut: no step at the edit larger than the sine's own.
    const float own = largest_step(audio.left, 20000, 24000);
    EXPECT_LE(largest_step(audio.left, edit - 1, edit + 2000), own * 1.01f);
    EXPECT_NE(audio.left[edit + 10], 0.0f) << "the release must fade, not cut";
    // Released: silent long before the note's old end (beat 8 = 4 s).
    const std::size_t silent_from = static_cast<std::size_t>(edit + kRate);
    for (std::size_t i = silent_from; i < audio.left.size(); ++i)
        ASSERT_EQ(audio.left[i], 0.0f) << "frame " << i;
}

TEST(SequencerEdits, a_note_moved_ahead_and_a_note_added_ahead_start_on_their_exact_frames) {
    Document doc;
    doc.tracks.push_back(track(1, "click", {note(1, 1.0, 0.25, 60), note(2, 6.0, 0.25, 60)}, -1.0));
    test::SequencerRig rig(doc, kRate);
    rig.sequencer.play(0, 0);
    test::StereoAudio audio;
    rig.render(frame_at_120(2.0) + 37, 64, audio);  // an edit lands mid-block

    // Move note 2 from beat 6 to beat 3.3; add note 3 at beat 4.71.
    const auto& s = *rig.snapshot;
    const auto edited = s.with_notes_changed(
        std::vector{s.compile(note(2, 6.0, 0.25, 60), 0)},
        std::vector{s.compile(note(2, 3.3, 0.25, 60), 0), s.compile(note(3, 4.71, 0.25, 60), 0)});
    rig.sequencer.set_score(edited.get(), rig.position);
    rig.render(frame_at_120(8.0) - rig.position, 64, audio);
    EXPECT_EQ(test::onsets(audio.left),
              (std::vector<std::int64_t>{frame_at_120(1.0), frame_at_120(3.3), frame_at_120(4.71)}));
}

TEST(SequencerEdits, a_sounding_note_the_edit_keeps_sounds_on_sample_for_sample) {
    Document doc;
    doc.tracks.push_back(track(1, "sine", {note(1, 0.0, 4.0, 69), note(2, 6.0, 1.0, 64)}, -1.0));
    test::SequencerRig untouched(doc, kRate), edited(doc, kRate);
    untouched.sequencer.play(0, 0);
    edited.sequencer.play(0, 0);
    test::StereoAudio a, b;
    untouched.render(30000, 64, a);
    edited.render(30000, 64, b);
    // Delete note 2 (not sounding yet): note 1 must go on exactly as before, until note 2's time.
    const auto& s = *edited.snapshot;
    const auto next = s.with_notes_changed(std::vector{s.compile(note(2, 6.0, 1.0, 64), 0)}, {});
    edited.sequencer.set_score(next.get(), edited.position);
    untouched.render(frame_at_120(6.0) - 30000, 64, a);
    edited.render(frame_at_120(6.0) - 30000, 64, b);
    ASSERT_EQ(a.left.size(), b.left.size());
    for (std::size_t i = 0; i < a.left.size(); ++i) ASSERT_EQ(a.left[i], b.left[i]) << "frame " << i;
}

// A tempo change keeps the beat heard at the switch exactly (timing.md): the new position is the
// new map's frame of the exact beat at the old position, for a switch on any frame, not of a nearby
// "simple" beat (which reports use, and which could move every later note by a sample).
TEST(SequencerEdits, a_tempo_change_on_any_frame_keeps_the_exact_beat_heard_there) {
    Document doc;
    doc.tempo = test::tempo_map({{0, 120, false}});
    doc.tracks.push_back(track(1, "click", {note(1, 64.0, 0.25, 60)}, -1.0));
    Document slower = doc;
    slower.tempo = test::tempo_map({{0, 90, false}});
    const auto next = ScoreSnapshot::build(slower, kRate);
    for (Frame at = 240000; at < 240000 + 600; ++at) {
        test::SequencerRig rig(doc, kRate);
        rig.sequencer.play(0, 0);
        rig.sequencer.set_score(next.get(), at, true);
        // Beat at score frame `at` under 120 bpm: at / 24000; under 90 bpm one beat is 32000 frames.
        const Frame want = Frame(std::floor(double(at) * 32000.0 / 24000.0 + 0.5));
        ASSERT_EQ(rig.sequencer.score_frame_at(at), want) << "switch on frame " << at;
    }
}

}  // namespace
}  // namespace tactus
