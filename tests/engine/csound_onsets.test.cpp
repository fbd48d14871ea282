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
#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
using test::RefTempoPoint;

constexpr double kRate = 48000.0;

// 120 bpm, a jump to 75, a ramp 75 -> 200, 200, a ramp 200 -> 110, then an awkward 97.3.
const std::vector<RefTempoPoint> kTempo = {{0, 120, false},    {40, 75, false},  {60, 75, true},
                                           {100, 200, false},  {140, 200, true}, {180, 110, false},
                                           {200, 97.3L, false}};

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
        std::vector<TempoPoint> points;
        for (const auto& p : kTempo) points.push_back({double(p.beat), double(p.bpm), p.ramp});
        Document doc;
        doc.tempo = test::tempo_map(points);
        std::vector<Note> notes;
        std::mt19937 rng(20261206);
        std::uniform_int_distribution<int> offset_steps(0, 16), pitch(48, 84);
        NoteId id = 1;
        for (double beat = 0; beat < 275; beat += 0.25) {
            // Offsets on a 1/128-beat grid: at 120 bpm its odd steps land on exact .5 frames.
            const double offset = offset_steps(rng) / 128.0;
            notes.push_back(test::note(id++, beat + offset, 1.0 / 32, pitch(rng)));
        }
        Track track = test::track(1, "csound", notes, -1.0);
        track.instrument = "csound";
        track.orchestra = orchestra.string();
        track.csound_instrument = "1";
        doc.tracks.push_back(track);
        return doc;
    }

    // Every onset of `left` against the reference frames of the score's notes.
    void expect_exact(const Document& doc, const std::vector<float>& left, double rate) {
        const test::ReferenceTiming ref(kTempo);
        std::vector<std::int64_t> expected;
        int half_frames = 0;
        for (const Note& n : doc.tracks[0].notes) {
            const long double exact = ref.seconds_at(n.start) * rate;
            if (exact - std::floor(exact) == 0.5L) ++half_frames;
            expected.push_back(ref.frame_at(n.start, rate));
        }
        ASSERT_GE(expected.size(), 1000u);
        EXPECT_GE(half_frames, 20) << "too few notes on exact .5 frame positions";
        const std::vector<std::int64_t> found = test::onsets(left);
        ASSERT_EQ(found.size(), expected.size()) << "every note must start after silence";
        std::int64_t worst = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            worst = std::max(worst, std::abs(found[i] - expected[i]));
            if (found[i] != expected[i])
                ADD_FAILURE() << "note " << i << " at beat " << doc.tracks[0].notes[i].start
                              << ": expected frame " << expected[i] << ", found " << found[i];
        }
        EXPECT_EQ(worst, 0) << "largest onset error in samples";
    }

    fs::path dir_;
};

TEST_F(CsoundOnsets, every_note_starts_on_its_frame_at_any_ksmps_and_block_size) {
    for (int ksmps : {1, 10, 32, 64, 100}) {
        const Document doc = score(ksmps);
        for (int block : {1, 7, 512}) {
            SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", blocks of " + std::to_string(block));
            const test::StereoAudio audio = test::render_offline(doc, kRate, block);
            expect_exact(doc, audio.left, kRate);
            EXPECT_TRUE(
                std::all_of(audio.right.begin(), audio.right.end(), [](float s) { return s == 0.0f; }));
        }
    }
}

TEST_F(CsoundOnsets, every_note_starts_on_its_frame_through_tactusd_at_periods_64_and_1024) {
    for (const auto& [ksmps, period] : {std::pair{100, 64}, std::pair{32, 1024}}) {
        SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", period " + std::to_string(period));
        const Document doc = score(ksmps);
        const fs::path song = dir_ / "song.json", out = dir_ / "out.wav";
        std::string error;
        ASSERT_TRUE(save_document_file(doc, song.string(), &error)) << error;
        const test::ReferenceTiming ref(kTempo);
        const double seconds = double(ref.seconds_at(doc.tracks[0].notes.back().end())) + 0.5;
        const std::string command =
            std::string(TACTUS_DAEMON_PATH) + " --audio offline --out " + out.string() +
            " --rate 48000 --period " + std::to_string(period) + " --seconds " + std::to_string(seconds) +
            " --listen 127.0.0.1:0 --no-socket --load " + song.string() + " --play 2>&1";
        FILE* pipe = popen(command.c_str(), "r");
        ASSERT_NE(pipe, nullptr);
        const test::CliRun run = test::finish_run(pipe);
        ASSERT_EQ(run.exit_code, 0) << run.output;
        const auto file = read_audio_file(out.string(), &error);
        ASSERT_TRUE(file) << error;
        ASSERT_EQ(file->sample_rate, 48000);
        std::vector<float> left(static_cast<std::size_t>(file->frames()));
        for (std::size_t i = 0; i < left.size(); ++i)
            left[i] = file->samples[std::size_t(file->channels) * i];
        expect_exact(doc, left, kRate);
    }
}

}  // namespace
}  // namespace tactus
