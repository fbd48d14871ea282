// Block-size independence, locate into a sounding note, and loops that repeat exactly.
#include <gtest/gtest.h>

#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using test::note;
using test::track;

Frame frame_at_120(double beat, double rate) {
    return test::ReferenceTiming({{0, 120, false}}).frame_at(beat, rate);
}

// Several presets, chords, overlapping notes, zero-length hits, level/pan and a ramp: every
// moving part of the render path at once.
Document busy_score() {
    Document doc;
    doc.tempo = test::tempo_map({{0, 110, false}, {4, 110, true}, {8, 150, false}});
    const std::vector<std::string> presets = {"pluck", "pad",   "bass",  "lead",
                                              "saw",   "drums", "click", "sine"};
    NoteId id = 1;
    for (std::size_t t = 0; t < presets.size(); ++t) {
        std::vector<Note> notes;
        for (int i = 0; i < 40; ++i) {
            const double start = i * 0.3 + 0.07 * double(t);
            const double length = (i % 5 == 0) ? 0.0 : 0.2 + 0.15 * double(i % 4);
            notes.push_back(note(id++, start, length, 36 + int((t * 7 + i * 5) % 48), 30 + (i * 13) % 97));
        }
        Track tr = track(TrackId(t + 1), presets[t], notes, -0.8 + 0.2 * double(t));
        tr.level = 0.3 + 0.05 * double(t);
        doc.tracks.push_back(tr);
    }
    return doc;
}

TEST(Sequencer, output_is_bit_identical_for_block_sizes_1_7_64_512_4096) {
    const Document doc = busy_score();
    const test::StereoAudio reference = test::render_offline(doc, 48000, 512);
    ASSERT_GT(reference.left.size(), 48000u);
    float peak = 0;
    for (float s : reference.left) peak = std::max(peak, std::abs(s));
    ASSERT_GT(peak, 0.01f) << "the busy score must actually make sound";
    for (int block : {1, 7, 64, 1000, 4096}) {
        const test::StereoAudio audio = test::render_offline(doc, 48000, block);
        // The same length too: the render ends after its last sound, wherever the blocks fall.
        ASSERT_EQ(audio.left.size(), reference.left.size()) << "block " << block;
        for (std::size_t i = 0; i < audio.left.size(); ++i) {
            ASSERT_EQ(audio.left[i], reference.left[i]) << "block " << block << " frame " << i;
            ASSERT_EQ(audio.right[i], reference.right[i]) << "block " << block << " frame " << i;
        }
    }
}

// A render ends right after its last sample that is not zero, or at the last note's end if it is
// silent by then (a note ending in silence keeps its place in the file).
TEST(Sequencer, a_render_ends_after_its_last_sound_and_not_before_the_last_note_ends) {
    Document doc;
    doc.tracks.push_back(track(1, "click", {note(1, 0.0, 0.05, 69), note(2, 1.0, 0.05, 72)}, 0.0));
    for (int block : {64, 333, 512}) {
        const test::StereoAudio audio = test::render_offline(doc, 48000, block);
        ASSERT_FALSE(audio.left.empty());
        EXPECT_TRUE(audio.left.back() != 0.0f || audio.right.back() != 0.0f) << "block " << block;
        EXPECT_GT(audio.left.size(), std::size_t(frame_at_120(1.05, 48000))) << "block " << block;
    }
    // A note on a track at level 0 plays unheard to beat 8: the render runs in zeros to its end.
    Document quiet = doc;
    quiet.tracks.push_back(track(2, "sine", {note(3, 0.0, 8.0, 60)}, 0.0));
    quiet.tracks[1].level = 0.0;
    const Frame last_note_end = frame_at_120(8.0, 48000);
    for (int block : {64, 512}) {
        const test::StereoAudio audio = test::render_offline(quiet, 48000, block);
        EXPECT_EQ(Frame(audio.left.size()), last_note_end + 1) << "block " << block;
    }
}

TEST(Sequencer, locate_into_the_middle_of_a_note_makes_it_sound_at_once) {
    Document doc;
    doc.tracks.push_back(track(1, "click", {note(1, 0.0, 4.0, 69)}, -1.0));
    test::SequencerRig rig(doc, 48000);
    const Frame middle = frame_at_120(2.0, 48000);
    test::StereoAudio audio;
    rig.render(1000, 64, audio);
    rig.sequencer.play(1000, middle);  // play from beat 2, heard from output frame 1000
    rig.render(3000, 64, audio);
    EXPECT_EQ(test::onsets(audio.left), std::vector<std::int64_t>{1000});
    EXPECT_NE(audio.left[1000], 0.0f);
}

TEST(Sequencer, locate_while_playing_releases_sounding_notes_and_chases_the_new_position) {
    Document doc;
    doc.tracks.push_back(track(1, "click", {note(1, 0.0, 2.0, 60), note(2, 8.0, 4.0, 72)}, -1.0));
    test::SequencerRig rig(doc, 48000);
    rig.sequencer.play(0, 0);
    test::StereoAudio audio;
    rig.render(10000, 128, audio);
    rig.sequencer.locate(rig.position, frame_at_120(10.0, 48000));  // into the middle of note 2
    const Frame located_at = rig.position;
    rig.render(10000, 128, audio);
    // Note 1 is released (silent within 10 ms = 480 frames), note 2 starts right at the locate.
    EXPECT_NE(audio.left[static_cast<std::size_t>(located_at)], 0.0f);
    const Frame stopped_at = rig.position;
    rig.sequencer.stop(stopped_at);
    rig.render(2000, 128, audio);
    for (std::size_t i = static_cast<std::size_t>(stopped_at) + 480; i < audio.left.size(); ++i)
        ASSERT_EQ(audio.left[i], 0.0f) << "stop releases every note to silence within 10 ms";
}

TEST(Sequencer, loop_played_100_times_repeats_every_b_minus_a_frames_without_gap_or_doubled_sample) {
    const double rate = 48000;
    Document doc;
    doc.tracks.push_back(track(1, "click",
                               {note(1, 1.0, 0.25, 60),  // before the loop: once
                                note(2, 3.0, 0.5, 64),   // crosses the loop start: chased every pass
                                note(3, 4.0, 0.125, 67), note(4, 5.25, 0.0, 71), note(5, 6.5, 0.125, 74),
                                note(6, 8.0, 0.25, 48)},  // after the loop end: never heard
                               -1.0));
    test::SequencerRig rig(doc, rate);
    const Frame a = frame_at_120(3.3, rate), b = frame_at_120(7.77, rate);
    rig.sequencer.set_loop({true, a, b});
    rig.sequencer.play(0, 0);
    constexpr int kPasses = 100;
    test::StereoAudio audio;
    rig.render(a + kPasses * (b - a), 100, audio);  // 100-frame blocks: wraps fall mid-block

    std::vector<std::int64_t> expected = {frame_at_120(1.0, rate), frame_at_120(3.0, rate),
                                          frame_at_120(4.0, rate), frame_at_120(5.25, rate),
                                          frame_at_120(6.5, rate)};
    for (int pass = 1; pass < kPasses; ++pass)
        for (double beat : {3.3, 4.0, 5.25, 6.5})
            expected.push_back(frame_at_120(beat, rate) + pass * (b - a));
    EXPECT_EQ(test::onsets(audio.left), expected);

    // Every pass after the first is the second pass, sample for sample.
    const std::size_t len = static_cast<std::size_t>(b - a);
    const std::size_t second = static_cast<std::size_t>(a + (b - a));
    for (int pass = 2; pass < kPasses; ++pass) {
        const std::size_t start = static_cast<std::size_t>(a + pass * (b - a));
        for (std::size_t i = 0; i < len; ++i)
            ASSERT_EQ(audio.left[start + i], audio.left[second + i]) << "pass " << pass << " frame " << i;
    }
}

TEST(Sequencer, stopped_transport_plays_nothing) {
    Document doc;
    doc.tracks.push_back(track(1, "click", {note(1, 0.0, 1.0, 60)}));
    test::SequencerRig rig(doc, 48000);
    test::StereoAudio audio;
    rig.render(48000, 256, audio);
    EXPECT_TRUE(test::onsets(audio.left).empty());
}

}  // namespace
}  // namespace tactus
