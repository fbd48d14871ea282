// SnapshotPublisher<T>: hands immutable snapshots (e.g. the score) from one non-realtime writer to
// the audio thread, and hands the ones the audio thread is done with back to the writer to free.
//
// Threading contract (one writer thread, one reader thread; each may change over time only with
// external synchronisation, e.g. a thread join):
// - Writer (a non-realtime thread): publish(), collect_retired(), current_for_writer().
//   May allocate and free; all destructors of T run here.
// - Reader (the audio thread): acquire() only. Wait-free: never blocks, never allocates, never frees.
// - Construction and destruction: off the audio thread, while the reader is not running (the
//   destructor frees every snapshot still held, including the reader's current one).
//
// How a snapshot travels (raw atomic pointers with explicit ownership, no shared_ptr: the last
// release of a shared_ptr would free on whatever thread it happens, and libstdc++'s
// std::atomic<std::shared_ptr> takes a lock):
//
//   writer --publish--> pending_ --acquire()--> reader's current_ --(swap)--> reader's previous_
//                                                                  --(next swap)--> retired_ --> writer
//                          |                                                          (collect_retired
//                          +--(superseded before the reader took it)--> freed by publish   frees it)
//
// - pending_ holds the newest published snapshot the reader has not taken yet, or null. publish()
//   exchanges the new one in; if the exchange returns an older, never-acquired snapshot, the writer
//   owns it again and frees it at once. So a writer may publish far faster than the reader acquires.
// - acquire() takes pending_ (exchange with null) only if the retire queue has room, pushes its
//   previous_ onto the retire queue (an SpscQueue: reader produces, writer consumes), keeps its old
//   current_ as previous_, and returns the new one. Both stay valid until the reader's next swap, so
//   the reader can hold the new one for a whole block and still read the one it switched from (to
//   hand its state over) while the writer publishes.
// - If the retire queue is full (the writer has not collected for a while), acquire() keeps its
//   current snapshot and tries again at the next call: the reader is delayed by a block, never
//   blocked, and memory does not grow. deferred_swaps() counts such occasions. publish() collects
//   first, so the queue rarely holds more than one or two snapshots; but the writer must also call
//   collect_retired() now and then when it is not publishing (e.g. from a timer), or a reader that
//   found the queue full could stay on an older snapshot until the next publish.
//
// Memory bound: between calls, the publisher owns at most 3 + retire_capacity() snapshots (7 with
// the default capacity of 4): the reader's current and previous ones, one pending, and the retire
// queue. Inside
// publish() there is briefly one more, the superseded pending one that it frees. Nothing else is
// allocated after construction. current_for_writer() is the newest published snapshot, which is
// always the pending or the reader's current one, so it adds nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/lockfree/spsc_queue.h"

namespace tactus {

template <class T>
class SnapshotPublisher {
public:
    static constexpr std::size_t kDefaultRetireCapacity = 4;

    // Off the audio thread. `initial` (may be null) is what the reader's first acquire() returns.
    explicit SnapshotPublisher(std::unique_ptr<const T> initial = nullptr,
                               std::size_t retire_capacity = kDefaultRetireCapacity)
        : retired_(retire_capacity) {
        latest_ = initial.get();
        pending_.store(initial.release(), std::memory_order_release);
    }

    // Off the audio thread, after the reader has stopped for good (e.g. joined).
    ~SnapshotPublisher() {
        collect_retired();
        delete pending_.load(std::memory_order_acquire);
        delete current_;
        delete previous_;
    }

    SnapshotPublisher(const SnapshotPublisher&) = delete;
    SnapshotPublisher& operator=(const SnapshotPublisher&) = delete;

    // ---- Writer thread ----

    // Makes `snapshot` the newest one; the reader picks it up at its next acquire(). Frees the
    // snapshots the reader has retired, and the previous pending one if the reader never took it.
    // A null snapshot is ignored (the reader always has the newest real one).
    void publish(std::unique_ptr<const T> snapshot) {
        collect_retired();
        if (snapshot == nullptr) return;
        latest_ = snapshot.get();
        // release: the snapshot's contents are visible to the reader that takes it.
        // acquire: pairs with nothing the reader wrote (it never writes to a pending snapshot); the
        // returned pointer was published by this thread, so it is ours again to free.
        const T* superseded = pending_.exchange(snapshot.release(), std::memory_order_acq_rel);
        delete superseded;
    }

    // Frees every snapshot the reader has moved past; returns how many. Call it on each publish
    // (publish() does) and now and then when idle, so retired snapshots do not wait long.
    std::size_t collect_retired() {
        std::size_t freed = 0;
        const T* retired = nullptr;
        // try_pop's acquire pairs with the reader's push (release): the reader's last reads of the
        // snapshot happen before the delete.
        while (retired_.try_pop(retired)) {
            delete retired;
            ++freed;
        }
        return freed;
    }

    // The newest published snapshot (null before the first), e.g. to build the next one from it.
    // Valid until this thread's next publish() or the publisher's destruction.
    const T* current_for_writer() const { return latest_; }

    std::size_t retire_capacity() const { return retired_.capacity(); }

    // ---- Reader (audio thread) ----

    // At a block boundary: returns the newest published snapshot, or the same one as last time if
    // nothing newer was published (or the retire queue is full). Null only before the first publish.
    // The pointer stays valid until the next acquire() call. Wait-free; no allocation, no free.
    const T* acquire() {
        // Cheap check first, so an idle publisher costs one load per block and no RMW.
        if (pending_.load(std::memory_order_relaxed) == nullptr) return current_;
        if (previous_ != nullptr && !retired_.can_push()) {
            deferred_swaps_.store(deferred_swaps_.load(std::memory_order_relaxed) + 1,
                                  std::memory_order_relaxed);
            return current_;
        }
        // acquire: pairs with publish()'s release, so the snapshot's contents are visible.
        const T* newest = pending_.exchange(nullptr, std::memory_order_acquire);
        if (newest == nullptr) return current_;  // cannot happen with one reader, but harmless
        if (previous_ != nullptr) {
            // Cannot fail: can_push() said there is room, and only this thread pushes.
            [[maybe_unused]] const bool pushed = retired_.try_push(previous_);
        }
        previous_ = current_;
        current_ = newest;
        return current_;
    }
    // The snapshot the reader switched from at its last swap (null before the second one): valid
    // until the next swap. Reader only.
    const T* previous() const { return previous_; }

    // Any thread. How often acquire() kept an older snapshot because the retire queue was full.
    std::uint64_t deferred_swaps() const { return deferred_swaps_.load(std::memory_order_relaxed); }

private:
    static constexpr std::size_t kCacheLine = 64;

    // Shared: written by both sides.
    alignas(kCacheLine) std::atomic<const T*> pending_{nullptr};

    // Reader's side.
    alignas(kCacheLine) const T* current_ = nullptr;
    const T* previous_ = nullptr;  // reader-owned: the snapshot before current_, kept one swap longer
    std::atomic<std::uint64_t> deferred_swaps_{0};

    // Writer's side.
    alignas(kCacheLine) const T* latest_ = nullptr;

    // Reader -> writer: snapshots the reader has moved past (aligned internally).
    SpscQueue<const T*> retired_;
};

}  // namespace tactus
