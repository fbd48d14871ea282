#include "core/tempo_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/reference_timing.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using test::tempo_map;
using ::testing::HasSubstr;

TEST(TempoMap, constant_tempo_gives_sixty_over_bpm_seconds_per_beat) {
    const TempoMap map(120.0);
    EXPECT_DOUBLE_EQ(map.seconds_at(4.0), 2.0);
    EXPECT_DOUBLE_EQ(map.beat_at(2.0), 4.0);
    EXPECT_DOUBLE_EQ(map.bpm_at(100.0), 120.0);
}

TEST(TempoMap, ramp_follows_the_logarithmic_formula_of_timing_md) {
    const TempoMap map = tempo_map({{0, 120, false}, {8, 60, true}, {16, 120, false}});
    const test::ReferenceTiming ref({{0, 120, false}, {8, 60, true}, {16, 120, false}});
    for (double beat = 0; beat <= 24; beat += 0.25)
        EXPECT_NEAR(map.seconds_at(beat), static_cast<double>(ref.seconds_at(beat)), 1e-12)
            << "beat " << beat;
    // Inside the ramp the tempo moves linearly with beats.
    EXPECT_DOUBLE_EQ(map.bpm_at(12.0), 90.0);
    EXPECT_DOUBLE_EQ(map.bpm_at(16.0), 120.0);
}

TEST(TempoMap, beat_at_inverts_seconds_at_across_segments_and_ramps) {
    const TempoMap map =
        tempo_map({{0, 90, false}, {4, 90, true}, {12, 170, false}, {20, 60, true}, {21, 61, false}});
    for (double beat = 0; beat < 30; beat += 0.1) EXPECT_NEAR(map.beat_at(map.seconds_at(beat)), beat, 1e-9);
}

TEST(TempoMap, before_beat_zero_the_first_tempo_extends_backwards) {
    const TempoMap map = tempo_map({{0, 120, true}, {4, 60, false}});
    EXPECT_DOUBLE_EQ(map.seconds_at(-2.0), -1.0);
    EXPECT_DOUBLE_EQ(map.beat_at(-1.0), -2.0);
}

TEST(TempoMap, refuses_invalid_points_with_a_message_naming_the_point) {
    std::string error;
    EXPECT_FALSE(TempoMap::from_points({}, &error));
    EXPECT_THAT(error, HasSubstr("empty"));
    EXPECT_FALSE(TempoMap::from_points({{1, 120, false}}, &error));
    EXPECT_THAT(error, HasSubstr("tempo point 0: the first tempo point must be at beat 0"));
    EXPECT_FALSE(TempoMap::from_points({{0, 120, false}, {0, 100, false}}, &error));
    EXPECT_THAT(error, HasSubstr("tempo point 1: beats must increase"));
    EXPECT_FALSE(TempoMap::from_points({{0, 0, false}}, &error));
    EXPECT_THAT(error, HasSubstr("bpm 0.000000 is outside 1..1000"));
    EXPECT_FALSE(TempoMap::from_points({{0, 1e9, false}}, &error));
    EXPECT_THAT(error, HasSubstr("outside 1..1000"));
    EXPECT_FALSE(TempoMap::from_points({{0, std::nan(""), false}}, &error));
    EXPECT_THAT(error, HasSubstr("bpm is not a finite number"));
    EXPECT_FALSE(TempoMap::from_points({{0, 120, true}}, &error));
    EXPECT_THAT(error, HasSubstr("the last point cannot ramp"));
}

}  // namespace
}  // namespace tactus
