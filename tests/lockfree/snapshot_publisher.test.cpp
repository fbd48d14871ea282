// SnapshotPublisher: the reader (audio thread) always gets the newest published score snapshot and
// keeps it for a whole block; every snapshot is freed exactly once, on the writer's side, including
// the ones published and superseded before the reader ever saw them.

#include "engine/lockfree/snapshot_publisher.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"
#include "stress_helpers.h"

namespace tactus {
namespace {

using lockfree_test::back_off;

// Who destroyed which snapshot, and on which thread.
struct Ledger {
    explicit Ledger(std::size_t versions) : destroyed(versions + 1) {}
    std::vector<std::atomic<int>> destroyed;  // indexed by version
    std::atomic<int> constructed{0};
    std::atomic<std::thread::id> reader_thread{};
    std::atomic<int> destroyed_on_reader_thread{0};

    int destroyed_count(std::uint64_t version) const { return destroyed[version].load(); }
};

// A score snapshot stand-in: a version and notes derived from it, so a reader can tell a whole
// snapshot from a torn or freed one.
class Score {
public:
    static constexpr std::size_t kNotes = 16;

    Score(std::uint64_t version, Ledger& ledger) : version_(version), ledger_(ledger) {
        for (std::size_t i = 0; i < kNotes; ++i) note_frames_[i] = expected_frame(version, i);
        ledger_.constructed.fetch_add(1);
    }
    ~Score() {
        ledger_.destroyed[version_].fetch_add(1);
        if (std::this_thread::get_id() == ledger_.reader_thread.load()) ledger_.destroyed_on_reader_thread++;
        note_frames_.fill(0xDEADDEADDEADDEADull);  // a reader still looking would see garbage
    }
    Score(const Score&) = delete;
    Score& operator=(const Score&) = delete;

    std::uint64_t version() const { return version_; }
    bool is_whole() const {
        for (std::size_t i = 0; i < kNotes; ++i) {
            if (note_frames_[i] != expected_frame(version_, i)) return false;
        }
        return true;
    }

private:
    static std::uint64_t expected_frame(std::uint64_t version, std::size_t note) {
        return version * 48'000 + note * 12'000;  // one note every quarter second at 48 kHz
    }

    std::uint64_t version_;
    std::array<std::uint64_t, kNotes> note_frames_{};
    Ledger& ledger_;
};

std::unique_ptr<const Score> score(std::uint64_t version, Ledger& ledger) {
    return std::make_unique<const Score>(version, ledger);
}

TEST(SnapshotPublisher, reader_gets_null_before_the_first_publish) {
    SnapshotPublisher<Score> publisher;
    EXPECT_EQ(publisher.acquire(), nullptr);
    EXPECT_EQ(publisher.current_for_writer(), nullptr);
}

TEST(SnapshotPublisher, reader_first_gets_the_initial_snapshot) {
    Ledger ledger(1);
    SnapshotPublisher<Score> publisher(score(1, ledger));
    EXPECT_EQ(publisher.current_for_writer()->version(), 1u);
    const Score* s = publisher.acquire();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->version(), 1u);
}

TEST(SnapshotPublisher, reader_keeps_its_snapshot_until_a_newer_one_is_published) {
    Ledger ledger(2);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    const Score* first = publisher.acquire();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(publisher.acquire(), first);
    EXPECT_EQ(publisher.acquire(), first);

    publisher.publish(score(2, ledger));
    EXPECT_EQ(publisher.current_for_writer()->version(), 2u);
    EXPECT_EQ(first->version(), 1u);  // still alive: the reader has not called acquire() again
    EXPECT_EQ(ledger.destroyed_count(1), 0);
    const Score* second = publisher.acquire();
    EXPECT_EQ(second->version(), 2u);
}

TEST(SnapshotPublisher, snapshots_superseded_before_the_reader_took_them_are_freed_by_publish) {
    Ledger ledger(3);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    publisher.publish(score(2, ledger));
    EXPECT_EQ(ledger.destroyed_count(1), 1);
    publisher.publish(score(3, ledger));
    EXPECT_EQ(ledger.destroyed_count(2), 1);
    EXPECT_EQ(publisher.acquire()->version(), 3u);
    EXPECT_EQ(ledger.destroyed_count(3), 0);
}

TEST(SnapshotPublisher, the_snapshot_switched_from_stays_readable_until_the_next_swap) {
    Ledger ledger(3);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    publisher.acquire();
    EXPECT_EQ(publisher.previous(), nullptr);
    publisher.publish(score(2, ledger));
    EXPECT_EQ(publisher.acquire()->version(), 2u);
    ASSERT_NE(publisher.previous(), nullptr);
    EXPECT_EQ(publisher.previous()->version(), 1u);  // the reader may still hand 1's state over
    EXPECT_EQ(publisher.collect_retired(), 0u);
    EXPECT_EQ(ledger.destroyed_count(1), 0);
}

TEST(SnapshotPublisher, snapshot_the_reader_moved_past_is_freed_by_the_writers_collect) {
    Ledger ledger(3);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    publisher.acquire();
    publisher.publish(score(2, ledger));
    publisher.acquire();
    publisher.publish(score(3, ledger));
    EXPECT_EQ(publisher.acquire()->version(), 3u);  // moves past 2, and past 1 for good: retired, not freed
    EXPECT_EQ(ledger.destroyed_count(1), 0);
    EXPECT_EQ(publisher.collect_retired(), 1u);
    EXPECT_EQ(ledger.destroyed_count(1), 1);
    EXPECT_EQ(ledger.destroyed_count(2), 0);
    EXPECT_EQ(publisher.collect_retired(), 0u);
}

TEST(SnapshotPublisher, publish_also_collects_what_the_reader_retired) {
    Ledger ledger(4);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    publisher.acquire();
    publisher.publish(score(2, ledger));
    publisher.acquire();
    publisher.publish(score(3, ledger));
    publisher.acquire();
    publisher.publish(score(4, ledger));
    EXPECT_EQ(ledger.destroyed_count(1), 1);
    EXPECT_EQ(ledger.destroyed_count(2), 0);  // the reader still holds 2 (previous) and 3 (current)
    EXPECT_EQ(ledger.destroyed_count(3), 0);
}

TEST(SnapshotPublisher, publishing_null_changes_nothing) {
    Ledger ledger(1);
    SnapshotPublisher<Score> publisher;
    publisher.publish(score(1, ledger));
    publisher.publish(nullptr);
    EXPECT_EQ(publisher.current_for_writer()->version(), 1u);
    EXPECT_EQ(publisher.acquire()->version(), 1u);
}

TEST(SnapshotPublisher, destruction_frees_pending_current_and_retired_snapshots_once_each) {
    Ledger ledger(3);
    {
        SnapshotPublisher<Score> publisher;
        publisher.publish(score(1, ledger));
        publisher.acquire();
        publisher.publish(score(2, ledger));
        publisher.acquire();                  // 1 previous, 2 current
        publisher.publish(score(3, ledger));  // 3 pending
        EXPECT_EQ(ledger.destroyed_count(1), 0);
        EXPECT_EQ(ledger.destroyed_count(2), 0);
        EXPECT_EQ(ledger.destroyed_count(3), 0);
    }
    for (std::uint64_t v = 1; v <= 3; ++v) EXPECT_EQ(ledger.destroyed_count(v), 1) << "version " << v;
}

// The stress test: a writer publishes `count` snapshots as fast as it can while the audio thread
// acquires one per "block" and holds it for the block. The reader checks every snapshot is whole,
// stays whole for the block, and that versions never go backwards; at the end every snapshot has
// been freed exactly once, and never on the reader's thread.
void run_publisher_stress(std::size_t retire_capacity) {
    const std::uint64_t count = 100'000;
    Ledger ledger(count);
    auto publisher = std::make_unique<SnapshotPublisher<Score>>(nullptr, retire_capacity);
    std::atomic<bool> reader_done{false};

    std::uint64_t blocks = 0;
    std::uint64_t distinct_seen = 0;
    std::uint64_t torn = 0;
    std::uint64_t went_backwards = 0;
    std::thread reader([&] {
        ledger.reader_thread.store(std::this_thread::get_id());
        RealtimeScope audio_thread;
        std::uint64_t last_version = 0;
        while (last_version != count) {
            const Score* s = publisher->acquire();
            ++blocks;
            if (s == nullptr) {
                back_off();
                continue;
            }
            if (s->version() < last_version) ++went_backwards;
            if (s->version() != last_version) ++distinct_seen;
            last_version = s->version();
            // "Render the block": look at the snapshot several times while the writer keeps going.
            for (int look = 0; look < 4; ++look) {
                if (!s->is_whole()) ++torn;
                if (look == 1) back_off();
            }
        }
        reader_done.store(true);
    });

    for (std::uint64_t v = 1; v <= count; ++v) publisher->publish(score(v, ledger));
    // Keep collecting while the reader catches up (it may be waiting for room in the retire queue).
    while (!reader_done.load()) {
        publisher->collect_retired();
        back_off();
    }
    reader.join();
    const std::uint64_t deferred = publisher->deferred_swaps();
    publisher.reset();

    EXPECT_EQ(torn, 0u);
    EXPECT_EQ(went_backwards, 0u);
    EXPECT_GT(distinct_seen, 0u);
    EXPECT_EQ(ledger.constructed.load(), static_cast<int>(count));
    std::uint64_t not_freed_once = 0;
    for (std::uint64_t v = 1; v <= count; ++v) {
        if (ledger.destroyed_count(v) != 1) ++not_freed_once;
    }
    EXPECT_EQ(not_freed_once, 0u);
    EXPECT_EQ(ledger.destroyed_on_reader_thread.load(), 0);
    ::testing::Test::RecordProperty("blocks", static_cast<int>(blocks));
    ::testing::Test::RecordProperty("distinct_snapshots_seen", static_cast<int>(distinct_seen));
    ::testing::Test::RecordProperty("deferred_swaps", static_cast<int>(deferred));
}

TEST(SnapshotPublisher,
     stress_100k_publishes_reader_sees_whole_snapshots_in_order_each_freed_once_off_reader) {
    run_publisher_stress(SnapshotPublisher<Score>::kDefaultRetireCapacity);
}

TEST(SnapshotPublisher, stress_with_a_retire_queue_of_one_reader_waits_for_room_without_leaking) {
    run_publisher_stress(1);
}

}  // namespace
}  // namespace tactus
