// The arranger: the whole song at a glance, every track a lane of miniature notes over bars, above the
// piano roll. Its own time axis (zoom and scroll, independent of the piano roll's), its ruler (the
// piano roll's: bars, markers, loop, cursor; a click locates), the track names at the side (click
// to edit the track, drag to reorder), the lanes (gui/arranger_lanes.h: ranges of bars across
// tracks to move, copy, delete, or to insert or remove bars), and under them one automation lane of any
// track's or bus's control, chosen at its side (gui/automation_lane_view.h), on the arranger's time
// axis. Wheel scrolls tracks, Shift+wheel time, Ctrl+wheel zooms time. Threading: the UI thread.
#pragma once

#include <QWidget>
#include <optional>

#include "core/score.h"

class QComboBox;
class QScrollBar;

namespace tactus::gui {

class ArrangerHeaders;
class ArrangerLanes;
class AutomationLaneView;
class RollState;
class Ruler;
class SongModel;

class Arranger : public QWidget {
    Q_OBJECT
public:
    // `roll`: the piano roll's state (its current track is the arranger's too).
    Arranger(SongModel& song, RollState& roll, QWidget* parent = nullptr);

    RollState& view() { return *view_; }
    ArrangerLanes& lanes() { return *lanes_; }
    ArrangerHeaders& headers() { return *headers_; }
    Ruler& ruler() { return *ruler_; }
    AutomationLaneView& automationLane() { return *automation_; }
    // Shows the automation lane of `target` (nullopt: none, the lane hides), as the box at its side does.
    void showAutomation(std::optional<AutomationTarget> target);
    // The cursor (animated while playing; the view pages along).
    void showCursor(double beat, bool playing);
    // The whole song in view.
    void frameSong();

signals:
    void locateRequested(double beat);
    void loopRequested(double begin, double end);
    void editRequested(TrackId track, double begin, double end);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateScrollBars();
    void refillAutomationChoice();

    SongModel& song_;
    RollState* view_;
    Ruler* ruler_;
    ArrangerHeaders* headers_;
    ArrangerLanes* lanes_;
    QScrollBar* hbar_;
    QScrollBar* vbar_;
    QComboBox* automation_choice_;
    AutomationLaneView* automation_;
    bool syncing_ = false;
};

// The track names beside the lanes, row by row: click edits a track, drag moves it (one edit).
class ArrangerHeaders : public QWidget {
    Q_OBJECT
public:
    ArrangerHeaders(SongModel& song, RollState& roll, ArrangerLanes& lanes, QWidget* parent = nullptr);
    QSize sizeHint() const override { return {130, 100}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    SongModel& song_;
    RollState& roll_;
    ArrangerLanes& lanes_;
    int dragged_row_ = -1;
    int drop_row_ = -1;
};

}  // namespace tactus::gui
