// What the controller lane's tools do to a track's controller events, as pure functions: each takes the
// track's whole list and returns the whole list after the edit (what edit::TrackControllers carries),
// ordered by beat, events of other targets untouched and in their order.
#pragma once

#include <vector>

#include "core/score.h"
#include "gui/controller_target.h"

namespace tactus::gui {

enum class CurveShape { Line, Smooth };

// The target's events in [begin, end] replaced by `points` (events of the same target).
std::vector<ControllerEvent> replaceSpan(const std::vector<ControllerEvent>& events, const LaneTarget& target,
                                         double begin, double end,
                                         const std::vector<ControllerEvent>& points);

// Points from (b0, v0) to (b1, v1), one per `step` beats on the grid (multiples of `step`) between them
// and one at each end: a straight line, or Smooth, a half cosine (flat at both ends). Consecutive equal
// values are kept once (the first), since a repeat changes nothing. b1 may be before b0.
std::vector<ControllerEvent> rampPoints(const LaneTarget& target, double b0, double v0, double b1, double v1,
                                        double step, CurveShape shape);

// `moved` (events of the list, compared by value) shifted by `beats` (not before 0) and `value` (within
// the target's range); an event of the target already standing where one lands is replaced by it.
std::vector<ControllerEvent> moveEvents(const std::vector<ControllerEvent>& events,
                                        const std::vector<ControllerEvent>& moved, const LaneTarget& target,
                                        double beats, double value);

// The list without `erased` (compared by value).
std::vector<ControllerEvent> eraseEvents(const std::vector<ControllerEvent>& events,
                                         const std::vector<ControllerEvent>& erased);

}  // namespace tactus::gui
