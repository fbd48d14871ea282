// NEGATIVE CONTROL -- not a way to play anything. It exists only to prove that the GUI flood test
// (tests/gui_flood) catches the failure it guards against (tactus-gui --classic-scheduler FROM:TO).
//
// It plays a score "the classic way", as a sequencer whose GUI thread drives the synth does: the UI
// thread itself schedules every note with a timer re-armed for the next one, and sends an
// untimestamped /note/on or /note/off to the engine when that timer fires. The engine is thus made to
// wait on its GUI: each note sounds when the UI thread got round to it, late by however long the
// event loop was busy (painting, resizing, handling the mouse). Tactus itself never does this: the
// engine plays the score on exact frames inside its audio callback (docs/architecture.md).
//
// It starts on the first position report that says the transport plays (the user pressed play):
// from that report's beat and host time it takes the host time of every note of track FROM, and plays
// them on track TO's instrument. The test mutes FROM in the engine, so what is heard is this.
//
// Threading: the UI thread.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <cstdint>
#include <vector>

#include "core/score.h"

namespace tactus::gui {

class EngineLink;
class SongModel;
struct PositionReport;

class ClassicScheduler : public QObject {
    Q_OBJECT
public:
    ClassicScheduler(SongModel& song, EngineLink& link, TrackId from, TrackId to, QObject* parent = nullptr);

    // Feed every position report (EngineLink::positionReceived).
    void onPosition(const PositionReport& report);
    bool started() const { return started_; }
    // Messages sent, and how late the timers fired against the host time they aimed at.
    QJsonObject stats() const;

private:
    struct Event {
        std::int64_t at_ns = 0;  // CLOCK_MONOTONIC
        bool on = false;
        int pitch = 60;
        int velocity = 100;
    };
    void start(const PositionReport& report);
    void armNext();
    void fire();

    SongModel& song_;
    EngineLink& link_;
    TrackId from_;
    TrackId to_;
    bool started_ = false;
    std::vector<Event> events_;  // by time
    std::size_t next_ = 0;
    QTimer timer_;
    std::uint64_t notes_on_ = 0;
    std::uint64_t notes_off_ = 0;
    double late_ms_sum_ = 0.0;
    double late_ms_max_ = 0.0;
};

}  // namespace tactus::gui
