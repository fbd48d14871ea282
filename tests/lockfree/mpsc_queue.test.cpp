// MpscQueue: FIFO order, full/empty, capacity rounding, element lifetimes, and four producer threads
// pushing a quarter of a million commands each to one consumer (running under realtime rules):
// every command arrives exactly once, and each producer's commands arrive in the order it sent them.

#include "engine/lockfree/mpsc_queue.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"
#include "stress_helpers.h"

namespace tactus {
namespace {

using lockfree_test::back_off;

TEST(MpscQueue, capacity_is_rounded_up_to_a_power_of_two_of_at_least_two) {
    EXPECT_EQ(MpscQueue<int>(0).capacity(), 2u);
    EXPECT_EQ(MpscQueue<int>(1).capacity(), 2u);
    EXPECT_EQ(MpscQueue<int>(2).capacity(), 2u);
    EXPECT_EQ(MpscQueue<int>(3).capacity(), 4u);
    EXPECT_EQ(MpscQueue<int>(5).capacity(), 8u);
    EXPECT_EQ(MpscQueue<int>(1000).capacity(), 1024u);
}

TEST(MpscQueue, pops_values_in_the_order_they_were_pushed) {
    MpscQueue<int> queue(8);
    for (int v : {2, 7, 1, 8, 2, 8}) ASSERT_TRUE(queue.try_push(v));
    for (int expected : {2, 7, 1, 8, 2, 8}) {
        int got = -1;
        ASSERT_TRUE(queue.try_pop(got));
        EXPECT_EQ(got, expected);
    }
}

TEST(MpscQueue, pop_from_an_empty_queue_fails_and_leaves_the_target_alone) {
    MpscQueue<int> queue(4);
    int got = 42;
    EXPECT_FALSE(queue.try_pop(got));
    EXPECT_EQ(got, 42);
}

TEST(MpscQueue, push_to_a_full_queue_fails_until_one_is_popped) {
    MpscQueue<int> queue(4);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue.try_push(i));
    EXPECT_FALSE(queue.try_push(99));
    EXPECT_EQ(queue.size_approx(), 4u);
    int got = -1;
    ASSERT_TRUE(queue.try_pop(got));
    EXPECT_EQ(got, 0);
    EXPECT_TRUE(queue.try_push(4));
    EXPECT_FALSE(queue.try_push(5));
    for (int expected = 1; expected <= 4; ++expected) {
        ASSERT_TRUE(queue.try_pop(got));
        EXPECT_EQ(got, expected);
    }
    EXPECT_EQ(queue.size_approx(), 0u);
}

TEST(MpscQueue, a_queue_asked_for_one_holds_two) {
    MpscQueue<int> queue(1);
    EXPECT_TRUE(queue.try_push(1));
    EXPECT_TRUE(queue.try_push(2));
    EXPECT_FALSE(queue.try_push(3));
}

TEST(MpscQueue, wraps_around_the_ring_many_times_in_order) {
    MpscQueue<std::uint64_t> queue(4);
    std::uint64_t next_in = 0;
    std::uint64_t next_out = 0;
    for (int round = 0; round < 10000; ++round) {
        const int batch = 1 + round % 4;
        for (int i = 0; i < batch; ++i) ASSERT_TRUE(queue.try_push(next_in++));
        for (int i = 0; i < batch; ++i) {
            std::uint64_t got = 0;
            ASSERT_TRUE(queue.try_pop(got));
            ASSERT_EQ(got, next_out++);
        }
    }
    EXPECT_EQ(next_out, next_in);
}

TEST(MpscQueue, carries_move_only_values_and_frees_what_is_left_at_destruction) {
    auto tracker = std::make_shared<int>(0);
    {
        MpscQueue<std::shared_ptr<int>> queue(4);
        ASSERT_TRUE(queue.try_push(tracker));
        ASSERT_TRUE(queue.try_push(tracker));
        EXPECT_EQ(tracker.use_count(), 3);
        std::shared_ptr<int> out;
        ASSERT_TRUE(queue.try_pop(out));
        EXPECT_EQ(tracker.use_count(), 3);  // one queued + out
    }
    EXPECT_EQ(tracker.use_count(), 1);

    MpscQueue<std::unique_ptr<int>> owning(2);
    ASSERT_TRUE(owning.try_push(std::make_unique<int>(9)));
    std::unique_ptr<int> got;
    ASSERT_TRUE(owning.try_pop(got));
    EXPECT_EQ(*got, 9);
}

// A command as a control thread would send it: who sent it and its number in that sender's stream.
struct Command {
    std::uint32_t producer;
    std::uint32_t sequence;
};

TEST(MpscQueue, four_producers_each_command_arrives_once_and_in_its_producers_order) {
    constexpr std::uint32_t kProducers = 4;
    constexpr std::uint32_t kPerProducer = 250'000;
    MpscQueue<Command> queue(256);

    std::vector<std::thread> producers;
    for (std::uint32_t p = 0; p < kProducers; ++p) {
        producers.emplace_back([&queue, p] {
            for (std::uint32_t s = 0; s < kPerProducer; ++s) {
                while (!queue.try_push(Command{p, s})) back_off();
            }
        });
    }

    // The consumer plays the audio thread. Receiving exactly next_expected[p] proves at once that
    // nothing was lost, duplicated or reordered within producer p's stream.
    std::array<std::uint32_t, kProducers> next_expected{};
    std::uint64_t received = 0;
    std::uint64_t violations = 0;
    Command first_violation{};
    {
        RealtimeScope audio_thread;
        const std::uint64_t total = std::uint64_t{kProducers} * kPerProducer;
        while (received < total) {
            Command command{};
            if (!queue.try_pop(command)) {
                back_off();
                continue;
            }
            ++received;
            if (command.producer >= kProducers || command.sequence != next_expected[command.producer]) {
                if (violations++ == 0) first_violation = command;
                continue;
            }
            ++next_expected[command.producer];
        }
    }
    for (auto& t : producers) t.join();

    EXPECT_EQ(violations, 0u) << "first: producer " << first_violation.producer << " sequence "
                              << first_violation.sequence;
    for (std::uint32_t p = 0; p < kProducers; ++p)
        EXPECT_EQ(next_expected[p], kPerProducer) << "producer " << p;
    Command extra{};
    EXPECT_FALSE(queue.try_pop(extra));
}

}  // namespace
}  // namespace tactus
