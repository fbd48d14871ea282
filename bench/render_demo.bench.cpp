// Render speed of the bundled demo as a multiple of realtime (the whole render path: sequencer,
// mixer, every instrument), at 48 kHz in 512-frame blocks.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/document_json.h"
#include "engine/offline_render.h"

namespace {

void BM_render_demo(benchmark::State& state) {
    const auto loaded = tactus::load_document_file(TACTUS_SOURCE_DIR "/examples/demo.json");
    if (!loaded.document) {
        state.SkipWithError("cannot load examples/demo.json");
        return;
    }
    tactus::OfflineRenderOptions options;
    options.block_frames = static_cast<int>(state.range(0));
    std::vector<float> left(static_cast<std::size_t>(options.block_frames)), right(left.size());
    std::int64_t frames = 0;
    for (auto _ : state) {
        std::string error;
        auto render = tactus::OfflineRender::create(*loaded.document, options, &error);
        while (int n = render->render_next(left.data(), right.data())) frames += n;
        benchmark::DoNotOptimize(left.data());
    }
    state.counters["x_realtime"] =
        benchmark::Counter(static_cast<double>(frames) / options.sample_rate, benchmark::Counter::kIsRate);
    state.counters["audio_seconds"] =
        static_cast<double>(frames) / options.sample_rate / static_cast<double>(state.iterations());
}
BENCHMARK(BM_render_demo)->Arg(64)->Arg(512)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
