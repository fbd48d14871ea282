// The LV2 worker extension (worker:schedule, worker:interface) for one plugin instance: the plugin asks
// from run() for work that may not run on the audio thread (loading an impulse response, a sample),
// and gets the result back in a later run().
//
// Two modes, chosen when the plugin is made:
// - Threaded (the realtime engine, tactusd): schedule_work(), called by the plugin inside run() on the
//   audio thread, copies the request into a lock-free single-producer/single-consumer ring
//   (engine/lockfree/spsc_queue.h) and wakes the process's one worker thread, shared by every plugin,
//   with a futex (std::atomic::notify_one): no allocation, no lock, no system call but the wake. The
//   worker thread calls the plugin's work(); its responses go into a second ring, which the thread
//   running the plugin hands to work_response() before each run() and after it, then calls end_run().
//   The work takes effect a run or more after it was asked for, depending on how long it took.
// - Synchronous (offline renders): work() runs inside schedule_work(), on the rendering thread, and its
//   responses are delivered right after the run() that asked (the spec allows this when not realtime:
//   "the worker may be executed immediately"). The output never depends on how long work took, so an
//   offline render is reproducible. work() there is not held to the realtime checker's rules.
//
// Threading contract:
// - Construction, attach() and destruction off the audio thread, while no thread runs the plugin. The
//   destructor waits for a work() of this plugin in progress on the worker thread, and drops requests
//   not yet worked on.
// - schedule() (the plugin's schedule_work) and before_run()/after_run() from the one thread that runs
//   the plugin (the audio thread, an offline render's, or the creating thread before the plugin is
//   handed over); wait-free in Threaded mode.
// - work_inline(true) makes requests run at once on the calling thread (used while restoring a state,
//   off the audio thread, when nothing else calls the plugin). work() is never called concurrently
//   with itself: the worker thread and inline calls of a Threaded worker hold the worker thread's
//   mutex, which the audio thread never takes.
// - Messages are at most kMaxMessage bytes and at most kQueueLength wait in each direction; beyond,
//   schedule_work and respond answer LV2_WORKER_ERR_NO_SPACE.
#pragma once

#include <lv2/core/lv2.h>
#include <lv2/worker/worker.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/lockfree/spsc_queue.h"

namespace tactus::lv2 {

enum class WorkerMode {
    Threaded,     // the realtime engine: work() on the shared worker thread
    Synchronous,  // offline renders: work() inside schedule_work, deterministic
};

class WorkerThread;

class Worker {
public:
    static constexpr std::size_t kMaxMessage = 4096 - 8;
    static constexpr std::size_t kQueueLength = 16;

    explicit Worker(WorkerMode mode);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    WorkerMode mode() const { return mode_; }
    // The work:schedule feature's data, handed to the plugin at instantiation and restore.
    LV2_Worker_Schedule* schedule_feature() { return &schedule_; }
    // The instance's worker:interface (nullptr when it has none: its requests are refused).
    void attach(const LV2_Worker_Interface* interface, LV2_Handle handle);
    // Stops serving the plugin (waits for a work() in progress); before the instance is freed.
    void detach();

    // The thread that runs the plugin, around each of its run() calls.
    void before_run() { deliver_responses(); }
    void after_run() {
        deliver_responses();
        if (interface_ && interface_->end_run) interface_->end_run(handle_);
    }
    // Requests run at once on the caller's thread while on (see the threading contract).
    void work_inline(bool on) { inline_ = on; }
    void deliver_responses();

    // work() calls made so far (tests, diagnostics); any thread.
    std::uint64_t requests_served() const { return served_.load(std::memory_order_relaxed); }

private:
    friend class WorkerThread;
    struct Message {
        std::uint32_t size = 0;
        alignas(8) std::uint8_t data[kMaxMessage];
        Message() noexcept {}  // leaves data uninitialised: the rings hold 2 x 16 of them
        Message(std::uint32_t n, const void* bytes) noexcept : size(n) {
            if (n) std::memcpy(data, bytes, n);
        }
    };

    static LV2_Worker_Status schedule(LV2_Worker_Schedule_Handle handle, std::uint32_t size,
                                      const void* data);
    static LV2_Worker_Status respond(LV2_Worker_Respond_Handle handle, std::uint32_t size, const void* data);
    LV2_Worker_Status work_now(std::uint32_t size, const void* data);
    // Worker thread, under its mutex: every waiting request.
    void serve();

    const WorkerMode mode_;
    WorkerThread* thread_ = nullptr;  // Threaded: the shared thread (registered while attached)
    LV2_Worker_Schedule schedule_{};
    const LV2_Worker_Interface* interface_ = nullptr;
    LV2_Handle handle_ = nullptr;
    bool inline_ = false;
    SpscQueue<Message> requests_{kQueueLength};   // plugin's thread -> worker thread
    SpscQueue<Message> responses_{kQueueLength};  // worker -> plugin's thread
    Message request_;                             // worker thread's copy of the request it works on
    Message response_;                            // plugin thread's copy of the response it delivers
    std::atomic<std::uint64_t> served_{0};
};

}  // namespace tactus::lv2
