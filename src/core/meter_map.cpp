#include "core/meter_map.h"

#include <algorithm>
#include <cmath>

namespace tactus {

MeterMap::MeterMap(const std::vector<TimeSignature>& meter) {
    double start_beat = 0.0;
    for (std::size_t i = 0; i < meter.size(); ++i) {
        const TimeSignature& ts = meter[i];
        if (i > 0) {
            const MeterSegment& prev = segments_.back();
            start_beat = prev.start_beat + (ts.bar - prev.first_bar) * prev.beats_per_bar;
        }
        segments_.push_back(
            {start_beat, ts.bar, ts.numerator * 4.0 / ts.denominator, ts.numerator, ts.denominator});
    }
    if (segments_.empty()) segments_.push_back({});
}

const MeterSegment& MeterMap::segment_at(double beat) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), beat,
                               [](double b, const MeterSegment& m) { return b < m.start_beat; });
    return it == segments_.begin() ? segments_.front() : *(it - 1);
}

BarPosition MeterMap::bar_at_beat(double beat) const {
    const MeterSegment& m = segment_at(beat);
    const double bars = std::floor((beat - m.start_beat) / m.beats_per_bar);
    BarPosition pos;
    pos.bar = m.first_bar + static_cast<int>(bars);
    pos.beat_in_bar = beat - m.start_beat - bars * m.beats_per_bar;
    return pos;
}

double MeterMap::beat_of_bar(int bar) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), bar,
                               [](int b, const MeterSegment& m) { return b < m.first_bar; });
    const MeterSegment& m = it == segments_.begin() ? segments_.front() : *(it - 1);
    return m.start_beat + (bar - m.first_bar) * m.beats_per_bar;
}

}  // namespace tactus
