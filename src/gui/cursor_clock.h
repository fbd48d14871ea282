// The time cursor's clock (shared/design/timing.md, "What the GUI sees"): the beat being heard now,
// extrapolated from the engine's latest position report and the host time elapsed since the frame it
// describes is heard. The cursor moves at display rate without asking the engine anything, and a late
// or lost report only means the next one corrects it.
//
// Host time is std::chrono::steady_clock, which is CLOCK_MONOTONIC on Linux (the clock of the
// engine's heard_at_ns).
#pragma once

#include <cstdint>

namespace tactus::gui {

class CursorClock {
public:
    // A report: at host time `heard_at_ns` the engine plays `beat` at `bpm` (playing or not).
    void update(std::int64_t heard_at_ns, double beat, double bpm, bool playing);
    // The beat heard at host time `now_ns`. While playing it never steps back by less than
    // kJitterBeats (a report that lands a hair behind the extrapolation would make the cursor
    // shiver); larger steps back are real (a loop, a locate) and are followed at once.
    double beatAt(std::int64_t now_ns);
    bool playing() const { return playing_; }
    bool hasReport() const { return has_report_; }

    static constexpr double kJitterBeats = 0.05;
    static std::int64_t nowNs();

private:
    std::int64_t heard_at_ns_ = 0;
    double beat_ = 0.0;
    double bpm_ = 120.0;
    bool playing_ = false;
    bool has_report_ = false;
    double last_shown_ = 0.0;
};

}  // namespace tactus::gui
