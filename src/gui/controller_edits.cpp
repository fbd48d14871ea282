#include "gui/controller_edits.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tactus::gui {

namespace {

void sortByBeat(std::vector<ControllerEvent>& events) {
    std::stable_sort(events.begin(), events.end(),
                     [](const ControllerEvent& a, const ControllerEvent& b) { return a.beat < b.beat; });
}

bool contains(const std::vector<ControllerEvent>& list, const ControllerEvent& e) {
    return std::find(list.begin(), list.end(), e) != list.end();
}

}  // namespace

std::vector<ControllerEvent> replaceSpan(const std::vector<ControllerEvent>& events, const LaneTarget& target,
                                         double begin, double end,
                                         const std::vector<ControllerEvent>& points) {
    if (end < begin) std::swap(begin, end);
    std::vector<ControllerEvent> out;
    out.reserve(events.size() + points.size());
    for (const ControllerEvent& e : events)
        if (!target.matches(e) || e.beat < begin - 1e-9 || e.beat > end + 1e-9) out.push_back(e);
    out.insert(out.end(), points.begin(), points.end());
    sortByBeat(out);
    return out;
}

std::vector<ControllerEvent> rampPoints(const LaneTarget& target, double b0, double v0, double b1, double v1,
                                        double step, CurveShape shape) {
    if (b1 < b0) std::swap(b0, b1), std::swap(v0, v1);
    b0 = std::max(0.0, b0);
    b1 = std::max(b0, b1);
    const auto valueAt = [&](double beat) {
        if (b1 - b0 < 1e-12) return v1;
        double t = (beat - b0) / (b1 - b0);
        if (shape == CurveShape::Smooth) t = 0.5 - 0.5 * std::cos(std::numbers::pi * t);
        return v0 + (v1 - v0) * t;
    };
    std::vector<double> beats{b0};
    if (step > 0)
        for (double b = (std::floor(b0 / step + 1e-9) + 1) * step; b < b1 - 1e-9; b += step)
            beats.push_back(b);
    if (b1 - b0 > 1e-9) beats.push_back(b1);
    std::vector<ControllerEvent> points;
    for (double b : beats) {
        ControllerEvent e = laneEvent(target, b, valueAt(b));
        if (!points.empty() && laneValueOf(points.back()) == laneValueOf(e)) continue;
        points.push_back(e);
    }
    // The end point always stands, so the ramp ends where it was drawn to (a repeat at the end marks it).
    if (beats.size() > 1 && points.back().beat != b1) points.push_back(laneEvent(target, b1, valueAt(b1)));
    return points;
}

std::vector<ControllerEvent> moveEvents(const std::vector<ControllerEvent>& events,
                                        const std::vector<ControllerEvent>& moved, const LaneTarget& target,
                                        double beats, double value) {
    std::vector<ControllerEvent> kept, shifted;
    for (const ControllerEvent& e : events) {
        if (!contains(moved, e)) {
            kept.push_back(e);
            continue;
        }
        shifted.push_back(laneEvent(target, std::max(0.0, e.beat + beats), laneValueOf(e) + value));
    }
    // Where a moved point lands on a point of the same lane, it takes that point's place.
    std::erase_if(kept, [&](const ControllerEvent& e) {
        return target.matches(e) &&
               std::any_of(shifted.begin(), shifted.end(),
                           [&](const ControllerEvent& s) { return std::abs(s.beat - e.beat) < 1e-9; });
    });
    kept.insert(kept.end(), shifted.begin(), shifted.end());
    sortByBeat(kept);
    return kept;
}

std::vector<ControllerEvent> eraseEvents(const std::vector<ControllerEvent>& events,
                                         const std::vector<ControllerEvent>& erased) {
    std::vector<ControllerEvent> out;
    for (const ControllerEvent& e : events)
        if (!contains(erased, e)) out.push_back(e);
    return out;
}

}  // namespace tactus::gui
