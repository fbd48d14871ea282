// MpscQueue<T>: a bounded multi-producer/single-consumer FIFO, e.g. network and control threads
// pushing commands to the audio thread.
//
// Threading contract:
// - Any number of threads may call try_push / try_emplace at the same time, including the audio
//   thread. A push never blocks, never allocates and returns false when the queue is full. It is
//   lock-free (a compare-and-swap loop that only retries when another producer won the same slot).
// - Exactly one thread at a time is the consumer: it may call try_pop. try_pop is wait-free and never
//   allocates, locks or frees (it moves T out and destroys the slot's T: keep T's move constructor and
//   destructor realtime-safe, e.g. a trivially copyable command struct).
// - Any thread may call capacity() and size_approx().
// - Construction (which allocates the ring) and destruction happen off the audio thread, while no
//   other thread uses the queue.
//
// Ordering: elements from one producer come out in the order that producer pushed them; elements
// from different producers come out in the order their pushes claimed a slot.
//
// Algorithm: Dmitry Vyukov's bounded MPMC array queue with the consumer side simplified for a single
// consumer. Each cell carries a sequence number: seq == pos means "free for the producer that claims
// position pos", seq == pos + 1 means "holds the element of position pos". Producers claim a position
// with a CAS on enqueue_pos_, construct the element, then publish it by storing seq (release).
// Caveat of this design: a producer descheduled between claiming and publishing holds up the elements
// pushed after it; the consumer does not wait for it, try_pop just reports "empty" until it publishes.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace tactus {

template <class T>
class MpscQueue {
    static_assert(std::is_nothrow_move_constructible_v<T>, "MpscQueue<T> needs a noexcept move constructor");
    static_assert(std::is_nothrow_destructible_v<T>, "MpscQueue<T> needs a noexcept destructor");

public:
    // Allocates room for at least min_capacity elements (at least 2), rounded up to a power of two.
    explicit MpscQueue(std::size_t min_capacity)
        : mask_(round_up_capacity(min_capacity) - 1), cells_(new Cell[mask_ + 1]) {
        for (std::size_t i = 0; i <= mask_; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
    }

    ~MpscQueue() {
        // No other thread is using the queue any more.
        for (std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);; ++pos) {
            Cell& cell = cells_[pos & mask_];
            if (cell.seq.load(std::memory_order_relaxed) != pos + 1) break;
            cell.element()->~T();
        }
    }

    MpscQueue(const MpscQueue&) = delete;
    MpscQueue& operator=(const MpscQueue&) = delete;

    // Any thread. False (and nothing changes) when the queue is full.
    [[nodiscard]] bool try_push(const T& value) { return try_emplace(value); }
    [[nodiscard]] bool try_push(T&& value) { return try_emplace(std::move(value)); }

    // Any thread. Constructs the element in place; false when the queue is full. Construction must
    // not throw: a claimed cell has to be published, or the consumer would wait on it forever.
    template <class... Args>
    [[nodiscard]] bool try_emplace(Args&&... args) {
        static_assert(std::is_nothrow_constructible_v<T, Args&&...>,
                      "MpscQueue: constructing T from these arguments must be noexcept");
        std::size_t pos = enqueue_pos_.load(std::memory_order_relaxed);
        Cell* cell;
        for (;;) {
            cell = &cells_[pos & mask_];
            // acquire: the consumer has finished with this cell's previous element.
            const std::size_t seq = cell->seq.load(std::memory_order_acquire);
            const auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
            if (diff == 0) {
                // The cell is free for position pos: try to claim it (on failure pos is reloaded).
                if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
            } else if (diff < 0) {
                return false;  // the cell still holds the element from one lap ago: full
            } else {
                pos = enqueue_pos_.load(std::memory_order_relaxed);  // another producer took pos
            }
        }
        ::new (static_cast<void*>(cell->bytes)) T(std::forward<Args>(args)...);
        // release: the element is fully constructed before the consumer sees seq == pos + 1.
        cell->seq.store(pos + 1, std::memory_order_release);
        return true;
    }

    // Consumer only. Moves the oldest published element into `out`; false (out untouched) when there
    // is none (empty, or the next producer in line has claimed its cell but not yet published).
    [[nodiscard]] bool try_pop(T& out) {
        const std::size_t pos = dequeue_pos_.load(std::memory_order_relaxed);  // only we write it
        Cell& cell = cells_[pos & mask_];
        // acquire: pairs with the producer's release, so the element's contents are visible.
        if (cell.seq.load(std::memory_order_acquire) != pos + 1) return false;
        T* element = cell.element();
        out = std::move(*element);
        element->~T();
        // release: the cell is free for the producer one lap ahead, after we are done with it.
        cell.seq.store(pos + mask_ + 1, std::memory_order_release);
        // release: size_approx() readers that see pos + 1 also see the claim of pos (so tail >= head).
        dequeue_pos_.store(pos + 1, std::memory_order_release);
        return true;
    }

    std::size_t capacity() const { return mask_ + 1; }

    // Any thread. Number of claimed-but-not-popped positions around the time of the call; in
    // [0, capacity()]. A hint for monitoring, not a basis for decisions.
    std::size_t size_approx() const {
        const std::size_t head = dequeue_pos_.load(std::memory_order_acquire);
        const std::size_t tail = enqueue_pos_.load(std::memory_order_acquire);
        if (tail <= head) return 0;
        return tail - head > capacity() ? capacity() : tail - head;
    }

private:
    static constexpr std::size_t kCacheLine = 64;

    struct Cell {
        std::atomic<std::size_t> seq;
        alignas(T) unsigned char bytes[sizeof(T)];
        T* element() { return std::launder(reinterpret_cast<T*>(bytes)); }
    };

    static std::size_t round_up_capacity(std::size_t min_capacity) {
        constexpr std::size_t kMax = std::size_t{1} << (std::numeric_limits<std::size_t>::digits - 2);
        if (min_capacity > kMax) throw std::length_error("MpscQueue: capacity too large");
        // At least 2: with one cell, "free for the next lap" (seq == pos + 1) and "holds the
        // element of pos" (seq == pos + 1) would be the same state.
        return std::bit_ceil(min_capacity < 2 ? std::size_t{2} : min_capacity);
    }

    // Read-only after construction.
    const std::size_t mask_;
    const std::unique_ptr<Cell[]> cells_;

    alignas(kCacheLine) std::atomic<std::size_t> enqueue_pos_{0};  // producers' shared claim counter
    alignas(kCacheLine) std::atomic<std::size_t> dequeue_pos_{0};  // written by the consumer only
};

}  // namespace tactus
