// Flush-to-zero for the span of a render: denormal numbers (slow on x86, and pointless as audio)
// become exact zeros. Saves and restores the caller's floating-point mode. A no-op on CPUs it
// does not know; the synth also never lets a decaying value linger once a voice ends.
//
// Audio thread: costs two control-register accesses per render() call.
#pragma once

#if defined(__SSE2__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace tactus::synth {

class ScopedFlushDenormals {
public:
#if defined(__SSE2__) || defined(_M_X64)
    ScopedFlushDenormals() : saved_(_mm_getcsr()) {
        _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero);
    }
    ~ScopedFlushDenormals() {
        _mm_setcsr(saved_);
    }

private:
    static constexpr unsigned kFlushToZero = 0x8000;
    static constexpr unsigned kDenormalsAreZero = 0x0040;
    unsigned saved_;
#elif defined(__aarch64__)
    ScopedFlushDenormals() {
        __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved_));
        const unsigned long flushed = saved_ | (1ul << 24);  // FZ
        __asm__ __volatile__("msr fpcr, %0" : : "r"(flushed));
    }
    ~ScopedFlushDenormals() {
        __asm__ __volatile__("msr fpcr, %0" : : "r"(saved_));
    }

private:
    unsigned long saved_ = 0;
#else
    ScopedFlushDenormals() = default;
#endif
public:
    ScopedFlushDenormals(const ScopedFlushDenormals&) = delete;
    ScopedFlushDenormals& operator=(const ScopedFlushDenormals&) = delete;
};

}  // namespace tactus::synth
