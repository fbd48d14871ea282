#include "engine/soundfont/default_modulators.h"

namespace tactus::sf2 {

namespace {

// sfModSrcOper bits (spec 8.2.1): index 0-6, CC flag 7, direction 8 (1: max to min), polarity 9
// (1: bipolar), curve type 10-15 (0 linear, 1 concave, 2 convex, 3 switch).
constexpr std::uint16_t kCc = 0x0080, kNegative = 0x0100, kBipolar = 0x0200;
constexpr std::uint16_t kConcave = 1U << 10, kSwitch = 3U << 10;

constexpr std::uint16_t cc(unsigned number) {
    return static_cast<std::uint16_t>(kCc | number);
}

constexpr std::array<Modulator, kDefaultModulatorCount> kDefaults{{
    // 8.4.1 velocity -> initial attenuation, 960 cB, concave, decreasing.
    {NoteOnVelocity | kNegative | kConcave, InitialAttenuation, 960, 0, 0},
    // 8.4.2 velocity -> filter cutoff -2400 cents, linear decreasing, scaled by velocity as a switch.
    // FluidSynth's secondary source is the *positive* switch (0x0C02; the spec's and libinstpatch's
    // is negative, 0x0D02): a font that overrides this modulator must name it the way FluidSynth
    // does for the override to take.
    {NoteOnVelocity | kNegative, InitialFilterFc, -2400, NoteOnVelocity | kSwitch, 0},
    // 8.4.3 channel pressure -> vibrato LFO pitch depth, 50 cents.
    {ChannelPressure, VibLfoToPitch, 50, 0, 0},
    // 8.4.4 CC1 (modulation wheel) -> vibrato LFO pitch depth, 50 cents.
    {cc(1), VibLfoToPitch, 50, 0, 0},
    // 8.4.5 CC7 (volume) -> initial attenuation, 960 cB, concave, decreasing.
    {static_cast<std::uint16_t>(cc(7) | kNegative | kConcave), InitialAttenuation, 960, 0, 0},
    // 8.4.6 CC10 (pan) -> pan, bipolar, 500 (FluidSynth's reading of the spec's 1000).
    {static_cast<std::uint16_t>(cc(10) | kBipolar), Pan, 500, 0, 0},
    // 8.4.7 CC11 (expression) -> initial attenuation, 960 cB, concave, decreasing.
    {static_cast<std::uint16_t>(cc(11) | kNegative | kConcave), InitialAttenuation, 960, 0, 0},
    // 8.4.8 CC91 -> reverb send, 200 tenths of a percent.
    {cc(91), ReverbEffectsSend, 200, 0, 0},
    // 8.4.9 CC93 -> chorus send, 200 tenths of a percent.
    {cc(93), ChorusEffectsSend, 200, 0, 0},
    // 8.4.10 pitch wheel (bipolar) x pitch wheel sensitivity -> initial pitch, 12700 cents.
    {PitchWheel | kBipolar, Pitch, 12700, PitchWheelSensitivity, 0},
}};

}  // namespace

const std::array<Modulator, kDefaultModulatorCount>& default_modulators() {
    return kDefaults;
}

}  // namespace tactus::sf2
