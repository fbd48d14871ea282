#include "gui/controller_target.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>

namespace tactus::gui {

namespace {

struct NamedController {
    int number;
    const char* name;
};

// General MIDI's and the MIDI 1.0 specification's names for the controllers a score commonly uses.
constexpr NamedController kNamed[] = {
    {0, "Bank select"},  {1, "Modulation"},  {2, "Breath"},      {4, "Foot"},        {5, "Portamento time"},
    {7, "Volume"},       {8, "Balance"},     {10, "Pan"},        {11, "Expression"}, {64, "Sustain"},
    {65, "Portamento"},  {66, "Sostenuto"},  {67, "Soft pedal"}, {71, "Resonance"},  {72, "Release time"},
    {73, "Attack time"}, {74, "Brightness"}, {91, "Reverb"},     {93, "Chorus"},
};

const char* controllerName(int number) {
    for (const NamedController& c : kNamed)
        if (c.number == number) return c.name;
    return nullptr;
}

QString tr(const char* text) {
    return QCoreApplication::translate("ControllerLane", text);
}

}  // namespace

QString laneName(const LaneTarget& target) {
    switch (target.kind) {
        case ControllerKind::PitchBend:
            return tr("Pitch bend");
        case ControllerKind::ChannelPressure:
            return tr("Channel pressure");
        case ControllerKind::ProgramChange:
            return tr("Program");
        case ControllerKind::ControlChange:
            break;
    }
    const char* name = controllerName(target.number);
    return name ? QStringLiteral("CC %1 %2").arg(target.number).arg(tr(name))
                : QStringLiteral("CC %1").arg(target.number);
}

QString laneShortName(const LaneTarget& target) {
    switch (target.kind) {
        case ControllerKind::PitchBend:
            return tr("Bend");
        case ControllerKind::ChannelPressure:
            return tr("Press.");
        case ControllerKind::ProgramChange:
            return tr("Prog.");
        case ControllerKind::ControlChange:
            break;
    }
    return QStringLiteral("CC%1").arg(target.number);
}

std::vector<LaneTarget> commonLaneTargets() {
    std::vector<LaneTarget> targets;
    for (int number : {1, 7, 10, 11, 64, 66, 67, 71, 74, 91, 93})
        targets.push_back({ControllerKind::ControlChange, number});
    targets.push_back({ControllerKind::PitchBend, 0});
    targets.push_back({ControllerKind::ChannelPressure, 0});
    targets.push_back({ControllerKind::ProgramChange, 0});
    return targets;
}

double laneMinimum(const LaneTarget& target) {
    return target.kind == ControllerKind::PitchBend ? -1.0 : 0.0;
}

double laneMaximum(const LaneTarget& target) {
    return target.kind == ControllerKind::PitchBend ? 1.0 : 127.0;
}

double laneDefault(const LaneTarget& target) {
    if (target.kind != ControllerKind::ControlChange) return 0.0;
    switch (target.number) {
        case 7:
            return 100.0;  // the volume a reset channel starts at (GM)
        case 8:
        case 10:
            return 64.0;  // centred
        case 11:
            return 127.0;
        default:
            return 0.0;
    }
}

double laneQuantized(const LaneTarget& target, double value) {
    const double v = std::clamp(value, laneMinimum(target), laneMaximum(target));
    // The wheel has 8192 steps each side of its centre; the others are 7-bit.
    // (+ 0.0: a -0.0 from rounding is written and compared as 0.)
    return (target.kind == ControllerKind::PitchBend ? std::round(v * 8192.0) / 8192.0 : std::round(v)) + 0.0;
}

double laneValueOf(const ControllerEvent& e) {
    return e.kind == ControllerKind::ProgramChange ? double(e.number) : e.value;
}

ControllerEvent laneEvent(const LaneTarget& target, double beat, double value) {
    ControllerEvent e;
    e.beat = beat;
    e.kind = target.kind;
    const double v = laneQuantized(target, value);
    if (target.kind == ControllerKind::ProgramChange) {
        e.number = int(v);
    } else {
        e.number = target.kind == ControllerKind::ControlChange ? target.number : 0;
        e.value = v;
    }
    return e;
}

}  // namespace tactus::gui
