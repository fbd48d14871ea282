// ForkJoinTeam: a fixed team of threads that runs a batch of independent tasks and returns when all of
// them are done. The offline render uses it to render a document's tracks on every core, one chunk of
// time after another.
//
// Threading contract:
// - Construction, run() and destruction from one thread, the owner. The owner works in every batch
//   too, so a team of N threads starts N - 1.
// - run(tasks, fn) calls fn(task) once for every task in [0, tasks), each on exactly one member,
//   and returns after the last call has returned. Everything the calls wrote is visible to the owner
//   when run() returns, and everything the owner wrote before run() is visible to the calls.
// - After construction nothing allocates or takes a mutex. Members between batches, and the owner
//   waiting for the last task, spin for a few microseconds (batches come once a render span) and
//   then sleep on futexes (std::atomic::wait), so a RealtimeScope around run() holds. The owner
//   waits only for tasks a member has already started, never for a member to wake up: the tasks
//   nobody has taken yet it runs itself.
// - fn must not throw (it would end the program: a member thread has nowhere to send it).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace tactus {

class ForkJoinTeam {
public:
    // threads: members including the owner (at least 1). Each member thread calls `setup` first (a
    // realtime team raises its members' priority there).
    explicit ForkJoinTeam(int threads, const std::function<void()>& setup = {}) {
        for (int i = 1; i < threads; ++i)
            members_.emplace_back([this, setup] {
                if (setup) setup();
                serve();
            });
    }
    ~ForkJoinTeam() {
        stop_.store(true, std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        for (std::thread& member : members_) member.join();
    }
    ForkJoinTeam(const ForkJoinTeam&) = delete;
    ForkJoinTeam& operator=(const ForkJoinTeam&) = delete;

    int size() const { return static_cast<int>(members_.size()) + 1; }

    template <class Fn>
    void run(std::size_t tasks, Fn& fn) {
        tasks_ = tasks;
        work_ = &fn;
        call_ = [](void* f, std::size_t task) { (*static_cast<Fn*>(f))(task); };
        next_.store(0, std::memory_order_relaxed);
        finished_.store(0, std::memory_order_relaxed);
        generation_.fetch_add(1, std::memory_order_release);  // publishes the batch
        generation_.notify_all();
        take_tasks();
        const auto helpers = static_cast<std::uint32_t>(members_.size());
        std::uint32_t done = finished_.load(std::memory_order_acquire);
        for (int spin = 0; done != helpers && spin < kSpins; ++spin) {
            pause();
            done = finished_.load(std::memory_order_acquire);
        }
        for (; done != helpers; done = finished_.load(std::memory_order_acquire))
            finished_.wait(done, std::memory_order_acquire);
    }

private:
    void take_tasks() {
        for (std::size_t task = next_.fetch_add(1, std::memory_order_relaxed); task < tasks_;
             task = next_.fetch_add(1, std::memory_order_relaxed))
            call_(work_, task);
    }

    // About 20 µs of polling before sleeping (a pause is some 10 to 140 cycles, depending on the CPU).
    static constexpr int kSpins = 2000;
    static void pause() {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }

    void serve() {
        std::uint32_t seen = 0;
        for (;;) {
            for (int spin = 0; spin < kSpins && generation_.load(std::memory_order_acquire) == seen; ++spin)
                pause();
            generation_.wait(seen, std::memory_order_acquire);
            seen = generation_.load(std::memory_order_acquire);
            if (stop_.load(std::memory_order_relaxed)) return;
            take_tasks();
            finished_.fetch_add(1, std::memory_order_acq_rel);  // releases this member's writes
            finished_.notify_one();
        }
    }

    // Written by the owner before a batch is published (generation_), read by members after.
    std::size_t tasks_ = 0;
    void* work_ = nullptr;
    void (*call_)(void*, std::size_t) = nullptr;

    std::atomic<std::uint32_t> generation_{0};  // bumped once per batch (and to stop)
    std::atomic<std::size_t> next_{0};          // the next task to hand out
    std::atomic<std::uint32_t> finished_{0};    // members (not the owner) done with this batch
    std::atomic<bool> stop_{false};
    std::vector<std::thread> members_;
};

}  // namespace tactus
