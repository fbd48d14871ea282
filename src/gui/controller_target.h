// What a controller lane shows: one kind of a track's channel controllers (a CC number, pitch bend,
// channel pressure or program changes), named as musicians know it, with its range of values. A
// program change keeps its program in ControllerEvent::number; the lane treats it as the value.
// Plain values (no Qt objects): the UI thread.
#pragma once

#include <QString>
#include <vector>

#include "core/score.h"

namespace tactus::gui {

struct LaneTarget {
    ControllerKind kind = ControllerKind::ControlChange;
    int number = 1;  // the CC number (ControlChange only)

    bool matches(const ControllerEvent& e) const {
        return e.kind == kind && (kind != ControllerKind::ControlChange || e.number == number);
    }
    friend bool operator==(const LaneTarget&, const LaneTarget&) = default;
};

// "CC 7 Volume", "CC 20", "Pitch bend", "Channel pressure", "Program".
QString laneName(const LaneTarget& target);
// Short, for the lane's side label: "CC7", "Bend", "Press.", "Prog.".
QString laneShortName(const LaneTarget& target);
// The lanes offered first: the controllers most sequencers name, then bend, pressure and program.
std::vector<LaneTarget> commonLaneTargets();

// The values a target takes: CC, pressure and program 0..127 in whole steps; pitch bend -1..1 (of the
// bend range) in the 14-bit wheel's steps.
double laneMinimum(const LaneTarget& target);
double laneMaximum(const LaneTarget& target);
double laneDefault(const LaneTarget& target);  // where the value rests before any event (bend 0, CC 7 100…)
double laneQuantized(const LaneTarget& target, double value);  // clamped and rounded to a step
// An event's value on the lane (its program for a program change), and an event of this target.
double laneValueOf(const ControllerEvent& e);
ControllerEvent laneEvent(const LaneTarget& target, double beat, double value);

}  // namespace tactus::gui
