// A Csound track keeps the promise of timing.md: a note at beat b starts at output sample
// floor(seconds(b) * rate + 0.5), exactly, at any ksmps, block size and device period. 1,100 notes over
// tempo jumps and ramps (many on exact .5 frame positions) on an instantaneous-attack orchestra,
// rendered offline at ksmps 1, 10, 32, 64 and 100 in blocks of 1, 7 and 512 frames, and through tactusd
// on the offline backend with periods 64 and 1024. Expected frames come from the test's own long-double
// reading of timing.md (support/reference_timing.h), never from src/core.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "audio/audio_file_writer.h"
#include "core/document_json.h"
#include "support/cli_run.h"
#include "support/exact_onsets.h"
#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

constexpr double kRate = 48000.0;

class CsoundOnsets : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-csound-onsets-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // The score on a hard-left csound track of an orchestra whose notes sound at once at 0.5.
    Document score(int ksmps) {
        const fs::path orchestra = dir_ / ("instant-" + std::to_string(ksmps) + ".orc");
        std::ofstream(orchestra) << "ksmps = " << ksmps
                                 << "\nnchnls = 2\n0dbfs = 1\ninstr 1\n  a1 = 0.5\n  outs a1, a1\nendin\n";
        Track track = test::track(1, "csound", {}, -1.0);
        track.instrument = "csound";
        track.orchestra = orchestra.string();
        track.csound_instrument = "1";
        return test::onset_score(track);
    }

    fs::path dir_;
};

TEST_F(CsoundOnsets, every_note_starts_on_its_frame_at_any_ksmps_and_block_size) {
    for (int ksmps : {1, 10, 32, 64, 100}) {
        const Document doc = score(ksmps);
        for (int block : {1, 7, 512}) {
            SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", blocks of " + std::to_string(block));
            const test::StereoAudio audio = test::render_offline(doc, kRate, block);
            test::expect_exact_onsets(doc, audio.left, kRate);
            EXPECT_TRUE(
                std::all_of(audio.right.begin(), audio.right.end(), [](float s) { return s == 0.0f; }));
        }
    }
}

TEST_F(CsoundOnsets, every_note_starts_on_its_frame_through_tactusd_at_periods_64_and_1024) {
    for (const auto& [ksmps, period] : {std::pair{100, 64}, std::pair{32, 1024}}) {
        SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", period " + std::to_string(period));
        const Document doc = score(ksmps);
        const std::vector<float> left = test::tactusd_left_channel(doc, period, dir_);
        test::expect_exact_onsets(doc, left, kRate);
    }
}

}  // namespace
}  // namespace tactus
