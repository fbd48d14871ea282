// The SoundFont 2.01 vocabulary the reader, the zone selection and the voice share: generator numbers
// (spec section 8.1.2), modulator records (8.2) and the controller sources a modulator reads.
// Plain constants and values: any thread.
#pragma once

#include <array>
#include <cstdint>

namespace tactus::sf2 {

// Generator numbers exactly as the file stores them (sfGenOper).
enum Gen : std::uint16_t {
    StartAddrsOffset = 0,
    EndAddrsOffset = 1,
    StartloopAddrsOffset = 2,
    EndloopAddrsOffset = 3,
    StartAddrsCoarseOffset = 4,
    ModLfoToPitch = 5,
    VibLfoToPitch = 6,
    ModEnvToPitch = 7,
    InitialFilterFc = 8,
    InitialFilterQ = 9,
    ModLfoToFilterFc = 10,
    ModEnvToFilterFc = 11,
    EndAddrsCoarseOffset = 12,
    ModLfoToVolume = 13,
    ChorusEffectsSend = 15,
    ReverbEffectsSend = 16,
    Pan = 17,
    DelayModLfo = 21,
    FreqModLfo = 22,
    DelayVibLfo = 23,
    FreqVibLfo = 24,
    DelayModEnv = 25,
    AttackModEnv = 26,
    HoldModEnv = 27,
    DecayModEnv = 28,
    SustainModEnv = 29,
    ReleaseModEnv = 30,
    KeynumToModEnvHold = 31,
    KeynumToModEnvDecay = 32,
    DelayVolEnv = 33,
    AttackVolEnv = 34,
    HoldVolEnv = 35,
    DecayVolEnv = 36,
    SustainVolEnv = 37,
    ReleaseVolEnv = 38,
    KeynumToVolEnvHold = 39,
    KeynumToVolEnvDecay = 40,
    InstrumentId = 41,  // (the spec's "instrument"; named so beside struct Instrument)
    KeyRange = 43,
    VelRange = 44,
    StartloopAddrsCoarseOffset = 45,
    Keynum = 46,
    Velocity = 47,
    InitialAttenuation = 48,
    EndloopAddrsCoarseOffset = 50,
    CoarseTune = 51,
    FineTune = 52,
    SampleId = 53,
    SampleModes = 54,
    ScaleTuning = 56,
    ExclusiveClass = 57,
    OverridingRootKey = 58,
    // Not a file generator (the spec's "unused5"): the destination "initial pitch" of the default
    // pitch-wheel modulator, in cents, as FluidSynth numbers it.
    Pitch = 59,
    EndOper = 60,
};
inline constexpr int kGenCount = 61;

// Generators only an instrument zone may give (spec 8.1.3, 8.5): sample addresses and modes, key and
// velocity overrides, exclusive class, root key, sample. A preset zone that gives one is ignored.
constexpr bool instrument_only(unsigned g) {
    switch (g) {
        case StartAddrsOffset:
        case EndAddrsOffset:
        case StartloopAddrsOffset:
        case EndloopAddrsOffset:
        case StartAddrsCoarseOffset:
        case EndAddrsCoarseOffset:
        case StartloopAddrsCoarseOffset:
        case EndloopAddrsCoarseOffset:
        case Keynum:
        case Velocity:
        case SampleModes:
        case ExclusiveClass:
        case OverridingRootKey:
        case SampleId:
            return true;
        default:
            return false;
    }
}

// sfModulator as stored (pmod/imod records, 10 bytes each).
struct Modulator {
    std::uint16_t source = 0;         // sfModSrcOper: controller, direction, polarity, curve type
    std::uint16_t destination = 0;    // a generator number (or, unsupported, a link to another modulator)
    std::int16_t amount = 0;          // in the destination's units
    std::uint16_t amount_source = 0;  // scales `amount` (0: no controller, 1.0)
    std::uint16_t transform = 0;      // 0 linear, 2 absolute value

    // The spec's "identical": same sources, destination and transform (the amount may differ), so a
    // later one replaces (instrument level) or adds to (preset level) an earlier one.
    bool identical(const Modulator& o) const {
        return source == o.source && destination == o.destination && amount_source == o.amount_source &&
               transform == o.transform;
    }
    friend bool operator==(const Modulator&, const Modulator&) = default;
};

// Controller sources (low 7 bits of sfModSrcOper with the CC flag clear), spec 8.2.1.
enum GeneralController : std::uint16_t {
    NoController = 0,
    NoteOnVelocity = 2,
    NoteOnKeyNumber = 3,
    PolyPressure = 10,
    ChannelPressure = 13,
    PitchWheel = 14,
    PitchWheelSensitivity = 16,
    Link = 127,
};

}  // namespace tactus::sf2
