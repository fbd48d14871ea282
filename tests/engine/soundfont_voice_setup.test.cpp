// Zone selection (src/engine/soundfont/voice_setup.h): which zones a note plays, the generator values
// a voice gets (instrument values over the spec's defaults, plus preset offsets), and its modulators
// (FluidSynth 2.3's defaults, replaced by identical instrument ones, summed with preset ones).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/soundfont/default_modulators.h"
#include "engine/soundfont/sf2_reader.h"
#include "engine/soundfont/voice_setup.h"
#include "support/sf2_writer.h"

namespace tactus {
namespace {

using sf2::Gen;
using sf2::Modulator;
using test::Sf2Range;
using test::Sf2Writer;

const Modulator kVolumeToAttenuation{0x0587, Gen::InitialAttenuation, 960, 0, 0};  // a default
const Modulator kPanDefault{0x028A, Gen::Pan, 500, 0, 0};                          // a default
const Modulator kCc74ToFilter{0x00CA, Gen::InitialFilterFc, 1200, 0, 0};           // not a default

std::shared_ptr<const sf2::SoundFont> layered_font() {
    Sf2Writer w;
    std::vector<std::int16_t> frames(64, 1000);
    const int a = w.add_sample("a", frames, 44100, 60, 0, 0);
    const int b = w.add_sample("b", frames, 44100, 60, 0, 0);
    const int c = w.add_sample("c", frames, 44100, 60, 0, 0);
    const int d = w.add_sample("d", frames, 44100, 60, 0, 0);
    const int layered = w.add_instrument(
        "Layered",
        {{.sample = a, .keys = Sf2Range{0, 64}, .gens = {{Gen::Pan, 100}, {Gen::ExclusiveClass, 3}}},
         {.sample = b,
          .keys = Sf2Range{60, 127},
          .gens = {{Gen::InitialFilterFc, 9000}},
          .mods = {Modulator{kVolumeToAttenuation.source, Gen::InitialAttenuation, 0, 0, 0}, kCc74ToFilter}},
         {.sample = c, .velocities = Sf2Range{100, 127}, .gens = {{Gen::OverridingRootKey, 50}}}});
    const int other = w.add_instrument("Other", {{.sample = d}});
    w.add_preset("Layers", 0, 0,
                 {{.instrument = layered,
                   .keys = Sf2Range{0, 100},
                   .gens = {{Gen::Pan, 50}, {Gen::InitialAttenuation, 10}, {Gen::CoarseTune, -12}},
                   .mods = {Modulator{kPanDefault.source, Gen::Pan, 100, 0, 0},
                            Modulator{kCc74ToFilter.source, Gen::InitialFilterFc, 300, 0, 0}}},
                  {.instrument = other, .keys = Sf2Range{90, 127}}});
    std::string error;
    auto font = sf2::read_sound_font(w.bytes(), "layers.sf2", sf2::SampleData::Load, &error);
    EXPECT_NE(font, nullptr) << error;
    return font;
}

std::vector<std::string> sample_names(const sf2::VoiceSetup* v, int n) {
    std::vector<std::string> names;
    for (int i = 0; i < n; ++i) names.push_back(v[i].sample->name);
    return names;
}

const Modulator* find_modulator(const sf2::VoiceSetup& v, const Modulator& like) {
    for (int i = 0; i < v.modulator_count; ++i) {
        if (v.modulators[static_cast<std::size_t>(i)].identical(like))
            return &v.modulators[static_cast<std::size_t>(i)];
    }
    return nullptr;
}

TEST(SoundFontVoiceSetup, every_zone_that_covers_key_and_velocity_plays) {
    auto font = layered_font();
    ASSERT_NE(font, nullptr);
    const sf2::Preset& preset = *font->find_preset(0, 0);
    sf2::VoiceSetup v[sf2::kMaxVoicesPerNote];
    int n = sf2::select_voices(*font, preset, 62, 90, 0.0, v);
    EXPECT_EQ(sample_names(v, n), (std::vector<std::string>{"a", "b"}));
    n = sf2::select_voices(*font, preset, 62, 110, 0.0, v);
    EXPECT_EQ(sample_names(v, n), (std::vector<std::string>{"a", "b", "c"}));
    n = sf2::select_voices(*font, preset, 10, 50, 0.0, v);
    EXPECT_EQ(sample_names(v, n), (std::vector<std::string>{"a"}));
    // The preset zones' key ranges: 95 is in both, 120 only in the second.
    n = sf2::select_voices(*font, preset, 95, 50, 0.0, v);
    EXPECT_EQ(sample_names(v, n), (std::vector<std::string>{"b", "d"}));
    n = sf2::select_voices(*font, preset, 120, 127, 0.0, v);
    EXPECT_EQ(sample_names(v, n), (std::vector<std::string>{"d"}));
    EXPECT_EQ(v[0].key, 120);
    EXPECT_EQ(v[0].velocity, 127);
    EXPECT_EQ(v[0].font, font.get());
}

TEST(SoundFontVoiceSetup, generators_are_instrument_values_over_defaults_plus_preset_offsets) {
    auto font = layered_font();
    ASSERT_NE(font, nullptr);
    sf2::VoiceSetup v[sf2::kMaxVoicesPerNote];
    const int n = sf2::select_voices(*font, *font->find_preset(0, 0), 62, 110, 25.0, v);
    ASSERT_EQ(n, 3);
    const auto& a = v[0].gens;
    EXPECT_EQ(a[Gen::Pan], 150);                // 100 + preset 50
    EXPECT_EQ(a[Gen::InitialAttenuation], 10);  // default 0 + preset 10
    EXPECT_EQ(a[Gen::CoarseTune], -12);         // default 0 + preset -12
    EXPECT_EQ(a[Gen::ExclusiveClass], 3);
    EXPECT_EQ(a[Gen::InitialFilterFc], 13500);  // spec defaults where nothing is set
    EXPECT_EQ(a[Gen::AttackVolEnv], -12000);
    EXPECT_EQ(a[Gen::ReleaseModEnv], -12000);
    EXPECT_EQ(a[Gen::SustainVolEnv], 0);
    EXPECT_EQ(a[Gen::ScaleTuning], 100);
    EXPECT_EQ(a[Gen::Keynum], -1);
    EXPECT_EQ(a[Gen::Velocity], -1);
    EXPECT_EQ(a[Gen::OverridingRootKey], -1);
    EXPECT_EQ(v[0].cents, 25.0);
    EXPECT_EQ(v[1].gens[Gen::InitialFilterFc], 9000);
    EXPECT_EQ(v[1].gens[Gen::Pan], 50);
    EXPECT_EQ(v[1].gens[Gen::ExclusiveClass], 0);
    EXPECT_EQ(v[2].gens[Gen::OverridingRootKey], 50);
}

TEST(SoundFontVoiceSetup, default_modulators_are_fluidsynths) {
    const auto& d = sf2::default_modulators();
    EXPECT_EQ(d.size(), 10u);
    // Velocity -> filter: FluidSynth's positive switch as amount source, not the spec's negative one.
    EXPECT_NE(std::find(d.begin(), d.end(), Modulator{0x0102, Gen::InitialFilterFc, -2400, 0x0C02, 0}),
              d.end());
    EXPECT_NE(std::find(d.begin(), d.end(), Modulator{0x020E, Gen::Pitch, 12700, 0x0010, 0}), d.end());
    EXPECT_NE(std::find(d.begin(), d.end(), Modulator{0x0502, Gen::InitialAttenuation, 960, 0, 0}), d.end());
    EXPECT_NE(std::find(d.begin(), d.end(), kPanDefault), d.end());
    EXPECT_NE(std::find(d.begin(), d.end(), kVolumeToAttenuation), d.end());
}

TEST(SoundFontVoiceSetup, instrument_modulators_replace_identical_defaults_and_preset_ones_add) {
    auto font = layered_font();
    ASSERT_NE(font, nullptr);
    sf2::VoiceSetup v[sf2::kMaxVoicesPerNote];
    const int n = sf2::select_voices(*font, *font->find_preset(0, 0), 62, 90, 0.0, v);
    ASSERT_EQ(n, 2);
    // Zone a: the ten defaults; the preset's pan modulator adds to the default one.
    EXPECT_EQ(v[0].modulator_count, 11);  // 10 defaults + the preset's CC74 one (nothing to add to)
    ASSERT_NE(find_modulator(v[0], kPanDefault), nullptr);
    EXPECT_EQ(find_modulator(v[0], kPanDefault)->amount, 600);
    ASSERT_NE(find_modulator(v[0], kVolumeToAttenuation), nullptr);
    EXPECT_EQ(find_modulator(v[0], kVolumeToAttenuation)->amount, 960);
    ASSERT_NE(find_modulator(v[0], kCc74ToFilter), nullptr);
    EXPECT_EQ(find_modulator(v[0], kCc74ToFilter)->amount, 300);
    // Zone b: its CC7 modulator (amount 0) switches the default off; its CC74 one is added, and the
    // preset's identical CC74 one adds to it.
    EXPECT_EQ(v[1].modulator_count, 11);
    ASSERT_NE(find_modulator(v[1], kVolumeToAttenuation), nullptr);
    EXPECT_EQ(find_modulator(v[1], kVolumeToAttenuation)->amount, 0);
    ASSERT_NE(find_modulator(v[1], kCc74ToFilter), nullptr);
    EXPECT_EQ(find_modulator(v[1], kCc74ToFilter)->amount, 1500);
    EXPECT_EQ(find_modulator(v[1], kPanDefault)->amount, 600);
}

TEST(SoundFontVoiceSetup, a_font_read_without_sample_data_plays_nothing) {
    Sf2Writer w;
    const int s = w.add_sample("s", std::vector<std::int16_t>(64, 1000), 44100, 60, 0, 0);
    w.add_preset("P", 0, 0, {{.instrument = w.add_instrument("I", {{.sample = s}})}});
    std::string error;
    auto font = sf2::read_sound_font(w.bytes(), "skip.sf2", sf2::SampleData::Skip, &error);
    ASSERT_NE(font, nullptr) << error;
    sf2::VoiceSetup v[sf2::kMaxVoicesPerNote];
    EXPECT_EQ(sf2::select_voices(*font, font->presets.at(0), 60, 100, 0.0, v), 0);
    font = sf2::read_sound_font(w.bytes(), "load.sf2", sf2::SampleData::Load, &error);
    ASSERT_NE(font, nullptr) << error;
    EXPECT_EQ(sf2::select_voices(*font, font->presets.at(0), 60, 100, 0.0, v), 1);
}

TEST(SoundFontVoiceSetup, fluid_r3_hi_hats_share_exclusive_class_1) {
    const char* path = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    std::string error;
    auto font = sf2::read_sound_font_file(path, sf2::SampleData::Load, &error);
    if (font == nullptr) GTEST_SKIP() << error;
    const sf2::Preset* kit = font->find_preset(128, 0);
    ASSERT_NE(kit, nullptr);
    sf2::VoiceSetup v[sf2::kMaxVoicesPerNote];
    for (int key : {42, 44, 46}) {  // closed, pedal, open hi-hat
        const int n = sf2::select_voices(*font, *kit, key, 100, 0.0, v);
        ASSERT_GT(n, 0) << key;
        for (int i = 0; i < n; ++i) EXPECT_EQ(v[i].gens[Gen::ExclusiveClass], 1) << key;
    }
    const int n = sf2::select_voices(*font, *kit, 38, 100, 0.0, v);  // snare: no class
    ASSERT_GT(n, 0);
    EXPECT_EQ(v[0].gens[Gen::ExclusiveClass], 0);
}

}  // namespace
}  // namespace tactus
