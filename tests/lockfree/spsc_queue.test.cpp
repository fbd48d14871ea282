// SpscQueue: FIFO order, full/empty, power-of-two capacity, element lifetimes, and a million items
// crossing from a producer thread to a consumer thread (running under realtime rules) in order.

#include "engine/lockfree/spsc_queue.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <thread>

#include "core/realtime_scope.h"
#include "stress_helpers.h"

namespace tactus {
namespace {

using lockfree_test::back_off;

TEST(SpscQueue, capacity_is_rounded_up_to_a_power_of_two) {
    EXPECT_EQ(SpscQueue<int>(0).capacity(), 1u);
    EXPECT_EQ(SpscQueue<int>(1).capacity(), 1u);
    EXPECT_EQ(SpscQueue<int>(3).capacity(), 4u);
    EXPECT_EQ(SpscQueue<int>(4).capacity(), 4u);
    EXPECT_EQ(SpscQueue<int>(5).capacity(), 8u);
    EXPECT_EQ(SpscQueue<int>(1000).capacity(), 1024u);
}

TEST(SpscQueue, pops_values_in_the_order_they_were_pushed) {
    SpscQueue<int> queue(8);
    for (int v : {3, 1, 4, 1, 5}) ASSERT_TRUE(queue.try_push(v));
    for (int expected : {3, 1, 4, 1, 5}) {
        int got = -1;
        ASSERT_TRUE(queue.try_pop(got));
        EXPECT_EQ(got, expected);
    }
}

TEST(SpscQueue, pop_from_an_empty_queue_fails_and_leaves_the_target_alone) {
    SpscQueue<int> queue(4);
    int got = 42;
    EXPECT_FALSE(queue.try_pop(got));
    EXPECT_EQ(got, 42);
    ASSERT_TRUE(queue.try_push(7));
    ASSERT_TRUE(queue.try_pop(got));
    EXPECT_FALSE(queue.try_pop(got));
    EXPECT_EQ(got, 7);
}

TEST(SpscQueue, push_to_a_full_queue_fails_until_one_is_popped) {
    SpscQueue<int> queue(4);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue.try_push(i));
    EXPECT_FALSE(queue.can_push());
    EXPECT_FALSE(queue.try_push(99));
    EXPECT_EQ(queue.size_approx(), 4u);

    int got = -1;
    ASSERT_TRUE(queue.try_pop(got));
    EXPECT_EQ(got, 0);
    EXPECT_TRUE(queue.can_push());
    EXPECT_TRUE(queue.try_push(4));
    EXPECT_FALSE(queue.try_push(5));
    for (int expected = 1; expected <= 4; ++expected) {
        ASSERT_TRUE(queue.try_pop(got));
        EXPECT_EQ(got, expected);
    }
    EXPECT_EQ(queue.size_approx(), 0u);
}

TEST(SpscQueue, a_queue_of_one_holds_exactly_one) {
    SpscQueue<int> queue(1);
    EXPECT_TRUE(queue.try_push(1));
    EXPECT_FALSE(queue.try_push(2));
    int got = 0;
    EXPECT_TRUE(queue.try_pop(got));
    EXPECT_EQ(got, 1);
    EXPECT_TRUE(queue.try_push(3));
}

TEST(SpscQueue, wraps_around_the_ring_many_times_in_order) {
    SpscQueue<std::uint64_t> queue(4);
    std::uint64_t next_in = 0;
    std::uint64_t next_out = 0;
    // Batches of 1..4 pushes then pops, so the indices cross the ring's end at every offset.
    for (int round = 0; round < 10000; ++round) {
        const int batch = 1 + round % 4;
        for (int i = 0; i < batch; ++i) ASSERT_TRUE(queue.try_push(next_in++));
        EXPECT_EQ(queue.size_approx(), static_cast<std::size_t>(batch));
        for (int i = 0; i < batch; ++i) {
            std::uint64_t got = 0;
            ASSERT_TRUE(queue.try_pop(got));
            ASSERT_EQ(got, next_out++);
        }
    }
    EXPECT_EQ(next_out, next_in);
}

TEST(SpscQueue, carries_move_only_values) {
    SpscQueue<std::unique_ptr<int>> queue(2);
    ASSERT_TRUE(queue.try_push(std::make_unique<int>(5)));
    ASSERT_TRUE(queue.try_emplace(new int(6)));
    std::unique_ptr<int> got;
    ASSERT_TRUE(queue.try_pop(got));
    EXPECT_EQ(*got, 5);
    ASSERT_TRUE(queue.try_pop(got));
    EXPECT_EQ(*got, 6);
}

struct Counted {
    static inline int alive = 0;
    int value;
    explicit Counted(int v) : value(v) { ++alive; }
    Counted(const Counted& other) : value(other.value) { ++alive; }
    Counted(Counted&& other) noexcept : value(other.value) { ++alive; }
    Counted& operator=(const Counted&) = default;
    Counted& operator=(Counted&&) noexcept = default;
    ~Counted() { --alive; }
};

TEST(SpscQueue, destroys_popped_slots_and_values_left_in_it) {
    Counted::alive = 0;
    {
        SpscQueue<Counted> queue(4);
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.try_push(Counted(i)));
        EXPECT_EQ(Counted::alive, 3);
        Counted out(-1);
        ASSERT_TRUE(queue.try_pop(out));
        EXPECT_EQ(out.value, 0);
        EXPECT_EQ(Counted::alive, 3);  // two queued + out
    }
    EXPECT_EQ(Counted::alive, 0);
}

TEST(SpscQueue, a_million_values_cross_threads_in_order_with_a_matching_checksum) {
    const std::uint64_t count = 1'000'000;
    SpscQueue<std::uint64_t> queue(1024);

    std::thread producer([&] {
        for (std::uint64_t v = 1; v <= count; ++v) {
            while (!queue.try_push(v)) back_off();
        }
    });

    // The consumer plays the audio thread: no allocation or lock while it pops.
    std::uint64_t received = 0;
    std::uint64_t sum = 0;
    std::uint64_t first_out_of_order = 0;
    {
        RealtimeScope audio_thread;
        while (received < count) {
            std::uint64_t v = 0;
            if (!queue.try_pop(v)) {
                back_off();
                continue;
            }
            ++received;
            sum += v;
            if (v != received && first_out_of_order == 0) first_out_of_order = received;
        }
    }
    producer.join();

    EXPECT_EQ(first_out_of_order, 0u);
    EXPECT_EQ(sum, count * (count + 1) / 2);
    std::uint64_t extra = 0;
    EXPECT_FALSE(queue.try_pop(extra));
}

}  // namespace
}  // namespace tactus
