#include "server/stop_watchdog.h"

#include <unistd.h>

#include <cstdio>

namespace tactus {

StopWatchdog::StopWatchdog(std::chrono::milliseconds limit) : limit_(limit) {}

StopWatchdog::~StopWatchdog() {
    disarm();
}

std::string StopWatchdog::line_for(Step step) const {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g s", static_cast<double>(limit_.count()) / 1000.0);
    if (step == Step::ClosingAudio)
        return std::string("tactusd: the audio backend did not close within ") + seconds +
               "; exiting without it";
    return std::string("tactusd: stopping did not finish within ") + seconds +
           " (stuck before closing the audio backend); exiting";
}

void StopWatchdog::arm() {
    if (thread_.joinable()) return;
    lines_[0] = line_for(Step::ReleasingNotes) + "\n";
    lines_[1] = line_for(Step::ClosingAudio) + "\n";
    thread_ = std::thread([this] { run(); });
}

void StopWatchdog::disarm() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

void StopWatchdog::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (cv_.wait_for(lock, limit_, [this] { return disarmed_; })) return;
    const std::string& line = lines_[step_.load() == Step::ClosingAudio ? 1 : 0];
    // write(2) and _exit: async-signal-safe, no stdio lock that the stuck thread might hold.
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, line.data(), line.size());
    _exit(kTimedOutStatus);
}

}  // namespace tactus
