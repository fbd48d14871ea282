// The time ruler above the piano roll: bar numbers and beat ticks from the document's meter, markers,
// the loop region and the cursor. A click locates the transport there; shift-drag sets the loop region;
// the context menu adds and removes markers and sets the time signature from a bar on (undoable edits).
// A marker's label: a click locates to it, a drag moves it (snapped; one edit on release), a
// double-click renames it.
#pragma once

#include <QWidget>
#include <functional>
#include <optional>

#include "core/meter_map.h"
#include "core/score.h"

namespace tactus::gui {

class RollState;
class SongModel;

class Ruler : public QWidget {
    Q_OBJECT
public:
    Ruler(SongModel& song, RollState& state, QWidget* parent = nullptr);
    void moveCursor(double beat);

    // Where the cursor's mark and a marker's label are drawn (they never overlap: the label starts
    // right of the widest the mark can be).
    QRectF cursorMarkRect() const;
    QRectF markerLabelRect(const Marker& marker) const;
    // Asks for a marker's new name (a dialog); tests put their own answer in its place.
    using NameEditor = std::function<std::optional<QString>(const Marker&)>;
    void setNameEditor(NameEditor editor) { name_editor_ = std::move(editor); }

signals:
    void locateRequested(double beat);
    void loopRequested(double begin, double end);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QFont rulerFont() const;
    std::optional<Marker> markerAt(QPointF pos) const;  // the marker whose label is under `pos`
    void commitMarkers(std::vector<Marker> markers, const QString& what);

    SongModel& song_;
    RollState& state_;
    MeterMap meter_;
    double cursor_x_ = -10;
    bool dragging_loop_ = false;
    double drag_from_ = 0, drag_to_ = 0;
    std::optional<Marker> pressed_marker_;  // a label pressed: a click locates, a drag moves it
    double press_x_ = 0;
    double marker_to_ = 0;  // where the dragged marker would land
    bool moving_marker_ = false;
    NameEditor name_editor_;
};

}  // namespace tactus::gui
