// The platform layer for realtime audio: locking memory and asking about the scheduling of the calling
// thread. This is the only place with Linux-specific calls (mlockall, SCHED_FIFO/SCHED_RR); on other
// platforms everything here compiles to a no-op that answers "no".
//
// Threading: lock_process_memory() from a control thread (it acts on the whole process, once).
// current_thread_is_realtime() allocates nothing and may be called on the audio thread (one call in the
// first callback is enough; it costs a system call). The clock functions may be called from any thread.
// Also here: an absolute sleep on the host clock and the presence of the MIDI system.
#pragma once

#include <cstdint>
#include <string>

namespace tactus::platform {

struct MemoryLock {
    bool locked = false;
    std::string detail;  // what was done, or why memory is not locked
};

// Locks the process's current and future pages in RAM (mlockall(MCL_CURRENT | MCL_FUTURE)) so the audio
// thread never waits for a page to come back from swap. Tried once per process; every later call returns
// the first result. Not tried, on purpose, when:
//  - RLIMIT_MEMLOCK is finite and the process lacks CAP_IPC_LOCK: with MCL_FUTURE, every later allocation
//    would fail once the locked total reached the limit (raise it, e.g. "@audio - memlock unlimited");
//  - the build uses AddressSanitizer/ThreadSanitizer, whose terabytes of reserved shadow memory cannot be
//    locked.
const MemoryLock& lock_process_memory();

// Whether the calling thread runs under a realtime policy (SCHED_FIFO or SCHED_RR).
bool current_thread_is_realtime();
// Puts the calling thread under SCHED_FIFO at `priority` (1..99); false when not permitted (no
// CAP_SYS_NICE, no rtprio limit) or elsewhere than Linux.
bool make_current_thread_realtime(int priority);

// The host clock's raw twin: CLOCK_MONOTONIC_RAW counts the same hardware ticks as CLOCK_MONOTONIC but
// without NTP's frequency corrections, so the two drift apart slowly (typically a few ppm, at most
// 500 ppm). Some libraries (JACK 2 on Linux) time everything with it. Both functions are two or three
// vDSO clock reads: realtime-safe. Elsewhere: false / 0.
bool has_monotonic_raw_clock();
std::int64_t monotonic_raw_now_ns();
// CLOCK_MONOTONIC minus CLOCK_MONOTONIC_RAW right now: a RAW reading between two MONOTONIC ones, the
// tightest of four brackets. Exact to ±half the bracket, which is tens of ns unless the thread was
// preempted between the readings (then µs); `span_ns`, when given, receives that bracket.
std::int64_t monotonic_minus_raw_ns(std::int64_t* span_ns = nullptr);

// Sleeps until CLOCK_MONOTONIC reaches `ns` (an absolute time, so the wake-up does not drift by the
// time spent computing it: clock_nanosleep(TIMER_ABSTIME) on Linux; elsewhere sleep_for the
// difference on the steady clock monotonic_now_ns() reads). Returns at once for a past time. Not for
// the audio thread: a sender thread times MIDI output with it.
void sleep_until_monotonic_ns(std::int64_t ns);

// Whether the MIDI system RtMidi uses here can be opened at all: on Linux, whether the ALSA
// sequencer device (/dev/snd/seq) exists, so that tactusd can say why it runs without MIDI without
// asking ALSA (which prints its own complaint on stderr). Elsewhere: true (let RtMidi try).
bool midi_system_present(std::string* why_not);

}  // namespace tactus::platform
