// The arranger's canvas: every track as a lane over time (one row each, in the document's order) with
// its notes drawn in miniature (each track's own pitch range fills its lane), bar lines from the meter,
// the selected range and the cursor. Painting costs what is visible: each lane's notes in view come
// from a NoteSpanIndex, and they are written straight into one image (a pixel-wide note is a few
// pixel writes, not a rectangle to rasterize).
//   Drag on the lanes      selects a range of whole bars across the tracks crossed;
//   drag the selection     moves it by whole bars (one edit on release);
//   double-click a lane    edits that track's bar in the piano roll (editRequested);
//   Delete, Ctrl+C/X/V     delete, copy, cut, paste (at the cursor's bar, onto the first selected track);
//   right-click            the range's menu: also insert and remove bars, edit in the piano roll.
// Threading: the UI thread.
#pragma once

#include <QImage>
#include <QWidget>
#include <unordered_map>

#include "core/meter_map.h"
#include "gui/arranger_edits.h"
#include "gui/note_span_index.h"

namespace tactus::gui {

class RollState;
class SongModel;

class ArrangerLanes : public QWidget {
    Q_OBJECT
public:
    static constexpr int kLaneHeight = 30;

    // `view`: the arranger's own time axis (zoom, scroll, cursor); `roll`: the piano roll's, whose
    // current track the arranger shows and sets.
    ArrangerLanes(SongModel& song, RollState& view, RollState& roll, QWidget* parent = nullptr);

    // Vertical scroll: the lane at the top edge's offset in pixels.
    int topOffset() const { return top_offset_; }
    void setTopOffset(int pixels);
    int contentHeight() const;
    // The row (track position) at y, or -1; the y of a row's top.
    int rowAt(double y) const;
    double yOfRow(int row) const { return row * kLaneHeight - top_offset_; }
    // The bar at x: its index (floor), and the beat a bar starts on.
    int barAt(double x) const;
    double beatOfBar(int bar) const { return meter_.beat_of_bar(bar); }

    const ArrangerRange& selection() const { return selection_; }
    void setSelection(ArrangerRange range);
    const RangeClip& clipboard() const { return clipboard_; }

    // The range commands (also the menu's and keys'), each one undoable step.
    void deleteSelection();
    void copySelection();
    void cutSelection();
    void pasteAt(double beat);
    void insertBars();  // as many bars as selected, before the selection
    void removeBars();  // the selected bars, on every track
    void moveSelection(int bars);

    void moveCursor(double beat);
    // Milliseconds the last paint took (for the benchmark).
    double lastPaintMs() const { return last_paint_ms_; }

signals:
    void editRequested(TrackId track, double begin, double end);
    void contentChanged();  // the tracks changed: the scroll range follows

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    void onDocumentChanged();
    void paintNotes(QImage& image, const QRect& area);
    ArrangerRange rangeOf(int row_a, int bar_a, int row_b, int bar_b) const;
    int barCount() const { return barAt(width()) + 1; }
    int selectionBar() const;   // the first bar of the selection
    int selectionBars() const;  // how many bars it spans
    void apply(std::vector<Edit> edits, const QString& what);

    SongModel& song_;
    RollState& view_;
    RollState& roll_;
    MeterMap meter_;
    NoteSpanIndex index_;
    std::unordered_map<TrackId, std::pair<int, int>> pitch_range_;  // lowest and highest pitch
    int top_offset_ = 0;
    ArrangerRange selection_;
    RangeClip clipboard_;
    double cursor_x_ = -10;
    double last_paint_ms_ = 0;

    enum class Gesture { None, Select, Move };
    Gesture gesture_ = Gesture::None;
    int press_row_ = 0, press_bar_ = 0, now_row_ = 0, now_bar_ = 0;
};

}  // namespace tactus::gui
