#include "gui/arranger_lanes.h"

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QInputDialog>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
constexpr QRgb kNoteColour = 0xff5ab4dc;
constexpr QRgb kCurrentNoteColour = 0xff8ad4f4;
}  // namespace

ArrangerLanes::ArrangerLanes(SongModel& song, RollState& view, RollState& roll, QWidget* parent)
    : QWidget(parent), song_(song), view_(view), roll_(roll) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    setMinimumHeight(kLaneHeight * 2);
    connect(&song_, &SongModel::documentChanged, this, &ArrangerLanes::onDocumentChanged);
    connect(&view_, &RollState::changed, this, qOverload<>(&QWidget::update));
    connect(&roll_, &RollState::trackChanged, this, qOverload<>(&QWidget::update));
    onDocumentChanged();
}

void ArrangerLanes::onDocumentChanged() {
    const Document& doc = song_.document();
    meter_ = MeterMap(doc.meter);
    index_.update(doc);
    pitch_range_.clear();
    for (const Track& t : doc.tracks) {
        int low = 127, high = 0;
        for (const Note& n : t.notes) low = std::min(low, n.pitch), high = std::max(high, n.pitch);
        if (low > high) low = high = 60;
        // At least an octave, so that a few notes are not stretched over the whole lane.
        const int spread = std::max(0, 12 - (high - low));
        pitch_range_[t.id] = {low - spread / 2, high + (spread + 1) / 2};
    }
    // Tracks that are gone leave the selection.
    std::erase_if(selection_.tracks, [&](TrackId id) { return !song_.track(id); });
    setTopOffset(top_offset_);
    emit contentChanged();
    update();
}

void ArrangerLanes::setTopOffset(int pixels) {
    top_offset_ = std::clamp(pixels, 0, std::max(0, contentHeight() - height()));
    update();
}

int ArrangerLanes::contentHeight() const {
    return int(song_.document().tracks.size()) * kLaneHeight;
}

int ArrangerLanes::rowAt(double y) const {
    const int row = int(std::floor((y + top_offset_) / kLaneHeight));
    return row >= 0 && row < int(song_.document().tracks.size()) ? row : -1;
}

int ArrangerLanes::barAt(double x) const {
    return meter_.bar_at_beat(std::max(0.0, view_.beatOfX(x))).bar;
}

void ArrangerLanes::setSelection(ArrangerRange range) {
    selection_ = std::move(range);
    update();
}

ArrangerRange ArrangerLanes::rangeOf(int row_a, int bar_a, int row_b, int bar_b) const {
    const auto& tracks = song_.document().tracks;
    ArrangerRange range;
    if (tracks.empty()) return range;
    const int first = std::clamp(std::min(row_a, row_b), 0, int(tracks.size()) - 1);
    const int last = std::clamp(std::max(row_a, row_b), 0, int(tracks.size()) - 1);
    for (int r = first; r <= last; ++r) range.tracks.push_back(tracks[std::size_t(r)].id);
    range.begin = beatOfBar(std::max(0, std::min(bar_a, bar_b)));
    range.end = beatOfBar(std::max(bar_a, bar_b) + 1);
    return range;
}

int ArrangerLanes::selectionBar() const {
    return meter_.bar_at_beat(selection_.begin).bar;
}

int ArrangerLanes::selectionBars() const {
    return meter_.bar_at_beat(selection_.end).bar - selectionBar();
}

void ArrangerLanes::apply(std::vector<Edit> edits, const QString& what) {
    if (!edits.empty()) song_.apply(std::move(edits), what);
}

void ArrangerLanes::deleteSelection() {
    apply(deleteRangeEdits(song_.document(), selection_), tr("Delete range"));
}

void ArrangerLanes::copySelection() {
    if (!selection_.empty()) clipboard_ = copyRange(song_.document(), selection_);
}

void ArrangerLanes::cutSelection() {
    copySelection();
    apply(deleteRangeEdits(song_.document(), selection_), tr("Cut range"));
}

void ArrangerLanes::pasteAt(double beat) {
    if (clipboard_.empty()) return;
    const TrackId first = !selection_.tracks.empty() ? selection_.tracks.front() : roll_.currentTrack();
    const double at = beatOfBar(meter_.bar_at_beat(std::max(0.0, beat)).bar);
    NoteId next = song_.newNoteId();
    apply(pasteEdits(song_.document(), clipboard_, first, at, next), tr("Paste range"));
}

void ArrangerLanes::insertBars() {
    if (selection_.empty()) return;
    const int bars = selectionBars();
    apply(insertBarsEdits(song_.document(), selectionBar(), bars), tr("Insert %n bar(s)", nullptr, bars));
}

void ArrangerLanes::removeBars() {
    if (selection_.empty()) return;
    const int bar = selectionBar(), bars = selectionBars();
    apply(removeBarsEdits(song_.document(), bar, bars), tr("Remove %n bar(s)", nullptr, bars));
    selection_.end = selection_.begin;  // what was selected is gone
    update();
}

void ArrangerLanes::moveSelection(int bars) {
    if (selection_.empty() || bars == 0) return;
    const int from = selectionBar();
    const int to = std::max(0, from + bars);
    const double by = beatOfBar(to) - selection_.begin;
    apply(moveRangeEdits(song_.document(), selection_, by), tr("Move range"));
    selection_.end = beatOfBar(meter_.bar_at_beat(selection_.end).bar + (to - from));
    selection_.begin = beatOfBar(to);
    update();
}

void ArrangerLanes::moveCursor(double beat) {
    const double x = view_.xOfBeat(beat);
    if (std::abs(x - cursor_x_) < 0.25) return;
    const int old_x = int(std::floor(cursor_x_));
    cursor_x_ = x;
    update(QRect(old_x - 1, 0, 3, height()));
    update(QRect(int(std::floor(x)) - 1, 0, 3, height()));
}

void ArrangerLanes::paintEvent(QPaintEvent* event) {
    QElapsedTimer timer;
    timer.start();
    QPainter p(this);
    const QRect area = event->rect();
    const auto& tracks = song_.document().tracks;
    // Lanes: the edited track's lighter.
    for (int row = std::max(0, rowAt(area.top())); row < int(tracks.size()); ++row) {
        const double y = yOfRow(row);
        if (y > area.bottom()) break;
        const bool current = tracks[std::size_t(row)].id == roll_.currentTrack();
        p.fillRect(QRectF(area.left(), y, area.width(), kLaneHeight),
                   current ? QColor(52, 56, 66) : (row % 2 ? QColor(40, 42, 48) : QColor(44, 46, 52)));
    }
    const double below = yOfRow(int(tracks.size()));
    if (below < area.bottom())
        p.fillRect(QRectF(area.left(), below, area.width(), area.bottom() - below + 1), QColor(34, 35, 40));
    // Bar lines (every bar while there is room, else every fourth).
    const int first_bar = barAt(area.left()), last_bar = barAt(area.right()) + 1;
    const double bar_pixels =
        view_.pixelsPerBeat() * meter_.segment_at(view_.beatOfX(area.left())).beats_per_bar;
    const int every = bar_pixels >= 12 ? 1 : bar_pixels >= 3 ? 4 : 16;
    for (int bar = first_bar; bar <= last_bar; ++bar) {
        if (bar % every) continue;
        const double x = std::round(view_.xOfBeat(beatOfBar(bar))) + 0.5;
        p.setPen(bar % (every * 4) == 0 ? QColor(78, 82, 94) : QColor(58, 61, 70));
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom() + 1));
    }
    // The selected range, under the notes.
    if (!selection_.empty()) {
        const double x0 = view_.xOfBeat(selection_.begin), x1 = view_.xOfBeat(selection_.end);
        for (std::size_t row = 0; row < tracks.size(); ++row)
            if (std::find(selection_.tracks.begin(), selection_.tracks.end(), tracks[row].id) !=
                selection_.tracks.end())
                p.fillRect(QRectF(x0, yOfRow(int(row)), x1 - x0, kLaneHeight), QColor(90, 110, 160, 110));
    }
    // The notes, into one image of the area (transparent where there are none).
    QImage notes(area.size(), QImage::Format_ARGB32_Premultiplied);
    notes.fill(Qt::transparent);
    paintNotes(notes, area);
    p.drawImage(area.topLeft(), notes);
    // A move being dragged: where the range would land.
    if (gesture_ == Gesture::Move || gesture_ == Gesture::Select) {
        const ArrangerRange shown =
            gesture_ == Gesture::Select
                ? rangeOf(press_row_, press_bar_, now_row_, now_bar_)
                : ArrangerRange{
                      selection_.tracks, beatOfBar(std::max(0, selectionBar() + now_bar_ - press_bar_)),
                      beatOfBar(std::max(0, selectionBar() + now_bar_ - press_bar_) + selectionBars())};
        p.setPen(QPen(QColor(220, 225, 240), 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        for (std::size_t row = 0; row < tracks.size(); ++row)
            if (std::find(shown.tracks.begin(), shown.tracks.end(), tracks[row].id) != shown.tracks.end())
                p.drawRect(QRectF(view_.xOfBeat(shown.begin), yOfRow(int(row)) + 1,
                                  view_.xOfBeat(shown.end) - view_.xOfBeat(shown.begin), kLaneHeight - 2));
    }
    if (cursor_x_ >= area.left() - 2 && cursor_x_ <= area.right() + 2) {
        p.setPen(QPen(QColor(255, 80, 60), 1.5));
        p.drawLine(QPointF(cursor_x_, area.top()), QPointF(cursor_x_, area.bottom() + 1));
    }
    last_paint_ms_ = double(timer.nsecsElapsed()) / 1e6;
}

void ArrangerLanes::paintNotes(QImage& image, const QRect& area) {
    const auto& tracks = song_.document().tracks;
    const double first = view_.beatOfX(area.left() - 1), last = view_.beatOfX(area.right() + 1);
    const int w = image.width(), h = image.height();
    for (int row = std::max(0, rowAt(area.top())); row < int(tracks.size()); ++row) {
        const double lane_top = yOfRow(row);
        if (lane_top > area.bottom()) break;
        const Track& t = tracks[std::size_t(row)];
        const auto [low, high] = pitch_range_[t.id];
        const double row_height = double(kLaneHeight - 6) / double(high - low + 1);
        const int thickness = std::clamp(int(row_height), 1, 3);
        const QRgb colour = t.id == roll_.currentTrack() ? kCurrentNoteColour : kNoteColour;
        index_.forEachIn(t, first, last, [&](const Note& n) {
            const int x0 = std::max(0, int(std::floor(view_.xOfBeat(n.start))) - area.left());
            const int x1 =
                std::min(w, std::max(x0 + 1, int(std::floor(view_.xOfBeat(n.end()))) - area.left()));
            const int y0 = int(std::floor(lane_top + 3 + (high - n.pitch) * row_height)) - area.top();
            for (int y = std::max(0, y0); y < std::min(h, y0 + thickness); ++y) {
                auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
                std::fill(line + x0, line + std::max(x0, x1), colour);
            }
        });
    }
}

void ArrangerLanes::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const QPointF pos = event->position();
    const int row = rowAt(pos.y());
    if (row < 0) {
        selection_ = {};
        update();
        return;
    }
    press_row_ = now_row_ = row;
    press_bar_ = now_bar_ = barAt(pos.x());
    roll_.setCurrentTrack(song_.document().tracks[std::size_t(row)].id);
    const double beat = view_.beatOfX(pos.x());
    const TrackId id = song_.document().tracks[std::size_t(row)].id;
    const bool inside =
        !selection_.empty() && beat >= selection_.begin && beat < selection_.end &&
        std::find(selection_.tracks.begin(), selection_.tracks.end(), id) != selection_.tracks.end();
    gesture_ = inside && !(event->modifiers() & Qt::ShiftModifier) ? Gesture::Move : Gesture::Select;
    update();
}

void ArrangerLanes::mouseMoveEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None) return;
    const int row = rowAt(event->position().y());
    if (row >= 0) now_row_ = row;
    now_bar_ = barAt(event->position().x());
    update();
}

void ArrangerLanes::mouseReleaseEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None || event->button() != Qt::LeftButton) return;
    mouseMoveEvent(event);
    const Gesture gesture = gesture_;
    gesture_ = Gesture::None;
    if (gesture == Gesture::Select)
        selection_ = rangeOf(press_row_, press_bar_, now_row_, now_bar_);
    else if (now_bar_ != press_bar_)
        moveSelection(now_bar_ - press_bar_);
    update();
}

void ArrangerLanes::mouseDoubleClickEvent(QMouseEvent* event) {
    const int row = rowAt(event->position().y());
    if (row < 0) return;
    gesture_ = Gesture::None;
    const int bar = barAt(event->position().x());
    // The selection when the click is in it, else the bar clicked.
    const TrackId id = song_.document().tracks[std::size_t(row)].id;
    const double beat = view_.beatOfX(event->position().x());
    if (!selection_.empty() && beat >= selection_.begin && beat < selection_.end)
        emit editRequested(id, selection_.begin, selection_.end);
    else
        emit editRequested(id, beatOfBar(bar), beatOfBar(bar + 1));
}

void ArrangerLanes::contextMenuEvent(QContextMenuEvent* event) {
    const int row = rowAt(event->pos().y());
    const double beat = view_.beatOfX(event->pos().x());
    const bool has = !selection_.empty();
    QMenu menu(this);
    menu.addAction(tr("Delete range"), this, &ArrangerLanes::deleteSelection)->setEnabled(has);
    menu.addAction(tr("Cut"), this, &ArrangerLanes::cutSelection)->setEnabled(has);
    menu.addAction(tr("Copy"), this, &ArrangerLanes::copySelection)->setEnabled(has);
    menu.addAction(tr("Paste here"), this, [this, beat] { pasteAt(beat); })->setEnabled(!clipboard_.empty());
    menu.addSeparator();
    menu.addAction(tr("Insert %n bar(s) before the range", nullptr, has ? selectionBars() : 1), this,
                   &ArrangerLanes::insertBars)
        ->setEnabled(has);
    menu.addAction(tr("Remove the range's bars from every track"), this, &ArrangerLanes::removeBars)
        ->setEnabled(has);
    if (row >= 0) {
        menu.addSeparator();
        const TrackId id = song_.document().tracks[std::size_t(row)].id;
        const int bar = barAt(event->pos().x());
        menu.addAction(tr("Edit in the piano roll"), this,
                       [this, id, bar] { emit editRequested(id, beatOfBar(bar), beatOfBar(bar + 1)); });
    }
    menu.exec(event->globalPos());
}

bool ArrangerLanes::event(QEvent* event) {
    // The arranger's keys while it has focus (the piano roll's Delete and Ctrl+C/V act on notes).
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->matches(QKeySequence::Copy) || key->matches(QKeySequence::Cut) ||
            key->matches(QKeySequence::Paste) || key->key() == Qt::Key_Delete ||
            key->key() == Qt::Key_Backspace) {
            event->accept();
            return true;
        }
    }
    return QWidget::event(event);
}

void ArrangerLanes::keyPressEvent(QKeyEvent* event) {
    if (event->matches(QKeySequence::Copy)) return copySelection();
    if (event->matches(QKeySequence::Cut)) return cutSelection();
    if (event->matches(QKeySequence::Paste)) return pasteAt(view_.cursorBeat());
    if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) return deleteSelection();
    QWidget::keyPressEvent(event);
}

}  // namespace tactus::gui
