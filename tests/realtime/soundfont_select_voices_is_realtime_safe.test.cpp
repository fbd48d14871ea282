// Zone selection runs at note-on on the audio thread: under the realtime checker, select_voices on
// every preset, key and a few velocities must not allocate or lock (FluidR3_GM when installed, for
// its 189 presets and many layered zones; a small written font otherwise).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/realtime_scope.h"
#include "engine/soundfont/sf2_reader.h"
#include "engine/soundfont/voice_setup.h"
#include "support/sf2_writer.h"

namespace tactus {
namespace {

std::shared_ptr<const sf2::SoundFont> font_to_play() {
    std::string error;
    const char* fluid = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
    if (std::filesystem::exists(fluid))
        return sf2::read_sound_font_file(fluid, sf2::SampleData::Load, &error);
    test::Sf2Writer w;
    const int s = w.add_sample("s", std::vector<std::int16_t>(100, 500), 44100, 60, 10, 90);
    const int i = w.add_instrument("I", {{.gens = {{sf2::Pan, 100}}, .mods = {{0x0081, sf2::Pan, 10, 0, 0}}},
                                         {.sample = s, .keys = test::Sf2Range{0, 80}},
                                         {.sample = s,
                                          .keys = test::Sf2Range{40, 127},
                                          .mods = {{0x0587, sf2::InitialAttenuation, 0, 0, 0}}}});
    w.add_preset("P", 0, 0, {{.instrument = i, .mods = {{0x028A, sf2::Pan, 100, 0, 0}}}, {.instrument = i}});
    return sf2::read_sound_font(w.bytes(), "written.sf2", sf2::SampleData::Load, &error);
}

TEST(SoundFontRealtime, select_voices_neither_allocates_nor_locks) {
    const auto font = font_to_play();
    ASSERT_NE(font, nullptr);
    static sf2::VoiceSetup voices[sf2::kMaxVoicesPerNote];
    long total = 0;
    {
        RealtimeScope realtime;  // an allocation or a lock here aborts the test binary
        for (const sf2::Preset& preset : font->presets) {
            for (int key = 0; key < 128; ++key) {
                for (int velocity : {1, 64, 127})
                    total += sf2::select_voices(*font, preset, key, velocity, 0.0, voices);
            }
        }
    }
    EXPECT_GT(total, 0);
}

}  // namespace
}  // namespace tactus
