// The offline backend: no device. A plain (non-realtime) thread calls process() in blocks of
// options.period frames as fast as it can and hands each block, after process() returns, to an
// AudioFileWriter for options.offline_path (".wav": 32-bit float WAV; ".flac": 24-bit FLAC; "": no file,
// the blocks are discarded). It stops after options.offline_seconds (the last block is shortened so the
// render holds exactly floor(seconds × rate + 0.5) frames) or, when that is 0, on stop().
//
// Its clock is virtual: frame_time starts at 0 and advances by each block's length; host_time_ns =
// start_ns + frame_time × 1e9 / rate, rounded to the nearest ns, where start_ns is CLOCK_MONOTONIC at
// start() (at open() before that). frame_at_host_time() rounds back to the nearest frame, so the two are
// exact inverses: frame_at_host_time(host_time_at_frame(f)) == f for every f.
//
// Threading: open/start/stop/wait_until_finished/error on a control thread; the queries are thread-safe.
// The render thread runs process() inside a RealtimeScope, the file writing outside it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio_backend.h"

namespace tactus {

class AudioFileWriter;

class OfflineBackend final : public AudioBackend {
public:
    // Opens the output file (so a bad path fails here, naming it). nullptr with *error set when the
    // extension is neither .wav nor .flac, the file cannot be created, or rate/period are out of range.
    static std::unique_ptr<OfflineBackend> open(const AudioBackendOptions& options, std::string* error);
    ~OfflineBackend() override;  // stop()

    OfflineBackend(const OfflineBackend&) = delete;
    OfflineBackend& operator=(const OfflineBackend&) = delete;

    // Starts the render thread. A backend renders once: a second start() fails.
    bool start(AudioCallback& callback, std::string* error) override;
    // Ends the render at the next block boundary, waits for the thread, and finishes the file (see
    // error() for the outcome).
    void stop() override;
    // true once the render has ended (its duration reached, stop(), or a write error) and the file is
    // complete at its path (or removed, after an error); false if `timeout` passed first or it never
    // started.
    bool wait_until_finished(std::chrono::milliseconds timeout);
    // The first file error (write or close), "" if none so far. Read it after the render has finished.
    std::string error() const;
    // Frames rendered so far.
    Frame frames_rendered() const;

    int sample_rate() const override { return sample_rate_; }
    int period() const override { return period_; }
    int output_latency_frames() const override { return 0; }
    std::int64_t xruns() const override { return 0; }
    bool realtime_scheduling() const override { return false; }
    bool clocked_by_caller() const override { return true; }
    Frame frame_at_host_time(std::int64_t ns) const override;
    std::int64_t host_time_at_frame(Frame frame) const override;
    // True once the render has ended (its length reached, a write error, or stop()) and the file is
    // complete at its path (or removed, after an error).
    bool ended() const override { return ended_.load(); }
    std::string description() const override;

private:
    OfflineBackend() = default;
    void run(AudioCallback* callback);
    void finish(std::string error);

    int sample_rate_ = 0;
    int period_ = 0;
    std::string path_;
    Frame total_frames_ = 0;  // 0 = until stop()
    int preroll_ = 0;         // frames before the file's first (negative output frames, not written)
    std::unique_ptr<AudioFileWriter> writer_;
    std::vector<float> left_, right_;

    std::atomic<std::int64_t> start_ns_{0};
    std::atomic<Frame> frames_rendered_{0};
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> ended_{false};
    std::thread thread_;
    bool started_ = false;

    mutable std::mutex mutex_;  // guards finished_ and error_
    std::condition_variable finished_cv_;
    bool finished_ = false;
    std::string error_;
};

}  // namespace tactus
