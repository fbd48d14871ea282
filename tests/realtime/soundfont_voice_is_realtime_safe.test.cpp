// The SoundFont voice on the audio thread, under the realtime checker: starting, rendering, controller
// changes, releases, chokes and kills never allocate, lock or wait.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <memory>

#include "core/realtime_scope.h"
#include "engine/soundfont/sound_font_voice.h"

namespace tactus::sf2 {
namespace {

TEST(RealtimeSafety, soundfont_voices_start_render_and_end_without_allocating_or_waiting) {
    SoundFont font;
    font.data.resize(4846);
    font.data24.assign(font.data.size(), 7);
    for (int i = 0; i < 4800; ++i)
        font.data[static_cast<std::size_t>(i)] =
            static_cast<std::int16_t>(std::lround(12000 * std::sin(i * 0.13)));
    Sample s;
    s.end = 4800;
    s.loop_start = 100;
    s.loop_end = 4700;
    s.sample_rate = 44100;
    font.samples.push_back(s);

    VoiceSetup setup;
    setup.gens.fill(0);
    for (Gen g : {DelayModLfo, DelayVibLfo, DelayModEnv, AttackModEnv, HoldModEnv, DecayModEnv, ReleaseModEnv,
                  DelayVolEnv, AttackVolEnv, HoldVolEnv, DecayVolEnv, ReleaseVolEnv})
        setup.gens[g] = -12000;
    setup.gens[Keynum] = setup.gens[Velocity] = setup.gens[OverridingRootKey] = -1;
    setup.gens[ScaleTuning] = 100;
    setup.gens[InitialFilterFc] = 8000;
    setup.gens[ModLfoToFilterFc] = 1000;
    setup.gens[SampleModes] = 3;
    setup.modulators[0] = Modulator{0x020E, Pitch, 12700, 0x0010, 0};
    setup.modulators[1] = Modulator{0x0587, InitialAttenuation, 960, 0, 0};
    setup.modulator_count = 2;
    setup.font = &font;
    setup.sample = &font.samples[0];

    auto voices = std::make_unique<std::array<SoundFontVoice, 32>>();
    ChannelState channel;
    std::array<float, 64> l{}, r{};
    RealtimeScope realtime;  // an allocation or a lock aborts
    for (int k = 0; k < 3000; ++k) {
        SoundFontVoice& v = (*voices)[static_cast<std::size_t>(k % 32)];
        if (k % 3 == 0) {
            setup.key = 40 + k % 40;
            v.start(setup, channel, 48000.0);
        }
        if (k % 5 == 0) (*voices)[static_cast<std::size_t>((k + 7) % 32)].release();
        if (k % 17 == 0) (*voices)[static_cast<std::size_t>((k + 3) % 32)].choke();
        if (k % 29 == 0) (*voices)[static_cast<std::size_t>((k + 11) % 32)].kill();
        if (k % 7 == 0) {
            channel.pitch_wheel = (k * 97) % 16384;
            channel.cc[7] = static_cast<std::uint8_t>(k % 128);
            for (auto& each : *voices) each.controllers_changed();
        }
        for (auto& each : *voices) each.render_add(l.data(), r.data(), 64);
    }
}

}  // namespace
}  // namespace tactus::sf2
