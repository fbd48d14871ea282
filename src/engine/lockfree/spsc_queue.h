// SpscQueue<T>: a bounded single-producer/single-consumer FIFO ring, e.g. audio thread -> a worker.
//
// Threading contract:
// - Exactly one thread at a time is the producer: it may call try_push, try_emplace and can_push.
// - Exactly one thread at a time is the consumer: it may call try_pop.
// - Any thread may call capacity() and size_approx() (the latter is a snapshot that may be stale).
// - Producer and consumer operations are wait-free and never allocate, lock or free memory, so either
//   side may be the audio thread. (try_push copies or moves T, try_pop moves T out and destroys the
//   slot's T: keep T's move constructor and destructor realtime-safe too, e.g. a trivially copyable
//   T or a raw pointer.)
// - Construction (which allocates the ring) and destruction (which destroys any T still queued)
//   happen off the audio thread, while no other thread uses the queue.
//
// Layout: the capacity is rounded up to a power of two so an index maps to a slot with a mask.
// head_ and tail_ count up forever (a 64-bit counter does not wrap in practice); the queue is full
// when tail_ - head_ == capacity. Each side keeps a cached copy of the other side's index on its
// own cache line and refreshes it only when the cached value says "full" (producer) or "empty"
// (consumer), so in steady state each side touches the other's cache line rarely.
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace tactus {

template <class T>
class SpscQueue {
    static_assert(std::is_nothrow_move_constructible_v<T>,
                  "SpscQueue<T> needs a noexcept move constructor (try_pop must not throw halfway)");
    static_assert(std::is_nothrow_destructible_v<T>, "SpscQueue<T> needs a noexcept destructor");

public:
    // Allocates room for at least min_capacity elements (at least 1), rounded up to a power of two.
    explicit SpscQueue(std::size_t min_capacity)
        : mask_(round_up_capacity(min_capacity) - 1), slots_(new Slot[mask_ + 1]) {}

    ~SpscQueue() {
        // No other thread is using the queue any more: plain relaxed reads are enough.
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        for (std::size_t i = head_.load(std::memory_order_relaxed); i != tail; ++i) slot(i)->~T();
    }

    SpscQueue(const SpscQueue&) = delete;
    SpscQueue& operator=(const SpscQueue&) = delete;

    // Producer only. False (and nothing changes) when the queue is full.
    [[nodiscard]] bool try_push(const T& value) { return try_emplace(value); }
    [[nodiscard]] bool try_push(T&& value) { return try_emplace(std::move(value)); }

    // Producer only. Constructs the element in place; false when the queue is full.
    template <class... Args>
    [[nodiscard]] bool try_emplace(Args&&... args) {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);  // only we write it
        if (tail - head_cache_ > mask_) {
            // acquire: the consumer has finished moving out of the slot we are about to reuse.
            head_cache_ = head_.load(std::memory_order_acquire);
            if (tail - head_cache_ > mask_) return false;
        }
        ::new (static_cast<void*>(slots_[tail & mask_].bytes)) T(std::forward<Args>(args)...);
        // release: the element is fully constructed before the consumer can see it.
        tail_.store(tail + 1, std::memory_order_release);
        return true;
    }

    // Producer only. True when the next try_push from this (the only) producer will succeed: the
    // consumer can only make more room, never less.
    [[nodiscard]] bool can_push() {
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if (tail - head_cache_ <= mask_) return true;
        head_cache_ = head_.load(std::memory_order_acquire);
        return tail - head_cache_ <= mask_;
    }

    // Consumer only. Moves the oldest element into `out`; false (out untouched) when empty.
    [[nodiscard]] bool try_pop(T& out) {
        const std::size_t head = head_.load(std::memory_order_relaxed);  // only we write it
        if (head == tail_cache_) {
            // acquire: pairs with the producer's release, so the element's contents are visible.
            tail_cache_ = tail_.load(std::memory_order_acquire);
            if (head == tail_cache_) return false;
        }
        T* element = slot(head);
        out = std::move(*element);
        element->~T();
        // release: we are done with the slot before the producer may reuse it.
        head_.store(head + 1, std::memory_order_release);
        return true;
    }

    std::size_t capacity() const { return mask_ + 1; }

    // Any thread. Number of queued elements at some moment during the call; in [0, capacity()].
    std::size_t size_approx() const {
        const std::size_t head = head_.load(std::memory_order_acquire);  // first: then tail >= head
        const std::size_t tail = tail_.load(std::memory_order_acquire);
        const std::size_t size = tail - head;
        return size > capacity() ? capacity() : size;
    }

private:
    static constexpr std::size_t kCacheLine = 64;

    struct Slot {
        alignas(T) unsigned char bytes[sizeof(T)];
    };

    static std::size_t round_up_capacity(std::size_t min_capacity) {
        constexpr std::size_t kMax = std::size_t{1} << (std::numeric_limits<std::size_t>::digits - 2);
        if (min_capacity > kMax) throw std::length_error("SpscQueue: capacity too large");
        return std::bit_ceil(min_capacity == 0 ? std::size_t{1} : min_capacity);
    }

    T* slot(std::size_t index) { return std::launder(reinterpret_cast<T*>(slots_[index & mask_].bytes)); }

    // Read-only after construction, shared by both sides.
    const std::size_t mask_;
    const std::unique_ptr<Slot[]> slots_;

    // Producer's cache line: the index it publishes and its view of the consumer's index.
    alignas(kCacheLine) std::atomic<std::size_t> tail_{0};  // next slot to write
    std::size_t head_cache_ = 0;

    // Consumer's cache line.
    alignas(kCacheLine) std::atomic<std::size_t> head_{0};  // next slot to read
    std::size_t tail_cache_ = 0;
};

}  // namespace tactus
