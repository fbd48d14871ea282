// The piano roll's note area: the bars/beats grid, every track's notes (the edited track's in colour),
// the selection, the loop region and the time cursor; and the mouse editing of the edited track:
// drag on empty space draws a note (as long as the drag), double-click on it draws one of the grid's
// step, and a plain click there clears the selection; drag a note to move it (time and pitch), drag its
// right edge to resize, shift-click toggles selection, shift-drag on empty space selects with a rubber
// band, right-click deletes. Each gesture is one undoable batch, applied when the mouse is released.
// A drag held at the left or right edge scrolls the view. In drum mode (RollState::drumMode) notes are
// hits: fixed-width diamonds shaded by velocity, moved between rows (sounds) but not resized.
#pragma once

#include <QPoint>
#include <QRect>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "core/meter_map.h"
#include "core/score.h"
#include "gui/note_span_index.h"

namespace tactus::gui {

class RollState;
class SongModel;

class NoteGrid : public QWidget {
    Q_OBJECT
public:
    NoteGrid(SongModel& song, RollState& state, QWidget* parent = nullptr);

    // Repaints just the strips under the old and new cursor positions.
    void moveCursor(double beat);
    // Gestures handled since creation (press, move or release of a mouse button), for tests and the
    // flood benchmark.
    std::uint64_t eventsHandled() const { return events_handled_; }
    // Where a note is drawn: its length wide, or in drum mode a fixed-width mark centred on its start.
    QRectF noteRect(const Note& n) const;

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    enum class Gesture { None, Draw, Move, Resize, RubberBand };
    struct Hit {
        const Note* note = nullptr;
        bool rightEdge = false;
    };
    Hit hitTest(QPointF pos) const;
    const Track* editedTrack() const;
    void paintGrid(QPainter& p, const QRect& area) const;
    void paintNotes(QPainter& p, const QRect& area) const;
    void paintGesture(QPainter& p) const;
    void finishGesture();
    void drawNote(const Note& n);
    void updateGesture(QPointF pos);
    double edgeOvershoot(double x) const;
    void autoscrollStep();

    SongModel& song_;
    RollState& state_;
    MeterMap meter_;
    NoteSpanIndex index_;  // paints and hit tests cost what is in view
    Gesture gesture_ = Gesture::None;
    QPointF press_pos_;
    double press_beat_ = 0.0;
    int press_pitch_ = 60;
    Note primary_;             // the note under the mouse at the press (Move/Resize), or the drawn one
    double drag_beats_ = 0.0;  // Move: time offset; Resize: length change
    int drag_pitch_ = 0;       // Move: rows (semitones when every row shows)
    bool drawing_ = false;
    QPointF last_pos_;   // where the mouse was last seen during a gesture
    QTimer autoscroll_;  // while a gesture is held at an edge     // Draw: the mouse has moved far enough
                         // from the press to be a drag
    QRectF rubber_band_;
    double cursor_x_ = -10.0;
    std::uint64_t events_handled_ = 0;
};

}  // namespace tactus::gui
