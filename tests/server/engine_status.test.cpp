// The engine's load figures (/status dsp_load_peak and dsp_cpu_peak): the CPU time the audio thread
// used is measured inside the wall-clock span of the same block, so it is never larger, and a block
// that synthesises notes uses some.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/document_json.h"
#include "server/engine_host.h"

namespace {

using namespace tactus;

TEST(EngineStatus, cpu_peak_is_positive_and_never_above_the_wall_clock_peak) {
    std::string error;
    EngineHostOptions options;
    options.audio.kind = "offline";  // the test calls process() itself, as the audio thread would
    EngineHost host;
    ASSERT_TRUE(host.open(options, &error)) << error;
    LoadResult doc = parse_document(
        R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [{"id": 1,
            "name": "A", "instrument": "synth", "preset": "pad", "notes": [
            {"id": 1, "start": 0, "length": 4, "pitch": 60, "velocity": 100},
            {"id": 2, "start": 0, "length": 4, "pitch": 64, "velocity": 100}]}]})",
        "<test>");
    ASSERT_TRUE(doc.errors.empty()) << doc.errors.front().to_string();
    ASSERT_TRUE(host.load(std::move(*doc.document), &error)) << error;
    EngineCommand play;
    play.kind = CommandKind::Play;
    play.frame = 0;
    play.score_frame = 0;
    ASSERT_TRUE(host.submit(play));

    std::vector<float> left(256), right(256);
    for (Frame frame = 0; frame < 48000; frame += 256) {
        AudioBlock block;
        block.frame_time = frame;
        block.host_time_ns = host.host_time_at_frame(frame);
        block.frames = 256;
        block.left = left.data();
        block.right = right.data();
        host.process(block);
    }
    const EngineStatus status = host.status();
    EXPECT_GT(status.master_peak[0], 0.0f) << "the notes did not sound, so the load figures mean nothing";
    EXPECT_GT(status.dsp_cpu_peak, 0.0f);
    EXPECT_LE(status.dsp_cpu_peak, status.dsp_load_peak);
    EXPECT_GE(status.dsp_load_peak, status.dsp_load);
}

}  // namespace
