// The test suite's own reading of ../shared/design/timing.md, in long double, written apart from
// src/core so that expectations never come from the code under test.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace tactus::test {

struct RefTempoPoint {
    long double beat;
    long double bpm;
    bool ramp;
};

class ReferenceTiming {
public:
    explicit ReferenceTiming(std::vector<RefTempoPoint> points) : points_(std::move(points)) {}

    long double seconds_at(long double beat) const {
        long double seconds = 0.0L;
        for (std::size_t i = 0; i < points_.size(); ++i) {
            const RefTempoPoint& p = points_[i];
            const bool last = i + 1 == points_.size();
            const long double seg_end = last ? beat : std::min(beat, points_[i + 1].beat);
            if (seg_end <= p.beat) break;
            if (!p.ramp || last) {
                seconds += 60.0L * (seg_end - p.beat) / p.bpm;
            } else {
                const RefTempoPoint& q = points_[i + 1];
                const long double t0 = p.bpm, t1 = q.bpm;
                if (t1 == t0) {
                    seconds += 60.0L * (seg_end - p.beat) / t0;
                } else {
                    const long double tempo = t0 + (t1 - t0) * (seg_end - p.beat) / (q.beat - p.beat);
                    seconds += 60.0L * (q.beat - p.beat) / (t1 - t0) * std::log(tempo / t0);
                }
            }
            if (seg_end == beat) break;
        }
        return seconds;
    }

    std::int64_t frame_at(long double beat, long double rate) const {
        return static_cast<std::int64_t>(std::floor(seconds_at(beat) * rate + 0.5L));
    }

private:
    std::vector<RefTempoPoint> points_;
};

}  // namespace tactus::test
