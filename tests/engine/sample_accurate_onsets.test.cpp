// The promise of Tactus: a note the score puts at beat b starts at output sample
// floor(seconds(b) * rate + 0.5), exactly, for every note (timing.md). Expectations come from the
// test's own long-double reading of timing.md (support/reference_timing.h), never from src/core.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using test::RefTempoPoint;

// Tempo: constant 120, a jump to 60, an accelerating ramp 60 -> 180, constant 180, a slowing ramp
// 180 -> 90, then an awkward constant 97.3 to the end.
const std::vector<RefTempoPoint> kTempo = {{0, 120, false},    {40, 60, false},  {60, 60, true},
                                           {100, 180, false},  {140, 180, true}, {180, 90, false},
                                           {200, 97.3L, false}};

Document click_score() {
    std::vector<TempoPoint> points;
    for (const auto& p : kTempo) points.push_back({double(p.beat), double(p.bpm), p.ramp});
    Document doc;
    doc.tempo = test::tempo_map(points);

    std::vector<Note> notes;
    std::mt19937 rng(20261124);
    std::uniform_int_distribution<int> offset_steps(0, 32), pitch(48, 84);
    NoteId id = 1;
    auto near_change = [](double beat) {
        for (const auto& p : kTempo)
            if (p.beat > 0 && beat >= double(p.beat) - 1 && beat < double(p.beat) + 1) return true;
        return false;
    };
    for (double beat = 0; beat < 560; beat += 0.5) {
        if (near_change(beat)) continue;
        // Offsets up to a quarter beat on a 1/128-beat grid: at 120 bpm, odd multiples land on frames
        // ending in exactly .5 at 48 kHz, a quarter beat does at 44.1 kHz (an eighth at 60 bpm).
        const double offset = (id % 4 == 3) ? 0.25 : offset_steps(rng) / 128.0;
        notes.push_back(test::note(id++, beat + offset, 1.0 / 16, pitch(rng)));
    }
    // Around each tempo change, alternately a note exactly on the change and a note that starts
    // before it and ends after it.
    for (std::size_t i = 1; i < kTempo.size(); ++i) {
        const double change = double(kTempo[i].beat);
        if (i % 2 == 1)
            notes.push_back(test::note(id++, change, 1.0 / 16, 72));
        else
            notes.push_back(test::note(id++, change - 0.75, 0.8125, 72));
    }
    std::sort(notes.begin(), notes.end(), [](const Note& a, const Note& b) { return a.start < b.start; });
    // Hard left, so the left channel carries the clicks at exactly the synth's output.
    doc.tracks.push_back(test::track(1, "click", notes, -1.0));
    return doc;
}

void expect_every_onset_on_its_frame(double rate, int block) {
    const Document doc = click_score();
    ASSERT_GE(doc.note_count(), 1000u);
    const test::ReferenceTiming ref(kTempo);

    std::vector<std::int64_t> expected;
    int half_frames = 0;
    bool crosses_change = false;
    for (const Note& n : doc.tracks[0].notes) {
        const long double exact = ref.seconds_at(n.start) * rate;
        if (exact - std::floor(exact) == 0.5L) ++half_frames;
        for (const auto& p : kTempo) crosses_change |= n.start < double(p.beat) && n.end() > double(p.beat);
        expected.push_back(ref.frame_at(n.start, rate));
    }
    // The score really exercises round-half-up and notes across tempo changes.
    EXPECT_GE(half_frames, 20) << "too few notes on exact .5 frame positions at " << rate << " Hz";
    EXPECT_TRUE(crosses_change);

    const test::StereoAudio audio = test::render_offline(doc, rate, block);
    const std::vector<std::int64_t> found = test::onsets(audio.left);
    ASSERT_EQ(found.size(), expected.size()) << "every note must start after silence";
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        worst = std::max(worst, std::abs(found[i] - expected[i]));
        EXPECT_EQ(found[i], expected[i]) << "note " << i << " at beat " << doc.tracks[0].notes[i].start;
    }
    EXPECT_EQ(worst, 0) << "largest onset error in samples at " << rate << " Hz";
    // The right channel is silent: the named output channel is the only one carrying the track.
    EXPECT_TRUE(std::all_of(audio.right.begin(), audio.right.end(), [](float s) { return s == 0.0f; }));
}

TEST(SampleAccurateOnsets, every_click_starts_on_its_score_frame_at_48000) {
    expect_every_onset_on_its_frame(48000, 512);
}

TEST(SampleAccurateOnsets, every_click_starts_on_its_score_frame_at_44100) {
    expect_every_onset_on_its_frame(44100, 331);
}

}  // namespace
}  // namespace tactus
