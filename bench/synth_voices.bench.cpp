// How many voices of each synth preset render in realtime on one core.
//
// For each preset, N simultaneous voices (N = 1, 64, 256, 512) render at 48 kHz in 256-frame
// calls, as the audio callback would; the sine also at 64 and 512 frames, for the cost of small blocks.
// Presets that sustain hold their notes; presets whose notes end by themselves (pluck, click, drums) are
// struck again every 25 ms, each new note stealing a released one, so N voices keep sounding (plus the stolen
// ones fading out: see avg_voices).
//
// Counters: items_per_second = frames per second; x_realtime = (frames / 48000) / seconds, so
// x_realtime >= 1 means N voices of the preset run in realtime on one core.
// "saw+filter sweep" is the worst case of the saw: its filter envelope never settles, so every
// voice recomputes its filter coefficients every 16 samples.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "engine/synth/synth_instrument.h"
#include "engine/synth/synth_preset.h"

namespace {

using tactus::SynthInstrument;
using tactus::SynthPreset;
using tactus::VoiceKey;

constexpr double kRate = 48000.0;
constexpr int kRestrikeFrames = 1200;  // 25 ms

bool ends_by_itself(const SynthPreset& p) {
    return p.one_shot || p.amp.sustain <= 0.0;
}

int pitch_for(const SynthPreset& p, int voice) {
    // Drums: all over the kit; others: spread over four octaves.
    return p.drum_kit ? 35 + (voice * 5) % 47 : 36 + (voice * 7) % 48;
}

void synth_voices(benchmark::State& state, const SynthPreset& preset) {
    const int voices = static_cast<int>(state.range(0));
    const int kBlock = static_cast<int>(state.range(1));
    SynthInstrument synth(preset, kRate, voices);
    std::vector<float> left(kBlock);
    std::vector<float> right(kBlock);
    std::vector<VoiceKey> keys(static_cast<std::size_t>(voices));
    VoiceKey next_key = 1;
    const auto strike = [&] {
        for (int v = 0; v < voices; ++v) {
            VoiceKey& key = keys[static_cast<std::size_t>(v)];
            if (key != 0) synth.note_off(key);
            key = next_key++;
            synth.note_on(key, pitch_for(preset, v), 0.0, 64 + v % 64);
        }
    };
    strike();
    const bool restrike = ends_by_itself(preset);
    // Warm up past the attacks (the pad's is 250 ms) so that sustained presets are measured held.
    for (int i = 0; i < static_cast<int>(0.3 * kRate) / kBlock; ++i)
        synth.render(left.data(), right.data(), kBlock);

    std::int64_t frames = 0;
    std::int64_t voice_blocks = 0;
    int since_strike = 0;
    for (auto _ : state) {
        if (restrike && since_strike >= kRestrikeFrames) {
            strike();
            since_strike = 0;
        }
        synth.render(left.data(), right.data(), kBlock);
        benchmark::DoNotOptimize(left.data());
        benchmark::ClobberMemory();
        frames += kBlock;
        since_strike += kBlock;
        voice_blocks += synth.active_voices();
    }
    state.SetItemsProcessed(frames);
    state.counters["x_realtime"] =
        benchmark::Counter(static_cast<double>(frames) / kRate, benchmark::Counter::kIsRate);
    state.counters["avg_voices"] =
        static_cast<double>(voice_blocks) / static_cast<double>(std::max<std::int64_t>(1, frames / kBlock));
}

SynthPreset saw_filter_sweep() {
    SynthPreset p = *tactus::find_synth_preset("saw");
    p.name = "saw+filter sweep";
    p.cutoff_hz = 300.0;
    p.resonance = 0.3;
    p.filter_env_octaves = 5.0;
    p.filter_env = tactus::Adsr{0.0, 30.0, 0.0, 1.0};  // still moving after the whole run
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    static std::vector<SynthPreset> presets;
    for (const std::string& name : tactus::synth_preset_names())
        presets.push_back(*tactus::find_synth_preset(name));
    presets.push_back(saw_filter_sweep());
    static std::vector<std::string> names;
    names.reserve(presets.size());
    for (const SynthPreset& p : presets) {
        names.push_back("synth_voices/" + std::string(p.name));
        auto* bench = benchmark::RegisterBenchmark(names.back().c_str(), synth_voices, p)
                          ->ArgNames({"voices", "block"})
                          ->Unit(benchmark::kMicrosecond);
        for (const int voices : {1, 64, 256, 512}) bench->Args({voices, 256});
        if (p.name == "sine")
            for (const int voices : {1, 16, 64})
                for (const int block : {64, 512}) bench->Args({voices, block});
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
