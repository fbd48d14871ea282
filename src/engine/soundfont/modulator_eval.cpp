#include "engine/soundfont/modulator_eval.h"

#include <cmath>

#include "engine/soundfont/sf2_units.h"

namespace tactus::sf2 {

namespace {

constexpr std::uint16_t kIndexMask = 0x7F;
constexpr std::uint16_t kCcFlag = 0x80;
constexpr std::uint16_t kNegative = 0x100;
constexpr std::uint16_t kBipolar = 0x200;
constexpr int kCurveShift = 10;
enum Curve { Linear = 0, Concave = 1, Convex = 2, Switch = 3 };

// FluidSynth's default velocity-to-filter modulator (source velocity linear unipolar negative, amount
// source velocity switch unipolar positive, destination fc): fluid_mod_get_value returns 0 for it
// (S. Christian Collins' change, FluidSynth 2.0 onwards), whatever its amount.
bool is_fluid_vel_to_filter(const Modulator& m) {
    return m.source == 0x0102 && m.amount_source == 0x0C02 && m.destination == InitialFilterFc;
}

// Controller numbers the spec (8.2.1) does not allow as sources: FluidSynth drops such modulators.
bool cc_source_is_valid(int cc) {
    return cc != 0 && cc != 6 && cc != 32 && cc != 38 && (cc < 98 || cc > 101) && cc < 120;
}

bool source_is_valid(std::uint16_t source) {
    const int index = source & kIndexMask;
    if ((source >> kCurveShift) > Switch) return false;
    if (source & kCcFlag) return cc_source_is_valid(index);
    switch (index) {
        case NoController:
        case NoteOnVelocity:
        case NoteOnKeyNumber:
        case PolyPressure:
        case ChannelPressure:
        case PitchWheel:
        case PitchWheelSensitivity:
            return true;
        default:
            return false;
    }
}

bool source_reads_channel(std::uint16_t source) {
    const int index = source & kIndexMask;
    if (source & kCcFlag) return index != 0;
    return index == PolyPressure || index == ChannelPressure || index == PitchWheel ||
           index == PitchWheelSensitivity;
}

// The source's raw value and its range (fluid_mod_get_source_value).
double source_raw(std::uint16_t source, const ChannelState& channel, NoteSources note, double* range) {
    const int index = source & kIndexMask;
    if (source & kCcFlag) return channel.cc[static_cast<std::size_t>(index)];
    switch (index) {
        case NoteOnVelocity:
            return note.velocity;
        case NoteOnKeyNumber:
            return note.key;
        case PolyPressure:
            return channel.key_pressure[static_cast<std::size_t>(note.pressure_key & 127)];
        case ChannelPressure:
            return channel.channel_pressure;
        case PitchWheel:
            *range = 16384.0;
            return channel.pitch_wheel;
        case PitchWheelSensitivity:
            return channel.pitch_wheel_sensitivity;
        default:
            return 0.0;
    }
}

// fluid_mod_transform_source_value: direction, polarity and curve.
double map_source(std::uint16_t source, double raw, double range) {
    const double x = raw / range;
    const bool negative = (source & kNegative) != 0;
    const bool bipolar = (source & kBipolar) != 0;
    switch (source >> kCurveShift) {
        case Linear:
            if (!bipolar) return negative ? 1.0 - x : x;
            return negative ? 1.0 - 2.0 * x : -1.0 + 2.0 * x;
        case Concave:
            if (!bipolar) return concave(127.0 * (negative ? 1.0 - x : x));
            if (x > 0.5) {
                const double v = concave(127.0 * 2.0 * (x - 0.5));
                return negative ? -v : v;
            } else {
                const double v = concave(127.0 * 2.0 * (0.5 - x));
                return negative ? v : -v;
            }
        case Convex:
            if (!bipolar) return convex(127.0 * (negative ? 1.0 - x : x));
            if (x > 0.5) {
                const double v = convex(127.0 * 2.0 * (x - 0.5));
                return negative ? -v : v;
            } else {
                const double v = convex(127.0 * 2.0 * (0.5 - x));
                return negative ? v : -v;
            }
        case Switch: {
            const bool high = x >= 0.5;
            if (!bipolar) return (high != negative) ? 1.0 : 0.0;
            return (high != negative) ? 1.0 : -1.0;
        }
        default:
            return 0.0;
    }
}

}  // namespace

bool modulator_is_usable(const Modulator& m) {
    if (m.destination >= static_cast<std::uint16_t>(kGenCount)) return false;  // a link or unknown
    if ((m.source & kIndexMask) == NoController && !(m.source & kCcFlag)) return false;
    if (is_fluid_vel_to_filter(m)) return false;
    return source_is_valid(m.source) && source_is_valid(m.amount_source);
}

bool modulator_reads_channel(const Modulator& m) {
    return source_reads_channel(m.source) || source_reads_channel(m.amount_source);
}

double modulator_value(const Modulator& m, const ChannelState& channel, NoteSources note) {
    // FluidSynth tests the index only: a first source numbered 0 gives 0, a second one gives 1.
    if ((m.source & kIndexMask) == 0) return 0.0;
    double range1 = 128.0;
    const double raw1 = source_raw(m.source, channel, note, &range1);  // sets range1: read it after
    const double v1 = map_source(m.source, raw1, range1);
    if (v1 == 0.0) return 0.0;
    double v2 = 1.0;
    if ((m.amount_source & kIndexMask) != 0) {
        double range2 = 128.0;
        const double raw2 = source_raw(m.amount_source, channel, note, &range2);
        v2 = map_source(m.amount_source, raw2, range2);
    }
    const double value = m.amount * v1 * v2;
    return m.transform == 2 ? std::fabs(value) : value;
}

double modulator_lowest_value(const Modulator& m, double current) {
    const bool can_go_negative =
        (m.source & kIndexMask) == PitchWheel && !(m.source & kCcFlag)
            ? true
            : ((m.source & kBipolar) || (m.amount_source & kBipolar) || m.amount < 0);
    const double lowest = can_go_negative ? -std::fabs(static_cast<double>(m.amount)) : 0.0;
    return current < lowest ? current : lowest;
}

}  // namespace tactus::sf2
