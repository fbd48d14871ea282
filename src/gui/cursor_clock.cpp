#include "gui/cursor_clock.h"

#include <chrono>

namespace tactus::gui {

void CursorClock::update(std::int64_t heard_at_ns, double beat, double bpm, bool playing) {
    heard_at_ns_ = heard_at_ns;
    beat_ = beat;
    bpm_ = bpm;
    if (!playing || !playing_) last_shown_ = beat;  // a start or a stop is followed exactly
    playing_ = playing;
    has_report_ = true;
}

double CursorClock::beatAt(std::int64_t now_ns) {
    if (!playing_) return last_shown_ = beat_;
    const double beat = beat_ + static_cast<double>(now_ns - heard_at_ns_) * bpm_ / 60e9;
    if (beat < last_shown_ && last_shown_ - beat < kJitterBeats) return last_shown_;
    return last_shown_ = beat;
}

std::int64_t CursorClock::nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace tactus::gui
