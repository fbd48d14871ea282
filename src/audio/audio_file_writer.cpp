#include "audio/audio_file_writer.h"

#include <fcntl.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "audio/tpdf_dither.h"

namespace tactus {

namespace {

// Frames converted per libsndfile call: bounds the conversion buffers whatever block size the
// caller writes.
constexpr int kChunkFrames = 4096;

// The dither seed (one stream per channel, derived from it). Fixed, so renders are reproducible.
constexpr std::uint64_t kDitherSeed = 0x7AC705D17E500000ull;

std::string quoted(const std::string& path) {
    return "'" + path + "'";
}

std::string system_error_text(int error_number) {
    char buffer[256];
    // GNU strerror_r may return a static string instead of filling the buffer.
    return ::strerror_r(error_number, buffer, sizeof buffer);
}

void set_error(std::string* error, std::string message) {
    if (error != nullptr) *error = std::move(message);
}

int sndfile_format(const AudioFileSpec& spec) {
    const int container = spec.type == AudioFileType::Flac ? SF_FORMAT_FLAC : SF_FORMAT_WAV;
    switch (spec.format) {
        case AudioSampleFormat::Pcm16:
            return container | SF_FORMAT_PCM_16;
        case AudioSampleFormat::Pcm24:
            return container | SF_FORMAT_PCM_24;
        case AudioSampleFormat::Float32:
            return container | SF_FORMAT_FLOAT;
    }
    return 0;
}

// A name beside the target, unique within this process and (through the pid) across processes.
std::string temporary_path_for(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    return path + "." + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + ".partial";
}

}  // namespace

std::optional<AudioFileType> parse_audio_file_type(std::string_view text) {
    if (text == "wav") return AudioFileType::Wav;
    if (text == "flac") return AudioFileType::Flac;
    return std::nullopt;
}

std::optional<AudioSampleFormat> parse_audio_sample_format(std::string_view text) {
    if (text == "16") return AudioSampleFormat::Pcm16;
    if (text == "24") return AudioSampleFormat::Pcm24;
    if (text == "32f") return AudioSampleFormat::Float32;
    return std::nullopt;
}

std::string validate_audio_file_spec(const AudioFileSpec& spec) {
    const bool flac = spec.type == AudioFileType::Flac;
    if (spec.type != AudioFileType::Wav && !flac) return "unknown audio file type";
    if (spec.format != AudioSampleFormat::Pcm16 && spec.format != AudioSampleFormat::Pcm24 &&
        spec.format != AudioSampleFormat::Float32)
        return "unknown sample format";
    if (flac && spec.format == AudioSampleFormat::Float32)
        return "FLAC cannot hold 32-bit float samples: use 16 or 24 bits for FLAC, or a WAV file for 32f";
    if (spec.channels != 1 && spec.channels != 2)
        return "cannot write " + std::to_string(spec.channels) + " channels (only 1 or 2)";
    const int max_rate = flac ? 655350 : 768000;  // FLAC's header limit as libsndfile writes it
    if (spec.sample_rate < 1 || spec.sample_rate > max_rate)
        return "sample rate " + std::to_string(spec.sample_rate) + " Hz is out of range for " +
               (flac ? "FLAC" : "WAV") + " (1.." + std::to_string(max_rate) + ")";
    SF_INFO info{};
    info.samplerate = spec.sample_rate;
    info.channels = spec.channels;
    info.format = sndfile_format(spec);
    if (!sf_format_check(&info))
        return std::string("this build of libsndfile cannot write ") + (flac ? "FLAC" : "WAV") +
               " in the requested sample format";
    return "";
}

// ---- AudioFileWriter ----

struct AudioFileWriter::State {
    std::string path;
    std::string temporary_path;
    AudioFileSpec spec;
    int descriptor = -1;
    SNDFILE* file = nullptr;
    std::array<TpdfDither, 2> dither{TpdfDither(kDitherSeed),
                                     TpdfDither(kDitherSeed ^ 0xD1B54A32D192ED03ull)};
    std::vector<float> float_buffer;
    std::vector<short> short_buffer;
    std::vector<int> int_buffer;
    int pending = 0;        // frames gathered in the buffer, not yet handed to libsndfile
    bool finished = false;  // close() ran (whatever its result)
    std::string failure;    // set once anything failed; the writer is then failed for good

    // Drops the temporary file; used on every failure path and by the destructor.
    void abandon() {
        if (file != nullptr) sf_close(file);
        file = nullptr;
        if (descriptor >= 0) ::close(descriptor);
        descriptor = -1;
        if (!temporary_path.empty()) ::unlink(temporary_path.c_str());
    }

    bool fail(std::string message, std::string* error) {
        failure = std::move(message);
        abandon();
        set_error(error, failure);
        return false;
    }

    // Converts up to kChunkFrames - pending frames into the buffer after the pending ones; returns how
    // many it took. A full buffer goes to libsndfile (flush): one write call per chunk, whatever the
    // caller's block size.
    int gather(const float* left, const float* right, int frames) {
        const int channels = spec.channels;
        const int n = std::min(frames, kChunkFrames - pending);
        const auto at = [&](int i, int channel) {
            return static_cast<std::size_t>((pending + i) * channels + channel);
        };
        switch (spec.format) {
            case AudioSampleFormat::Float32:
                for (int i = 0; i < n; ++i) {
                    float_buffer[at(i, 0)] = left[i];
                    if (channels == 2) float_buffer[at(i, 1)] = right[i];
                }
                break;
            case AudioSampleFormat::Pcm16:
                for (int i = 0; i < n; ++i) {
                    short_buffer[at(i, 0)] = quantize_pcm16(left[i], dither[0]);
                    if (channels == 2) short_buffer[at(i, 1)] = quantize_pcm16(right[i], dither[1]);
                }
                break;
            case AudioSampleFormat::Pcm24:
                for (int i = 0; i < n; ++i) {
                    int_buffer[at(i, 0)] = quantize_pcm24(left[i]);
                    if (channels == 2) int_buffer[at(i, 1)] = quantize_pcm24(right[i]);
                }
                break;
        }
        pending += n;
        return n;
    }

    // Hands the gathered frames to libsndfile.
    bool flush() {
        if (pending == 0) return true;
        sf_count_t written = 0;
        switch (spec.format) {
            case AudioSampleFormat::Float32:
                written = sf_writef_float(file, float_buffer.data(), pending);
                break;
            case AudioSampleFormat::Pcm16:
                written = sf_writef_short(file, short_buffer.data(), pending);
                break;
            case AudioSampleFormat::Pcm24:
                written = sf_writef_int(file, int_buffer.data(), pending);
                break;
        }
        const bool ok = written == pending;
        pending = 0;
        return ok;
    }
};

AudioFileWriter::AudioFileWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

AudioFileWriter::~AudioFileWriter() {
    if (!state_->finished) state_->abandon();
}

std::unique_ptr<AudioFileWriter> AudioFileWriter::open(const std::string& path, const AudioFileSpec& spec,
                                                       std::string* error) {
    if (const std::string problem = validate_audio_file_spec(spec); !problem.empty()) {
        set_error(error, "cannot write " + quoted(path) + ": " + problem);
        return nullptr;
    }
    auto state = std::make_unique<State>();
    state->path = path;
    state->spec = spec;

    // O_EXCL: never write into a file someone else is writing; the name is retried if taken.
    for (int attempt = 0; attempt < 100 && state->descriptor < 0; ++attempt) {
        state->temporary_path = temporary_path_for(path);
        state->descriptor =
            ::open(state->temporary_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (state->descriptor < 0 && errno != EEXIST) break;
    }
    if (state->descriptor < 0) {
        const int open_errno = errno;
        state->temporary_path.clear();  // nothing was created
        set_error(error, "cannot create " + quoted(path) + ": " + system_error_text(open_errno));
        return nullptr;
    }

    SF_INFO info{};
    info.samplerate = spec.sample_rate;
    info.channels = spec.channels;
    info.format = sndfile_format(spec);
    // close_desc = false: the descriptor stays ours, so close() can fsync it before the rename.
    state->file = sf_open_fd(state->descriptor, SFM_WRITE, &info, SF_FALSE);
    if (state->file == nullptr) {
        state->fail("cannot create " + quoted(path) + ": " + sf_strerror(nullptr), error);
        return nullptr;
    }
    // The PEAK chunk of float WAVs holds the wall-clock time: leave it out for reproducible files.
    sf_command(state->file, SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);

    const auto buffer_samples = static_cast<std::size_t>(kChunkFrames * spec.channels);
    switch (spec.format) {
        case AudioSampleFormat::Float32:
            state->float_buffer.resize(buffer_samples);
            break;
        case AudioSampleFormat::Pcm16:
            state->short_buffer.resize(buffer_samples);
            break;
        case AudioSampleFormat::Pcm24:
            state->int_buffer.resize(buffer_samples);
            break;
    }
    return std::unique_ptr<AudioFileWriter>(new AudioFileWriter(std::move(state)));
}

bool AudioFileWriter::write(const float* left, const float* right, int frames, std::string* error) {
    State& s = *state_;
    if (!s.failure.empty()) {
        set_error(error, s.failure);
        return false;
    }
    if (s.finished) {
        set_error(error, "cannot write to " + quoted(s.path) + ": the file is already closed");
        return false;
    }
    if (frames < 0 || (frames > 0 && (left == nullptr || (s.spec.channels == 2 && right == nullptr)))) {
        set_error(error, "cannot write to " + quoted(s.path) + ": invalid sample buffers");
        return false;
    }
    for (int done = 0; done < frames;) {
        done += s.gather(left + done, right != nullptr ? right + done : nullptr, frames - done);
        if (s.pending == kChunkFrames && !s.flush())
            return s.fail("writing " + quoted(s.path) + " failed: " + sf_strerror(s.file), error);
    }
    return true;
}

bool AudioFileWriter::close(std::string* error) {
    State& s = *state_;
    if (s.finished) {
        if (!s.failure.empty()) set_error(error, s.failure);
        return s.failure.empty();
    }
    s.finished = true;
    if (!s.failure.empty()) {
        set_error(error, s.failure);
        return false;
    }
    if (!s.flush()) {
        return s.fail("writing " + quoted(s.path) + " failed: " + sf_strerror(s.file), error);
    }
    // sf_close writes the final header (and, for FLAC, the last frames and the stream info).
    const int close_result = sf_close(s.file);
    s.file = nullptr;
    if (close_result != 0)
        return s.fail("finishing " + quoted(s.path) + " failed: " + sf_error_number(close_result), error);
    if (::fsync(s.descriptor) != 0)
        return s.fail("finishing " + quoted(s.path) + " failed: " + system_error_text(errno), error);
    const int descriptor = s.descriptor;
    s.descriptor = -1;
    if (::close(descriptor) != 0)
        return s.fail("finishing " + quoted(s.path) + " failed: " + system_error_text(errno), error);
    if (std::rename(s.temporary_path.c_str(), s.path.c_str()) != 0)
        return s.fail("cannot move the finished file to " + quoted(s.path) + ": " + system_error_text(errno),
                      error);
    s.temporary_path.clear();
    return true;
}

// ---- reading ----

std::optional<AudioFileData> read_audio_file(const std::string& path, std::string* error) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path.c_str(), SFM_READ, &info);
    if (file == nullptr) {
        set_error(error, "cannot read " + quoted(path) + ": " + sf_strerror(nullptr));
        return std::nullopt;
    }
    AudioFileData data;
    data.sample_rate = info.samplerate;
    data.channels = info.channels;
    if (info.frames > 0 && info.frames < (sf_count_t{1} << 31))
        data.samples.reserve(static_cast<std::size_t>(info.frames * info.channels));
    std::vector<float> chunk(static_cast<std::size_t>(kChunkFrames * info.channels));
    for (;;) {
        const sf_count_t n = sf_readf_float(file, chunk.data(), kChunkFrames);
        if (n <= 0) break;
        data.samples.insert(data.samples.end(), chunk.begin(), chunk.begin() + n * info.channels);
    }
    const int read_error = sf_error(file);
    std::string message = read_error != 0 ? sf_strerror(file) : "";
    sf_close(file);
    if (read_error != 0) {
        set_error(error, "reading " + quoted(path) + " failed: " + message);
        return std::nullopt;
    }
    return data;
}

}  // namespace tactus
