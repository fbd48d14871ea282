// A Document's automation lanes (core/automation.h) compiled for one sample rate and one mixer: each
// point on its score frame, each lane naming the mixer control it moves by slot. Part of a
// ScoreSnapshot: built off the audio thread, then read-only (every const function is
// audio-thread-safe: no allocation).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

#include "core/automation.h"
#include "core/frames.h"

namespace tactus {

// The mixer control a lane moves.
struct AutomatedControlRef {
    AutomatedControl control = AutomatedControl::Level;
    bool bus = false;            // a bus's level or pan (slot among the buses), else a track's
    std::uint32_t slot = 0;      // the track's (bus's) mixer slot
    std::uint32_t send_bus = 0;  // SendLevel: the bus's slot

    auto key() const { return std::tie(bus, control, slot, send_bus); }
    friend bool operator==(const AutomatedControlRef& a, const AutomatedControlRef& b) {
        return a.key() == b.key();
    }
    friend bool operator<(const AutomatedControlRef& a, const AutomatedControlRef& b) {
        return a.key() < b.key();
    }
};

struct CompiledAutomationPoint {
    Frame frame = 0;  // score frame
    double value = 0.0;
    AutomationShape shape = AutomationShape::Linear;
};

struct CompiledAutomationLane {
    AutomatedControlRef control;
    std::vector<CompiledAutomationPoint> points;  // sorted by frame, never empty

    // The index of the point whose segment holds score frame `frame`: the last one at or before it, or
    // -1 before the first.
    long segment_at(Frame frame) const {
        const auto after =
            std::upper_bound(points.begin(), points.end(), frame,
                             [](Frame f, const CompiledAutomationPoint& p) { return f < p.frame; });
        return long(after - points.begin()) - 1;
    }
    // The value at score frame `frame` (the curve's rules).
    double value_at(Frame frame) const {
        const long i = segment_at(frame);
        if (i < 0) return points.front().value;
        const CompiledAutomationPoint& p = points[std::size_t(i)];
        if (std::size_t(i) + 1 == points.size()) return p.value;
        const CompiledAutomationPoint& q = points[std::size_t(i) + 1];
        const double t = double(frame - p.frame) / double(q.frame - p.frame);
        return p.value + (q.value - p.value) * automation_fraction(p.shape, t);
    }
};

// The lanes sorted by control (one per control), for lookup by control.
class CompiledAutomation {
public:
    CompiledAutomation() = default;
    explicit CompiledAutomation(std::vector<CompiledAutomationLane> lanes) : lanes_(std::move(lanes)) {
        std::sort(lanes_.begin(), lanes_.end(),
                  [](const auto& a, const auto& b) { return a.control < b.control; });
    }
    std::span<const CompiledAutomationLane> lanes() const { return lanes_; }
    const CompiledAutomationLane* find(const AutomatedControlRef& control) const {
        const auto it = std::lower_bound(lanes_.begin(), lanes_.end(), control,
                                         [](const auto& lane, const auto& c) { return lane.control < c; });
        return it != lanes_.end() && it->control == control ? &*it : nullptr;
    }

private:
    std::vector<CompiledAutomationLane> lanes_;
};

}  // namespace tactus
