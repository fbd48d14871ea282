#include "engine/lv2/lv2_worker.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"

namespace tactus::lv2 {

// The process's one worker thread: serves every Threaded worker. It sleeps on a futex (wake_) until a
// plugin's thread has queued a request, then works through every registered worker's requests under
// mutex_. The audio thread only bumps wake_ and notifies: it never takes mutex_.
class WorkerThread {
public:
    static WorkerThread& shared() {
        static WorkerThread thread;  // joined at exit
        return thread;
    }

    void add(Worker* worker) {
        std::lock_guard guard(mutex_);
        workers_.push_back(worker);
    }
    void remove(Worker* worker) {
        std::lock_guard guard(mutex_);  // waits for a work() in progress
        workers_.erase(std::remove(workers_.begin(), workers_.end(), worker), workers_.end());
    }
    // Any thread, the audio thread included: wait-free but for the futex wake.
    void wake() noexcept {
        wake_.fetch_add(1, std::memory_order_release);
        wake_.notify_one();
    }
    std::mutex& mutex() { return mutex_; }

private:
    WorkerThread() : thread_([this] { serve(); }) {}
    ~WorkerThread() {
        stop_.store(true, std::memory_order_relaxed);
        wake();
        thread_.join();
    }

    void serve() {
        for (;;) {
            // Read before serving: a request queued after the scan below changes wake_ from `seen`,
            // so the wait returns at once and the next scan finds it.
            const std::uint32_t seen = wake_.load(std::memory_order_acquire);
            if (stop_.load(std::memory_order_relaxed)) return;
            {
                std::lock_guard guard(mutex_);
                for (Worker* worker : workers_) worker->serve();
            }
            wake_.wait(seen, std::memory_order_acquire);
        }
    }

    std::mutex mutex_;  // workers_, and every work() call of a Threaded worker
    std::vector<Worker*> workers_;
    std::atomic<std::uint32_t> wake_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;  // last: started once the members above exist
};

namespace {

// work() of a Synchronous worker runs inside run(), on an offline render's thread, which is held to
// the realtime rules (a RealtimeScope) for the code it shares with the audio thread. work() is by
// definition not realtime work (a plugin allocates and reads files there): the rules are lifted
// around it.
class RealtimeRulesLifted {
public:
    RealtimeRulesLifted() : depth_(realtime_detail::scope_depth) {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        realtime_detail::scope_depth = 0;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~RealtimeRulesLifted() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        realtime_detail::scope_depth = depth_;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    RealtimeRulesLifted(const RealtimeRulesLifted&) = delete;
    RealtimeRulesLifted& operator=(const RealtimeRulesLifted&) = delete;

private:
    int depth_;
};

}  // namespace

Worker::Worker(WorkerMode mode) : mode_(mode) {
    schedule_ = {this, &Worker::schedule};
    if (mode_ == WorkerMode::Threaded) thread_ = &WorkerThread::shared();
}

Worker::~Worker() {
    detach();
}

void Worker::attach(const LV2_Worker_Interface* interface, LV2_Handle handle) {
    detach();
    interface_ = interface && interface->work ? interface : nullptr;
    handle_ = handle;
    if (interface_ && thread_) thread_->add(this);
}

void Worker::detach() {
    if (interface_ && thread_) thread_->remove(this);
    interface_ = nullptr;
}

LV2_Worker_Status Worker::schedule(LV2_Worker_Schedule_Handle handle, std::uint32_t size, const void* data) {
    auto* self = static_cast<Worker*>(handle);
    if (!self->interface_) return LV2_WORKER_ERR_UNKNOWN;
    if (size > kMaxMessage || (size > 0 && !data)) return LV2_WORKER_ERR_NO_SPACE;
    if (self->mode_ == WorkerMode::Synchronous) {
        RealtimeRulesLifted not_realtime;
        return self->work_now(size, data);
    }
    if (self->inline_) {
        std::lock_guard guard(self->thread_->mutex());  // never on the audio thread (see the header)
        return self->work_now(size, data);
    }
    if (!self->requests_.try_emplace(size, data)) return LV2_WORKER_ERR_NO_SPACE;
    self->thread_->wake();
    return LV2_WORKER_SUCCESS;
}

LV2_Worker_Status Worker::work_now(std::uint32_t size, const void* data) {
    const LV2_Worker_Status status = interface_->work(handle_, &Worker::respond, this, size, data);
    served_.fetch_add(1, std::memory_order_relaxed);
    return status;
}

LV2_Worker_Status Worker::respond(LV2_Worker_Respond_Handle handle, std::uint32_t size, const void* data) {
    auto* self = static_cast<Worker*>(handle);
    if (size > kMaxMessage || (size > 0 && !data)) return LV2_WORKER_ERR_NO_SPACE;
    return self->responses_.try_emplace(size, data) ? LV2_WORKER_SUCCESS : LV2_WORKER_ERR_NO_SPACE;
}

void Worker::serve() {
    while (interface_ && requests_.try_pop(request_)) work_now(request_.size, request_.data);
}

void Worker::deliver_responses() {
    if (!interface_) return;
    while (responses_.try_pop(response_))
        if (interface_->work_response) interface_->work_response(handle_, response_.size, response_.data);
}

}  // namespace tactus::lv2
