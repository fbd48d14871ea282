// An automation lane (under the piano roll, and in the arranger): the edited track's level, pan or a
// send's level (or a fixed target's: a bus's level or pan) as the curve
// the engine plays (core/automation.h: hold, linear or smooth from each point to the next), over the
// roll's time axis. Level is drawn on the fader's dB scale (-60..+12 dB, silence at the bottom), pan
// from left (bottom) to right (top). Without a lane the track's setting shows as a faint line.
//   Click on empty lane   adds a point there (snapped in time), with the shape chosen for new points;
//                         keep the button down to drag it.
//   Click / Shift+click   selects a point (Shift adds or removes), a drag on empty lane with Shift
//                         selects a band; dragging selected points moves them (time snapped, value).
//   Right-click a point   its segment's shape (hold, linear, smooth), or delete it.
//   Delete                removes the selected points.
// Every gesture is one undoable edit (edit::AutomationSet) on release. Threading: the UI thread.
#pragma once

#include <QWidget>
#include <optional>
#include <vector>

#include "core/automation.h"

namespace tactus::gui {

class RollState;
class SongModel;

class AutomationLaneView : public QWidget {
    Q_OBJECT
public:
    AutomationLaneView(SongModel& song, RollState& state, QWidget* parent = nullptr);

    // "level", "pan" or "send:BUS_ID" of the edited track.
    QString control() const { return control_; }
    void setControl(const QString& control);
    // A lane of its own instead (the arranger's: a bus's too), whatever track is edited; nullopt: back
    // to the edited track's control.
    void setFixedTarget(std::optional<AutomationTarget> target);
    AutomationShape newPointShape() const { return new_shape_; }
    void setNewPointShape(AutomationShape shape) { new_shape_ = shape; }
    // The lane's target now (the edited track's), and its points (none without a lane).
    AutomationTarget target() const;
    std::vector<AutomationPoint> points() const;
    const std::vector<std::size_t>& selection() const { return selection_; }

    // The lane's geometry (tests point at values with it).
    double yOfValue(double value) const;
    double valueOfY(double y) const;
    // "-6.0 dB", "L 30", "C".
    QString valueText(double value) const;
    // Sets the shape of point `index` (the right-click menu's choice), or deletes it.
    void setPointShape(std::size_t index, AutomationShape shape);
    void deletePoint(std::size_t index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    std::optional<std::size_t> pointAt(QPointF pos) const;
    double low() const;
    double high() const;
    double settingValue() const;  // the track's (bus's) own level, pan or send level
    bool hasOwner() const;        // its track or bus exists
    QString laneTitle() const;
    // The points as the gesture under way leaves them (the preview and the edit alike).
    std::vector<AutomationPoint> gestureResult() const;
    void commit(std::vector<AutomationPoint> points, const QString& what);

    SongModel& song_;
    RollState& state_;
    QString control_ = QStringLiteral("level");
    std::optional<AutomationTarget> fixed_;
    AutomationShape new_shape_ = AutomationShape::Linear;
    std::vector<std::size_t> selection_;  // indices into points()

    enum class Gesture { None, Move, Band };
    Gesture gesture_ = Gesture::None;
    QPointF press_, now_;
    std::vector<AutomationPoint> before_;  // the points when the gesture started (with an added one)
    bool added_ = false;                   // the gesture started by adding a point
};

}  // namespace tactus::gui
