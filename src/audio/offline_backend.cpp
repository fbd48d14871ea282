#include "audio/offline_backend.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "audio/audio_file_writer.h"
#include "core/realtime_scope.h"

namespace tactus {

namespace {

constexpr int kMaxPeriod = 1 << 16;
constexpr std::int64_t kNsPerSecond = 1'000'000'000;

void set_error(std::string* error, std::string message) {
    if (error) *error = std::move(message);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
    return a - floor_div(a, b) * b;
}

// floor(a × mul / div + 1/2) for any a, without overflow while a × mul does not fit: a = q·div + r.
// Requires 0 < mul, div ≤ 1e9, so r × mul < 1e18 fits.
std::int64_t scale_rounded(std::int64_t a, std::int64_t mul, std::int64_t div) {
    const std::int64_t q = floor_div(a, div);
    const std::int64_t r = floor_mod(a, div);
    return q * mul + floor_div(2 * r * mul + div, 2 * div);
}

}  // namespace

std::unique_ptr<OfflineBackend> OfflineBackend::open(const AudioBackendOptions& options, std::string* error) {
    if (options.sample_rate <= 0 || options.sample_rate > 1'000'000) {
        set_error(error, "offline: sample rate " + std::to_string(options.sample_rate) + " is out of range");
        return nullptr;
    }
    if (options.period <= 0 || options.period > kMaxPeriod) {
        set_error(error, "offline: period " + std::to_string(options.period) + " is out of range (1.." +
                             std::to_string(kMaxPeriod) + " frames)");
        return nullptr;
    }
    if (!(options.offline_seconds >= 0) || !std::isfinite(options.offline_seconds)) {
        set_error(error, "offline: duration must be a finite number of seconds >= 0");
        return nullptr;
    }
    std::unique_ptr<OfflineBackend> self(new OfflineBackend());
    self->sample_rate_ = options.sample_rate;
    self->period_ = options.period;
    self->path_ = options.offline_path;
    self->total_frames_ = frame_at_seconds(options.offline_seconds, options.sample_rate);
    self->preroll_ = std::max(0, options.offline_preroll_frames);
    self->left_.assign(static_cast<std::size_t>(options.period), 0.0f);
    self->right_.assign(static_cast<std::size_t>(options.period), 0.0f);
    self->start_ns_.store(monotonic_now_ns());

    if (!self->path_.empty()) {
        std::string extension = std::filesystem::path(self->path_).extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        AudioFileSpec spec;
        spec.sample_rate = options.sample_rate;
        spec.channels = 2;
        if (extension == ".wav") {
            spec.type = AudioFileType::Wav;
            spec.format = AudioSampleFormat::Float32;
        } else if (extension == ".flac") {
            spec.type = AudioFileType::Flac;
            spec.format = AudioSampleFormat::Pcm24;
        } else {
            set_error(error, "offline: cannot tell the file type of '" + self->path_ +
                                 "' (use a .wav or .flac extension)");
            return nullptr;
        }
        std::string writer_error;
        self->writer_ = AudioFileWriter::open(self->path_, spec, &writer_error);
        if (!self->writer_) {
            set_error(error, "offline: " + writer_error);
            return nullptr;
        }
    }
    return self;
}

OfflineBackend::~OfflineBackend() {
    stop();
}

bool OfflineBackend::start(AudioCallback& callback, std::string* error) {
    if (started_) {
        set_error(error, "offline: this backend has already rendered; open a new one");
        return false;
    }
    started_ = true;
    start_ns_.store(monotonic_now_ns());
    thread_ = std::thread([this, &callback] { run(&callback); });
    return true;
}

void OfflineBackend::stop() {
    stop_requested_.store(true);
    if (thread_.joinable()) thread_.join();
}

void OfflineBackend::run(AudioCallback* callback) {
    preroll_ = std::max(preroll_, callback->preroll_frames());
    Frame frame = -preroll_;
    std::string error;
    while (!stop_requested_.load(std::memory_order_relaxed) &&
           (total_frames_ == 0 || frame < total_frames_)) {
        const int frames =
            total_frames_ == 0 ? period_ : static_cast<int>(std::min<Frame>(period_, total_frames_ - frame));
        AudioBlock block;
        block.frame_time = frame;
        block.host_time_ns = host_time_at_frame(frame);
        block.frames = frames;
        block.left = left_.data();
        block.right = right_.data();
        {
            RealtimeScope realtime;
            callback->process(block);
        }
        // The preroll's frames (before output frame 0) are not part of the file.
        const int skip = static_cast<int>(std::clamp<Frame>(-frame, 0, frames));
        if (writer_ && skip < frames &&
            !writer_->write(left_.data() + skip, right_.data() + skip, frames - skip, &error))
            break;
        frame += frames;
        frames_rendered_.store(std::max<Frame>(frame, 0), std::memory_order_release);
    }
    if (writer_) {
        std::string close_error;
        // After a failed write, close() removes the partial file and repeats the write error.
        if (!writer_->close(&close_error) && error.empty()) error = close_error;
    }
    finish(std::move(error));
}

void OfflineBackend::finish(std::string error) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_ = true;
        if (error_.empty()) error_ = std::move(error);
    }
    ended_.store(true);
    finished_cv_.notify_all();
}

bool OfflineBackend::wait_until_finished(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!started_) return false;
    return finished_cv_.wait_for(lock, timeout, [this] { return finished_; });
}

std::string OfflineBackend::error() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

Frame OfflineBackend::frames_rendered() const {
    return frames_rendered_.load(std::memory_order_acquire);
}

Frame OfflineBackend::frame_at_host_time(std::int64_t ns) const {
    return scale_rounded(ns - start_ns_.load(std::memory_order_relaxed), sample_rate_, kNsPerSecond);
}

std::int64_t OfflineBackend::host_time_at_frame(Frame frame) const {
    return start_ns_.load(std::memory_order_relaxed) + scale_rounded(frame, kNsPerSecond, sample_rate_);
}

std::string OfflineBackend::description() const {
    return "offline (file '" + (path_.empty() ? std::string("none") : path_) + "', " +
           std::to_string(sample_rate_) + " Hz, period " + std::to_string(period_) + ")";
}

}  // namespace tactus
