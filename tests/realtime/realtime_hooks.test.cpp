// The realtime-safety checker (core/realtime_hooks.cpp): inside a RealtimeScope every allocation,
// deallocation and mutex lock aborts with a message naming the call; outside one, or under a
// NonRealtimeScope, the same calls just work.
//
// Note for tests in this binary: gtest itself allocates and locks when an assertion fails, so
// keep EXPECT_/ASSERT_ outside a RealtimeScope (or inside a NonRealtimeScope).

#include <gtest/gtest.h>
#include <malloc.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"

namespace tactus {
namespace {

// Every allocation is stored through this volatile pointer, so the compiler cannot prove the
// result unused and elide the call (GCC may otherwise drop a malloc/free or new/delete pair).
void* volatile sink = nullptr;

template <typename T>
T* escape(T* p) {
    sink = p;
    return p;
}

// A region of memory the checker knows nothing about, allocated before the scope is entered.
void* allocated_outside_a_scope(std::size_t size) {
    return escape(std::malloc(size));
}

// Allocated during static initialisation, before main(): the hooks forward correctly that early.
const std::vector<std::string> kStaticInitStrings = {
    "a string long enough to defeat the small string optimisation, allocated before main",
    "another one, to exercise operator new and delete during static initialisation",
};
std::mutex static_init_mutex;
const bool kStaticInitLocked = [] {
    const std::lock_guard lock(static_init_mutex);
    void* p = escape(std::malloc(100));
    std::free(p);
    return true;
}();

constexpr const char* kPointer = "0x[0-9a-f]+";

std::string violation(const std::string& call) {
    return "tactus realtime violation: " + call + " called inside a RealtimeScope";
}

class RealtimeHooksDeathTest : public ::testing::Test {
protected:
    void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(RealtimeHooksDeathTest, malloc_inside_a_scope_aborts_naming_malloc_and_size) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(std::malloc(64));
        },
        violation("malloc\\(64\\)"));
}

TEST_F(RealtimeHooksDeathTest, calloc_inside_a_scope_aborts_naming_calloc) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(std::calloc(4, 16));
        },
        violation("calloc\\(4, 16\\)"));
}

TEST_F(RealtimeHooksDeathTest, realloc_inside_a_scope_aborts_naming_realloc) {
    EXPECT_DEATH(
        {
            void* p = allocated_outside_a_scope(16);
            const RealtimeScope scope;
            escape(std::realloc(p, 128));
        },
        violation(std::string("realloc\\(") + kPointer + ", 128\\)"));
}

TEST_F(RealtimeHooksDeathTest, free_inside_a_scope_aborts_naming_free) {
    EXPECT_DEATH(
        {
            void* p = allocated_outside_a_scope(16);
            const RealtimeScope scope;
            std::free(p);
        },
        violation(std::string("free\\(") + kPointer + "\\)"));
}

TEST_F(RealtimeHooksDeathTest, aligned_alloc_inside_a_scope_aborts_naming_aligned_alloc) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(std::aligned_alloc(64, 256));
        },
        violation("aligned_alloc\\(64, 256\\)"));
}

TEST_F(RealtimeHooksDeathTest, posix_memalign_inside_a_scope_aborts_naming_posix_memalign) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            void* p = nullptr;
            if (posix_memalign(&p, 64, 256) == 0) escape(p);
        },
        violation("posix_memalign\\(64, 256\\)"));
}

TEST_F(RealtimeHooksDeathTest, memalign_inside_a_scope_aborts_naming_memalign) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(memalign(32, 96));
        },
        violation("memalign\\(32, 96\\)"));
}

TEST_F(RealtimeHooksDeathTest, operator_new_inside_a_scope_aborts_naming_operator_new) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(new std::array<char, 48>{});
        },
        violation("operator new\\(48\\)"));
}

TEST_F(RealtimeHooksDeathTest, array_new_inside_a_scope_aborts_naming_operator_new_array) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(new char[40]);
        },
        violation("operator new\\[\\]\\(40\\)"));
}

TEST_F(RealtimeHooksDeathTest, nothrow_and_aligned_new_inside_a_scope_abort_naming_their_form) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(new (std::nothrow) std::array<char, 24>{});
        },
        violation("operator new\\(24, nothrow\\)"));
    struct alignas(64) Block {
        char bytes[128];
    };
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            escape(new Block{});
        },
        violation("operator new\\(128, align_val_t\\)"));
}

TEST_F(RealtimeHooksDeathTest, vector_growth_inside_a_scope_aborts_naming_operator_new) {
    EXPECT_DEATH(
        {
            std::vector<int> values;
            escape(&values);
            const RealtimeScope scope;
            values.push_back(1);
            escape(values.data());
        },
        violation("operator new\\(4\\)"));
}

TEST_F(RealtimeHooksDeathTest, operator_delete_inside_a_scope_aborts_naming_operator_delete) {
    EXPECT_DEATH(
        {
            auto* p = escape(new std::array<char, 48>{});
            const RealtimeScope scope;
            delete p;
        },
        // With sized deallocation (the C++14+ default) the size is named too.
        violation(std::string("operator delete\\(") + kPointer + "(, 48)?\\)"));
}

TEST_F(RealtimeHooksDeathTest, array_delete_inside_a_scope_aborts_naming_operator_delete_array) {
    EXPECT_DEATH(
        {
            char* p = escape(new char[40]);
            const RealtimeScope scope;
            delete[] p;
        },
        violation(std::string("operator delete\\[\\]\\(") + kPointer + "\\)"));
}

TEST_F(RealtimeHooksDeathTest, mutex_lock_inside_a_scope_aborts_naming_pthread_mutex_lock) {
    EXPECT_DEATH(
        {
            std::mutex mutex;
            const RealtimeScope scope;
            mutex.lock();
            mutex.unlock();
        },
        violation(std::string("pthread_mutex_lock\\(") + kPointer + "\\)"));
}

TEST_F(RealtimeHooksDeathTest, mutex_try_lock_inside_a_scope_aborts_naming_pthread_mutex_trylock) {
    EXPECT_DEATH(
        {
            std::mutex mutex;
            const RealtimeScope scope;
            if (mutex.try_lock()) mutex.unlock();
        },
        violation(std::string("pthread_mutex_trylock\\(") + kPointer + "\\)"));
    EXPECT_DEATH(
        {
            pthread_mutex_t mutex;
            pthread_mutex_init(&mutex, nullptr);
            const RealtimeScope scope;
            if (pthread_mutex_trylock(&mutex) == 0) pthread_mutex_unlock(&mutex);
        },
        violation(std::string("pthread_mutex_trylock\\(") + kPointer + "\\)"));
}

TEST_F(RealtimeHooksDeathTest, nested_scopes_still_apply_after_the_inner_one_ends) {
    EXPECT_DEATH(
        {
            const RealtimeScope outer;
            { const RealtimeScope inner; }
            escape(std::malloc(8));
        },
        violation("malloc\\(8\\)"));
}

TEST_F(RealtimeHooksDeathTest, a_scope_on_another_thread_applies_to_that_thread) {
    EXPECT_DEATH(
        {
            std::thread audio([] {
                const RealtimeScope scope;
                escape(std::malloc(32));
            });
            audio.join();
        },
        violation("malloc\\(32\\)"));
}

TEST_F(RealtimeHooksDeathTest, rules_return_when_a_non_realtime_scope_ends) {
    EXPECT_DEATH(
        {
            const RealtimeScope scope;
            { const NonRealtimeScope allow; }
            escape(new char[16]);
        },
        violation("operator new\\[\\]\\(16\\)"));
}

// Exercises every hooked call once; returns normally if the checker lets them through.
void allocate_free_and_lock_everything() {
    std::free(escape(std::malloc(64)));
    std::free(escape(std::calloc(4, 16)));
    std::free(escape(std::realloc(escape(std::malloc(16)), 128)));
    std::free(escape(std::aligned_alloc(64, 256)));
    void* p = nullptr;
    ASSERT_EQ(posix_memalign(&p, 64, 256), 0);
    std::free(escape(p));
    std::free(escape(memalign(32, 96)));
    delete escape(new std::array<char, 48>{});
    delete[] escape(new char[40]);
    delete escape(new (std::nothrow) std::array<char, 24>{});
    std::vector<std::string> strings(3, std::string(100, 'x'));
    escape(strings.data());
    std::mutex mutex;
    mutex.lock();
    mutex.unlock();
    ASSERT_TRUE(mutex.try_lock());
    mutex.unlock();
}

TEST(RealtimeHooks, the_same_calls_outside_a_scope_are_fine) {
    ASSERT_FALSE(in_realtime_scope());
    allocate_free_and_lock_everything();
}

TEST(RealtimeHooks, a_non_realtime_scope_lifts_the_rules) {
    const RealtimeScope scope;
    {
        const NonRealtimeScope allow;
        ASSERT_FALSE(in_realtime_scope());
        allocate_free_and_lock_everything();
    }
    const bool restored = in_realtime_scope();
    const NonRealtimeScope allow_the_assertion;
    EXPECT_TRUE(restored);
}

TEST(RealtimeHooks, freeing_a_null_pointer_inside_a_scope_is_allowed) {
    // Decision (documented in realtime_hooks.cpp): a null free/delete touches no allocator state.
    {
        const RealtimeScope scope;
        sink = nullptr;
        std::free(sink);
        delete static_cast<std::array<char, 8>*>(sink);
        delete[] static_cast<char*>(sink);
    }
    SUCCEED();
}

TEST(RealtimeHooks, allocation_and_locking_before_main_work) {
    EXPECT_TRUE(kStaticInitLocked);
    ASSERT_EQ(kStaticInitStrings.size(), 2u);
    EXPECT_EQ(kStaticInitStrings[0].substr(0, 8), "a string");
}

TEST(RealtimeHooks, a_scope_applies_only_to_its_own_thread) {
    std::atomic<int> stage{0};
    std::atomic<bool> worker_allocated{false};
    std::thread worker([&] {
        while (stage.load() != 1) std::this_thread::yield();
        std::vector<std::string> strings(4, std::string(64, 'y'));
        std::mutex mutex;
        const std::lock_guard lock(mutex);
        worker_allocated = strings.size() == 4;
        stage = 2;
    });
    {
        const RealtimeScope scope;
        stage = 1;
        while (stage.load() != 2) std::this_thread::yield();
    }
    worker.join();  // outside the scope: joining frees the thread's TLS
    EXPECT_TRUE(worker_allocated);
}

}  // namespace
}  // namespace tactus
