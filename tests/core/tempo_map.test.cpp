#include "core/tempo_map.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

// Positions round-trip (issue 12: /locate/beat 16 reported 15.99998544): a beat on a musical grid
// maps to a frame and back to exactly itself, at every rate and through tempo ramps.
TEST(TempoMap, a_grid_beat_maps_to_a_frame_and_back_to_exactly_itself) {
    const std::vector<TempoMap> maps = {
        TempoMap(120.0), TempoMap(97.0), TempoMap(133.7), TempoMap(1000.0),
        tempo_map({{0, 90, false}, {4, 90, true}, {12, 170, false}, {20, 61.3, true}, {23, 200, false}})};
    std::vector<double> beats = {0.0,      1.0,  16.0,  16.5, 1.0 / 3, 4.0 / 3,        17.25,
                                 38.0 / 3, 16.1, 100.2, -4.0, -1.5,    57601.0 / 3840, 19.0 + 7.0 / 128};
    for (int k = 0; k < 400; ++k) beats.push_back((k * 7919 % 115200) / 3840.0);  // 1/3840 steps up to 30
    for (const double rate : {44100.0, 48000.0, 96000.0, 22050.0}) {
        for (std::size_t m = 0; m < maps.size(); ++m) {
            const TempoMap& map = maps[m];
            for (const double beat : beats) {
                const Frame frame = map.frame_at_beat(beat, rate);
                const double back = map.beat_at_frame(frame, rate);
                // Where 1/3840 beat is under a frame (1000 bpm), several grid beats share a frame:
                // then the coarsest of them is reported, and it must at least name the same frame.
                const double frames_per_step = rate * 60.0 / map.bpm_at(beat) / 3840.0;
                if (frames_per_step >= 1.0 || std::round(beat * 384) == beat * 384) {
                    EXPECT_EQ(back, beat) << "map " << m << ", rate " << rate << ", frame " << frame;
                }
                EXPECT_EQ(map.frame_at_beat(back, rate), frame) << "map " << m << ", beat " << beat;
            }
        }
    }
}

// Any frame maps to a beat whose frame is that frame again, within half a frame of the continuous
// inverse; off the grid it is the continuous inverse itself.
TEST(TempoMap, every_frame_maps_to_a_beat_whose_frame_is_that_frame) {
    const TempoMap map = tempo_map({{0, 97, false}, {8, 97, true}, {16, 181, false}});
    for (const double rate : {44100.0, 48000.0}) {
        for (Frame frame = -30'000; frame < 600'000; frame += 997) {
            const double beat = map.beat_at_frame(frame, rate);
            EXPECT_EQ(map.frame_at_beat(beat, rate), frame) << "rate " << rate;
            const double continuous = map.beat_at(double(frame) / rate);
            EXPECT_LE(std::abs(beat - continuous), 0.51 * map.bpm_at(beat) / 60.0 / rate)
                << "frame " << frame;
        }
    }
    EXPECT_EQ(map.beat_at_frame(map.frame_at_beat(16.0001, 48000), 48000),
              map.beat_at(double(map.frame_at_beat(16.0001, 48000)) / 48000))
        << "a beat off every grid reads as the continuous inverse";
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
