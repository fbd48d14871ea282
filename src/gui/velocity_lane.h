// The velocity lane under the piano roll: a stalk per note of the edited track, as tall as its
// velocity. Dragging a stalk sets that note's velocity (all selected notes' when it is selected),
// as one undoable edit on release, with the value shown beside it. In a chord the stalks stand at one
// x: the press takes a selected note's, else the one whose top is nearest.
#pragma once

#include <QWidget>

#include "core/score.h"

namespace tactus::gui {

class RollState;
class SongModel;

class VelocityLane : public QWidget {
    Q_OBJECT
public:
    VelocityLane(SongModel& song, RollState& state, QWidget* parent = nullptr);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override { mousePressEvent(event); }  // quick repeats

private:
    int velocityOfY(double y) const;
    double yOfVelocity(int velocity) const;
    SongModel& song_;
    RollState& state_;
    NoteId dragging_ = 0;
    int drag_velocity_ = 0;
};

}  // namespace tactus::gui
