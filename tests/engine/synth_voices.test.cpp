// Voice management: the voice limit, stealing without clicks, retriggered keys, note-off handling,
// release_all / kill_all, the sustain pedal and the drum kit's hi-hat choke.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/synth/synth_instrument.h"
#include "engine/synth/voice_allocator.h"
#include "synth_test_helpers.h"

namespace tactus {
namespace {

using synth::VoiceAllocator;
using synth_test::kRate;
using synth_test::ms;
using synth_test::preset;
using synth_test::render;

double max_step(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double m = 0.0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < std::min(to, x.size()); ++i) {
        m = std::max(m, std::fabs(double{x[i]} - double{x[i - 1]}));
    }
    return m;
}

TEST(VoiceAllocator, steals_nothing_below_the_limit) {
    VoiceAllocator a(3, 6);
    a.acquire(1);
    a.acquire(2);
    EXPECT_EQ(a.steal_victim(), -1);
    EXPECT_EQ(a.counted(), 2);
}

TEST(VoiceAllocator, steals_the_voice_released_longest_ago_first) {
    VoiceAllocator a(3, 6);
    a.acquire(1);
    const int second = a.acquire(2);
    const int third = a.acquire(3);
    a.release(third);
    a.release(second);
    EXPECT_EQ(a.steal_victim(), third);  // deepest into its release, whatever the start order
}

TEST(VoiceAllocator, steals_the_oldest_held_voice_when_none_is_released) {
    VoiceAllocator a(3, 6);
    const int first = a.acquire(1);
    a.acquire(2);
    a.acquire(3);
    EXPECT_EQ(a.steal_victim(), first);
}

TEST(VoiceAllocator, fading_voices_do_not_count_and_keep_their_slot) {
    VoiceAllocator a(2, 4);
    const int first = a.acquire(1);
    a.acquire(2);
    a.fade(first);
    EXPECT_EQ(a.counted(), 1);
    EXPECT_EQ(a.active(), 2);
    const int third = a.acquire(3);
    EXPECT_NE(third, first);
    EXPECT_EQ(a.state(first), VoiceAllocator::State::Fading);
}

TEST(VoiceAllocator, finds_held_keys_only) {
    VoiceAllocator a(4, 8);
    const int slot = a.acquire(42);
    EXPECT_EQ(a.find_held(42), slot);
    a.release(slot);
    EXPECT_EQ(a.find_held(42), -1);
}

// Random note traffic against a plain model of the documented rules.
TEST(VoiceAllocator, follows_a_reference_model_under_random_traffic) {
    struct Model {
        VoiceAllocator::State state = VoiceAllocator::State::Free;
        VoiceKey key = 0;
        long order = 0;  // when it entered its state
    };
    constexpr int kLimit = 24;
    constexpr int kSlots = 48;
    VoiceAllocator a(kLimit, kSlots);
    std::vector<Model> model(kSlots);
    long clock = 0;
    std::mt19937 random(3);
    const auto oldest = [&](VoiceAllocator::State state) {
        int best = -1;
        for (int i = 0; i < kSlots; ++i) {
            if (model[i].state == state && (best < 0 || model[i].order < model[best].order)) best = i;
        }
        return best;
    };
    const auto enter = [&](int slot, VoiceAllocator::State state) {
        model[slot].state = state;
        model[slot].order = ++clock;
    };
    for (int step = 0; step < 20000; ++step) {
        const int op = static_cast<int>(random() % 4);
        const VoiceKey key = random() % 64;  // few keys: many collisions and reuses
        int held = -1;
        for (int i = 0; i < kSlots; ++i) {
            if (model[i].state == VoiceAllocator::State::Held && model[i].key == key) held = i;
        }
        ASSERT_EQ(a.find_held(key), held);
        if (op == 0 || op == 1) {  // note on
            if (held >= 0) {
                a.release(held);
                enter(held, VoiceAllocator::State::Released);
            }
            int counted = 0;
            for (const Model& m : model) {
                counted +=
                    m.state == VoiceAllocator::State::Held || m.state == VoiceAllocator::State::Released;
            }
            int victim = -1;
            if (counted >= kLimit) {
                victim = oldest(VoiceAllocator::State::Released);
                if (victim < 0) victim = oldest(VoiceAllocator::State::Held);
            }
            ASSERT_EQ(a.steal_victim(), victim);
            if (victim >= 0) {
                a.fade(victim);
                enter(victim, VoiceAllocator::State::Fading);
            }
            int slot = -1;
            for (int i = 0; i < kSlots && slot < 0; ++i) {
                if (model[i].state == VoiceAllocator::State::Free) slot = i;
            }
            if (slot < 0) slot = oldest(VoiceAllocator::State::Fading);
            ASSERT_EQ(a.acquire(key), slot);
            enter(slot, VoiceAllocator::State::Held);
            model[slot].key = key;
        } else if (op == 2) {  // note off
            if (held >= 0) {
                a.release(held);
                enter(held, VoiceAllocator::State::Released);
            }
        } else {  // a voice ends
            const int slot = static_cast<int>(random() % kSlots);
            if (model[slot].state != VoiceAllocator::State::Free) {
                a.free(slot);
                model[slot].state = VoiceAllocator::State::Free;
            }
        }
        int counted = 0;
        int active = 0;
        for (int i = 0; i < kSlots; ++i) {
            ASSERT_EQ(a.state(i), model[i].state);
            counted += model[i].state == VoiceAllocator::State::Held ||
                       model[i].state == VoiceAllocator::State::Released;
            active += model[i].state != VoiceAllocator::State::Free;
        }
        ASSERT_EQ(a.counted(), counted);
        ASSERT_EQ(a.active(), active);
        ASSERT_LE(counted, kLimit);
    }
}

TEST(SynthVoices, voice_limit_is_honoured_by_stealing) {
    SynthInstrument synth(preset("pad"), kRate, 4);
    EXPECT_EQ(synth.voice_limit(), 4);
    for (int i = 0; i < 10; ++i) {
        synth.note_on(static_cast<VoiceKey>(i + 1), 48 + i, 0.0, 100);
        render(synth, 100);
        EXPECT_LE(synth.sounding_voices(), 4);
        EXPECT_LE(synth.active_voices(), 8);
    }
    render(synth, ms(5));  // every stolen voice has faded out
    EXPECT_EQ(synth.sounding_voices(), 4);
    EXPECT_EQ(synth.active_voices(), 4);
}

TEST(SynthVoices, preset_polyphony_caps_the_instrument_limit) {
    SynthPreset mono = preset("lead");
    mono.polyphony = 1;
    SynthInstrument synth(mono, kRate, 64);
    EXPECT_EQ(synth.voice_limit(), 1);
    synth.note_on(1, 60, 0.0, 100);
    synth.note_on(2, 64, 0.0, 100);
    render(synth, ms(10));
    EXPECT_EQ(synth.sounding_voices(), 1);
    EXPECT_EQ(synth.active_voices(), 1);
}

// A hard cut of a sine at amplitude a jumps by up to a; a faded steal only adds the slopes of the
// two tones. Bound: the sum of both notes' steady-state largest sample-to-sample steps, +10%.
TEST(SynthVoices, stolen_voice_fades_without_discontinuity) {
    const auto steady_step = [](int pitch) {
        SynthInstrument alone(preset("sine"), kRate, 1);
        alone.note_on(1, pitch, 0.0, 127);
        const std::vector<float> x = render(alone, ms(100));
        return max_step(x, static_cast<std::size_t>(ms(50)), x.size());
    };
    const double bound = 1.1 * (steady_step(69) + steady_step(76));

    for (int steal_at : {ms(100), ms(100) + 27, ms(100) + 55}) {  // different phases of the old tone
        SynthInstrument synth(preset("sine"), kRate, 1);
        synth.note_on(1, 69, 0.0, 127);
        std::vector<float> out = render(synth, steal_at);
        synth.note_on(2, 76, 0.0, 127);
        EXPECT_EQ(synth.active_voices(), 2);  // the old one fades in a spare slot
        const std::vector<float> after = render(synth, ms(50));
        out.insert(out.end(), after.begin(), after.end());
        const double step = max_step(out, static_cast<std::size_t>(steal_at - 1), out.size());
        EXPECT_LE(step, bound) << "steal at " << steal_at;
        EXPECT_GT(synth_test::peak(after, 0, static_cast<std::size_t>(ms(1))),
                  0.01);  // the fade is not a cut
        EXPECT_EQ(synth.active_voices(), 1);
    }
}

TEST(SynthVoices, many_steals_at_once_stay_within_the_spare_slots) {
    SynthInstrument synth(preset("saw"), kRate, 2);
    for (int i = 0; i < 20; ++i) synth.note_on(static_cast<VoiceKey>(i + 1), 40 + i, 0.0, 100);
    EXPECT_LE(synth.active_voices(), 4);
    EXPECT_EQ(synth.sounding_voices(), 2);
    const std::vector<float> out = render(synth, ms(20));
    for (float v : out) ASSERT_TRUE(std::isfinite(v));
    EXPECT_EQ(synth.active_voices(), 2);
}

TEST(SynthVoices, note_on_for_a_held_key_releases_the_old_voice) {
    SynthInstrument synth(preset("sine"), kRate, 8);
    synth.note_on(7, 60, 0.0, 100);
    render(synth, 1000);
    synth.note_on(7, 67, 0.0, 100);
    EXPECT_EQ(synth.sounding_voices(), 2);  // the old one releases, it is not cut
    render(synth, ms(100));                 // sine release: 80 ms
    EXPECT_EQ(synth.sounding_voices(), 1);
    synth.note_off(7);  // finds the new voice
    render(synth, ms(100));
    EXPECT_TRUE(synth.is_silent());
}

TEST(SynthVoices, note_off_for_unknown_key_is_ignored) {
    SynthInstrument synth(preset("sine"), kRate);
    synth.note_on(1, 60, 0.0, 100);
    synth.note_off(999);
    render(synth, 1000);
    EXPECT_EQ(synth.sounding_voices(), 1);
}

TEST(SynthVoices, one_shot_drums_ignore_note_off) {
    SynthInstrument with_off(preset("drums"), kRate);
    SynthInstrument without_off(preset("drums"), kRate);
    with_off.note_on(1, 38, 0.0, 100);
    without_off.note_on(1, 38, 0.0, 100);
    std::vector<float> a = render(with_off, 100);
    std::vector<float> b = render(without_off, 100);
    with_off.note_off(1);
    const std::vector<float> a2 = render(with_off, ms(400));
    const std::vector<float> b2 = render(without_off, ms(400));
    EXPECT_EQ(a, b);
    EXPECT_EQ(a2, b2);
    EXPECT_TRUE(with_off.is_silent());  // the snare played out its own decay
}

TEST(SynthVoices, kill_all_fades_every_voice_within_5_ms) {
    for (const std::string& name : synth_preset_names()) {
        SCOPED_TRACE(name);
        SynthInstrument synth(preset(name), kRate, 16);
        for (int i = 0; i < 8; ++i) synth.note_on(static_cast<VoiceKey>(i + 1), 36 + 3 * i, 0.0, 127);
        render(synth, ms(20));
        synth.kill_all();
        const std::vector<float> tail = render(synth, ms(50));
        EXPECT_LE(synth_test::last_nonzero(tail), ms(5));
        EXPECT_TRUE(synth.is_silent());
        // The fade is not a cut: the first sample after the kill is still close to the sound.
        EXPECT_GT(synth_test::peak(tail, 0, static_cast<std::size_t>(ms(1))), 0.0);
    }
}

TEST(SynthVoices, release_all_sends_every_voice_into_its_release) {
    SynthInstrument synth(preset("pad"), kRate, 16);
    for (int i = 0; i < 6; ++i) synth.note_on(static_cast<VoiceKey>(i + 1), 48 + 4 * i, 0.0, 100);
    render(synth, ms(800));
    synth.release_all();
    const std::vector<float> tail = render(synth, ms(1000));
    EXPECT_GT(synth_test::peak(tail, static_cast<std::size_t>(ms(100)), static_cast<std::size_t>(ms(110))),
              0.0);
    EXPECT_LE(synth_test::last_nonzero(tail), ms(600) + 1);  // pad release: 0.6 s from full scale
    EXPECT_TRUE(synth.is_silent());
}

TEST(SynthVoices, sustain_pedal_holds_released_notes_until_lifted) {
    SynthInstrument synth(preset("sine"), kRate);
    synth.controller(ControllerEvent{0.0, ControllerKind::ControlChange, 64, 127.0});
    synth.note_on(1, 60, 0.0, 100);
    render(synth, 1000);
    synth.note_off(1);
    const std::vector<float> held = render(synth, ms(300));
    EXPECT_GT(synth_test::rms(held, held.size() - 1000), 0.1);
    synth.controller(ControllerEvent{0.0, ControllerKind::ControlChange, 64, 0.0});
    render(synth, ms(100));
    EXPECT_TRUE(synth.is_silent());
}

TEST(SynthVoices, pitch_bend_moves_sounding_notes) {
    SynthInstrument synth(preset("sine"), kRate);
    synth.note_on(1, 69, 0.0, 127);
    synth.controller(ControllerEvent{0.0, ControllerKind::PitchBend, 0, 1.0});  // +2 semitones
    const std::vector<float> out = render(synth, 48000);
    const double expected = 440.0 * std::exp2(2.0 / 12.0);
    EXPECT_NEAR(synth_test::zero_crossing_frequency(out, 4800, out.size()), expected, expected * 0.005);
}

TEST(SynthVoices, closed_hat_chokes_open_hat) {
    SynthInstrument choked(preset("drums"), kRate);
    choked.note_on(1, 46, 0.0, 100);  // open hat: 0.5 s decay
    render(choked, ms(50));
    choked.note_on(2, 42, 0.0, 100);  // closed hat: 60 ms
    render(choked, ms(100));
    EXPECT_TRUE(choked.is_silent());
}

}  // namespace
}  // namespace tactus
