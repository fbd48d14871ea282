// The audio thread's side of every lock-free piece runs under realtime rules: in a binary linked with
// the realtime checker (normal builds), any allocation, free or mutex lock inside these scopes aborts.
// Under sanitizers the checker is not linked and these tests only check behaviour.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "core/realtime_scope.h"
#include "engine/lockfree/mpsc_queue.h"
#include "engine/lockfree/seqlock.h"
#include "engine/lockfree/snapshot_publisher.h"
#include "engine/lockfree/spsc_queue.h"

namespace tactus {
namespace {

struct NoteOn {
    std::int64_t frame;
    int pitch;
    float velocity;
};

TEST(AudioSide, queue_push_and_pop_neither_allocate_nor_lock) {
    SpscQueue<NoteOn> to_worker(8);
    MpscQueue<NoteOn> commands(8);
    ASSERT_TRUE(commands.try_push(NoteOn{0, 60, 0.8f}));
    bool ok = true;
    {
        RealtimeScope audio_thread;
        NoteOn note{};
        ok &= commands.try_pop(note);
        ok &= to_worker.try_push(note);
        ok &= commands.try_push(NoteOn{480, 64, 0.5f});
        ok &= commands.try_pop(note);
        ok &= to_worker.try_pop(note);
        ok &= !to_worker.try_pop(note);
    }
    EXPECT_TRUE(ok);
}

TEST(AudioSide, acquiring_and_retiring_snapshots_neither_allocates_nor_frees) {
    SnapshotPublisher<std::int64_t> publisher(std::make_unique<const std::int64_t>(1));
    const std::int64_t* first = nullptr;
    {
        RealtimeScope audio_thread;
        first = publisher.acquire();
    }
    publisher.publish(std::make_unique<const std::int64_t>(2));
    publisher.publish(std::make_unique<const std::int64_t>(3));  // frees 2, never taken
    const std::int64_t* second = nullptr;
    {
        RealtimeScope audio_thread;
        second = publisher.acquire();  // keeps the first as previous
    }
    publisher.publish(std::make_unique<const std::int64_t>(4));
    const std::int64_t* third = nullptr;
    {
        RealtimeScope audio_thread;
        third = publisher.acquire();  // retires the first: hands it back, does not free it
    }
    EXPECT_EQ(*first, 1);
    EXPECT_EQ(*second, 3);
    EXPECT_EQ(*third, 4);
    EXPECT_EQ(publisher.collect_retired(), 1u);
}

TEST(AudioSide, storing_to_the_status_board_neither_allocates_nor_locks) {
    struct Status {
        std::int64_t frame;
        double beat;
    };
    SeqLock<Status> board(Status{0, 0.0});
    {
        RealtimeScope audio_thread;
        board.store(Status{48'000, 2.0});
    }
    EXPECT_EQ(board.load().frame, 48'000);
}

#if defined(TACTUS_LOCKFREE_RTCHECK)
// Proves the tests above are not vacuous in this binary: the checker is linked and live.
TEST(AudioSideDeathTest, the_realtime_checker_is_active_in_this_binary) {
    EXPECT_DEATH(
        {
            RealtimeScope audio_thread;
            auto* volatile leaked = new std::int64_t(1);
            (void)leaked;
        },
        "realtime violation");
}
#endif

}  // namespace
}  // namespace tactus
