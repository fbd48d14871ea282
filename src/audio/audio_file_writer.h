// Audio files through libsndfile: the offline renderer's output (WAV or FLAC; 16-bit dithered,
// 24-bit, or 32-bit float) and a reader that tests and tools use to check what was written.
//
// Threading: NOT realtime-safe. Everything here allocates and does blocking I/O; call it from the
// writer side of the offline renderer (outside any RealtimeScope), never from the audio thread.
// One AudioFileWriter is used by one thread at a time.
//
// Atomic output: the writer fills a temporary file beside the target ("<path>.<pid>-<n>.partial")
// and close() flushes it, syncs it to disk and renames it over the target. A render that fails,
// or a writer destroyed without close(), removes the temporary file and leaves nothing at the
// target path (an older file already there stays as it was).
//
// Reproducible output: 16-bit dither comes from a fixed seed, and float WAVs carry no PEAK chunk
// (libsndfile stamps it with the wall-clock time), so the same input gives the same bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tactus {

enum class AudioFileType { Wav, Flac };
enum class AudioSampleFormat { Pcm16, Pcm24, Float32 };

struct AudioFileSpec {
    AudioFileType type = AudioFileType::Wav;
    AudioSampleFormat format = AudioSampleFormat::Pcm24;
    int sample_rate = 48000;
    int channels = 2;  // 2, or 1 (the left input channel is written)
};

// "wav" | "flac" (lower case, as on the command line); nullopt for anything else.
std::optional<AudioFileType> parse_audio_file_type(std::string_view text);
// "16" | "24" | "32f"; nullopt for anything else.
std::optional<AudioSampleFormat> parse_audio_sample_format(std::string_view text);
// "" when the spec can be written; otherwise one sentence saying what is wrong (e.g. FLAC cannot
// hold 32-bit float samples).
std::string validate_audio_file_spec(const AudioFileSpec& spec);

class AudioFileWriter {
public:
    // nullptr with *error set (naming the path) when the spec is invalid or the file cannot be
    // created (missing directory, no permission, ...). error may be null.
    static std::unique_ptr<AudioFileWriter> open(const std::string& path, const AudioFileSpec& spec,
                                                 std::string* error);

    // Appends `frames` frames of planar stereo (right may be null for a mono file). Integer formats
    // clamp to [-1, 1] (16-bit adds TPDF dither, except on exact 0.0); Float32 stores the values
    // unchanged, out-of-range ones included. false with *error set on a write error (disk full,
    // I/O error), after which the writer is failed: further writes and close() return false.
    bool write(const float* left, const float* right, int frames, std::string* error);

    // Finishes the file and moves it to the target path. false with *error set if anything fails,
    // in which case nothing is left at the target path. Calling it again returns the first result.
    bool close(std::string* error);

    // Without a successful close(), removes the temporary file: no half file at the target path.
    ~AudioFileWriter();

    AudioFileWriter(const AudioFileWriter&) = delete;
    AudioFileWriter& operator=(const AudioFileWriter&) = delete;

private:
    struct State;
    explicit AudioFileWriter(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

struct AudioFileData {
    int sample_rate = 0;
    int channels = 0;
    std::vector<float> samples;  // interleaved; integer formats scaled to [-1, 1) (sample / 2^(bits-1))

    std::int64_t frames() const {
        return channels > 0 ? static_cast<std::int64_t>(samples.size()) / channels : 0;
    }
};

// Reads any file libsndfile can open. nullopt with *error set (naming the path) on failure.
std::optional<AudioFileData> read_audio_file(const std::string& path, std::string* error);

}  // namespace tactus
