#include "audio/realtime_platform.h"

#if defined(__linux__)
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>
#else
#include <chrono>
#include <thread>

#include "audio/audio_backend.h"  // monotonic_now_ns
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TACTUS_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define TACTUS_SANITIZED_BUILD 1
#endif
#endif

namespace tactus::platform {

#if defined(__linux__)

namespace {

constexpr int kCapIpcLock = 14;  // linux/capability.h

// CAP_IPC_LOCK in the effective set, read from /proc/self/status ("CapEff:\t000001fffeffffff").
[[maybe_unused]] bool has_cap_ipc_lock() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("CapEff:", 0) != 0) continue;
        try {
            const std::uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
            return (mask >> kCapIpcLock) & 1u;
        } catch (const std::exception&) {
            return false;
        }
    }
    return false;
}

MemoryLock try_lock_memory() {
#if defined(TACTUS_SANITIZED_BUILD)
    return {false, "not tried: sanitizer build (its shadow memory cannot be locked)"};
#else
    rlimit limit{};
    if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0)
        return {false, std::string("getrlimit: ") + std::strerror(errno)};
    if (limit.rlim_cur != RLIM_INFINITY && !has_cap_ipc_lock()) {
        return {false, "not tried: RLIMIT_MEMLOCK is " + std::to_string(limit.rlim_cur / 1024) +
                           " KiB and the process lacks CAP_IPC_LOCK (set memlock unlimited for the user)"};
    }
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        return {false, std::string("mlockall(MCL_CURRENT|MCL_FUTURE) failed: ") + std::strerror(errno)};
    }
    // Locked heap pages cannot be given back (malloc_trim's madvise refuses them), so a big block
    // freed in the middle of the heap would stay resident for good: a reloaded million-note document
    // grew the engine by 100 MB a time. Blocks from 256 KiB get their own mapping, returned when
    // freed; a fixed threshold also stops glibc raising it after the first such free.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    return {true, "mlockall(MCL_CURRENT|MCL_FUTURE)"};
#endif
}

}  // namespace

const MemoryLock& lock_process_memory() {
    static const MemoryLock result = try_lock_memory();  // thread-safe, once per process
    return result;
}

bool current_thread_is_realtime() {
    int policy = 0;
    sched_param param{};
    if (pthread_getschedparam(pthread_self(), &policy, &param) != 0) return false;
    return policy == SCHED_FIFO || policy == SCHED_RR;
}

bool make_current_thread_realtime(int priority) {
    sched_param param{};
    param.sched_priority = priority;
    return pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
}

bool has_monotonic_raw_clock() {
    return true;
}

std::int64_t monotonic_raw_now_ns() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC_RAW, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

std::int64_t monotonic_minus_raw_ns(std::int64_t* span_ns) {
    auto monotonic = [] {
        timespec now{};
        clock_gettime(CLOCK_MONOTONIC, &now);
        return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
    };
    std::int64_t best_span = std::numeric_limits<std::int64_t>::max();
    std::int64_t offset = 0;
    for (int i = 0; i < 4; ++i) {
        const std::int64_t before = monotonic();
        const std::int64_t raw = monotonic_raw_now_ns();
        const std::int64_t after = monotonic();
        if (after - before < best_span) {
            best_span = after - before;
            offset = before + (after - before) / 2 - raw;
        }
    }
    if (span_ns) *span_ns = best_span;
    return offset;
}

void sleep_until_monotonic_ns(std::int64_t ns) {
    timespec until{};
    until.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    until.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
}

bool midi_system_present(std::string* why_not) {
    struct stat info {};
    if (::stat("/dev/snd/seq", &info) == 0) return true;
    if (why_not) *why_not = std::string("no ALSA sequencer (/dev/snd/seq: ") + std::strerror(errno) + ")";
    return false;
}

#else  // not Linux: no memory locking, no realtime scheduling, no raw clock here

const MemoryLock& lock_process_memory() {
    static const MemoryLock result{false, "not supported on this platform"};
    return result;
}

bool current_thread_is_realtime() {
    return false;
}

bool has_monotonic_raw_clock() {
    return false;
}
std::int64_t monotonic_raw_now_ns() {
    return 0;
}
std::int64_t monotonic_minus_raw_ns(std::int64_t* span_ns) {
    if (span_ns) *span_ns = 0;
    return 0;
}

void sleep_until_monotonic_ns(std::int64_t ns) {
    const std::int64_t wait = ns - monotonic_now_ns();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(wait));
}

bool midi_system_present(std::string*) {
    return true;
}

#endif

}  // namespace tactus::platform
