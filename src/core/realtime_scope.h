// Marks code that runs under realtime rules (the audio callback, the offline render loop).
// Inside a RealtimeScope, a binary linked with the realtime checker (core/realtime_hooks.cpp)
// aborts on malloc/calloc/realloc/free, operator new/delete and pthread_mutex_lock, naming the
// call. Without the checker linked in, a scope costs one thread-local store.
#pragma once

#include <atomic>

namespace tactus {

namespace realtime_detail {
// Depth of nested scopes on this thread; > 0 means "realtime rules apply here".
extern thread_local constinit int scope_depth;
// Depth of PrivateLockScopes on this thread; > 0 lets mutex locks pass the checker.
extern thread_local constinit int private_lock_depth;
}  // namespace realtime_detail

inline bool in_realtime_scope() {
    return realtime_detail::scope_depth > 0;
}

class RealtimeScope {
public:
    // The compiler fences keep the depth store ordered with the calls inside the scope: without them,
    // an optimiser that knows malloc cannot read our memory may merge ++ and -- around the call.
    RealtimeScope() {
        ++realtime_detail::scope_depth;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~RealtimeScope() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        --realtime_detail::scope_depth;
    }
    RealtimeScope(const RealtimeScope&) = delete;
    RealtimeScope& operator=(const RealtimeScope&) = delete;
};

inline bool private_locks_allowed() {
    return realtime_detail::private_lock_depth > 0;
}

// Around a call into a library that locks a mutex of its own that only this thread ever takes (Csound's
// API lock on an instance that only the audio thread performs): such a lock is never contended, so it
// cannot wait. The checker lets mutex locks pass inside; allocation is still checked. Keep it around
// the one call, and say in a comment why no other thread can hold the lock.
class PrivateLockScope {
public:
    PrivateLockScope() {
        ++realtime_detail::private_lock_depth;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~PrivateLockScope() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        --realtime_detail::private_lock_depth;
    }
    PrivateLockScope(const PrivateLockScope&) = delete;
    PrivateLockScope& operator=(const PrivateLockScope&) = delete;
};

// Lifts the rules for a block that legitimately may allocate (e.g. a test's own bookkeeping).
class NonRealtimeScope {
public:
    NonRealtimeScope() : saved_(realtime_detail::scope_depth) {
        realtime_detail::scope_depth = 0;
        std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    ~NonRealtimeScope() {
        std::atomic_signal_fence(std::memory_order_seq_cst);
        realtime_detail::scope_depth = saved_;
    }
    NonRealtimeScope(const NonRealtimeScope&) = delete;
    NonRealtimeScope& operator=(const NonRealtimeScope&) = delete;

private:
    int saved_;
};

}  // namespace tactus
