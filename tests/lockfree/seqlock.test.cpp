// SeqLock: the engine's status board. The audio thread stores whole reports; readers on other threads
// always get one whole report (never half of one and half of the next), and never hold the writer up.

#include "engine/lockfree/seqlock.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"

namespace tactus {
namespace {

// What the engine reports to the GUI (timing.md, "What the GUI sees").
struct PositionReport {
    std::int64_t frame = 0;
    std::int64_t host_time_ns = 0;
    double beat = 0.0;
    double tempo_bpm = 120.0;
    bool playing = false;
    std::array<float, 2> levels{};
};

TEST(SeqLock, load_returns_the_initial_value_before_any_store) {
    SeqLock<PositionReport> board(PositionReport{.frame = 5, .tempo_bpm = 90.0});
    const PositionReport report = board.load();
    EXPECT_EQ(report.frame, 5);
    EXPECT_EQ(report.tempo_bpm, 90.0);
    EXPECT_FALSE(report.playing);
    EXPECT_EQ(board.version(), 0u);
}

TEST(SeqLock, load_returns_the_last_report_stored) {
    SeqLock<PositionReport> board;
    board.store({.frame = 48'000, .host_time_ns = 1'000'000'000, .beat = 2.0, .playing = true});
    board.store({.frame = 96'000,
                 .host_time_ns = 2'000'000'000,
                 .beat = 4.0,
                 .tempo_bpm = 120.0,
                 .playing = true,
                 .levels = {0.5f, 0.25f}});
    const PositionReport report = board.load();
    EXPECT_EQ(report.frame, 96'000);
    EXPECT_EQ(report.host_time_ns, 2'000'000'000);
    EXPECT_EQ(report.beat, 4.0);
    EXPECT_TRUE(report.playing);
    EXPECT_EQ(report.levels[0], 0.5f);
    EXPECT_EQ(report.levels[1], 0.25f);
    EXPECT_EQ(board.version(), 2u);
}

TEST(SeqLock, try_load_succeeds_when_no_store_is_in_progress) {
    SeqLock<std::int64_t> board(7);
    std::int64_t got = 0;
    ASSERT_TRUE(board.try_load(got));
    EXPECT_EQ(got, 7);
}

TEST(SeqLock, a_value_whose_size_is_not_a_multiple_of_eight_round_trips) {
    struct Odd {
        std::array<char, 13> name;
    };
    SeqLock<Odd> board(Odd{{'t', 'a', 'c', 't', 'u', 's'}});
    EXPECT_EQ(std::string(board.load().name.data()), "tactus");
    board.store(Odd{{'c', 'l', 'i', 'c', 'k', ' ', 'p', 'r', 'e', 's', 'e', 't'}});
    EXPECT_EQ(std::string(board.load().name.data()), "click preset");
}

// Eight fields that the writer always sets to the same counter: a torn read shows up as fields
// that differ.
struct Board {
    std::array<std::uint64_t, 8> fields;
    bool is_whole() const {
        for (std::uint64_t f : fields) {
            if (f != fields[0]) return false;
        }
        return true;
    }
};

TEST(SeqLock, readers_never_see_a_torn_value_or_time_going_backwards) {
    constexpr std::uint64_t kStores = 1'000'000;
    constexpr int kReaders = 3;
    SeqLock<Board> board(Board{});
    std::atomic<bool> writer_done{false};

    struct ReaderResult {
        std::uint64_t loads = 0;
        std::uint64_t torn = 0;
        std::uint64_t backwards = 0;
    };
    std::vector<ReaderResult> results(kReaders);
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
        readers.emplace_back([&board, &writer_done, &result = results[r]] {
            std::uint64_t last = 0;
            bool last_round = false;
            while (!last_round) {
                last_round = writer_done.load();  // one more load after the writer finished
                const Board seen = board.load();
                ++result.loads;
                if (!seen.is_whole()) ++result.torn;
                if (seen.fields[0] < last) ++result.backwards;
                last = seen.fields[0];
            }
        });
    }

    {
        RealtimeScope audio_thread;
        Board next{};
        for (std::uint64_t i = 1; i <= kStores; ++i) {
            next.fields.fill(i);
            board.store(next);
        }
    }
    writer_done.store(true);
    for (auto& t : readers) t.join();

    for (int r = 0; r < kReaders; ++r) {
        EXPECT_EQ(results[r].torn, 0u) << "reader " << r;
        EXPECT_EQ(results[r].backwards, 0u) << "reader " << r;
        EXPECT_GT(results[r].loads, 0u) << "reader " << r;
    }
    EXPECT_EQ(board.load().fields[0], kStores);
    EXPECT_EQ(board.version(), kStores);
}

}  // namespace
}  // namespace tactus
