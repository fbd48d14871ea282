// Modulator evaluation (engine/soundfont/modulator_eval.h) as FluidSynth 2.3's fluid_mod.c computes it:
// sources over 128 steps (the pitch wheel over 16384), the curves, polarity and direction, the amount
// source, the modulators FluidSynth refuses.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/soundfont/modulator_eval.h"
#include "engine/soundfont/sf2_units.h"

namespace tactus::sf2 {
namespace {

constexpr NoteSources kNote{60, 100, 60};

double value(std::uint16_t source, std::uint16_t dest, std::int16_t amount, const ChannelState& channel,
             std::uint16_t amount_source = 0, NoteSources note = kNote) {
    return modulator_value(Modulator{source, dest, amount, amount_source, 0}, channel, note);
}

TEST(SoundFontModulators, CurvesHaveFluidSynthsShape) {
    EXPECT_EQ(concave(0.0), 0.0);
    EXPECT_EQ(concave(127.0), 1.0);
    EXPECT_EQ(convex(0.0), 0.0);
    EXPECT_EQ(convex(127.0), 1.0);
    // concave(127 - i) = -(400/960) log10(i/127): half way it is 0.125, convex there 1 - that.
    EXPECT_NEAR(concave(63.5), -(400.0 / 960.0) * std::log10(63.5 / 127.0), 0.002);
    EXPECT_NEAR(convex(63.5), 1.0 + (400.0 / 960.0) * std::log10(63.5 / 127.0), 0.002);
    EXPECT_LT(concave(32.0), 32.0 / 127.0);
    EXPECT_GT(convex(32.0), 32.0 / 127.0);
}

TEST(SoundFontModulators, DefaultVolumeAndExpressionAttenuate) {
    ChannelState channel;  // CC7 100, CC11 127
    // CC7 (concave, negative, unipolar) -> attenuation 960: 960 * concave(127 * (1 - 100/128)).
    EXPECT_NEAR(value(0x0587, InitialAttenuation, 960, channel),
                960.0 * concave(127.0 * (1.0 - 100.0 / 128.0)), 1e-9);
    // CC11 at 127 stops 1/128 short of the curve's end: 1.4 cB (the curve interpolated between its
    // points, as FluidSynth 2.3's fluid_concave; the comparison with libfluidsynth agrees to 0.01 dB).
    EXPECT_NEAR(value(0x058B, InitialAttenuation, 960, channel), 960.0 * concave(127.0 / 128.0), 1e-9);
    EXPECT_NEAR(value(0x058B, InitialAttenuation, 960, channel), 1.36, 0.01);
    channel.cc[11] = 0;
    EXPECT_NEAR(value(0x058B, InitialAttenuation, 960, channel), 960.0, 1e-9);
}

TEST(SoundFontModulators, BipolarPanAndSwitches) {
    ChannelState channel;
    EXPECT_NEAR(value(0x028A, Pan, 500, channel), 0.0, 1e-9);  // CC10 64: centre
    channel.cc[10] = 0;
    EXPECT_NEAR(value(0x028A, Pan, 500, channel), -500.0, 1e-9);
    channel.cc[10] = 127;
    EXPECT_NEAR(value(0x028A, Pan, 500, channel), 500.0 * (2.0 * 127.0 / 128.0 - 1.0), 1e-9);
    // Negative bipolar linear runs the other way.
    EXPECT_NEAR(value(0x038A, Pan, 500, channel), -500.0 * (2.0 * 127.0 / 128.0 - 1.0), 1e-9);
    // A unipolar switch on velocity: 0 below 64, 1 from 64.
    ChannelState c;
    EXPECT_EQ(value(0x0C02, InitialAttenuation, 100, c, 0, {60, 63, 60}), 0.0);
    EXPECT_EQ(value(0x0C02, InitialAttenuation, 100, c, 0, {60, 64, 60}), 100.0);
    // A bipolar negative switch: +1 below the middle, -1 from it.
    EXPECT_EQ(value(0x0F02, InitialAttenuation, 100, c, 0, {60, 10, 60}), 100.0);
    EXPECT_EQ(value(0x0F02, InitialAttenuation, 100, c, 0, {60, 100, 60}), -100.0);
}

TEST(SoundFontModulators, AmountSourceAndAbsoluteTransform) {
    ChannelState channel;
    channel.pitch_wheel = 0;
    channel.pitch_wheel_sensitivity = 12;
    // Pitch wheel x sensitivity (over 128 steps, as FluidSynth 2.3): 12 semitones is 1190.6 cents.
    const double bend = value(0x020E, Pitch, 12700, channel, 0x0010);
    EXPECT_NEAR(bend, -12700.0 * 12.0 / 128.0, 1e-9);
    const Modulator absolute{0x020E, Pitch, 12700, 0x0010, 2};
    EXPECT_NEAR(modulator_value(absolute, channel, kNote), 12700.0 * 12.0 / 128.0, 1e-9);
    // Poly pressure reads the played key.
    channel.key_pressure[61] = 64;
    EXPECT_NEAR(value(0x000A, VibLfoToPitch, 100, channel, 0, {60, 100, 61}), 50.0, 1e-9);
    EXPECT_EQ(value(0x000A, VibLfoToPitch, 100, channel, 0, {61, 100, 60}), 0.0);
}

TEST(SoundFontModulators, WhatFluidSynthRefusesGivesNothing) {
    ChannelState channel;
    // FluidSynth 2.x's default velocity -> cutoff modulator is switched off, whatever its amount.
    EXPECT_FALSE(modulator_is_usable(Modulator{0x0102, InitialFilterFc, -2400, 0x0C02, 0}));
    // The same sources with another amount source, or another destination, are a font's own: usable.
    EXPECT_TRUE(modulator_is_usable(Modulator{0x0102, InitialFilterFc, -2400, 0x0D02, 0}));
    EXPECT_FALSE(modulator_is_usable(Modulator{0x0000, Pan, 100, 0, 0}));          // no controller
    EXPECT_FALSE(modulator_is_usable(Modulator{0x0086, Pan, 100, 0, 0}));          // CC6, data entry
    EXPECT_FALSE(modulator_is_usable(Modulator{0x00E5, Pan, 100, 0, 0}));          // CC101, RPN
    EXPECT_FALSE(modulator_is_usable(Modulator{0x007F, Pan, 100, 0, 0}));          // a link source
    EXPECT_FALSE(modulator_is_usable(Modulator{0x0081, 0x8001, 100, 0, 0}));       // a link destination
    EXPECT_FALSE(modulator_is_usable(Modulator{0x1081, Pan, 100, 0, 0}));          // curve type 4
    EXPECT_TRUE(modulator_is_usable(Modulator{0x0081, VibLfoToPitch, 50, 0, 0}));  // CC1
}

TEST(SoundFontModulators, WhatTheChannelCanStillChange) {
    const Modulator cc7{0x0587, InitialAttenuation, 960, 0, 0};
    EXPECT_TRUE(modulator_reads_channel(cc7));
    EXPECT_FALSE(modulator_reads_channel(Modulator{0x0502, InitialAttenuation, 960, 0, 0}));  // velocity
    // A unipolar positive modulator can fall to 0; a bipolar one to -|amount|.
    EXPECT_EQ(modulator_lowest_value(cc7, 43.0), 0.0);
    EXPECT_EQ(modulator_lowest_value(Modulator{0x028A, Pan, 500, 0, 0}, 10.0), -500.0);
    EXPECT_EQ(modulator_lowest_value(cc7, -5.0), -5.0);
}

}  // namespace
}  // namespace tactus::sf2
