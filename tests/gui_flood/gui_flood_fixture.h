// The harness of the GUI flood tests: a private X server (Xvfb), a private JACK dummy server (48 kHz,
// period 128), the real tactus-gui on that display (it starts its own tactusd on that server), a
// recorder on tactusd's outputs, and xdotool flooding the GUI's window with pointer motion, drags and
// resizes for as long as the score plays. The test itself starts play over OSC (so it knows the play
// frame from the engine, never from the audio), then judges every recorded click onset against the
// frame it computes from the score on its own (support/reference_timing.h), outside cycles lost to
// xruns, exactly as tests/jack does.
//
// Teardown (also after a failure) stops xdotool, the recorder, the GUI with the engine it started
// (one process group), JACK, then Xvfb: nothing is left running.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gui_flood/flood_score.h"
#include "gui_flood/gui_process.h"
#include "gui_flood/pointer_flood.h"
#include "gui_flood/xvfb_display.h"
#include "support/jack_recorder.h"
#include "support/jack_server.h"
#include "support/tactusd_process.h"

namespace tactus::test {

// What one flooded run measured.
struct FloodRun {
    Document score;
    JackFrame play_frame = 0;
    std::vector<ExpectedOnset> expected;
    OnsetCheck check;
    std::vector<std::int64_t> errors;  // per heard note: its onset - its expected frame (see the .cpp)
    int notes_without_onset = 0;       // heard notes with no onset within 100 ms (when not paired in order)
    PointerFloodCounts flood;
    GuiStats gui;
    int gui_exit_status = -1;
    std::int64_t engine_xruns = 0;
    std::int64_t engine_revision = 0;
    std::int64_t recorder_xruns = 0;
    std::int64_t blamed_on_tactusd = 0;  // jackd's "client = tactusd was not finished" lines
    double seconds = 0;                  // wall time of the flood
};

class GuiFloodTest : public ::testing::Test {
protected:
    static constexpr int kRate = 48000;
    static constexpr int kPeriod = 128;

    void SetUp() override;
    void TearDown() override;

    // Plays `score_seconds` of clicks (engine-scheduled, or by the GUI's classic scheduler) while the
    // flood runs; every failure to set up is a test failure (nullopt).
    std::optional<FloodRun> flood_while_playing(double score_seconds, bool classic);

    // A line for the test log (and a property for XML reports).
    void report(const std::string& key, const std::string& value);
    void report(const std::string& key, double value);

    std::unique_ptr<XvfbDisplay> xvfb_;
    std::unique_ptr<JackServer> server_;
    std::unique_ptr<GuiProcess> gui_;
    std::unique_ptr<JackRecorder> recorder_;
    std::unique_ptr<PointerFlood> flood_;
    std::vector<std::string> temp_files_;
};

}  // namespace tactus::test
