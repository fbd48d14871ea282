// `tactus render` writes exactly what the engine renders, keeps release tails, and `info` reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "audio/audio_file_writer.h"
#include "core/document_json.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace {

namespace fs = std::filesystem;
using namespace tactus;

int run(const std::string& args) {
    return std::system((std::string(TACTUS_CLI_PATH) + " " + args + " >/dev/null 2>&1").c_str());
}

class CliRender : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-render-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

Document pad_and_pluck() {
    Document doc;
    doc.tempo = test::tempo_map({{0, 100, false}, {2, 100, true}, {4, 140, false}});
    doc.tracks.push_back(test::track(
        1, "pad", {test::note(1, 0, 2, 57), test::note(2, 0, 2, 60), test::note(5, 3, 1, 64)}, -0.4));
    doc.tracks.push_back(
        test::track(2, "pluck", {test::note(3, 1, 0.5, 72), test::note(4, 3.5, 0.25, 76)}, 0.4));
    return doc;
}

TEST_F(CliRender, float_wav_holds_exactly_the_engine_output_including_the_release_tail) {
    const Document doc = pad_and_pluck();
    const std::string score = (dir_ / "s.json").string(), wav = (dir_ / "s.wav").string();
    std::string error;
    ASSERT_TRUE(save_document_file(doc, score, &error)) << error;
    ASSERT_EQ(run("render " + score + " -o " + wav + " --bits 32f --rate 44100"), 0);

    const auto file = read_audio_file(wav, &error);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(file->sample_rate, 44100);
    ASSERT_EQ(file->channels, 2);
    const test::StereoAudio expected = test::render_offline(doc, 44100, 512);
    ASSERT_EQ(file->frames(), static_cast<std::int64_t>(expected.left.size()));
    for (std::size_t i = 0; i < expected.left.size(); ++i) {
        ASSERT_EQ(file->samples[2 * i], expected.left[i]) << "frame " << i;
        ASSERT_EQ(file->samples[2 * i + 1], expected.right[i]) << "frame " << i;
    }
    // The file runs past the last note's end (the release tail) to its last sound, not to the tail limit.
    const auto last_note_end = static_cast<std::int64_t>(doc.tempo.seconds_at(doc.end_beat()) * 44100);
    EXPECT_GT(file->frames(), last_note_end + 4410) << "release tail kept (pad release is long)";
    bool tail_sounds = false;
    for (std::int64_t i = last_note_end; i < last_note_end + 4410; ++i)
        tail_sounds |= file->samples[2 * i] != 0.0f;
    EXPECT_TRUE(tail_sounds);
    EXPECT_TRUE(file->samples.back() != 0.0f || file->samples[file->samples.size() - 2] != 0.0f);
    EXPECT_LT(file->frames(), last_note_end + 5 * 44100);
}

TEST_F(CliRender, flac_and_16_bit_outputs_are_written) {
    const std::string score = (dir_ / "s.json").string();
    std::string error;
    ASSERT_TRUE(save_document_file(pad_and_pluck(), score, &error)) << error;
    for (const std::string& args : {"-o " + (dir_ / "a.flac").string() + " --bits 16",
                                    "-o " + (dir_ / "b.flac").string() + " --bits 24",
                                    "-o " + (dir_ / "c.wav").string() + " --bits 16 --format wav"}) {
        ASSERT_EQ(run("render " + score + " " + args), 0) << args;
    }
    for (const char* name : {"a.flac", "b.flac", "c.wav"}) {
        const auto file = read_audio_file((dir_ / name).string(), &error);
        ASSERT_TRUE(file) << name << ": " << error;
        EXPECT_EQ(file->sample_rate, 48000);
        EXPECT_GT(file->frames(), 48000);
    }
}

}  // namespace
