// A controller lane under the piano roll: the edited track's events of one target (a CC, pitch bend,
// channel pressure or program changes) as a step graph over the roll's time axis, each value holding
// until the next event, as the engine plays them. Tools:
//   Draw   press and drag: a point on every grid step crossed, at the height of the pointer (the
//          points that stood in the stroke's span are replaced);
//   Line   drag from one value to another: points along a straight line, one per grid step;
//   Curve  the same along a smooth (half-cosine) curve;
//   Select click a point (Shift: add to the selection) or drag a band; drag selected points to move
//          them in time (snapped) and value; Delete removes them.
// Every gesture is one undoable edit (edit::TrackControllers) on release, with the value shown while
// it is made. Threading: the UI thread.
#pragma once

#include <QWidget>
#include <optional>
#include <utility>
#include <vector>

#include "core/score.h"
#include "gui/controller_edits.h"
#include "gui/controller_target.h"

namespace tactus::gui {

class RollState;
class SongModel;

class ControllerLane : public QWidget {
    Q_OBJECT
public:
    enum class Tool { Draw, Line, Curve, Select };

    ControllerLane(SongModel& song, RollState& state, QWidget* parent = nullptr);

    LaneTarget target() const { return target_; }
    void setTarget(const LaneTarget& target);
    Tool tool() const { return tool_; }
    void setTool(Tool tool);
    const std::vector<ControllerEvent>& selection() const { return selection_; }

    // The lane's geometry (tests point at values with it).
    double yOfValue(double value) const;
    double valueOfY(double y) const;
    // How far a drag of `dy` pixels (down positive) moves selected points' values, in the target's steps.
    double valueChangeOfDrag(double dy) const;

signals:
    void targetChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    const std::vector<ControllerEvent>& events() const;  // the edited track's (none without a track)
    std::vector<ControllerEvent> targetEvents() const;
    std::optional<ControllerEvent> pointAt(QPointF pos) const;
    double step() const;  // the grid step tools place points on
    void commit(std::vector<ControllerEvent> events, const QString& what);
    void paintGraph(QPainter& p, const std::vector<ControllerEvent>& shown) const;
    // `events` as the gesture under way leaves them (the preview and the edit alike).
    std::vector<ControllerEvent> gestureResult(const std::vector<ControllerEvent>& events) const;
    std::pair<double, double> moveDelta() const;  // Move: beats (on the grid) and value

    SongModel& song_;
    RollState& state_;
    LaneTarget target_;
    Tool tool_ = Tool::Draw;
    std::vector<ControllerEvent> selection_;

    // The gesture under way.
    enum class Gesture { None, Draw, Ramp, Move, Band };
    Gesture gesture_ = Gesture::None;
    QPointF press_;
    QPointF now_;
    std::vector<ControllerEvent> stroke_;  // Draw: the points laid so far, by beat
    double stroke_begin_ = 0, stroke_end_ = 0;
    double last_draw_beat_ = 0, last_draw_value_ = 0;
};

}  // namespace tactus::gui
