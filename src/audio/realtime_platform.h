// The platform layer for realtime audio: locking memory and asking about the scheduling of the calling
// thread. This is the only place with Linux-specific calls (mlockall, SCHED_FIFO/SCHED_RR); on other
// platforms everything here compiles to a no-op that answers "no".
//
// Threading: lock_process_memory() from a control thread (it acts on the whole process, once).
// current_thread_is_realtime() allocates nothing and may be called on the audio thread (one call in the
// first callback is enough; it costs a system call).
#pragma once

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

}  // namespace tactus::platform
