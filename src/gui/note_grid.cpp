#include "gui/note_grid.h"

#include <QLineF>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/roll_commands.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {

// How far the mouse moves from a press on empty space before it draws (less is a click).
constexpr double kDragPixels = 4.0;
// A gesture held this close to the left or right edge (or past it) scrolls the view.
constexpr double kAutoscrollZone = 8.0;
constexpr int kAutoscrollMs = 30;
constexpr double kEdgePixels = 6.0;
// A drum hit's mark: as wide as the row is high, within these.
constexpr double kHitMinWidth = 9.0;
constexpr double kHitMaxWidth = 16.0;
bool isBlackKey(int pitch) {
    const int pc = pitch % 12;
    return pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
}
}  // namespace

NoteGrid::NoteGrid(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state), meter_(song.document().meter) {
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(200, 120);
    connect(&song_, &SongModel::documentChanged, this, [this] {
        meter_ = MeterMap(song_.document().meter);
        index_.update(song_.document());
        update();
    });
    index_.update(song_.document());
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
    connect(&state_, &RollState::selectionChanged, this, qOverload<>(&QWidget::update));
    autoscroll_.setInterval(kAutoscrollMs);
    connect(&autoscroll_, &QTimer::timeout, this, &NoteGrid::autoscrollStep);
}

const Track* NoteGrid::editedTrack() const {
    return song_.track(state_.currentTrack());
}

QRectF NoteGrid::noteRect(const Note& n) const {
    const double x = state_.xOfBeat(n.start);
    if (state_.drumMode()) {
        // A hit: a mark as wide as the row is high (within reason), whatever its length, centred on
        // its start so that its onset is the mark's middle.
        const double w = std::clamp(state_.keyHeight(), kHitMinWidth, kHitMaxWidth);
        return QRectF(x - w / 2, state_.yOfPitch(n.pitch), w, state_.keyHeight());
    }
    const double w = std::max(3.0, n.length * state_.pixelsPerBeat());
    return QRectF(x, state_.yOfPitch(n.pitch), w, state_.keyHeight());
}

NoteGrid::Hit NoteGrid::hitTest(QPointF pos) const {
    const Track* track = editedTrack();
    if (!track) return {};
    Hit hit;
    for (const Note& n : track->notes) {  // the last one drawn is on top
        const QRectF r = noteRect(n);
        if (!r.contains(pos)) continue;
        hit.note = &n;
        hit.rightEdge =
            !state_.drumMode() && r.width() > 2 * kEdgePixels && pos.x() > r.right() - kEdgePixels;
    }
    return hit;
}

void NoteGrid::moveCursor(double beat) {
    const double x = state_.xOfBeat(beat);
    if (std::abs(x - cursor_x_) < 0.25) return;
    const int old_x = int(std::floor(cursor_x_));
    cursor_x_ = x;
    update(QRect(old_x - 1, 0, 3, height()));
    update(QRect(int(std::floor(x)) - 1, 0, 3, height()));
}

void NoteGrid::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const QRect area = event->rect();
    paintGrid(p, area);
    paintNotes(p, area);
    paintGesture(p);
    if (cursor_x_ >= area.left() - 2 && cursor_x_ <= area.right() + 2) {
        p.setPen(QPen(QColor(255, 80, 60), 1.5));
        p.drawLine(QPointF(cursor_x_, 0), QPointF(cursor_x_, height()));
    }
}

void NoteGrid::paintGrid(QPainter& p, const QRect& area) const {
    p.fillRect(area, QColor(44, 46, 52));
    const double kh = state_.keyHeight();
    // Rows: black keys darker, a line under every C.
    const int top = state_.rowOf(state_.pitchOfY(area.top()));
    const int bottom = state_.rowOf(state_.pitchOfY(area.bottom()));
    const bool drums = state_.drumMode();
    for (int r = top; r >= bottom; --r) {
        const int pitch = state_.pitchOfRow(r);
        const QRectF row(area.left(), state_.yOfPitch(pitch), area.width(), kh);
        if (drums ? r % 2 != 0 : isBlackKey(pitch)) p.fillRect(row, QColor(36, 38, 43));
        if (drums || pitch % 12 == 0) {
            p.setPen(QColor(70, 72, 80));
            p.drawLine(QPointF(area.left(), row.bottom()), QPointF(area.right(), row.bottom()));
        }
    }
    // Loop region.
    if (state_.loopOn()) {
        const double x0 = state_.xOfBeat(state_.loopBegin()), x1 = state_.xOfBeat(state_.loopEnd());
        p.fillRect(QRectF(x0, area.top(), x1 - x0, area.height()), QColor(80, 140, 255, 28));
    }
    // Columns: grid lines (snap), beats, bars.
    const double first = state_.beatOfX(area.left()), last = state_.beatOfX(area.right() + 1);
    const double step = state_.snap() > 0 ? state_.snap() : 1.0;
    if (step * state_.pixelsPerBeat() >= 6) {
        p.setPen(QColor(52, 54, 61));
        for (double b = std::floor(first / step) * step; b <= last; b += step) {
            const double x = std::round(state_.xOfBeat(b)) + 0.5;
            p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom() + 1));
        }
    }
    for (double b = std::floor(first); b <= last; b += 1.0) {
        const BarPosition pos = meter_.bar_at_beat(b);
        const bool bar = std::abs(pos.beat_in_bar) < 1e-9;
        if (!bar && state_.pixelsPerBeat() < 12) continue;
        p.setPen(bar ? QColor(105, 108, 120) : QColor(64, 66, 75));
        const double x = std::round(state_.xOfBeat(b)) + 0.5;
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom() + 1));
    }
}

void NoteGrid::paintNotes(QPainter& p, const QRect& area) const {
    const Document& doc = song_.document();
    const double first = state_.beatOfX(area.left()), last = state_.beatOfX(area.right() + 1);
    const bool moving = gesture_ == Gesture::Move || gesture_ == Gesture::Resize;
    const bool drums = state_.drumMode();
    const double margin = drums ? kHitMaxWidth / state_.pixelsPerBeat() : 0.0;
    // The other tracks' notes: grey ghosts, in one call per track (zoomed out there are thousands).
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(120, 124, 136, 90));
    // Zoomed out, a note is a pixel or two wide and there are tens of thousands in view: those are
    // written straight into an image of the area (one colour, overlaps drawn once), which is drawn
    // with one call; wider ones go out in one drawRects per track.
    const QColor ghost(120, 124, 136, 90);
    const QRgb ghost_pixel = qPremultiply(ghost.rgba());
    QImage narrow;
    std::vector<QRectF> ghosts;
    for (const Track& t : doc.tracks) {
        if (t.id == state_.currentTrack()) continue;  // drawn last, on top
        ghosts.clear();
        index_.forEachIn(t, first - margin, last + margin, [&](const Note& n) {
            const QRectF r = noteRect(n);
            if (r.width() > 3.0) return ghosts.push_back(r);  // (3 px: the narrowest a note is drawn)
            if (narrow.isNull()) {
                narrow = QImage(area.size(), QImage::Format_ARGB32_Premultiplied);
                narrow.fill(Qt::transparent);
            }
            const int x0 = std::max(0, int(std::floor(r.left())) - area.left());
            const int x1 = std::min(area.width(), int(std::ceil(r.right())) - area.left());
            const int y0 = std::max(0, int(std::lround(r.top())) - area.top());
            const int y1 = std::min(area.height(), int(std::lround(r.bottom())) - area.top());
            for (int y = y0; y < y1; ++y) {
                auto* line = reinterpret_cast<QRgb*>(narrow.scanLine(y));
                std::fill(line + x0, line + std::max(x0, x1), ghost_pixel);
            }
        });
        p.drawRects(ghosts.data(), int(ghosts.size()));
    }
    if (!narrow.isNull()) p.drawImage(area.topLeft(), narrow);
    const Track* track = editedTrack();
    if (!track) return;
    index_.forEachIn(*track, first - margin, last + margin, [&](const Note& n) {
        const bool selected = state_.isSelected(n.id);
        const QRectF r = noteRect(n);
        p.setPen(QPen(selected ? QColor(255, 240, 200) : QColor(20, 30, 40), selected && moving ? 0.5 : 1.0));
        if (drums) {
            // A diamond, from dim to bright with the velocity.
            const double v = n.velocity / 127.0;
            p.setBrush(selected ? QColor(255, 196, 90)
                                : QColor(int(60 + 40 * v), int(90 + 165 * v), int(110 + 110 * v)));
            const QPointF c = r.center();
            const double hw = r.width() / 2 - 0.5, hh = r.height() / 2 - 0.5;
            p.drawPolygon(QPolygonF(
                {c + QPointF(0, -hh), c + QPointF(hw, 0), c + QPointF(0, hh), c + QPointF(-hw, 0)}));
            return;
        }
        const int shade = 110 + n.velocity;  // louder notes brighter
        p.setBrush(selected ? QColor(255, 196, 90) : QColor(70, std::min(255, shade), 200));
        p.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
    });
}

void NoteGrid::paintGesture(QPainter& p) const {
    p.setBrush(Qt::NoBrush);
    if (gesture_ == Gesture::RubberBand) {
        p.setPen(QPen(QColor(255, 255, 255, 180), 1, Qt::DashLine));
        p.drawRect(rubber_band_);
        return;
    }
    p.setPen(QPen(QColor(255, 255, 255), 1.5));
    if (gesture_ == Gesture::Draw && drawing_) {
        Note ghost = primary_;
        ghost.length = std::max(state_.gridStep(), drag_beats_);
        p.drawRect(noteRect(ghost));
    } else if (gesture_ == Gesture::Move || gesture_ == Gesture::Resize) {
        for (Note n : selectedNotes(song_.document(), state_.currentTrack(), state_.selection())) {
            if (gesture_ == Gesture::Move) {
                n.start += drag_beats_;
                n.pitch = state_.shiftedPitch(n.pitch, drag_pitch_);
            } else {
                n.length = std::max(0.0, n.length + drag_beats_);
            }
            p.drawRect(noteRect(n));
        }
    }
}

void NoteGrid::mousePressEvent(QMouseEvent* event) {
    ++events_handled_;
    setFocus();
    const QPointF pos = event->position();
    press_pos_ = pos;
    press_beat_ = state_.beatOfX(pos.x());
    press_pitch_ = state_.pitchOfY(pos.y());
    drag_beats_ = 0;
    drag_pitch_ = 0;
    if (!editedTrack()) return;
    const Hit hit = hitTest(pos);
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    if (event->button() == Qt::RightButton) {
        if (hit.note) {
            const NoteId id = hit.note->id;
            song_.apply(deleteNotes({*hit.note}), tr("Delete note"));
            auto selection = state_.selection();
            if (selection.erase(id)) state_.setSelection(selection);
        }
        return;
    }
    if (event->button() != Qt::LeftButton) return;
    if (hit.note) {
        primary_ = *hit.note;
        auto selection = state_.selection();
        if (shift) {
            if (!selection.erase(primary_.id)) selection.insert(primary_.id);
            state_.setSelection(selection);
            return;
        }
        if (!selection.count(primary_.id)) state_.setSelection({primary_.id});
        gesture_ = hit.rightEdge ? Gesture::Resize : Gesture::Move;
    } else if (shift) {
        gesture_ = Gesture::RubberBand;
        rubber_band_ = QRectF(pos, pos);
    } else {
        // A drag from here draws; a click only clears the selection (on release).
        gesture_ = Gesture::Draw;
        drawing_ = false;
        primary_ =
            Note{0, std::max(0.0, state_.floorSnap(press_beat_)), state_.gridStep(), press_pitch_, 0.0, 100};
        drag_beats_ = primary_.length;
    }
    update();
}

void NoteGrid::mouseDoubleClickEvent(QMouseEvent* event) {
    ++events_handled_;
    // (Qt's default would take it as a second press.)
    if (event->button() != Qt::LeftButton || !editedTrack() || event->modifiers() != Qt::NoModifier) return;
    const QPointF pos = event->position();
    if (hitTest(pos).note) return;
    drawNote(Note{0, std::max(0.0, state_.floorSnap(state_.beatOfX(pos.x()))), state_.gridStep(),
                  state_.pitchOfY(pos.y()), 0.0, 100});
}

void NoteGrid::mouseMoveEvent(QMouseEvent* event) {
    ++events_handled_;
    const QPointF pos = event->position();
    if (gesture_ == Gesture::None) {
        const Hit hit = hitTest(pos);
        setCursor(hit.note ? (hit.rightEdge ? Qt::SizeHorCursor : Qt::OpenHandCursor) : Qt::CrossCursor);
        return;
    }
    last_pos_ = pos;
    updateGesture(pos);
    // Held near or past the left or right edge while drawing, moving or resizing: the view scrolls on
    // its own (a timer), so a note can be taken past what is shown.
    const bool scrolls =
        gesture_ == Gesture::Move || gesture_ == Gesture::Resize || (gesture_ == Gesture::Draw && drawing_);
    if (scrolls && edgeOvershoot(pos.x()) != 0.0) {
        if (!autoscroll_.isActive()) autoscroll_.start();
    } else {
        autoscroll_.stop();
    }
}

// Pixels past the autoscroll zone at either edge (negative: left), 0 inside.
double NoteGrid::edgeOvershoot(double x) const {
    if (x > width() - kAutoscrollZone) return x - (width() - kAutoscrollZone);
    if (x < kAutoscrollZone && state_.leftBeat() > 0.0) return x - kAutoscrollZone;
    return 0.0;
}

void NoteGrid::autoscrollStep() {
    const double over = edgeOvershoot(last_pos_.x());
    if (gesture_ == Gesture::None || over == 0.0) {
        autoscroll_.stop();
        return;
    }
    // Faster the further past the edge, at least a few pixels a tick.
    const double pixels = std::copysign(std::max(3.0, std::abs(over) * 0.5), over);
    state_.pauseFollow();
    state_.setLeftBeat(std::max(0.0, state_.leftBeat() + pixels / state_.pixelsPerBeat()));
    updateGesture(last_pos_);  // the beat under the mouse has moved on
}

void NoteGrid::updateGesture(QPointF pos) {
    const double beat = state_.beatOfX(pos.x());
    switch (gesture_) {
        case Gesture::Draw:
            drawing_ = drawing_ || QLineF(press_pos_, pos).length() >= kDragPixels;
            drag_beats_ = std::max(state_.gridStep(), state_.snapBeat(beat) - primary_.start);
            break;
        case Gesture::Move: {
            const double start = std::max(0.0, state_.snapBeat(primary_.start + beat - press_beat_));
            drag_beats_ = start - primary_.start;
            drag_pitch_ = state_.rowOf(state_.pitchOfY(pos.y())) - state_.rowOf(press_pitch_);  // rows
            break;
        }
        case Gesture::Resize: {
            const double end = state_.snapBeat(primary_.end() + beat - press_beat_);
            drag_beats_ =
                std::max(state_.snap() > 0 ? state_.snap() : 0.0, end - primary_.start) - primary_.length;
            break;
        }
        case Gesture::RubberBand:
            rubber_band_ = QRectF(press_pos_, pos).normalized();
            break;
        case Gesture::None:
            break;
    }
    update();
}

void NoteGrid::mouseReleaseEvent(QMouseEvent* event) {
    ++events_handled_;
    autoscroll_.stop();
    if (event->button() == Qt::LeftButton) finishGesture();
}

void NoteGrid::drawNote(const Note& note) {
    Note n = note;
    n.id = song_.newNoteId();
    if (song_.apply({edit::NoteAdd{state_.currentTrack(), n}}, tr("Draw note"),
                    state_.auditionEnabled() ? std::vector<NoteId>{n.id} : std::vector<NoteId>{}))
        state_.setSelection({n.id});
}

void NoteGrid::finishGesture() {
    const Gesture gesture = gesture_;
    gesture_ = Gesture::None;
    const TrackId track = state_.currentTrack();
    const bool audition = state_.auditionEnabled();
    const auto selected = selectedNotes(song_.document(), track, state_.selection());
    switch (gesture) {
        case Gesture::Draw: {
            if (!drawing_) {  // a click on empty space
                state_.setSelection({});
                break;
            }
            Note n = primary_;
            n.length = std::max(state_.gridStep(), drag_beats_);
            drawNote(n);
            break;
        }
        case Gesture::Move:
            if (drag_beats_ != 0 || drag_pitch_ != 0) {
                // Rows are semitones unless rows are hidden (a drum track's unused sounds).
                auto edits = state_.rows().empty() ? shiftNotes(selected, drag_beats_, drag_pitch_)
                                                   : moveNotes(selected, drag_beats_, [this](int pitch) {
                                                         return state_.shiftedPitch(pitch, drag_pitch_);
                                                     });
                std::vector<NoteId> auditions;
                if (audition) auditions.push_back(primary_.id);
                song_.apply(std::move(edits), selected.size() > 1 ? tr("Move notes") : tr("Move note"),
                            auditions);
            }
            break;
        case Gesture::Resize:
            if (drag_beats_ != 0) {
                song_.apply(resizeNotes(selected, drag_beats_, 0.0),
                            selected.size() > 1 ? tr("Resize notes") : tr("Resize note"));
            }
            break;
        case Gesture::RubberBand: {
            std::set<NoteId> selection = state_.selection();
            if (const Track* t = editedTrack())
                for (const Note& n : t->notes)
                    if (rubber_band_.intersects(noteRect(n))) selection.insert(n.id);
            state_.setSelection(selection);
            break;
        }
        case Gesture::None:
            break;
    }
    drag_beats_ = 0;
    drag_pitch_ = 0;
    update();
}

}  // namespace tactus::gui
