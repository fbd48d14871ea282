#include "core/tempo_map.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace tactus {

namespace {

// Seconds from the start of segment `p` to `beat` (beat inside the segment or past its end
// when the segment is the last, constant one).
double seconds_into_segment(const TempoPoint& p, const TempoPoint* next, double beat) {
    const double db = beat - p.beat;
    // Before beat 0 (a count-in) the first tempo simply extends backwards.
    if (!p.ramp || next == nullptr || next->bpm == p.bpm || db < 0.0) return 60.0 * db / p.bpm;
    const double t0 = p.bpm;
    const double t1 = next->bpm;
    const double span = next->beat - p.beat;
    const double tempo = t0 + (t1 - t0) * db / span;
    return 60.0 * span / (t1 - t0) * std::log(tempo / t0);
}

double beats_into_segment(const TempoPoint& p, const TempoPoint* next, double seconds) {
    if (!p.ramp || next == nullptr || next->bpm == p.bpm || seconds < 0.0) return seconds * p.bpm / 60.0;
    const double t0 = p.bpm;
    const double t1 = next->bpm;
    const double span = next->beat - p.beat;
    // Inverse of seconds_into_segment: T(b) = T0 * exp(s (T1-T0) / (60 span)).
    const double tempo = t0 * std::exp(seconds * (t1 - t0) / (60.0 * span));
    return (tempo - t0) * span / (t1 - t0);
}

// The grids beat_at_frame tries, coarsest first: whole beats, duplets and triplets down to 1/384, then
// 1/3840 (which also holds fifths, tenths and every finer power-of-two division up to 1/256).
constexpr double kSnapGrids[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 384, 3840};

}  // namespace

TempoMap::TempoMap(double bpm) : points_{{0.0, bpm, false}}, segment_start_seconds_{0.0} {}

std::optional<TempoMap> TempoMap::from_points(std::vector<TempoPoint> points, std::string* error) {
    auto fail = [&](std::string message) -> std::optional<TempoMap> {
        if (error) *error = std::move(message);
        return std::nullopt;
    };
    if (points.empty()) return fail("tempo map is empty (needs a point at beat 0)");
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        const std::string where = "tempo point " + std::to_string(i);
        if (!std::isfinite(p.beat)) return fail(where + ": beat is not a finite number");
        if (!std::isfinite(p.bpm)) return fail(where + ": bpm is not a finite number");
        if (p.bpm < kMinBpm || p.bpm > kMaxBpm)
            return fail(where + ": bpm " + std::to_string(p.bpm) + " is outside " +
                        std::to_string(int(kMinBpm)) + ".." + std::to_string(int(kMaxBpm)));
        if (i == 0 && p.beat != 0.0) return fail(where + ": the first tempo point must be at beat 0");
        if (i > 0 && !(p.beat > points[i - 1].beat))
            return fail(where + ": beats must increase strictly from one point to the next");
    }
    if (points.back().ramp)
        return fail("tempo point " + std::to_string(points.size() - 1) +
                    ": the last point cannot ramp (nothing to ramp to)");
    TempoMap map;
    map.points_ = std::move(points);
    map.segment_start_seconds_.assign(map.points_.size(), 0.0);
    for (std::size_t i = 1; i < map.points_.size(); ++i) {
        map.segment_start_seconds_[i] =
            map.segment_start_seconds_[i - 1] +
            seconds_into_segment(map.points_[i - 1], &map.points_[i], map.points_[i].beat);
    }
    return map;
}

std::size_t TempoMap::segment_for_beat(double beat) const {
    auto it = std::upper_bound(points_.begin(), points_.end(), beat,
                               [](double b, const TempoPoint& p) { return b < p.beat; });
    return it == points_.begin() ? 0 : std::size_t(it - points_.begin()) - 1;
}

std::size_t TempoMap::segment_for_seconds(double seconds) const {
    auto it = std::upper_bound(segment_start_seconds_.begin(), segment_start_seconds_.end(), seconds);
    return it == segment_start_seconds_.begin() ? 0 : std::size_t(it - segment_start_seconds_.begin()) - 1;
}

double TempoMap::seconds_at(double beat) const {
    const std::size_t i = segment_for_beat(beat);
    const TempoPoint* next = i + 1 < points_.size() ? &points_[i + 1] : nullptr;
    return segment_start_seconds_[i] + seconds_into_segment(points_[i], next, beat);
}

double TempoMap::beat_at(double seconds) const {
    const std::size_t i = segment_for_seconds(seconds);
    const TempoPoint* next = i + 1 < points_.size() ? &points_[i + 1] : nullptr;
    return points_[i].beat + beats_into_segment(points_[i], next, seconds - segment_start_seconds_[i]);
}

double TempoMap::bpm_at(double beat) const {
    const std::size_t i = segment_for_beat(beat);
    const TempoPoint& p = points_[i];
    if (!p.ramp || i + 1 >= points_.size() || beat < p.beat) return p.bpm;
    const TempoPoint& next = points_[i + 1];
    return p.bpm + (next.bpm - p.bpm) * (beat - p.beat) / (next.beat - p.beat);
}

Frame TempoMap::frame_at_beat(double beat, double sample_rate) const {
    return frame_at_seconds(seconds_at(beat), sample_rate);
}

double TempoMap::beat_at_frame(Frame frame, double sample_rate) const {
    const double beat = beat_at(double(frame) / sample_rate);
    // Every beat whose frame is `frame` lies within half a frame of `beat` (with a margin for
    // rounding and for a ramp's tempo moving within that half frame).
    const double reach = 0.5 * bpm_at(beat) / (60.0 * sample_rate) * 1.01 + 1e-12;
    // Every coarser grid is part of the finest: no fine grid beat within reach, none at all (the
    // usual case while playing, one rounding away).
    constexpr double kFinest = kSnapGrids[std::size(kSnapGrids) - 1];
    if (std::abs(beat * kFinest - std::round(beat * kFinest)) > reach * kFinest) return beat;
    for (const double grid : kSnapGrids) {
        const double steps = std::round(beat * grid);
        if (std::abs(beat * grid - steps) > reach * grid) continue;
        const double candidate = steps / grid;
        if (frame_at_beat(candidate, sample_rate) == frame) return candidate;
    }
    return beat;
}

}  // namespace tactus
