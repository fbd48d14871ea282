// The tempo lane under the ruler: the tempo map drawn as a curve (steps, and straight lines for
// ramps), a handle per tempo point. Click on empty space adds a point there (at the snapped beat,
// with the tempo already in force there); drag a handle to change its tempo, half a BPM per pixel from
// where it was (a twentieth with Shift), and its beat (except the first's); double-click a handle to
// type its tempo and turn its ramp to the next point on or off; right-click removes it (not the
// first). Each gesture is one undoable /tempo/set edit.
#pragma once

#include <QWidget>
#include <functional>
#include <optional>
#include <vector>

#include "core/tempo_map.h"

namespace tactus::gui {

class RollState;
class SongModel;

// Asks for a tempo point's values (default: a small dialog); nullopt when cancelled. `can_ramp` is
// false for the last point, which has no next point to ramp to.
using TempoPointEditor = std::function<std::optional<TempoPoint>(const TempoPoint& point, bool can_ramp)>;

class TempoLane : public QWidget {
    Q_OBJECT
public:
    TempoLane(SongModel& song, RollState& state, QWidget* parent = nullptr);

    // How a double-click asks for a point's tempo and ramp (tests answer themselves).
    void setPointEditor(TempoPointEditor editor) { editor_ = std::move(editor); }

    // The tempo range shown, bottom to top (widens to fit the map).
    double minBpm() const { return min_bpm_; }
    double maxBpm() const { return max_bpm_; }
    double yOfBpm(double bpm) const;
    double bpmOfY(double y) const;
    // Where point `i`'s tempo is written: inside the lane (left of a handle at its right end).
    QRectF labelRect(std::size_t i) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    int handleAt(QPointF pos) const;  // index of the point under `pos`, or -1
    static QString label(const TempoPoint& point);
    void fitRange();
    void commit(std::vector<TempoPoint> points, const QString& what);

    SongModel& song_;
    RollState& state_;
    double min_bpm_ = 40.0;
    double max_bpm_ = 200.0;
    int dragging_ = -1;
    std::vector<TempoPoint> draft_;  // the map while a handle is dragged
    QPointF press_pos_;
    double press_bpm_ = 0.0;  // the dragged point's tempo at the press
    TempoPointEditor editor_;
};

}  // namespace tactus::gui
