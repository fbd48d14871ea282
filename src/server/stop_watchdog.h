// Bounds how long tactusd takes to stop, whatever the audio system does. A stop can block for good
// inside a library (seen: jack_deactivate/jack_client_close waiting on libjack's lock or on a server
// that no longer answers), and no timeout can be put on such a call from outside. So arm() starts a
// thread when stopping begins; unless disarm() comes within the limit, that thread writes one line to
// stderr naming the step that hung and ends the process with _exit(kTimedOutStatus): no destructor or
// atexit handler runs, so nothing can wait on the stuck thread's locks.
//
// Threading: arm(), step() and disarm() from the thread that stops (tactusd's control thread); the
// watchdog thread only reads the current step (an atomic) and writes its line with write(2).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace tactus {

class StopWatchdog {
public:
    // tactusd's exit status when the watchdog ended it (docs/protocol.md, "Lifetime").
    static constexpr int kTimedOutStatus = 3;
    // How long a stop may take, from the moment it begins (a signal, /quit, the owner's end) until the
    // audio backend is closed and the engine freed.
    static constexpr std::chrono::milliseconds kDefaultLimit{5000};

    enum class Step {
        ReleasingNotes,  // the last replies, the position reporter, the panic's fade
        ClosingAudio,    // the backend's stop and close, then freeing the engine
    };

    explicit StopWatchdog(std::chrono::milliseconds limit = kDefaultLimit);
    ~StopWatchdog();  // disarm()

    StopWatchdog(const StopWatchdog&) = delete;
    StopWatchdog& operator=(const StopWatchdog&) = delete;

    // Starts the countdown (once; later calls do nothing).
    void arm();
    void step(Step now) { step_.store(now); }
    // Stops the countdown: the stop finished in time. Idempotent.
    void disarm();
    bool armed() const { return thread_.joinable(); }

    // The line written when the limit passes during `step` (without the newline).
    std::string line_for(Step step) const;

private:
    void run();

    std::chrono::milliseconds limit_;
    std::atomic<Step> step_{Step::ReleasingNotes};
    std::mutex mutex_;
    std::condition_variable cv_;
    bool disarmed_ = false;
    std::string lines_[2];  // made by arm(): the watchdog thread formats nothing
    std::thread thread_;
};

}  // namespace tactus
