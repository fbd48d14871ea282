// How a test through JACK takes more data when xruns leave too little to judge (issue 12: tests that
// hold on a busy machine). A test runs rounds; after each it says how many units (notes, frames,
// pulses...) it could judge and how many were lost to xruns. It runs another round while it has judged
// too few and the bound allows. Afterwards:
//   * every judged unit must have been right (the test asserts that itself, round by round);
//   * if nothing at all could be judged, the result is inconclusive, never a silent pass: the test
//     prints "inconclusive: N rounds lost to xruns" and skips (TACTUS_SKIP_IF_NOTHING_JUDGED).
// Every test reports "rounds" and "rounds_repeated" (also as test properties), so that how often a
// test needed more data can be counted from ctest's output.
//
// Threading: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace tactus::test {

class JudgedRounds {
public:
    // `what` names the unit ("notes", "frames"); `wanted`: judged units that are enough; `max_rounds`:
    // the bound on rounds.
    JudgedRounds(std::string what, std::int64_t wanted, int max_rounds)
        : what_(std::move(what)), wanted_(wanted), max_rounds_(max_rounds) {}

    // Whether to run a(nother) round: none yet, or too few judged and the bound not reached. A test
    // that already failed stops taking data.
    bool another() const {
        if (rounds_ == 0) return true;
        if (::testing::Test::HasFailure()) return false;
        return judged_ < wanted_ && rounds_ < max_rounds_;
    }

    // One round done: what it judged and what it lost to xruns.
    void add_round(std::int64_t judged, std::int64_t lost) {
        ++rounds_;
        judged_ += judged;
        lost_ += lost;
        if (judged == 0) ++rounds_without_judgement_;
        std::printf(
            "[ note     ] round %d: %lld %s judged, %lld lost to xruns (%lld of %lld wanted so far)\n",
            rounds_, static_cast<long long>(judged), what_.c_str(), static_cast<long long>(lost),
            static_cast<long long>(judged_), static_cast<long long>(wanted_));
        std::fflush(stdout);
    }
    // When what is enough is known only once a round has begun (e.g. notes after a chosen point).
    void set_wanted(std::int64_t wanted) { wanted_ = wanted; }
    // A test that judges a union (e.g. score frames covered by any round) sets the total itself.
    void set_judged_total(std::int64_t judged) { judged_ = judged; }

    int rounds() const { return rounds_; }
    std::int64_t judged() const { return judged_; }
    std::int64_t lost() const { return lost_; }
    bool nothing_judged() const { return judged_ == 0; }

    std::string inconclusive_message() const {
        return "inconclusive: " + std::to_string(rounds_) + " rounds lost to xruns (no " + what_ +
               " could be judged; " + std::to_string(lost_) + " lost); a test fails only on a wrong result";
    }

    // "rounds" and "rounds_repeated" as test properties and log lines; says when the bound was reached
    // with less than wanted (a pass on what could be judged).
    void report() const {
        ::testing::Test::RecordProperty("rounds", rounds_);
        ::testing::Test::RecordProperty("rounds_repeated", rounds_ - 1);
        std::printf("[ note     ] rounds: %d (repeated: %d), %s judged: %lld, lost to xruns: %lld\n", rounds_,
                    rounds_ - 1, what_.c_str(), static_cast<long long>(judged_),
                    static_cast<long long>(lost_));
        if (judged_ > 0 && judged_ < wanted_)
            std::printf(
                "[ note     ] bound of %d rounds reached with %lld of %lld %s judged: judged on those\n",
                max_rounds_, static_cast<long long>(judged_), static_cast<long long>(wanted_), what_.c_str());
        std::fflush(stdout);
    }

private:
    std::string what_;
    std::int64_t wanted_;
    int max_rounds_;
    int rounds_ = 0;
    int rounds_without_judgement_ = 0;
    std::int64_t judged_ = 0, lost_ = 0;
};

}  // namespace tactus::test

// Ends the test as skipped, with the reason printed, when no round could judge anything (after
// rounds.report()). A macro: GTEST_SKIP returns from the test body.
#define TACTUS_SKIP_IF_NOTHING_JUDGED(rounds)                             \
    do {                                                                  \
        (rounds).report();                                                \
        if ((rounds).nothing_judged()) {                                  \
            std::printf("%s\n", (rounds).inconclusive_message().c_str()); \
            GTEST_SKIP() << (rounds).inconclusive_message();              \
        }                                                                 \
    } while (0)
