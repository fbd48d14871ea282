// The named presets and the General MIDI drum kit.
#include "engine/synth/synth_preset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "engine/synth/drum_kit.h"
#include "engine/synth/synth_instrument.h"
#include "synth_test_helpers.h"

namespace tactus {
namespace {

using synth_test::kRate;
using synth_test::ms;
using synth_test::preset;
using synth_test::render;

TEST(SynthPreset, every_documented_preset_exists) {
    for (const char* name :
         {"sine", "pluck", "pad", "bass", "lead", "saw", "square", "triangle", "click", "drums"}) {
        const SynthPreset* p = find_synth_preset(name);
        ASSERT_NE(p, nullptr) << name;
        EXPECT_EQ(p->name, name);
    }
    EXPECT_EQ(synth_preset_names().size(), 10u);
}

TEST(SynthPreset, unknown_preset_lookup_returns_nullptr) {
    EXPECT_EQ(find_synth_preset("no such preset"), nullptr);
    EXPECT_EQ(find_synth_preset(""), nullptr);
    EXPECT_EQ(find_synth_preset("Sine"), nullptr);  // names are case-sensitive
}

TEST(SynthPreset, names_are_unique) {
    const std::vector<std::string> names = synth_preset_names();
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
}

TEST(SynthPreset, only_drums_are_one_shot) {
    for (const std::string& name : synth_preset_names()) {
        EXPECT_EQ(preset(name).one_shot, name == "drums") << name;
    }
}

// Plays a chord (or a kit pattern), holds it, releases it and renders until silence.
TEST(SynthPreset, every_preset_produces_finite_output_and_ends_in_exact_silence) {
    for (const std::string& name : synth_preset_names()) {
        SCOPED_TRACE(name);
        SynthInstrument synth(preset(name), kRate, 64);
        std::vector<int> pitches{0, 24, 48, 60, 64, 67, 84, 108, 127};
        if (name == "drums") {
            pitches.clear();
            for (int p = 0; p < 128; ++p) pitches.push_back(p);
        }
        VoiceKey key = 1;
        for (int pitch : pitches) synth.note_on(key++, pitch, 0.0, pitch % 2 == 0 ? 127 : 1);
        std::vector<float> out = render(synth, ms(300));
        EXPECT_GT(synth_test::peak(out), 0.01);
        for (VoiceKey k = 1; k < key; ++k) synth.note_off(k);
        // Longest release of any preset (0.6 s) or drum decay (1.6 s), with margin.
        const std::vector<float> tail = render(synth, ms(2500));
        out.insert(out.end(), tail.begin(), tail.end());
        for (float v : out) ASSERT_TRUE(std::isfinite(v));
        EXPECT_TRUE(synth.is_silent());
        EXPECT_TRUE(synth_test::all_zero(tail, tail.size() - static_cast<std::size_t>(ms(100))));
        // Exact zeros, not denormal or tiny residue, from here on.
        const std::vector<float> after = render(synth, 4096);
        EXPECT_TRUE(synth_test::all_zero(after));
    }
}

TEST(SynthPreset, every_preset_release_ends_within_its_release_time) {
    for (const std::string& name : synth_preset_names()) {
        if (name == "drums") continue;
        SCOPED_TRACE(name);
        const SynthPreset& p = preset(name);
        SynthInstrument synth(p, kRate);
        synth.note_on(1, 60, 0.0, 127);
        render(synth, ms(20));
        synth.note_off(1);
        const std::vector<float> tail = render(synth, ms(1500));
        // A note released during its attack first completes it.
        const double allowed = std::max(0.0, p.amp.attack - 0.020) + p.amp.release;
        EXPECT_LE(synth_test::last_nonzero(tail), static_cast<long>(allowed * kRate) + 2);
        EXPECT_TRUE(synth.is_silent());
    }
}

TEST(SynthDrumKit, general_midi_keys_select_the_documented_sounds) {
    using synth::DrumSound;
    using synth::gm_drum_hit;
    EXPECT_EQ(gm_drum_hit(35).sound, DrumSound::Kick);
    EXPECT_EQ(gm_drum_hit(36).sound, DrumSound::Kick);
    EXPECT_EQ(gm_drum_hit(38).sound, DrumSound::Snare);
    EXPECT_EQ(gm_drum_hit(40).sound, DrumSound::Snare);
    EXPECT_EQ(gm_drum_hit(37).sound, DrumSound::SideStick);
    EXPECT_EQ(gm_drum_hit(39).sound, DrumSound::Clap);
    EXPECT_EQ(gm_drum_hit(42).sound, DrumSound::ClosedHat);
    EXPECT_EQ(gm_drum_hit(44).sound, DrumSound::PedalHat);
    EXPECT_EQ(gm_drum_hit(46).sound, DrumSound::OpenHat);
    for (int tom : {41, 43, 45, 47, 48, 50}) EXPECT_EQ(gm_drum_hit(tom).sound, DrumSound::Tom) << tom;
    // Toms rise in pitch from the floor tom to the high tom.
    EXPECT_LT(gm_drum_hit(41).frequency_hz, gm_drum_hit(43).frequency_hz);
    EXPECT_LT(gm_drum_hit(48).frequency_hz, gm_drum_hit(50).frequency_hz);
    EXPECT_EQ(gm_drum_hit(49).sound, DrumSound::Crash);
    EXPECT_EQ(gm_drum_hit(57).sound, DrumSound::Crash);
    EXPECT_EQ(gm_drum_hit(51).sound, DrumSound::Ride);
    EXPECT_EQ(gm_drum_hit(59).sound, DrumSound::Ride);
    EXPECT_EQ(gm_drum_hit(0).sound, DrumSound::Kick);
    EXPECT_EQ(gm_drum_hit(127).sound, DrumSound::ClosedHat);
}

TEST(SynthDrumKit, every_key_sounds_and_decays_by_itself) {
    for (int pitch = 0; pitch < 128; ++pitch) {
        SynthInstrument drums(preset("drums"), kRate);
        drums.note_on(1, pitch, 0.0, 100);
        const std::vector<float> out = render(drums, ms(2000));
        EXPECT_GT(synth_test::peak(out), 0.02) << pitch;
        EXPECT_LT(synth_test::peak(out), 2.0) << pitch;
        EXPECT_TRUE(drums.is_silent()) << pitch;
    }
}

TEST(SynthDrumKit, kick_sweeps_down_in_pitch) {
    SynthInstrument drums(preset("drums"), kRate);
    drums.note_on(1, 36, 0.0, 127);
    const std::vector<float> out = render(drums, ms(300));
    const double early = synth_test::zero_crossing_frequency(out, 0, static_cast<std::size_t>(ms(15)));
    const double late =
        synth_test::zero_crossing_frequency(out, static_cast<std::size_t>(ms(150)), out.size());
    EXPECT_GT(early, 1.5 * late);
    EXPECT_NEAR(late, 52.0, 5.0);
}

}  // namespace
}  // namespace tactus
