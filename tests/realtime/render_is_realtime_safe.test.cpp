// The render path obeys the audio thread's rules: this binary links the realtime checker, which
// aborts the process on any allocation, free or mutex lock inside a RealtimeScope.
#include <gtest/gtest.h>

#include "core/realtime_scope.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

// Far more simultaneous notes than the synth's voice limit (stealing), every preset, zero-length
// hits, a tempo ramp, pedal and bend.
Document dense_score() {
    Document doc;
    doc.tempo = test::tempo_map({{0, 140, false}, {8, 140, true}, {16, 70, false}});
    const std::vector<std::string> presets = {"sine", "pluck",  "pad",      "bass",  "lead",
                                              "saw",  "square", "triangle", "drums", "click"};
    NoteId id = 1;
    for (std::size_t t = 0; t < presets.size(); ++t) {
        std::vector<Note> notes;
        for (int i = 0; i < 400; ++i)
            notes.push_back(test::note(id++, i * 0.05, (i % 7 == 0) ? 0.0 : 1.5, 30 + (i * 7 + int(t)) % 70));
        Track track = test::track(TrackId(t + 1), presets[t], notes, 0.1 * double(t) - 0.5);
        // Controllers for the loop wraps and locates to chase (engine/controller_chase.h).
        for (int i = 0; i < 40; ++i) {
            track.controllers.push_back({i * 0.5, ControllerKind::ControlChange, 64, i % 2 ? 0.0 : 127.0});
            track.controllers.push_back({i * 0.5 + 0.25, ControllerKind::PitchBend, 0, (i % 5) / 5.0});
        }
        doc.tracks.push_back(std::move(track));
    }
    return doc;
}

// Threads 1: one mixer; 2: the tracks at once, helper threads under the same rules.
class RealtimeSafetyThreads : public ::testing::TestWithParam<int> {};

TEST_P(RealtimeSafetyThreads, dense_score_renders_without_allocating_or_locking) {
    const Document doc = dense_score();
    OfflineRenderOptions options;
    options.block_frames = 128;
    options.threads = GetParam();
    std::string error;
    auto render = OfflineRender::create(doc, options, &error);  // setup may allocate
    ASSERT_TRUE(render) << error;
    EXPECT_EQ(render->threads(), GetParam());
    std::vector<float> left(128), right(128);
    std::int64_t frames = 0;
    {
        RealtimeScope realtime;  // from here on, an allocation or lock aborts the test binary
        while (int n = render->render_next(left.data(), right.data())) frames += n;
    }
    EXPECT_GT(frames, 48000);
}

INSTANTIATE_TEST_SUITE_P(OneAndTwo, RealtimeSafetyThreads, ::testing::Values(1, 2));

TEST(RealtimeSafety, locate_loop_and_stop_run_without_allocating_or_locking) {
    const Document doc = dense_score();
    test::SequencerRig rig(doc, 48000);
    std::vector<float> left(64), right(64);
    {
        RealtimeScope realtime;
        rig.sequencer.set_loop({true, 20000, 60000});
        rig.sequencer.play(0, 0);
        for (Frame f = 0; f < 200000; f += 64) rig.sequencer.render(f, 64, left.data(), right.data());
        rig.sequencer.locate(200000, 30000);
        for (Frame f = 200000; f < 300000; f += 64) rig.sequencer.render(f, 64, left.data(), right.data());
        rig.sequencer.stop(300000);
        rig.sequencer.render(300000, 64, left.data(), right.data());
    }
    SUCCEED();
}

}  // namespace
}  // namespace tactus
