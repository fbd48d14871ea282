// The offline backend (audio/offline_backend.h): it calls process() for exactly the frames asked for,
// in periods, with contiguous frame times; the file it writes holds what the callback wrote, sample for
// sample; its virtual clock maps frames to host time and back exactly; and file errors are reported.

#include "audio/offline_backend.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "audio/audio_file_writer.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Writes each sample's own frame time into the left channel and its negation into the right, so the
// file read back shows which frame every sample was rendered for. Frames stay below 2^24, where a
// float holds an integer exactly.
class FrameStamper : public AudioCallback {
public:
    explicit FrameStamper(const AudioBackend& backend) : backend_(backend) {}

    void process(const AudioBlock& block) override {
        if (block.frame_time != next_frame_) ++discontinuities;
        if (backend_.host_time_at_frame(block.frame_time) != block.host_time_ns) ++clock_mismatches;
        for (int i = 0; i < block.frames; ++i) {
            block.left[i] = static_cast<float>(block.frame_time + i);
            block.right[i] = -static_cast<float>(block.frame_time + i);
        }
        next_frame_ = block.frame_time + block.frames;
        ++blocks;
        if (block.frames != backend_.period()) ++short_blocks;
    }

    int blocks = 0;
    int short_blocks = 0;
    int discontinuities = 0;
    int clock_mismatches = 0;

private:
    const AudioBackend& backend_;
    Frame next_frame_ = 0;
};

class OfflineBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-offline-" + std::to_string(getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    static AudioBackendOptions offline(const std::string& file, double seconds, int period = 256,
                                       int rate = 48000) {
        AudioBackendOptions options;
        options.kind = "offline";
        options.offline_path = file;
        options.offline_seconds = seconds;
        options.period = period;
        options.sample_rate = rate;
        return options;
    }

    // Every sample of the file is its own frame number (left) and its negation (right).
    static void expect_frame_stamps(const AudioFileData& data, Frame frames) {
        ASSERT_EQ(data.channels, 2);
        ASSERT_EQ(data.frames(), frames);
        Frame wrong = 0;
        for (Frame f = 0; f < frames; ++f) {
            const float left = data.samples[static_cast<std::size_t>(2 * f)];
            const float right = data.samples[static_cast<std::size_t>(2 * f + 1)];
            if (left != static_cast<float>(f) || right != -static_cast<float>(f)) {
                if (wrong++ < 5) ADD_FAILURE() << "frame " << f << " holds " << left << ", " << right;
            }
        }
        EXPECT_EQ(wrong, 0);
    }

    fs::path dir_;
};

TEST_F(OfflineBackendTest, renders_exactly_n_periods_with_contiguous_frame_times) {
    constexpr int kPeriods = 40;
    const std::string file = path("stamps.wav");
    std::string error;
    auto backend = OfflineBackend::open(offline(file, kPeriods * 256 / 48000.0), &error);
    ASSERT_NE(backend, nullptr) << error;
    FrameStamper stamper(*backend);
    EXPECT_FALSE(backend->ended());
    ASSERT_TRUE(backend->start(stamper, &error)) << error;
    ASSERT_TRUE(backend->wait_until_finished(10s));
    EXPECT_TRUE(backend->ended());  // the engine process may shut down now: the file is complete
    EXPECT_EQ(backend->error(), "");

    EXPECT_EQ(stamper.blocks, kPeriods);
    EXPECT_EQ(stamper.short_blocks, 0);
    EXPECT_EQ(stamper.discontinuities, 0);
    EXPECT_EQ(stamper.clock_mismatches, 0);
    EXPECT_EQ(backend->frames_rendered(), kPeriods * 256);

    const auto data = read_audio_file(file, &error);
    ASSERT_TRUE(data) << error;
    EXPECT_EQ(data->sample_rate, 48000);
    expect_frame_stamps(*data, kPeriods * 256);
}

TEST_F(OfflineBackendTest, a_duration_that_is_not_whole_periods_ends_on_a_short_block) {
    // 0.1 s at 44.1 kHz is 4410 frames: 8 periods of 512 and one of 314.
    const std::string file = path("short.wav");
    std::string error;
    auto backend = OfflineBackend::open(offline(file, 0.1, 512, 44100), &error);
    ASSERT_NE(backend, nullptr) << error;
    FrameStamper stamper(*backend);
    ASSERT_TRUE(backend->start(stamper, &error)) << error;
    ASSERT_TRUE(backend->wait_until_finished(10s));
    EXPECT_EQ(stamper.blocks, 9);
    EXPECT_EQ(stamper.short_blocks, 1);
    const auto data = read_audio_file(file, &error);
    ASSERT_TRUE(data) << error;
    expect_frame_stamps(*data, 4410);
}

TEST_F(OfflineBackendTest, flac_output_is_24_bit) {
    const std::string file = path("quiet.flac");
    std::string error;
    auto backend = OfflineBackend::open(offline(file, 0.05), &error);
    ASSERT_NE(backend, nullptr) << error;
    struct Half : AudioCallback {
        void process(const AudioBlock& block) override {
            for (int i = 0; i < block.frames; ++i) block.left[i] = block.right[i] = 0.5f;
        }
    } half;
    ASSERT_TRUE(backend->start(half, &error)) << error;
    ASSERT_TRUE(backend->wait_until_finished(10s));
    EXPECT_EQ(backend->error(), "");
    const auto data = read_audio_file(file, &error);
    ASSERT_TRUE(data) << error;
    EXPECT_EQ(data->frames(), 2400);
    EXPECT_EQ(data->samples.front(), 0.5f);  // 0.5 is exact in 24 bits
}

TEST_F(OfflineBackendTest, stop_ends_an_unbounded_render_on_a_period_boundary) {
    const std::string file = path("until-stopped.wav");
    std::string error;
    auto backend = OfflineBackend::open(offline(file, 0), &error);
    ASSERT_NE(backend, nullptr) << error;
    FrameStamper stamper(*backend);
    ASSERT_TRUE(backend->start(stamper, &error)) << error;
    EXPECT_FALSE(backend->wait_until_finished(20ms));  // it would run forever
    backend->stop();
    ASSERT_TRUE(backend->wait_until_finished(0ms));
    EXPECT_EQ(backend->error(), "");
    const Frame frames = backend->frames_rendered();
    EXPECT_GT(frames, 0);
    EXPECT_EQ(frames % 256, 0);
    const auto data = read_audio_file(file, &error);
    ASSERT_TRUE(data) << error;
    expect_frame_stamps(*data, frames);
}

TEST_F(OfflineBackendTest, host_time_and_frames_are_exact_inverses_of_the_virtual_clock) {
    for (const int rate : {44100, 48000, 96000, 22050}) {
        std::string error;
        auto backend = OfflineBackend::open(offline("", 0, 256, rate), &error);
        ASSERT_NE(backend, nullptr) << error;
        const std::int64_t start = backend->host_time_at_frame(0);
        for (const Frame f : {Frame{0}, Frame{1}, Frame{-1}, Frame{255}, Frame{rate},
                              Frame{rate} * 3600 * 24 + 7, Frame{-12345678}, Frame{1} << 40}) {
            const std::int64_t t = backend->host_time_at_frame(f);
            // start + f × 1e9 / rate, rounded to the nearest ns, computed independently in long double.
            const long double exact = static_cast<long double>(f) * 1e9L / rate;
            EXPECT_LE(std::fabs(static_cast<long double>(t - start) - exact), 0.5L)
                << "rate " << rate << ", frame " << f;
            EXPECT_EQ(backend->frame_at_host_time(t), f) << "rate " << rate << ", frame " << f;
        }
        // Any host time maps to the nearest frame.
        const std::int64_t third_of_a_frame = 1'000'000'000 / rate / 3;
        EXPECT_EQ(backend->frame_at_host_time(backend->host_time_at_frame(10) + third_of_a_frame), 10);
        EXPECT_EQ(backend->frame_at_host_time(backend->host_time_at_frame(10) - third_of_a_frame), 10);
    }
}

TEST_F(OfflineBackendTest, blocks_carry_the_virtual_host_time) {
    std::string error;
    auto backend = OfflineBackend::open(offline("", 0.1), &error);
    ASSERT_NE(backend, nullptr) << error;
    struct Times : AudioCallback {
        std::vector<std::int64_t> host;  // reserved below: process() must not allocate
        void process(const AudioBlock& block) override {
            host.push_back(block.host_time_ns);
            std::fill(block.left, block.left + block.frames, 0.0f);
            std::fill(block.right, block.right + block.frames, 0.0f);
        }
    } times;
    times.host.reserve(100);
    ASSERT_TRUE(backend->start(times, &error)) << error;
    ASSERT_TRUE(backend->wait_until_finished(10s));
    ASSERT_EQ(times.host.size(), 19u);  // 4800 frames: 18 × 256 + 192
    for (std::size_t i = 0; i < times.host.size(); ++i) {
        // Block i starts at frame 256·i, i.e. 256·i / 48000 s after the first, rounded to the nearest ns.
        const long double exact = static_cast<long double>(i) * 256 * 1e9L / 48000;
        EXPECT_EQ(times.host[i] - times.host[0], static_cast<std::int64_t>(std::floor(exact + 0.5L)))
            << "block " << i;
    }
}

TEST_F(OfflineBackendTest, refuses_an_unknown_extension_and_a_missing_directory) {
    std::string error;
    EXPECT_EQ(OfflineBackend::open(offline(path("song.mp3"), 1), &error), nullptr);
    EXPECT_NE(error.find("offline"), std::string::npos) << error;
    EXPECT_NE(error.find("song.mp3"), std::string::npos) << error;
    EXPECT_NE(error.find(".wav"), std::string::npos) << error;

    EXPECT_EQ(OfflineBackend::open(offline(path("no/such/dir/song.wav"), 1), &error), nullptr);
    EXPECT_NE(error.find("no/such/dir/song.wav"), std::string::npos) << error;

    EXPECT_EQ(OfflineBackend::open(offline(path("ok.wav"), 1, 0), &error), nullptr);
    EXPECT_NE(error.find("period"), std::string::npos) << error;
}

TEST_F(OfflineBackendTest, renders_once) {
    std::string error;
    auto backend = OfflineBackend::open(offline("", 0.01), &error);
    ASSERT_NE(backend, nullptr) << error;
    FrameStamper stamper(*backend);
    ASSERT_TRUE(backend->start(stamper, &error)) << error;
    ASSERT_TRUE(backend->wait_until_finished(10s));
    EXPECT_FALSE(backend->start(stamper, &error));
    EXPECT_NE(error.find("already"), std::string::npos) << error;
}

// In a child process whose file size limit is 64 KiB, a 10 s render fails like on a full disk.
void render_past_the_file_size_limit(const std::string& target) {
    std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
    const rlimit limit{64 * 1024, 64 * 1024};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) std::_Exit(3);
    AudioBackendOptions options;
    options.kind = "offline";
    options.offline_path = target;
    options.offline_seconds = 10;
    std::string error;
    auto backend = OfflineBackend::open(options, &error);
    if (!backend) std::_Exit(4);
    struct Silence : AudioCallback {
        void process(const AudioBlock& block) override {
            std::fill(block.left, block.left + block.frames, 0.25f);
            std::fill(block.right, block.right + block.frames, 0.25f);
        }
    } silence;
    if (!backend->start(silence, &error)) std::_Exit(5);
    if (!backend->wait_until_finished(std::chrono::seconds(30))) std::_Exit(6);
    if (backend->frames_rendered() >= 480000) std::_Exit(7);  // it stopped at the error
    std::cerr << "offline error: " << backend->error() << "\n";
    std::cerr.flush();
    std::_Exit(0);
}

TEST_F(OfflineBackendTest, a_write_error_ends_the_render_and_is_reported) {
    GTEST_FLAG_SET(death_test_style, "fast");  // the child writes into this test's directory
    const std::string target = path("big.wav");
    EXPECT_EXIT(render_past_the_file_size_limit(target), ::testing::ExitedWithCode(0),
                "offline error: .*big\\.wav.*File too large");
    EXPECT_FALSE(fs::exists(target));
}

}  // namespace
}  // namespace tactus
