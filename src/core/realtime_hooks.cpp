// The realtime-safety checker: process-wide replacements of the allocator entry points and of
// pthread_mutex_lock/trylock that abort when called inside a RealtimeScope (core/realtime_scope.h).
//
// Linked only into binaries that ask for it (the `tactus_rtcheck` OBJECT library), never together
// with a sanitizer (sanitizers replace the same symbols). Outside a scope every hook forwards to
// glibc and costs one thread-local load and a predictable branch.
//
// What is checked (each violation names its own call, e.g.
//   "tactus realtime violation: malloc(64) called inside a RealtimeScope"):
//   malloc, calloc, realloc, reallocarray, free, aligned_alloc, posix_memalign, memalign, valloc,
//   pvalloc; every replaceable operator new/delete (plain, nothrow, array, sized, aligned);
//   pthread_mutex_lock and pthread_mutex_trylock (std::mutex::lock/try_lock land here), except inside
//   a PrivateLockScope (a library's lock that only this thread takes, which cannot wait).
//
// Decisions:
// - free(nullptr) and delete of a null pointer are NOT reported: they are no-ops that touch no
//   allocator state and take no lock, so they cannot hurt the audio thread. Every other call is
//   reported, including realloc(p, 0) and malloc(0), which do reach the allocator.
// - The allocator hooks forward to glibc's exported __libc_* entry points, never through dlsym
//   (dlsym itself may allocate). The mutex hooks forward through dlsym(RTLD_NEXT, ...), resolved by
//   a constructor at startup and, should a lock be taken even earlier (another library's static
//   initialisation), lazily on first use. glibc exports __pthread_mutex_lock only as a compat
//   symbol version, which a new link cannot bind to, hence dlsym.
// - Reporting writes with write(2) (stdio allocates and locks), formats numbers by hand, clears
//   the thread's scope depth first so that nothing abort() or a handler does can re-enter the
//   report, then calls abort().
// - The scope depth is a thread_local int of the executable (static TLS), zero before main and on
//   every new thread, so the hooks work during static initialisation, in ld.so's own calls after
//   relocation, and on any thread.
//
// Threading: every function here may be called from any thread at any time.

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/realtime_scope.h"

// glibc's own allocator entry points (exported by libc.so.6 under GLIBC_2.2.5 on every glibc this
// project supports; declared in no public header).
extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* pointer, std::size_t size) noexcept;
void __libc_free(void* pointer) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
void* __libc_valloc(std::size_t size) noexcept;
void* __libc_pvalloc(std::size_t size) noexcept;
}

namespace {

// A fixed-size message built without allocating. Long input is truncated, never overflows.
class Message {
public:
    Message& text(const char* s) {
        while (*s != '\0' && length_ < sizeof(buffer_)) buffer_[length_++] = *s++;
        return *this;
    }
    Message& number(std::size_t value) {
        char digits[24];
        int count = 0;
        do {
            digits[count++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value != 0);
        while (count > 0 && length_ < sizeof(buffer_)) buffer_[length_++] = digits[--count];
        return *this;
    }
    Message& pointer(const void* p) {
        if (p == nullptr) return text("nullptr");
        auto value = reinterpret_cast<std::uintptr_t>(p);
        char digits[2 * sizeof(value)];
        int count = 0;
        do {
            digits[count++] = "0123456789abcdef"[value & 0xF];
            value >>= 4;
        } while (value != 0);
        text("0x");
        while (count > 0 && length_ < sizeof(buffer_)) buffer_[length_++] = digits[--count];
        return *this;
    }

    // Writes the message and a newline to stderr, then aborts.
    [[noreturn]] __attribute__((noinline, cold)) void write_and_abort() {
        // Whatever runs from here on (abort(), a signal handler, a death test's child) may allocate;
        // lift the rule on this thread first so that it cannot re-enter the report.
        tactus::realtime_detail::scope_depth = 0;
        text("\n");
        std::size_t written = 0;
        while (written < length_) {
            const ssize_t n = ::write(STDERR_FILENO, buffer_ + written, length_ - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            written += static_cast<std::size_t>(n);
        }
        std::abort();
    }

    [[noreturn]] void report_and_abort() {
        text(" called inside a RealtimeScope");
        write_and_abort();
    }

private:
    char buffer_[256];
    std::size_t length_ = 0;
};

Message violation(const char* call) {
    Message message;
    message.text("tactus realtime violation: ").text(call).text("(");
    return message;
}

bool realtime() {
    return __builtin_expect(tactus::in_realtime_scope(), 0);
}

bool is_power_of_two(std::size_t value) {
    return value != 0 && (value & (value - 1)) == 0;
}

// ---- operator new support: the standard's loop over the new_handler ----

enum class Array : bool { No, Yes };

[[noreturn]] __attribute__((noinline, cold)) void report_new(const char* name, std::size_t size,
                                                             const char* suffix) {
    violation(name).number(size).text(suffix).text(")").report_and_abort();
}

void* new_or_throw(std::size_t size, std::size_t alignment) {
    if (size == 0) size = 1;
    for (;;) {
        void* p = alignment == 0 ? __libc_malloc(size) : __libc_memalign(alignment, size);
        if (p != nullptr) return p;
        const std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
    }
}

void* new_or_null(std::size_t size, std::size_t alignment) noexcept {
    try {
        return new_or_throw(size, alignment);
    } catch (...) {
        return nullptr;
    }
}

const char* new_name(Array array) {
    return array == Array::Yes ? "operator new[]" : "operator new";
}
const char* delete_name(Array array) {
    return array == Array::Yes ? "operator delete[]" : "operator delete";
}

void* checked_new(Array array, std::size_t size) {
    if (realtime()) report_new(new_name(array), size, "");
    return new_or_throw(size, 0);
}
void* checked_new(Array array, std::size_t size, const std::nothrow_t&) noexcept {
    if (realtime()) report_new(new_name(array), size, ", nothrow");
    return new_or_null(size, 0);
}
void* checked_new(Array array, std::size_t size, std::align_val_t alignment) {
    if (realtime()) report_new(new_name(array), size, ", align_val_t");
    return new_or_throw(size, static_cast<std::size_t>(alignment));
}
void* checked_new(Array array, std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    if (realtime()) report_new(new_name(array), size, ", align_val_t, nothrow");
    return new_or_null(size, static_cast<std::size_t>(alignment));
}

// Deleting a null pointer is a no-op and is not reported (see the file comment).
void checked_delete(Array array, void* p, const char* suffix) noexcept {
    if (p == nullptr) return;
    if (realtime()) violation(delete_name(array)).pointer(p).text(suffix).text(")").report_and_abort();
    __libc_free(p);
}
void checked_delete(Array array, void* p, std::size_t size, const char* suffix) noexcept {
    if (p == nullptr) return;
    if (realtime()) {
        violation(delete_name(array))
            .pointer(p)
            .text(", ")
            .number(size)
            .text(suffix)
            .text(")")
            .report_and_abort();
    }
    __libc_free(p);
}

// ---- pthread_mutex_lock / trylock: the next definition in the lookup order, i.e. glibc's ----

using MutexFunction = int (*)(pthread_mutex_t*);

std::atomic<MutexFunction> real_mutex_lock{nullptr};
std::atomic<MutexFunction> real_mutex_trylock{nullptr};

MutexFunction resolve(std::atomic<MutexFunction>& slot, const char* name) noexcept {
    MutexFunction function = slot.load(std::memory_order_acquire);
    if (function != nullptr) return function;
    // Only before the startup constructor ran (or if it raced with another thread: both store the
    // same value). dlsym may allocate; that is allowed here, because the scope check came first.
    const tactus::NonRealtimeScope allow;
    function = reinterpret_cast<MutexFunction>(dlsym(RTLD_NEXT, name));
    if (function == nullptr) {
        Message().text("tactus realtime checker: dlsym(RTLD_NEXT) found no ").text(name).write_and_abort();
    }
    slot.store(function, std::memory_order_release);
    return function;
}

__attribute__((constructor(101))) void resolve_mutex_functions_at_startup() {
    resolve(real_mutex_lock, "pthread_mutex_lock");
    resolve(real_mutex_trylock, "pthread_mutex_trylock");
}

}  // namespace

// ---- C allocator ----

extern "C" {

void* malloc(std::size_t size) noexcept {
    if (realtime()) violation("malloc").number(size).text(")").report_and_abort();
    return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
    if (realtime()) violation("calloc").number(count).text(", ").number(size).text(")").report_and_abort();
    return __libc_calloc(count, size);
}

void* realloc(void* pointer, std::size_t size) noexcept {
    if (realtime())
        violation("realloc").pointer(pointer).text(", ").number(size).text(")").report_and_abort();
    return __libc_realloc(pointer, size);
}

void* reallocarray(void* pointer, std::size_t count, std::size_t size) noexcept {
    if (realtime()) {
        violation("reallocarray")
            .pointer(pointer)
            .text(", ")
            .number(count)
            .text(", ")
            .number(size)
            .text(")")
            .report_and_abort();
    }
    std::size_t bytes = 0;
    if (__builtin_mul_overflow(count, size, &bytes)) {
        errno = ENOMEM;
        return nullptr;
    }
    return __libc_realloc(pointer, bytes);
}

// free(nullptr) is a no-op and is not reported (see the file comment).
void free(void* pointer) noexcept {
    if (pointer == nullptr) return;
    if (realtime()) violation("free").pointer(pointer).text(")").report_and_abort();
    __libc_free(pointer);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    if (realtime())
        violation("aligned_alloc").number(alignment).text(", ").number(size).text(")").report_and_abort();
    if (!is_power_of_two(alignment)) {
        errno = EINVAL;
        return nullptr;
    }
    return __libc_memalign(alignment, size);
}

int posix_memalign(void** result, std::size_t alignment, std::size_t size) noexcept {
    if (realtime())
        violation("posix_memalign").number(alignment).text(", ").number(size).text(")").report_and_abort();
    if (!is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
    // Unlike the other calls, posix_memalign reports failure by its result and leaves errno alone.
    const int saved_errno = errno;
    void* p = __libc_memalign(alignment, size);
    errno = saved_errno;
    if (p == nullptr) return ENOMEM;
    *result = p;
    return 0;
}

void* memalign(std::size_t alignment, std::size_t size) noexcept {
    if (realtime())
        violation("memalign").number(alignment).text(", ").number(size).text(")").report_and_abort();
    return __libc_memalign(alignment, size);
}

void* valloc(std::size_t size) noexcept {
    if (realtime()) violation("valloc").number(size).text(")").report_and_abort();
    return __libc_valloc(size);
}

void* pvalloc(std::size_t size) noexcept {
    if (realtime()) violation("pvalloc").number(size).text(")").report_and_abort();
    return __libc_pvalloc(size);
}

// ---- mutexes ----

int pthread_mutex_lock(pthread_mutex_t* mutex) noexcept {
    if (realtime() && !tactus::private_locks_allowed())
        violation("pthread_mutex_lock").pointer(mutex).text(")").report_and_abort();
    return resolve(real_mutex_lock, "pthread_mutex_lock")(mutex);
}

int pthread_mutex_trylock(pthread_mutex_t* mutex) noexcept {
    if (realtime() && !tactus::private_locks_allowed())
        violation("pthread_mutex_trylock").pointer(mutex).text(")").report_and_abort();
    return resolve(real_mutex_trylock, "pthread_mutex_trylock")(mutex);
}

}  // extern "C"

// ---- C++ allocation functions ----

void* operator new(std::size_t size) {
    return checked_new(Array::No, size);
}
void* operator new[](std::size_t size) {
    return checked_new(Array::Yes, size);
}
void* operator new(std::size_t size, const std::nothrow_t& tag) noexcept {
    return checked_new(Array::No, size, tag);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
    return checked_new(Array::Yes, size, tag);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
    return checked_new(Array::No, size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
    return checked_new(Array::Yes, size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t& tag) noexcept {
    return checked_new(Array::No, size, alignment, tag);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t& tag) noexcept {
    return checked_new(Array::Yes, size, alignment, tag);
}

void operator delete(void* p) noexcept {
    checked_delete(Array::No, p, "");
}
void operator delete[](void* p) noexcept {
    checked_delete(Array::Yes, p, "");
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    checked_delete(Array::No, p, ", nothrow");
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    checked_delete(Array::Yes, p, ", nothrow");
}
void operator delete(void* p, std::size_t size) noexcept {
    checked_delete(Array::No, p, size, "");
}
void operator delete[](void* p, std::size_t size) noexcept {
    checked_delete(Array::Yes, p, size, "");
}
void operator delete(void* p, std::align_val_t) noexcept {
    checked_delete(Array::No, p, ", align_val_t");
}
void operator delete[](void* p, std::align_val_t) noexcept {
    checked_delete(Array::Yes, p, ", align_val_t");
}
void operator delete(void* p, std::size_t size, std::align_val_t) noexcept {
    checked_delete(Array::No, p, size, ", align_val_t");
}
void operator delete[](void* p, std::size_t size, std::align_val_t) noexcept {
    checked_delete(Array::Yes, p, size, ", align_val_t");
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    checked_delete(Array::No, p, ", align_val_t, nothrow");
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
    checked_delete(Array::Yes, p, ", align_val_t, nothrow");
}
