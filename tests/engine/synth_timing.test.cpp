// The synth's timing contract: output independent of render() call boundaries, the click's first
// sample on the note's frame, exact silence when nothing sounds.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "engine/synth/synth_instrument.h"
#include "synth_test_helpers.h"

namespace tactus {
namespace {

using synth_test::kRate;
using synth_test::ms;
using synth_test::preset;
using synth_test::render;

// A little score of instrument calls, each at a frame.
struct Event {
    int frame;
    std::function<void(SynthInstrument&)> apply;
};

std::vector<Event> busy_script() {
    auto on = [](VoiceKey key, int pitch, int velocity) {
        return [=](SynthInstrument& s) { s.note_on(key, pitch, 0.0, velocity); };
    };
    auto off = [](VoiceKey key) { return [=](SynthInstrument& s) { s.note_off(key); }; };
    auto cc = [](ControllerKind kind, int number, double value) {
        return [=](SynthInstrument& s) { s.controller(ControllerEvent{0.0, kind, number, value}); };
    };
    return {
        {0, on(1, 36, 100)},
        {0, on(2, 48, 90)},
        {0, on(3, 55, 70)},
        {0, off(3)},  // zero-length note
        {37, on(4, 38, 127)},
        {500, on(5, 42, 60)},
        {501, on(6, 46, 80)},
        {777, on(7, 64, 110)},
        {1000, on(8, 67, 100)},  // beyond the limit of 4: steals
        {1200, off(1)},
        {1200, on(1, 72, 100)},  // key reused after its note-off
        {1500, on(1, 74, 100)},  // key still held: the old voice is released first
        {2000, cc(ControllerKind::ControlChange, 64, 127)},  // sustain pedal down
        {2100, off(2)},
        {3000, cc(ControllerKind::PitchBend, 0, 0.5)},
        {4000, cc(ControllerKind::ControlChange, 64, 0)},  // pedal up
        {5000, off(4)},
        {7001, off(5)},
        {9000, on(9, 49, 100)},
        {9000, on(10, 51, 100)},
        {12000, [](SynthInstrument& s) { s.release_all(); }},
        {16000, on(11, 60, 100)},
        {16003, on(12, 35, 100)},
        {20000, [](SynthInstrument& s) { s.kill_all(); }},
        {20100, on(13, 57, 30)},
        {26000, off(13)},
    };
}

// Renders `frames` frames with the script, cutting the span at every event and also wherever
// `cut` says (cut(frame) -> length of the next call, at most until the next event).
std::vector<float> run(const SynthPreset& p, const std::vector<Event>& script, int frames,
                       const std::function<int()>& cut, int max_voices = 4) {
    SynthInstrument synth(p, kRate, max_voices);
    std::vector<float> left(static_cast<std::size_t>(frames));
    std::vector<float> right(static_cast<std::size_t>(frames));
    std::size_t next = 0;
    for (int frame = 0; frame < frames;) {
        while (next < script.size() && script[next].frame == frame) script[next++].apply(synth);
        int end = next < script.size() ? script[next].frame : frames;
        end = std::min({end, frames, frame + cut()});
        synth.render(left.data() + frame, right.data() + frame, end - frame);
        frame = end;
    }
    EXPECT_EQ(left, right);
    return left;
}

bool bit_identical(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(SynthTiming, output_does_not_depend_on_render_call_boundaries_for_every_preset) {
    const std::vector<Event> script = busy_script();
    constexpr int kFrames = 30000;
    for (const std::string& name : synth_preset_names()) {
        SCOPED_TRACE(name);
        const SynthPreset& p = preset(name);
        const std::vector<float> whole = run(p, script, kFrames, [] { return kMaxRenderFrames; });
        EXPECT_GT(synth_test::peak(whole), 0.01);
        for (unsigned seed = 1; seed <= 4; ++seed) {
            std::mt19937 random(seed);
            std::uniform_int_distribution<int> length(1, seed % 2 == 0 ? 17 : kMaxRenderFrames);
            const std::vector<float> cut = run(p, script, kFrames, [&] { return length(random); });
            EXPECT_TRUE(bit_identical(whole, cut)) << "seed " << seed;
        }
        // Single-sample calls: the harshest partition.
        EXPECT_TRUE(bit_identical(whole, run(p, script, kFrames, [] { return 1; })));
    }
}

// Dozens of voices starting and ending at scattered frames: voices are filtered in batches of
// eight whose make-up changes from call to call; the output must not notice.
TEST(SynthTiming, output_does_not_depend_on_render_call_boundaries_with_many_voices) {
    std::vector<Event> script;
    for (int i = 0; i < 60; ++i) {
        const auto key = static_cast<VoiceKey>(i + 1);
        const int pitch = 30 + (i * 11) % 70;
        script.push_back({i * 97, [=](SynthInstrument& s) { s.note_on(key, pitch, 3.0 * i, 20 + i); }});
    }
    for (int i = 0; i < 60; i += 2) {
        const auto key = static_cast<VoiceKey>(i + 1);
        script.push_back({i * 97 + 1500 + i * 31, [=](SynthInstrument& s) { s.note_off(key); }});
    }
    std::stable_sort(script.begin(), script.end(),
                     [](const Event& a, const Event& b) { return a.frame < b.frame; });
    constexpr int kFrames = 24000;
    for (const char* name : {"pluck", "pad", "drums", "lead", "sine"}) {
        SCOPED_TRACE(name);
        const std::vector<float> whole = run(
            preset(name), script, kFrames, [] { return kMaxRenderFrames; }, 40);
        std::mt19937 random(99);
        std::uniform_int_distribution<int> length(1, 200);
        const std::vector<float> cut = run(
            preset(name), script, kFrames, [&] { return length(random); }, 40);
        EXPECT_TRUE(bit_identical(whole, cut));
    }
}

TEST(SynthTiming, same_score_renders_identically_twice) {
    const std::vector<Event> script = busy_script();
    const std::vector<float> first = run(preset("drums"), script, 20000, [] { return 64; });
    const std::vector<float> second = run(preset("drums"), script, 20000, [] { return 64; });
    EXPECT_TRUE(bit_identical(first, second));
}

TEST(SynthTiming, click_first_sample_is_nonzero_for_every_pitch_and_velocity) {
    for (int pitch : {0, 21, 60, 76, 77, 100, 127}) {
        for (int velocity : {1, 64, 127}) {
            SynthInstrument click(preset("click"), kRate);
            click.note_on(1, pitch, 0.0, velocity);
            float left = 0.0f;
            float right = 0.0f;
            click.render(&left, &right, 1);
            EXPECT_NE(left, 0.0f) << "pitch " << pitch << " velocity " << velocity;
        }
    }
}

TEST(SynthTiming, click_starts_on_the_exact_frame_after_silence) {
    SynthInstrument click(preset("click"), kRate);
    std::vector<float> out = render(click, 1000);
    EXPECT_TRUE(synth_test::all_zero(out));
    click.note_on(1, 76, 0.0, 100);
    out = render(click, 7);  // an odd call length: the note starts at the next call's first frame
    EXPECT_NE(out[0], 0.0f);
}

TEST(SynthTiming, click_reaches_exact_silence_within_10_ms_of_note_off) {
    for (int held : {0, 1, 5, 48, 200, 480, 1000}) {
        SynthInstrument click(preset("click"), kRate);
        click.note_on(1, 76, 0.0, 127);
        if (held > 0) render(click, held);
        click.note_off(1);
        const std::vector<float> tail = render(click, ms(100));
        EXPECT_LE(synth_test::last_nonzero(tail), ms(10)) << "held " << held;
        EXPECT_TRUE(click.is_silent());
    }
}

TEST(SynthTiming, click_is_silent_before_the_next_note_of_a_fast_metronome) {
    // Sixteenth notes at 240 BPM: a note every 62.5 ms, each 30 ms long.
    SynthInstrument click(preset("click"), kRate);
    const int period = 3000;
    for (int beat = 0; beat < 8; ++beat) {
        click.note_on(static_cast<VoiceKey>(beat + 1), beat % 4 == 0 ? 84 : 77, 0.0, 100);
        std::vector<float> note = render(click, ms(30));
        EXPECT_NE(note[0], 0.0f);
        click.note_off(static_cast<VoiceKey>(beat + 1));
        std::vector<float> gap = render(click, period - ms(30));
        EXPECT_LE(synth_test::last_nonzero(gap), ms(10));
        EXPECT_TRUE(click.is_silent());
    }
}

TEST(SynthTiming, idle_synth_writes_exact_zeros_and_is_silent) {
    for (const std::string& name : synth_preset_names()) {
        SynthInstrument synth(preset(name), kRate);
        EXPECT_TRUE(synth.is_silent()) << name;
        std::vector<float> left(kMaxRenderFrames, 1.0f);
        std::vector<float> right(kMaxRenderFrames, -1.0f);
        synth.render(left.data(), right.data(), kMaxRenderFrames);
        EXPECT_TRUE(synth_test::all_zero(left)) << name;
        EXPECT_TRUE(synth_test::all_zero(right)) << name;
    }
}

TEST(SynthTiming, zero_length_note_plays_its_attack_then_releases) {
    // pluck: note_on and note_off before any render still sounds a full, short hit.
    SynthInstrument zero(preset("pluck"), kRate);
    zero.note_on(1, 60, 0.0, 100);
    zero.note_off(1);
    const std::vector<float> hit = render(zero, ms(500));

    SynthInstrument held(preset("pluck"), kRate);
    held.note_on(1, 60, 0.0, 100);
    const std::vector<float> reference = render(held, ms(500));
    // The attack (1 ms) completes: the hit is about as loud as a held note ...
    EXPECT_GT(synth_test::peak(hit, 0, static_cast<std::size_t>(ms(5))),
              0.5 * synth_test::peak(reference, 0, static_cast<std::size_t>(ms(5))));
    // ... then it releases (150 ms) to exact silence.
    EXPECT_LE(synth_test::last_nonzero(hit), ms(1) + ms(150) + 2);
    EXPECT_TRUE(zero.is_silent());
}

TEST(SynthTiming, zero_length_click_is_one_peak_sample_then_release) {
    SynthInstrument click(preset("click"), kRate);
    click.note_on(1, 76, 0.0, 127);
    click.note_off(1);
    const std::vector<float> out = render(click, ms(20));
    EXPECT_FLOAT_EQ(out[0], 0.5f);  // cosine phase at the peak, full velocity, gain 0.5
    EXPECT_LE(synth_test::last_nonzero(out), ms(4) + 1);
}

}  // namespace
}  // namespace tactus
