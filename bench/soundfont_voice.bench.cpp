// How many SoundFont voices (engine/soundfont/sound_font_voice.h) render in realtime on one core.
//
// N voices (N = 1, 64, 256) of a looped 44.1 kHz sample, spread over four octaves, sustain through the
// resonant low-pass at 48 kHz in 256-frame calls, as the audio callback would. "static filter": the
// cutoff never moves (coefficients computed once); "LFO filter": the modulation LFO sweeps cutoff and
// pitch, so every voice recomputes its filter and pitch every 64 frames; "24-bit": the sample has an
// sm24 part.
//
// Counters: x_realtime = (frames / 48000) / seconds; voices_realtime = N * x_realtime, the voices one
// core renders in realtime.
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "engine/soundfont/sound_font_voice.h"

namespace {

using namespace tactus::sf2;

constexpr double kRate = 48000.0;
constexpr int kBlock = 256;

std::unique_ptr<SoundFont> looped_font(bool with_24_bit) {
    auto font = std::make_unique<SoundFont>();
    const int frames = 44100;
    font->data.resize(frames + 46);
    for (int i = 0; i < frames; ++i) {
        const double t = i / 44100.0;
        const double x = 0.5 * std::sin(2 * M_PI * 261.63 * t) + 0.25 * std::sin(2 * M_PI * 523.26 * t) +
                         0.1 * std::sin(2 * M_PI * 1569.8 * t);
        font->data[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(std::lround(20000.0 * x));
    }
    if (with_24_bit) font->data24.assign(font->data.size(), 0x55);
    Sample s;
    s.end = frames;
    s.loop_start = 1000;
    s.loop_end = frames - 100;
    s.sample_rate = 44100;
    s.original_key = 60;
    font->samples.push_back(s);
    return font;
}

VoiceSetup setup_for(const SoundFont& font, int key, bool lfo) {
    VoiceSetup v;
    v.gens.fill(0);
    for (Gen g : {DelayModLfo, DelayVibLfo, DelayModEnv, AttackModEnv, HoldModEnv, DecayModEnv, ReleaseModEnv,
                  DelayVolEnv, AttackVolEnv, HoldVolEnv, DecayVolEnv, ReleaseVolEnv})
        v.gens[g] = -12000;
    v.gens[Keynum] = v.gens[Velocity] = v.gens[OverridingRootKey] = -1;
    v.gens[ScaleTuning] = 100;
    v.gens[SampleModes] = 1;
    v.gens[InitialFilterFc] = 9000;
    v.gens[InitialFilterQ] = 100;
    v.gens[InitialAttenuation] = 100;
    if (lfo) {
        v.gens[ModLfoToFilterFc] = 2400;
        v.gens[ModLfoToPitch] = 20;
        v.gens[FreqModLfo] = 500;
    }
    v.font = &font;
    v.sample = &font.samples[0];
    v.key = key;
    v.velocity = 100;
    return v;
}

void soundfont_voices(benchmark::State& state, bool lfo, bool with_24_bit) {
    const int count = static_cast<int>(state.range(0));
    const auto font = looped_font(with_24_bit);
    ChannelState channel;
    std::vector<SoundFontVoice> voices(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        voices[static_cast<std::size_t>(i)].start(setup_for(*font, 36 + (i * 7) % 48, lfo), channel, kRate);
    std::vector<float> left(kBlock), right(kBlock);
    std::int64_t frames = 0;
    for (auto _ : state) {
        std::fill(left.begin(), left.end(), 0.0f);
        std::fill(right.begin(), right.end(), 0.0f);
        for (auto& v : voices) v.render_add(left.data(), right.data(), kBlock);
        benchmark::DoNotOptimize(left.data());
        benchmark::DoNotOptimize(right.data());
        frames += kBlock;
    }
    int sounding = 0;
    for (const auto& v : voices) sounding += v.active() ? 1 : 0;
    if (sounding != count) state.SkipWithError("a voice ended");
    state.SetItemsProcessed(frames);
    state.counters["x_realtime"] =
        benchmark::Counter(static_cast<double>(frames) / kRate, benchmark::Counter::kIsRate);
    state.counters["voices_realtime"] =
        benchmark::Counter(static_cast<double>(frames) * count / kRate, benchmark::Counter::kIsRate);
}

void static_filter(benchmark::State& state) {
    soundfont_voices(state, false, false);
}
void lfo_filter(benchmark::State& state) {
    soundfont_voices(state, true, false);
}
void static_filter_24_bit(benchmark::State& state) {
    soundfont_voices(state, false, true);
}

// One controller change (the pitch wheel moving) as every voice of a channel takes it.
void controller_change(benchmark::State& state) {
    const auto font = looped_font(false);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font, 60, true);
    setup.modulators[0] = Modulator{0x020E, Pitch, 12700, 0x0010, 0};
    setup.modulators[1] = Modulator{0x0587, InitialAttenuation, 960, 0, 0};
    setup.modulator_count = 2;
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    int wheel = 0;
    for (auto _ : state) {
        channel.pitch_wheel = wheel = (wheel + 97) % 16384;
        voice.controllers_changed();
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(controller_change);
BENCHMARK(static_filter)->Arg(1)->Arg(64)->Arg(256);
BENCHMARK(lfo_filter)->Arg(1)->Arg(64)->Arg(256);
BENCHMARK(static_filter_24_bit)->Arg(64);

}  // namespace

BENCHMARK_MAIN();
