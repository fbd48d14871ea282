// The engine's status board. Load figures (/status dsp_load_peak and dsp_cpu_peak): the CPU time the
// audio thread used is measured inside the wall-clock span of the same block, so it is never larger,
// and a block that synthesises notes uses some. Position: what the board says was heard at a block's
// first frame is what was heard there, even when a tempo change or locate lands later in that block.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "server/engine_host.h"
#include "support/offline_block.h"

namespace {

using namespace tactus;

struct StatusEngine {
    EngineHost host;
    std::vector<float> left = std::vector<float>(256), right = std::vector<float>(256);

    // Opens an offline engine (the test calls process() itself, as the audio thread would), loads
    // `tracks_json` under 120 bpm and plays from frame 0.
    void open_playing_at_120_bpm(const std::string& tracks_json = "[]") {
        std::string error;
        EngineHostOptions options;
        options.audio.kind = "offline";
        ASSERT_TRUE(host.open(options, &error)) << error;
        LoadResult doc = parse_document(
            R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": )" +
                tracks_json + "}",
            "<test>");
        ASSERT_TRUE(doc.errors.empty()) << doc.errors.front().to_string();
        ASSERT_TRUE(host.load(std::move(*doc.document), &error)) << error;
        EngineCommand play;
        play.kind = CommandKind::Play;
        play.frame = 0;
        play.score_frame = 0;
        ASSERT_TRUE(host.submit(play));
    }

    // Processes the block whose engine frames start at `frame` (its output frames are the engine's
    // lookahead earlier).
    EngineStatus block(Frame frame) {
        test::process_offline_block(host, frame - host.lookahead(), left, right);
        return host.status();
    }
};

TEST(EngineStatus, a_tempo_change_inside_a_block_leaves_the_blocks_first_frame_at_the_old_tempo) {
    StatusEngine engine;
    ASSERT_NO_FATAL_FAILURE(engine.open_playing_at_120_bpm());
    for (Frame frame = 0; frame < 48000; frame += 256) engine.block(frame);
    const Frame block = 48000, change = block + 100;  // 120 bpm: 24,000 frames a beat
    std::string error;
    ASSERT_TRUE(engine.host.set_tempo_scale(0.75, &error, change)) << error;

    const EngineStatus during = engine.block(block);
    EXPECT_EQ(during.block_frame, block) << "the board names the frame where the block's start is heard";
    EXPECT_LE(std::abs(during.block_host_ns - engine.host.host_time_at_frame(block)), 1);
    EXPECT_DOUBLE_EQ(during.bpm, 120.0) << "the board reported the tempo that starts 100 frames later";
    EXPECT_NEAR(during.beat, 2.0, 1e-9);

    const EngineStatus after = engine.block(block + 256);
    EXPECT_DOUBLE_EQ(after.bpm, 90.0);
    EXPECT_NEAR(after.beat, 2.0 + 100.0 / 24000 + 156.0 / 32000, 1.0 / 64000);
}

TEST(EngineStatus, a_locate_inside_a_block_shows_on_the_next_block) {
    StatusEngine engine;
    ASSERT_NO_FATAL_FAILURE(engine.open_playing_at_120_bpm());
    for (Frame frame = 0; frame < 24000; frame += 256) engine.block(frame);
    const Frame block = 24064;
    EngineCommand locate;
    locate.kind = CommandKind::Locate;
    locate.frame = block + 200;
    locate.score_frame = 96000;  // beat 4
    ASSERT_TRUE(engine.host.submit(locate));

    const EngineStatus during = engine.block(block);
    EXPECT_EQ(during.score_frame, block) << "the locate 200 frames into the block showed at its first frame";
    const EngineStatus after = engine.block(block + 256);
    EXPECT_EQ(after.score_frame, 96000 + 56);
    EXPECT_NEAR(after.beat, 4.0 + 56.0 / 24000, 0.5 / 24000);  // reports snap within half a frame
}

TEST(EngineStatus, a_locate_on_a_blocks_first_frame_shows_in_that_block) {
    StatusEngine engine;
    ASSERT_NO_FATAL_FAILURE(engine.open_playing_at_120_bpm());
    for (Frame frame = 0; frame < 24000; frame += 256) engine.block(frame);
    EngineCommand locate;
    locate.kind = CommandKind::Locate;
    locate.frame = 24064;
    locate.score_frame = 96000;
    ASSERT_TRUE(engine.host.submit(locate));
    EXPECT_EQ(engine.block(24064).score_frame, 96000);
}

TEST(EngineStatus, cpu_peak_is_positive_and_never_above_the_wall_clock_peak) {
    StatusEngine engine;
    ASSERT_NO_FATAL_FAILURE(engine.open_playing_at_120_bpm(
        R"([{"id": 1, "name": "A", "instrument": "synth", "preset": "pad", "notes": [
            {"id": 1, "start": 0, "length": 4, "pitch": 60, "velocity": 100},
            {"id": 2, "start": 0, "length": 4, "pitch": 64, "velocity": 100}]}])"));
    for (Frame frame = 0; frame < 48000; frame += 256) engine.block(frame);
    const EngineStatus status = engine.host.status();
    EXPECT_GT(status.master_peak[0], 0.0f) << "the notes did not sound, so the load figures mean nothing";
    EXPECT_GT(status.dsp_cpu_peak, 0.0f);
    EXPECT_LE(status.dsp_cpu_peak, status.dsp_load_peak);
    EXPECT_GE(status.dsp_load_peak, status.dsp_load);
}

}  // namespace
