// The tempo map: beats <-> seconds, piecewise constant segments and linear-in-beats ramps,
// exactly as ../shared/design/timing.md defines them.
// Immutable once built; safe to read from any thread, including the audio thread (no allocation).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/frames.h"

namespace tactus {

// A tempo point starts a segment at `beat`. With `ramp` set, the tempo moves linearly (in beats)
// from `bpm` to the next point's bpm; otherwise it holds `bpm` until the next point.
struct TempoPoint {
    double beat = 0.0;
    double bpm = 120.0;
    bool ramp = false;

    friend bool operator==(const TempoPoint&, const TempoPoint&) = default;
};

class TempoMap {
public:
    static constexpr double kMinBpm = 1.0;
    static constexpr double kMaxBpm = 1000.0;

    // A single constant tempo.
    explicit TempoMap(double bpm = 120.0);

    // Builds from points; returns an error message instead when they are invalid
    // (empty, first point not at beat 0, beats not strictly increasing, bpm not finite or out of range,
    // a ramp on the last point). `index` in the message is the offending point.
    static std::optional<TempoMap> from_points(std::vector<TempoPoint> points, std::string* error);

    const std::vector<TempoPoint>& points() const { return points_; }

    double seconds_at(double beat) const;
    double beat_at(double seconds) const;
    double bpm_at(double beat) const;

    // The frame of `beat` at `sample_rate`: frame_at_seconds(seconds_at(beat)), timing.md's rounding.
    Frame frame_at_beat(double beat, double sample_rate) const;
    // The beat heard at `frame`, so that positions round-trip: the coarsest beat of a fine grid
    // (whole beats, then halves, thirds ... down to 1/3840 beat) whose frame_at_beat is `frame`,
    // when there is one; else the continuous inverse, beat_at(frame / sample_rate). So a locate to
    // beat 16 reports 16, not 15.99998, and a bar line reads as bar N beat 1; frame_at_beat of the
    // result is `frame` either way. Allocation-free, a few dozen floating-point operations and at most
    // a few seconds_at(): fit for the audio thread.
    double beat_at_frame(Frame frame, double sample_rate) const;

    friend bool operator==(const TempoMap& a, const TempoMap& b) { return a.points_ == b.points_; }

private:
    std::size_t segment_for_beat(double beat) const;
    std::size_t segment_for_seconds(double seconds) const;

    std::vector<TempoPoint> points_;
    std::vector<double> segment_start_seconds_;  // exact start of each segment, one per point
};

}  // namespace tactus
