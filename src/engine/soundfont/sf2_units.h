// SoundFont units as FluidSynth 2.3 converts them (src/utils/fluid_conv.c): timecents to seconds,
// absolute cents to Hz, centibels of attenuation to gain, and the concave/convex curves of the
// modulator sources and the modulation envelope's attack.
// Pure functions: any thread.
#pragma once

#include <cmath>

namespace tactus::sf2 {

// The volume envelope spans 96 dB (FluidSynth's FLUID_PEAK_ATTENUATION), not the spec's 100 dB.
inline constexpr double kPeakAttenuationCb = 960.0;
// FluidSynth's default synth.gain: every voice is scaled by it, so a note is as loud as FluidSynth's.
inline constexpr double kSynthGain = 0.2;
// A voice whose envelope can no longer lift it above this (FluidSynth's FLUID_NOISE_FLOOR, divided by
// the synth gain as FluidSynth does) ends.
inline constexpr double kNoiseFloor = 0.00003 / kSynthGain;
// FluidSynth's synth.min-note-length: a note-off sooner than this after the start waits until then.
inline constexpr double kMinNoteSeconds = 0.010;
// FluidSynth applies this factor to the initialAttenuation generator of every zone, as the EMU
// hardware does (fluid_defsfont.c, EMU_ATTENUATION_FACTOR).
inline constexpr double kEmuAttenuationFactor = 0.4;

inline double timecents_to_seconds(double tc) {
    return std::exp2(tc / 1200.0);
}

// fluid_tc2sec_delay / _attack / _release: the most negative value means 0, then clamped.
inline double timecents_to_seconds_clamped(double tc, double max_tc) {
    if (tc <= -32768.0) return 0.0;
    if (tc < -12000.0) tc = -12000.0;
    if (tc > max_tc) tc = max_tc;
    return timecents_to_seconds(tc);
}

// Absolute cents (8.176 Hz at 0, MIDI key * 100 in equal temperament) to Hz: fluid_act2hz.
inline double absolute_cents_to_hz(double cents) {
    return 8.176 * std::exp2(cents / 1200.0);
}

// fluid_ct2hz: the filter cutoff, clamped to 20 Hz .. 20 kHz (1500 .. 13500 cents).
inline double filter_cents_to_hz(double cents) {
    if (cents >= 13500.0) cents = 13500.0;
    if (cents < 1500.0) cents = 1500.0;
    return absolute_cents_to_hz(cents);
}

// fluid_cb2amp: attenuation in centibels (never a boost: negative is 0 dB) to gain; 144 dB and more
// is silence. Whole centibels, as FluidSynth's table lookup truncates them.
inline double centibels_to_gain(double cb) {
    if (cb < 0.0) return 1.0;
    if (cb >= 1441.0) return 0.0;
    return std::pow(10.0, std::floor(cb) / -200.0);
}

// FluidSynth's concave curve over 0..127 (fluid_concave: its 128-entry table, linearly interpolated):
// concave(127 - i) = -(400/960) log10(i / 127), 0 at 0 and 1 at 127.
inline double concave_point(int i) {
    if (i <= 0) return 0.0;
    if (i >= 127) return 1.0;
    return (-2.0 * 200.0 / kPeakAttenuationCb) * std::log10((127.0 - i) / 127.0);
}
inline double convex_point(int i) {
    if (i <= 0) return 0.0;
    if (i >= 127) return 1.0;
    return 1.0 - (-2.0 * 200.0 / kPeakAttenuationCb) * std::log10(i / 127.0);
}
inline double concave(double x) {
    if (x < 0.0) return 0.0;
    const int i = static_cast<int>(x);
    if (i >= 127) return 1.0;
    const double a = concave_point(i);
    return a + (concave_point(i + 1) - a) * (x - i);
}
inline double convex(double x) {
    if (x < 0.0) return 0.0;
    const int i = static_cast<int>(x);
    if (i >= 127) return 1.0;
    const double a = convex_point(i);
    return a + (convex_point(i + 1) - a) * (x - i);
}

// fluid_pan: FluidSynth's sine pan law over -500..500 (tenths of a percent), on its 1002-entry table.
// `pan` is the generator value; the left channel takes pan_gain(-pan).
inline double pan_gain(double pan) {
    if (pan <= -500.0) return 0.0;
    if (pan >= 500.0) return 1.0;
    const int i = static_cast<int>(pan + 500.0);
    return std::sin(i * (M_PI / 2.0 / 1001.0));
}

}  // namespace tactus::sf2
