// The meter as bars: which bar a beat falls in, where bars start. Built once from a document's
// time signatures (each taking effect at the start of its 0-based bar); immutable, no allocation
// after construction, safe to read from any thread.
#pragma once

#include <vector>

#include "core/score.h"

namespace tactus {

// A run of bars of one meter, from `start_beat` (bar `first_bar`) on.
struct MeterSegment {
    double start_beat = 0.0;
    int first_bar = 0;
    double beats_per_bar = 4.0;  // in quarter-note beats: 6/8 has 3
    int numerator = 4;
    int denominator = 4;
};

struct BarPosition {
    int bar = 0;               // 0-based
    double beat_in_bar = 0.0;  // 0-based, in beats
};

class MeterMap {
public:
    MeterMap() : MeterMap(std::vector<TimeSignature>{}) {}
    explicit MeterMap(const std::vector<TimeSignature>& meter);

    BarPosition bar_at_beat(double beat) const;
    // The beat on which 0-based `bar` starts.
    double beat_of_bar(int bar) const;
    // The segment in force at `beat`.
    const MeterSegment& segment_at(double beat) const;
    const std::vector<MeterSegment>& segments() const { return segments_; }

private:
    std::vector<MeterSegment> segments_;  // never empty
};

}  // namespace tactus
