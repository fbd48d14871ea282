#include "gui/classic_scheduler.h"

#include <algorithm>
#include <cmath>

#include "gui/cursor_clock.h"
#include "gui/engine_link.h"
#include "gui/song_model.h"
#include "server/osc_out.h"

namespace tactus::gui {

ClassicScheduler::ClassicScheduler(SongModel& song, EngineLink& link, TrackId from, TrackId to,
                                   QObject* parent)
    : QObject(parent), song_(song), link_(link), from_(from), to_(to) {
    timer_.setSingleShot(true);
    timer_.setTimerType(Qt::PreciseTimer);  // the best a UI-thread timer can do: 1 ms resolution
    connect(&timer_, &QTimer::timeout, this, &ClassicScheduler::fire);
}

void ClassicScheduler::onPosition(const PositionReport& report) {
    if (!started_ && report.playing) start(report);
}

void ClassicScheduler::start(const PositionReport& report) {
    const Track* track = song_.track(from_);
    if (!track) return;
    started_ = true;
    const TempoMap& tempo = song_.document().tempo;
    // The host time at which the score's second 0 is heard, from the report's beat and host time.
    const double report_seconds = tempo.seconds_at(report.beat);
    const auto at = [&](double beat) {
        return report.heard_at_ns + std::llround((tempo.seconds_at(beat) - report_seconds) * 1e9);
    };
    for (const Note& n : track->notes) {
        events_.push_back({at(n.start), true, n.pitch, n.velocity});
        events_.push_back({at(n.end()), false, n.pitch, 0});
    }
    // Offs before ons at the same time, so a repeated pitch starts again.
    std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) {
        return a.at_ns != b.at_ns ? a.at_ns < b.at_ns : (!a.on && b.on);
    });
    armNext();
}

void ClassicScheduler::armNext() {
    if (next_ >= events_.size()) return;
    const std::int64_t wait_ns = events_[next_].at_ns - CursorClock::nowNs();
    timer_.start(int(std::max<std::int64_t>(0, wait_ns / 1'000'000)));
}

void ClassicScheduler::fire() {
    const std::int64_t now = CursorClock::nowNs();
    // Everything that is due now goes out now, however late: a classic scheduler never skips a note.
    while (next_ < events_.size() && events_[next_].at_ns <= now + 500'000) {
        const Event& e = events_[next_++];
        const double late_ms = double(now - e.at_ns) / 1e6;
        late_ms_sum_ += late_ms;
        late_ms_max_ = std::max(late_ms_max_, late_ms);
        const auto track = std::int32_t(to_);
        if (e.on) {
            link_.send(OscOut("/note/on").i(track).i(e.pitch).i(e.velocity).bytes());
            ++notes_on_;
        } else {
            link_.send(OscOut("/note/off").i(track).i(e.pitch).bytes());
            ++notes_off_;
        }
    }
    armNext();
}

QJsonObject ClassicScheduler::stats() const {
    QJsonObject o;
    const std::uint64_t sent = notes_on_ + notes_off_;
    o["classic_notes_on"] = double(notes_on_);
    o["classic_notes_off"] = double(notes_off_);
    o["classic_timer_late_ms_mean"] = sent ? late_ms_sum_ / double(sent) : 0.0;
    o["classic_timer_late_ms_max"] = late_ms_max_;
    return o;
}

}  // namespace tactus::gui
