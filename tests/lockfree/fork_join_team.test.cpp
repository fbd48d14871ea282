// ForkJoinTeam: every task of a batch runs exactly once, its plain writes are seen by the owner after
// run(), members really run at once, and a batch neither allocates nor locks (in this binary the
// realtime checker aborts on either inside a RealtimeScope).

#include "engine/lockfree/fork_join_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"

namespace tactus {
namespace {

TEST(ForkJoinTeam, every_task_runs_once_per_batch_and_its_writes_reach_the_owner) {
    ForkJoinTeam team(3);
    EXPECT_EQ(team.size(), 3);
    std::vector<std::int64_t> results(97, 0);  // plain memory: the team orders the writes
    for (int batch = 1; batch <= 2000; ++batch) {
        const std::size_t tasks = static_cast<std::size_t>(batch % 97) + 1;
        auto task = [&](std::size_t i) { results[i] += batch; };
        {
            RealtimeScope rules;
            team.run(tasks, task);
        }
        for (std::size_t i = 0; i < results.size(); ++i) {
            // Task i ran in every batch so far that had more than i tasks.
            std::int64_t expected = 0;
            for (int b = 1; b <= batch; ++b)
                if (static_cast<std::size_t>(b % 97) + 1 > i) expected += b;
            ASSERT_EQ(results[i], expected) << "task " << i << " after batch " << batch;
        }
    }
}

TEST(ForkJoinTeam, a_team_of_one_runs_every_task_on_the_owner) {
    ForkJoinTeam team(1);
    const auto owner = std::this_thread::get_id();
    int on_owner = 0;
    auto task = [&](std::size_t) { on_owner += std::this_thread::get_id() == owner; };
    team.run(50, task);
    EXPECT_EQ(on_owner, 50);
}

TEST(ForkJoinTeam, an_empty_batch_returns) {
    ForkJoinTeam team(2);
    int calls = 0;
    auto task = [&](std::size_t) { ++calls; };
    team.run(0, task);
    EXPECT_EQ(calls, 0);
}

TEST(ForkJoinTeam, two_members_run_two_tasks_at_the_same_time) {
    ForkJoinTeam team(2);
    // Each task waits (boundedly) for the other to have started: only true concurrency lets both see it.
    std::atomic<int> started{0};
    std::atomic<int> saw_both{0};
    auto task = [&](std::size_t) {
        started.fetch_add(1);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (started.load() < 2 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        if (started.load() == 2) saw_both.fetch_add(1);
    };
    team.run(2, task);
    EXPECT_EQ(saw_both.load(), 2);
}

}  // namespace
}  // namespace tactus
