// What tactusd plays through JACK is what the offline renderer computes, sample for sample: the
// engine's mix in the audio callback is the same code as OfflineRender's, so once the capture is
// aligned by the frame /play reported (never by searching the audio), every recorded frame of both
// channels must equal the offline render bit for bit (float32 all the way), automation included.
//
// An xrun may lose cycles: nothing is compared in them, and since the voices sounding across a lost
// cycle are then late by that much (the engine skipped those frames, its voices did not), the
// comparison resumes only where both signals are silent together for a while (every voice ended),
// which the score below offers at the end of every bar. When xruns leave less than three quarters of
// the timeline compared, the run is repeated with a fresh engine (support/judged_rounds.h): every
// frame compared in any round must be exact.
#include <gtest/gtest.h>

#include <random>

#include "support/judged_rounds.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

constexpr int kBars = 7;

// Seven bars of six presets at 120 bpm with a gentle ramp: each bar plays for 2.5 beats, then every
// release tail dies away before the next bar (the pad's 0.6 s release is the longest).
Document band_score() {
    Document doc;
    doc.title = "end-to-end capture";
    doc.tempo = tempo_map({{0, 120, false}, {16, 120, true}, {24, 132, false}});
    std::mt19937 rng(777);
    std::uniform_int_distribution<int> velocity(70, 120);
    std::uniform_real_distribution<double> cents(-20, 20);
    auto add = [&](Track& t, NoteId& id, double start, double length, int pitch) {
        Note n = note(id++, start, length, pitch, velocity(rng));
        n.cents = std::round(cents(rng));
        t.notes.push_back(n);
    };
    Track pluck = track(1, "pluck", {}, -0.4);
    Track bass = track(2, "bass", {}, 0.0);
    Track lead = track(3, "lead", {}, 0.5);
    Track drums = track(4, "drums", {}, 0.1);
    Track pad = track(5, "pad", {}, -0.2);
    Track tri = track(6, "triangle", {}, 0.8);
    lead.level = 0.8;
    pad.level = 0.6;
    const int chords[4][3] = {{57, 60, 64}, {53, 57, 60}, {55, 59, 62}, {52, 55, 59}};
    NoteId id = 1;
    for (int bar = 0; bar < kBars; ++bar) {
        const double b = bar * 4.0;
        const int* chord = chords[bar % 4];
        for (int k = 0; k < 6; ++k) add(pluck, id, b + k * 0.5, 0.25, chord[k % 3] + 12);
        add(bass, id, b, 1.0, chord[0] - 24);
        add(bass, id, b + 1.5, 0.75, chord[0] - 24);
        add(lead, id, b + 0.5, 0.5, chord[2] + 12);
        add(lead, id, b + 1.25, 1.0, chord[1] + 12);
        add(drums, id, b, 0.0, 36);
        add(drums, id, b + 1.0, 0.0, 38);
        add(drums, id, b + 0.5, 0.0, 42);
        add(drums, id, b + 1.5, 0.0, 42);
        add(drums, id, b + 2.0, 0.0, 36);
        for (int k = 0; k < 3; ++k) add(pad, id, b, 1.8, chord[k]);
        add(tri, id, b + 2.0, 0.5, chord[1] + 24);
    }
    doc.tracks = {pluck, bass, lead, drums, pad, tri};
    // Automation on the audio thread, which must come out the same too: the pad's level falls along a
    // line over the song, the lead's pan sweeps on an S-curve and back, the bass steps.
    doc.automation = {
        {{AutomationOwner::Track, 5, "level"},
         {{0.0, 1.0, AutomationShape::Linear}, {kBars * 4.0 - 2.0, 0.2, AutomationShape::Linear}}},
        {{AutomationOwner::Track, 3, "pan"},
         {{2.0, 0.5, AutomationShape::Smooth},
          {10.0, -0.7, AutomationShape::Smooth},
          {18.0, 0.9, AutomationShape::Linear}}},
        {{AutomationOwner::Track, 2, "level"},
         {{4.0, 0.5, AutomationShape::Hold},
          {12.0, 1.2, AutomationShape::Hold},
          {20.5, 0.8, AutomationShape::Hold}}}};
    return doc;
}

TEST_F(TactusdJackTest, captured_output_equals_the_offline_render_in_every_cycle_not_lost) {
    const Document doc = band_score();
    const StereoAudio offline = render_offline(doc, kRate);
    const auto length = static_cast<JackFrame>(offline.left.size());
    ASSERT_GT(length, 13 * kRate);
    ASSERT_LT(length, 17 * kRate);
    const std::string path = save_temp(doc, "band");

    // Score frames [-kRate/10, length + kRate/4) relative to the play frame: silence before, the
    // render, silence after. A round judges the frames it could compare; rounds (each with a fresh
    // engine) are repeated until three quarters of them were compared in some round, at most 4.
    const JackFrame lead_in = kRate / 10, span = lead_in + length + kRate / 4;
    std::vector<bool> covered(static_cast<std::size_t>(span), false);
    std::int64_t covered_frames = 0, covered_sound = 0, sound_frames = 0;
    for (JackFrame k = 0; k < length; ++k)
        if (offline.left[std::size_t(k)] != 0.0f || offline.right[std::size_t(k)] != 0.0f) ++sound_frames;
    JudgedRounds rounds("frames", span * 3 / 4, 4);
    std::int64_t mismatches = 0;
    while (rounds.another()) {
        const auto started = begin_round(rounds.rounds(), path, 24.0);
        ASSERT_TRUE(started);
        JackRecorder* recorder = started->recorder;
        const std::int64_t play = started->play;
        const JackFrame from = play - lead_in;  // before the play frame: silence expected
        const JackFrame end = from + span;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s))
            << "the recorder reached only frame " << recorder->recorded_until() << ", expected " << end;
        recorder->stop();

        // Walk the timeline: compare in sync; after a gap, wait for a common silence of both signals.
        constexpr int kResyncSilence = 256;
        std::int64_t compared = 0, skipped_after_gaps = 0, gaps = 0;
        bool in_sync = true;
        int common_silence = 0;
        JackFrame expected_next = -1;
        for (const RecordedCycle& c : recorder->cycles()) {
            if (c.end() <= from || c.frame_time >= end) continue;
            if (expected_next >= 0 && c.frame_time != expected_next) {
                ++gaps;
                in_sync = false;
                common_silence = 0;
            }
            expected_next = c.end();
            for (JackFrame f = std::max(c.frame_time, from); f < std::min(c.end(), end); ++f) {
                const JackFrame k = f - play;
                const bool inside = k >= 0 && k < length;
                const float want[2] = {inside ? offline.left[static_cast<std::size_t>(k)] : 0.0f,
                                       inside ? offline.right[static_cast<std::size_t>(k)] : 0.0f};
                const float got[2] = {*recorder->sample_at(0, f), *recorder->sample_at(1, f)};
                if (!in_sync) {
                    const bool silent =
                        want[0] == 0.0f && want[1] == 0.0f && got[0] == 0.0f && got[1] == 0.0f;
                    common_silence = silent ? common_silence + 1 : 0;
                    ++skipped_after_gaps;
                    if (common_silence >= kResyncSilence) in_sync = true;
                    continue;
                }
                ++compared;
                const auto slot = static_cast<std::size_t>(f - from);
                if (!covered[slot]) {
                    covered[slot] = true;
                    ++covered_frames;
                    if (want[0] != 0.0f || want[1] != 0.0f) ++covered_sound;
                }
                for (int ch = 0; ch < 2; ++ch) {
                    if (got[ch] == want[ch]) continue;
                    if (mismatches++ < 10) {
                        ADD_FAILURE()
                            << "round " << rounds.rounds() + 1 << ": " << (ch == 0 ? "left" : "right")
                            << " channel at JACK frame " << f << " (score frame " << k << ", play frame "
                            << play << "): expected " << want[ch] << " (offline render), found " << got[ch];
                    }
                }
            }
        }
        rounds.add_round(compared, span - compared);
        rounds.set_judged_total(covered_frames);
        report("round_" + std::to_string(rounds.rounds()) + "_frames_compared", compared);
        report("round_" + std::to_string(rounds.rounds()) + "_frames_skipped_after_gaps", skipped_after_gaps);
        report("round_" + std::to_string(rounds.rounds()) + "_recorder_gaps", gaps);
        report("round_" + std::to_string(rounds.rounds()) + "_recorder_xruns", recorder->xruns());
    }
    EXPECT_EQ(mismatches, 0) << "samples that differ from the offline render (first 10 shown)";
    report("frames_compared_in_some_round", covered_frames);
    report("frames_with_sound_compared", covered_sound);
    report("frames_with_sound", sound_frames);
    report("mismatched_samples", mismatches);
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
    // What was compared must include sound, or the comparison proves little: when the rounds judged
    // only silence, that is as inconclusive as judging nothing.
    if (covered_sound == 0)
        GTEST_SKIP() << "inconclusive: " << rounds.rounds() << " rounds compared only silence";
}

}  // namespace
}  // namespace tactus::test
