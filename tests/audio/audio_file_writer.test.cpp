// Audio files (audio/audio_file_writer.h): what goes in comes back out (exactly for float, within
// the word length for PCM), 16-bit output is dithered except on digital silence, FLAC cannot hold
// float, and a render that fails or is abandoned never leaves a file at the target path.

#include "audio/audio_file_writer.h"

#include <gtest/gtest.h>
#include <sndfile.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "audio/tpdf_dither.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

constexpr double kLsb16 = 1.0 / 32768.0;
constexpr double kLsb24 = 1.0 / 8388608.0;

// Two channels of test signal, planar, as the renderer hands them over.
struct Stereo {
    std::vector<float> left;
    std::vector<float> right;

    int frames() const { return static_cast<int>(left.size()); }
    float sample(std::int64_t frame, int channel) const {
        return channel == 0 ? left[static_cast<std::size_t>(frame)] : right[static_cast<std::size_t>(frame)];
    }
};

Stereo constant(float value, int frames) {
    return {std::vector<float>(static_cast<std::size_t>(frames), value),
            std::vector<float>(static_cast<std::size_t>(frames), value)};
}

// A 440 Hz / 660 Hz pair at -6 dBFS with a little deterministic noise, so every bit pattern differs.
Stereo music(int frames, int rate = 48000) {
    Stereo s;
    std::uint64_t state = 12345;
    for (int i = 0; i < frames; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double noise = static_cast<double>(state >> 40) / static_cast<double>(1ull << 24) - 0.5;
        const double t = static_cast<double>(i) / rate;
        s.left.push_back(static_cast<float>(0.5 * std::sin(2 * M_PI * 440 * t) + 1e-3 * noise));
        s.right.push_back(static_cast<float>(0.5 * std::sin(2 * M_PI * 660 * t) - 1e-3 * noise));
    }
    return s;
}

AudioFileSpec spec_of(AudioFileType type, AudioSampleFormat format) {
    AudioFileSpec spec;
    spec.type = type;
    spec.format = format;
    return spec;
}

class AudioFileWriterTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ =
            fs::temp_directory_path() / ("tactus-audio-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::vector<std::string> directory_listing() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_))
            names.push_back(entry.path().filename().string());
        return names;
    }

    // Writes `signal` in uneven blocks (as a renderer would) and closes; fails the test on error.
    void write_file(const std::string& file, const AudioFileSpec& spec, const Stereo& signal) {
        std::string error;
        auto writer = AudioFileWriter::open(file, spec, &error);
        ASSERT_NE(writer, nullptr) << error;
        for (int done = 0, block = 1; done < signal.frames(); block = block * 3 % 5000 + 7) {
            const int n = std::min(block, signal.frames() - done);
            ASSERT_TRUE(writer->write(signal.left.data() + done, signal.right.data() + done, n, &error))
                << error;
            done += n;
        }
        ASSERT_TRUE(writer->close(&error)) << error;
    }

    AudioFileData read_file(const std::string& file) {
        std::string error;
        auto data = read_audio_file(file, &error);
        EXPECT_TRUE(data.has_value()) << error;
        return data.value_or(AudioFileData{});
    }

    // The libsndfile format word of a file on disk (container | subtype).
    static int format_on_disk(const std::string& file) {
        SF_INFO info{};
        SNDFILE* f = sf_open(file.c_str(), SFM_READ, &info);
        if (f == nullptr) return 0;
        sf_close(f);
        return info.format;
    }

    static std::string bytes_of(const std::string& file) {
        std::ifstream in(file, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

    // Largest |read - written| over every sample.
    static double max_error(const Stereo& written, const AudioFileData& read) {
        double worst = 0.0;
        for (std::int64_t f = 0; f < read.frames(); ++f)
            for (int c = 0; c < 2; ++c)
                worst = std::max(
                    worst, std::abs(static_cast<double>(read.samples[f * 2 + c]) - written.sample(f, c)));
        return worst;
    }

    fs::path dir_;
};

// ---- parsing and validation ----

TEST(AudioFileSpecTest, parses_the_command_line_names) {
    EXPECT_EQ(parse_audio_file_type("wav"), AudioFileType::Wav);
    EXPECT_EQ(parse_audio_file_type("flac"), AudioFileType::Flac);
    EXPECT_FALSE(parse_audio_file_type("mp3"));
    EXPECT_FALSE(parse_audio_file_type(""));
    EXPECT_EQ(parse_audio_sample_format("16"), AudioSampleFormat::Pcm16);
    EXPECT_EQ(parse_audio_sample_format("24"), AudioSampleFormat::Pcm24);
    EXPECT_EQ(parse_audio_sample_format("32f"), AudioSampleFormat::Float32);
    EXPECT_FALSE(parse_audio_sample_format("32"));
    EXPECT_FALSE(parse_audio_sample_format("8"));
}

TEST(AudioFileSpecTest, every_wav_format_and_flac_integer_formats_are_valid) {
    for (auto format : {AudioSampleFormat::Pcm16, AudioSampleFormat::Pcm24, AudioSampleFormat::Float32})
        EXPECT_EQ(validate_audio_file_spec(spec_of(AudioFileType::Wav, format)), "");
    EXPECT_EQ(validate_audio_file_spec(spec_of(AudioFileType::Flac, AudioSampleFormat::Pcm16)), "");
    EXPECT_EQ(validate_audio_file_spec(spec_of(AudioFileType::Flac, AudioSampleFormat::Pcm24)), "");
}

TEST(AudioFileSpecTest, flac_with_float_samples_is_refused_with_a_clear_message) {
    const std::string problem =
        validate_audio_file_spec(spec_of(AudioFileType::Flac, AudioSampleFormat::Float32));
    EXPECT_NE(problem.find("FLAC"), std::string::npos) << problem;
    EXPECT_NE(problem.find("32-bit float"), std::string::npos) << problem;
}

TEST(AudioFileSpecTest, impossible_channel_counts_and_rates_are_refused) {
    AudioFileSpec spec;
    spec.channels = 6;
    EXPECT_NE(validate_audio_file_spec(spec), "");
    spec.channels = 2;
    spec.sample_rate = 0;
    EXPECT_NE(validate_audio_file_spec(spec), "");
}

// ---- round trips ----

TEST_F(AudioFileWriterTest, float_wav_round_trip_is_bit_exact) {
    Stereo signal = music(10000);
    // Float files keep what integer files would clip, and the smallest values too.
    signal.left[100] = 1.5f;
    signal.right[100] = -2.25f;
    signal.left[200] = 1e-30f;
    signal.right[200] = -0.0f;
    write_file(path("float.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Float32), signal);

    EXPECT_EQ(format_on_disk(path("float.wav")), SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    const AudioFileData read = read_file(path("float.wav"));
    EXPECT_EQ(read.sample_rate, 48000);
    ASSERT_EQ(read.channels, 2);
    ASSERT_EQ(read.frames(), signal.frames());
    for (std::int64_t f = 0; f < read.frames(); ++f) {
        for (int c = 0; c < 2; ++c) {
            const float expected = signal.sample(f, c);
            ASSERT_EQ(std::memcmp(&read.samples[f * 2 + c], &expected, sizeof(float)), 0)
                << "frame " << f << " channel " << c;
        }
    }
}

TEST_F(AudioFileWriterTest, pcm24_wav_round_trip_is_within_one_lsb) {
    const Stereo signal = music(10000);
    write_file(path("pcm24.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Pcm24), signal);

    EXPECT_EQ(format_on_disk(path("pcm24.wav")), SF_FORMAT_WAV | SF_FORMAT_PCM_24);
    const AudioFileData read = read_file(path("pcm24.wav"));
    ASSERT_EQ(read.frames(), signal.frames());
    EXPECT_LE(max_error(signal, read), 0.5 * kLsb24 * 1.0001);  // rounded, so half an LSB
}

TEST_F(AudioFileWriterTest, pcm24_keeps_representable_values_exact_and_clamps_the_rest) {
    Stereo signal = constant(static_cast<float>(12345 * kLsb24), 8);
    signal.left[1] = 1.0f;  // full scale clips to the largest code
    signal.right[1] = -1.0f;
    signal.left[2] = 3.0f;
    signal.right[2] = -3.0f;
    write_file(path("clamp24.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Pcm24), signal);

    const AudioFileData read = read_file(path("clamp24.wav"));
    ASSERT_EQ(read.frames(), 8);
    EXPECT_EQ(read.samples[0], static_cast<float>(12345 * kLsb24));
    EXPECT_EQ(read.samples[2], static_cast<float>(1.0 - kLsb24));
    EXPECT_EQ(read.samples[3], -1.0f);
    EXPECT_EQ(read.samples[4], static_cast<float>(1.0 - kLsb24));
    EXPECT_EQ(read.samples[5], -1.0f);
}

TEST_F(AudioFileWriterTest, pcm16_of_a_constant_has_the_right_mean_and_dither_noise) {
    const int frames = 48000;
    write_file(path("quarter.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Pcm16),
               constant(0.25f, frames));

    EXPECT_EQ(format_on_disk(path("quarter.wav")), SF_FORMAT_WAV | SF_FORMAT_PCM_16);
    const AudioFileData read = read_file(path("quarter.wav"));
    ASSERT_EQ(read.frames(), frames);
    double sum = 0.0, sum_squares = 0.0;
    for (const float sample : read.samples) {
        const double error_lsb = (sample - 0.25) / kLsb16;
        // TPDF dither peaks at +-1 LSB, and 0.25 is exactly a 16-bit code: at most one code away.
        ASSERT_LE(std::abs(error_lsb), 1.0 + 1e-9);
        sum += error_lsb;
        sum_squares += error_lsb * error_lsb;
    }
    const double n = static_cast<double>(read.samples.size());
    const double mean = sum / n;
    const double rms = std::sqrt(sum_squares / n);
    EXPECT_NEAR(mean, 0.0, 0.02);  // in LSBs; the standard error is about 0.002
    // Rounding triangular (-1, 1) dither: +-1 code each with probability 1/8, so rms = 0.5 LSB.
    EXPECT_NEAR(rms, 0.5, 0.02);
}

TEST_F(AudioFileWriterTest, pcm16_digital_silence_stays_exactly_silent) {
    Stereo signal = music(4800);
    for (int i = 0; i < 4800; ++i) {  // a silent tail after the music
        signal.left.push_back(0.0f);
        signal.right.push_back(-0.0f);
    }
    write_file(path("tail.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Pcm16), signal);

    const AudioFileData read = read_file(path("tail.wav"));
    ASSERT_EQ(read.frames(), 9600);
    for (std::int64_t f = 4800; f < 9600; ++f) {
        ASSERT_EQ(read.samples[f * 2], 0.0f) << "frame " << f;
        ASSERT_EQ(read.samples[f * 2 + 1], 0.0f) << "frame " << f;
    }
    // The music itself: dither (< 1 LSB) plus rounding (<= 0.5 LSB).
    Stereo head{{signal.left.begin(), signal.left.begin() + 4800},
                {signal.right.begin(), signal.right.begin() + 4800}};
    AudioFileData head_read = read;
    head_read.samples.resize(4800 * 2);
    EXPECT_LE(max_error(head, head_read), 1.5 * kLsb16);
}

TEST_F(AudioFileWriterTest, pcm16_clamps_out_of_range_samples) {
    Stereo signal = constant(1.75f, 100);
    signal.right.assign(100, -4.0f);
    write_file(path("clamp16.wav"), spec_of(AudioFileType::Wav, AudioSampleFormat::Pcm16), signal);

    const AudioFileData read = read_file(path("clamp16.wav"));
    ASSERT_EQ(read.frames(), 100);
    for (std::int64_t f = 0; f < 100; ++f) {
        EXPECT_GE(read.samples[f * 2], static_cast<float>(1.0 - 2 * kLsb16));
        EXPECT_LE(read.samples[f * 2], static_cast<float>(1.0 - kLsb16));
        EXPECT_GE(read.samples[f * 2 + 1], -1.0f);
        EXPECT_LE(read.samples[f * 2 + 1], static_cast<float>(-1.0 + kLsb16));
    }
}

TEST_F(AudioFileWriterTest, the_same_render_gives_the_same_bytes) {
    const Stereo signal = music(20000);
    for (auto format : {AudioSampleFormat::Pcm16, AudioSampleFormat::Pcm24, AudioSampleFormat::Float32}) {
        write_file(path("a.wav"), spec_of(AudioFileType::Wav, format), signal);
        write_file(path("b.wav"), spec_of(AudioFileType::Wav, format), signal);
        EXPECT_EQ(bytes_of(path("a.wav")), bytes_of(path("b.wav")));
    }
    write_file(path("a.flac"), spec_of(AudioFileType::Flac, AudioSampleFormat::Pcm16), signal);
    write_file(path("b.flac"), spec_of(AudioFileType::Flac, AudioSampleFormat::Pcm16), signal);
    EXPECT_EQ(bytes_of(path("a.flac")), bytes_of(path("b.flac")));
}

TEST_F(AudioFileWriterTest, flac_16_and_24_bit_round_trips) {
    const Stereo signal = music(30000, 44100);
    AudioFileSpec spec = spec_of(AudioFileType::Flac, AudioSampleFormat::Pcm24);
    spec.sample_rate = 44100;
    write_file(path("pcm24.flac"), spec, signal);
    spec.format = AudioSampleFormat::Pcm16;
    write_file(path("pcm16.flac"), spec, signal);

    EXPECT_EQ(format_on_disk(path("pcm24.flac")), SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
    EXPECT_EQ(format_on_disk(path("pcm16.flac")), SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
    const AudioFileData read24 = read_file(path("pcm24.flac"));
    const AudioFileData read16 = read_file(path("pcm16.flac"));
    EXPECT_EQ(read24.sample_rate, 44100);
    ASSERT_EQ(read24.frames(), signal.frames());
    ASSERT_EQ(read16.frames(), signal.frames());
    EXPECT_LE(max_error(signal, read24), kLsb24);
    EXPECT_LE(max_error(signal, read16), 1.5 * kLsb16);
}

TEST_F(AudioFileWriterTest, a_mono_file_takes_the_left_channel) {
    AudioFileSpec spec = spec_of(AudioFileType::Wav, AudioSampleFormat::Float32);
    spec.channels = 1;
    const Stereo signal = music(1000);
    std::string error;
    auto writer = AudioFileWriter::open(path("mono.wav"), spec, &error);
    ASSERT_NE(writer, nullptr) << error;
    ASSERT_TRUE(writer->write(signal.left.data(), nullptr, signal.frames(), &error)) << error;
    ASSERT_TRUE(writer->close(&error)) << error;

    const AudioFileData read = read_file(path("mono.wav"));
    ASSERT_EQ(read.channels, 1);
    EXPECT_EQ(read.samples, signal.left);
}

// ---- errors and atomic output ----

TEST_F(AudioFileWriterTest, opening_flac_with_float_samples_fails_and_creates_nothing) {
    std::string error;
    auto writer = AudioFileWriter::open(path("x.flac"),
                                        spec_of(AudioFileType::Flac, AudioSampleFormat::Float32), &error);
    EXPECT_EQ(writer, nullptr);
    EXPECT_NE(error.find("FLAC cannot hold 32-bit float"), std::string::npos) << error;
    EXPECT_TRUE(directory_listing().empty());
}

TEST_F(AudioFileWriterTest, a_missing_directory_gives_an_error_naming_the_path) {
    const std::string target = path("no/such/dir/out.wav");
    std::string error;
    auto writer = AudioFileWriter::open(target, AudioFileSpec{}, &error);
    EXPECT_EQ(writer, nullptr);
    EXPECT_NE(error.find(target), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

TEST_F(AudioFileWriterTest, the_target_appears_only_when_close_succeeds) {
    const Stereo signal = music(2000);
    std::string error;
    auto writer = AudioFileWriter::open(path("out.wav"), AudioFileSpec{}, &error);
    ASSERT_NE(writer, nullptr) << error;
    ASSERT_TRUE(writer->write(signal.left.data(), signal.right.data(), signal.frames(), &error)) << error;
    EXPECT_FALSE(fs::exists(path("out.wav")));
    ASSERT_TRUE(writer->close(&error)) << error;
    EXPECT_TRUE(fs::exists(path("out.wav")));
    EXPECT_EQ(directory_listing(), std::vector<std::string>{"out.wav"});  // no temporary left over
    EXPECT_TRUE(writer->close(&error)) << "a second close repeats the first result";
    EXPECT_FALSE(writer->write(signal.left.data(), signal.right.data(), 1, &error));
}

TEST_F(AudioFileWriterTest, a_writer_destroyed_without_close_leaves_no_file) {
    const Stereo signal = music(2000);
    {
        std::string error;
        auto writer = AudioFileWriter::open(path("abandoned.wav"), AudioFileSpec{}, &error);
        ASSERT_NE(writer, nullptr) << error;
        ASSERT_TRUE(writer->write(signal.left.data(), signal.right.data(), signal.frames(), &error)) << error;
    }
    EXPECT_FALSE(fs::exists(path("abandoned.wav")));
    EXPECT_TRUE(directory_listing().empty());
}

TEST_F(AudioFileWriterTest, an_abandoned_render_leaves_an_older_file_untouched) {
    write_file(path("song.wav"), AudioFileSpec{}, music(100));
    const std::string before = bytes_of(path("song.wav"));
    {
        std::string error;
        auto writer = AudioFileWriter::open(path("song.wav"), AudioFileSpec{}, &error);
        ASSERT_NE(writer, nullptr) << error;
        const Stereo other = constant(0.5f, 500);
        ASSERT_TRUE(writer->write(other.left.data(), other.right.data(), other.frames(), &error)) << error;
    }
    EXPECT_EQ(bytes_of(path("song.wav")), before);
}

// In a child process whose file size limit is 64 KiB, a long render fails like on a full disk.
void render_past_the_file_size_limit(const std::string& target) {
    std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG from write() instead of being killed
    const rlimit limit{64 * 1024, 64 * 1024};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) std::_Exit(3);
    std::string error;
    auto writer =
        AudioFileWriter::open(target, spec_of(AudioFileType::Wav, AudioSampleFormat::Float32), &error);
    if (!writer) std::_Exit(4);
    const Stereo signal = constant(0.1f, 48000);  // 384 KB of samples
    if (writer->write(signal.left.data(), signal.right.data(), signal.frames(), &error)) std::_Exit(5);
    std::cerr << "write: " << error << "\n";
    std::string close_error;
    if (writer->close(&close_error)) std::_Exit(6);
    if (close_error != error) std::_Exit(7);
    writer.reset();
    std::cerr.flush();
    std::_Exit(0);
}

TEST_F(AudioFileWriterTest, a_write_error_names_the_path_and_the_reason_and_leaves_no_file) {
    // "fast": the child is a fork of this very test, so it writes into this test's directory (a
    // "threadsafe" child re-runs SetUp and would make a directory of its own).
    GTEST_FLAG_SET(death_test_style, "fast");
    const std::string target = path("big.wav");
    EXPECT_EXIT(render_past_the_file_size_limit(target), ::testing::ExitedWithCode(0),
                "write: writing '.*big\\.wav' failed: .*File too large");
    EXPECT_FALSE(fs::exists(target));
    EXPECT_TRUE(directory_listing().empty());
}

TEST_F(AudioFileWriterTest, reading_a_missing_file_names_the_path) {
    std::string error;
    EXPECT_FALSE(read_audio_file(path("missing.wav"), &error));
    EXPECT_NE(error.find(path("missing.wav")), std::string::npos) << error;
}

// ---- the dither itself ----

TEST(TpdfDitherTest, is_triangular_on_plus_minus_one_lsb_and_reproducible) {
    TpdfDither dither(42);
    TpdfDither again(42);
    const int n = 200000;
    double sum = 0.0, sum_squares = 0.0;
    int near_zero = 0, near_edge = 0;
    for (int i = 0; i < n; ++i) {
        const double d = dither.next();
        ASSERT_EQ(d, again.next());
        ASSERT_GT(d, -1.0);
        ASSERT_LT(d, 1.0);
        sum += d;
        sum_squares += d * d;
        if (std::abs(d) < 0.1) ++near_zero;
        if (std::abs(d) > 0.9) ++near_edge;
    }
    EXPECT_NEAR(sum / n, 0.0, 0.01);
    EXPECT_NEAR(sum_squares / n, 1.0 / 6.0, 0.005);  // variance of the sum of two U(-0.5, 0.5)
    // A triangle is 19x denser within 0.1 of its peak than within 0.1 of its feet.
    EXPECT_GT(near_zero, 10 * near_edge);
}

TEST(TpdfDitherTest, quantizers_leave_silence_and_nan_silent) {
    TpdfDither dither(1);
    for (int i = 0; i < 1000; ++i) {
        ASSERT_EQ(quantize_pcm16(0.0f, dither), 0);
        ASSERT_EQ(quantize_pcm16(-0.0f, dither), 0);
        ASSERT_EQ(quantize_pcm16(std::nanf(""), dither), 0);
    }
    EXPECT_EQ(quantize_pcm24(0.0f), 0);
    EXPECT_EQ(quantize_pcm24(std::nanf("")), 0);
    EXPECT_EQ(quantize_pcm24(static_cast<float>(3 * kLsb24)), 3 * 256);
    EXPECT_EQ(quantize_pcm24(-1.0f), -8388608 * 256);
}

}  // namespace
}  // namespace tactus
