// SeqLock<T>: one writer publishes a small trivially copyable value (the engine's status/position
// board: frame, host time, beat, tempo, playing, levels), any number of readers read it.
//
// Threading contract:
// - Exactly one thread is the writer: store() is called from the audio thread only. It is wait-free
//   (a fixed number of atomic stores), never blocks on readers, never allocates.
// - Any other thread may call load() at any time, from any number of threads. A reader retries while
//   a store is in progress (spinning, then yielding), so load() is NOT for the audio thread; a
//   reader that must not wait uses try_load(), which makes one attempt.
// - Readers never delay the writer: they only read shared memory.
//
// Why the value is kept as an array of atomic words: a classic seqlock copies the payload with a
// plain memcpy that races with the writer and relies on the sequence check to discard torn copies.
// That race is undefined behaviour in C++ (and ThreadSanitizer reports it). Here every word of the
// payload is a std::atomic<uint64_t>, written and read with release/acquire (plain moves on x86 and
// cheap on ARM), so a torn copy is still possible but well defined, and the sequence check discards
// it (H.-J. Boehm, "Can seqlocks get along with programming language memory models?", 2012).
//
// Protocol: seq_ is even when the value is stable, odd while the writer is updating it.
//   writer: seq = s + 1 (odd); store words (release); seq = s + 2 (release)
//   reader: s1 = seq (acquire); if odd, retry; load words (acquire); s2 = seq; accept iff s1 == s2
// A reader that loads any word written by an update synchronises with that (release) store, so its
// later read of seq sees the odd value of that update or a newer one, and s1 != s2. The acquire
// loads of the words also keep the second read of seq after them. No standalone fences are used
// (GCC's ThreadSanitizer does not model std::atomic_thread_fence and warns about it).
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>

namespace tactus {

template <class T>
class SeqLock {
    static_assert(std::is_trivially_copyable_v<T>,
                  "SeqLock<T> copies T byte-wise: T must be trivially copyable");
    static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "SeqLock needs lock-free 64-bit atomics");

public:
    // Off the audio thread, before any thread uses it.
    explicit SeqLock(const T& initial = T{}) { write_words<std::memory_order_relaxed>(initial); }

    SeqLock(const SeqLock&) = delete;
    SeqLock& operator=(const SeqLock&) = delete;

    // Writer (audio thread) only. Wait-free.
    void store(const T& value) noexcept {
        const std::uint64_t seq = seq_.load(std::memory_order_relaxed);  // only the writer changes it
        seq_.store(seq + 1, std::memory_order_relaxed);
        // The release stores of the words keep the odd seq store above before each of them.
        write_words<std::memory_order_release>(value);
        seq_.store(seq + 2, std::memory_order_release);
    }

    // Any thread but the writer's. Returns a value that was stored as a whole (never a mix of two
    // stores); retries while a store is in progress.
    T load() const noexcept {
        Bytes bytes;
        for (unsigned attempt = 0; !try_read(bytes); ++attempt) {
            if (attempt >= kSpinsBeforeYield) std::this_thread::yield();
        }
        return from_bytes(bytes);
    }

    // Any thread. One attempt: true and `out` set to a whole stored value, or false (out untouched)
    // when a store was in progress.
    bool try_load(T& out) const noexcept {
        Bytes bytes;
        if (!try_read(bytes)) return false;
        out = from_bytes(bytes);
        return true;
    }

    // Any thread. Number of completed stores (for "has anything changed?" polling).
    std::uint64_t version() const noexcept { return seq_.load(std::memory_order_acquire) / 2; }

private:
    static constexpr std::size_t kWords = (sizeof(T) + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t);
    static constexpr unsigned kSpinsBeforeYield = 64;
    using Bytes = std::array<unsigned char, kWords * sizeof(std::uint64_t)>;

    bool try_read(Bytes& bytes) const noexcept {
        const std::uint64_t before = seq_.load(std::memory_order_acquire);
        if (before & 1) return false;
        for (std::size_t i = 0; i < kWords; ++i) {
            const std::uint64_t word = words_[i].load(std::memory_order_acquire);
            std::memcpy(bytes.data() + i * sizeof word, &word, sizeof word);
        }
        // The acquire loads above keep this load after them.
        return seq_.load(std::memory_order_relaxed) == before;
    }

    static T from_bytes(const Bytes& bytes) noexcept {
        std::array<unsigned char, sizeof(T)> exact;
        std::memcpy(exact.data(), bytes.data(), sizeof(T));
        return std::bit_cast<T>(exact);
    }

    // The order is a template argument: given at run time, the compiler makes every store a locked
    // exchange (seq_cst), about 20 cycles each instead of a plain move.
    template <std::memory_order Order>
    void write_words(const T& value) noexcept {
        Bytes bytes{};  // zero padding in the last word
        std::memcpy(bytes.data(), &value, sizeof(T));
        for (std::size_t i = 0; i < kWords; ++i) {
            std::uint64_t word;
            std::memcpy(&word, bytes.data() + i * sizeof word, sizeof word);
            words_[i].store(word, Order);
        }
    }

    static constexpr std::size_t kCacheLine = 64;
    alignas(kCacheLine) std::atomic<std::uint64_t> seq_{0};
    std::array<std::atomic<std::uint64_t>, kWords> words_{};
};

}  // namespace tactus
