#include "gui/ruler.h"

#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QMouseEvent>
#include <QPainter>
#include <cmath>
#include <utility>

#include "gui/bar_beat.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
constexpr double kMarkHalfWidth = 5.0;  // the cursor's triangle
constexpr double kMarkHeight = 8.0;
}  // namespace

Ruler::Ruler(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state), meter_(song.document().meter) {
    setFixedHeight(32);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(&song_, &SongModel::documentChanged, this, [this] {
        meter_ = MeterMap(song_.document().meter);
        update();
    });
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
}

void Ruler::moveCursor(double beat) {
    const double x = state_.xOfBeat(beat);
    if (std::abs(x - cursor_x_) < 0.25) return;
    update(QRect(int(cursor_x_) - 6, 0, 13, height()));
    cursor_x_ = x;
    update(QRect(int(x) - 6, 0, 13, height()));
}

void Ruler::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(30, 31, 35));
    if (state_.loopOn() || dragging_loop_) {
        const double b0 = dragging_loop_ ? std::min(drag_from_, drag_to_) : state_.loopBegin();
        const double b1 = dragging_loop_ ? std::max(drag_from_, drag_to_) : state_.loopEnd();
        p.fillRect(QRectF(state_.xOfBeat(b0), 0, (b1 - b0) * state_.pixelsPerBeat(), height()),
                   QColor(80, 140, 255, 90));
    }
    const double first = std::max(0.0, state_.beatOfX(0)), last = state_.beatOfX(width());
    int bar = meter_.bar_at_beat(first).bar;
    // Bars get a number; at wide zoom every beat a tick. Sparse labels when bars are narrow.
    const double bar_px = meter_.segment_at(first).beats_per_bar * state_.pixelsPerBeat();
    const int label_every = bar_px >= 40 ? 1 : bar_px >= 20 ? 2 : bar_px >= 8 ? 4 : 16;
    p.setFont(rulerFont());
    for (double b = meter_.beat_of_bar(bar); b <= last; b = meter_.beat_of_bar(++bar)) {
        const double x = std::round(state_.xOfBeat(b)) + 0.5;
        p.setPen(QColor(215, 218, 228));
        p.drawLine(QPointF(x, 12), QPointF(x, height()));
        if (bar % label_every == 0) p.drawText(QPointF(x + 3, 11), QString::number(bar + 1));
        const MeterSegment& m = meter_.segment_at(b);
        if (state_.pixelsPerBeat() >= 12) {
            p.setPen(QColor(100, 102, 110));
            for (double beat = 1; beat < m.beats_per_bar; beat += 1) {
                const double bx = std::round(state_.xOfBeat(b + beat)) + 0.5;
                p.drawLine(QPointF(bx, 19), QPointF(bx, height()));
            }
        }
    }
    for (const Marker& m : song_.document().markers) {
        if (m.beat < first || m.beat > last) continue;
        const double x = std::round(state_.xOfBeat(m.beat)) + 0.5;
        const QRectF label = markerLabelRect(m);
        p.setPen(QColor(255, 210, 120));
        p.drawLine(QPointF(x, label.top()), QPointF(x, height()));  // the marker's own line
        p.fillRect(label, QColor(30, 31, 35, 220));
        p.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(m.name));
    }
    if (moving_marker_) {  // where the dragged marker lands
        const double x = std::round(state_.xOfBeat(marker_to_)) + 0.5;
        p.setPen(QPen(QColor(255, 210, 120), 1, Qt::DashLine));
        p.drawLine(QPointF(x, 12), QPointF(x, height()));
    }
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 80, 60));
    const QRectF mark = cursorMarkRect();
    p.drawPolygon(QPolygonF({QPointF(mark.center().x(), mark.bottom()), mark.topLeft(), mark.topRight()}));
}

QFont Ruler::rulerFont() const {
    QFont f = font();
    f.setPointSizeF(std::max(9.0, f.pointSizeF()));
    return f;
}

QRectF Ruler::cursorMarkRect() const {
    return QRectF(cursor_x_ - kMarkHalfWidth, height() - kMarkHeight, 2 * kMarkHalfWidth, kMarkHeight);
}

QRectF Ruler::markerLabelRect(const Marker& marker) const {
    const QFontMetricsF metrics(rulerFont());
    const double x = std::round(state_.xOfBeat(marker.beat)) + 0.5;
    const double width = metrics.horizontalAdvance(QString::fromStdString(marker.name)) + 4;
    // Right of the line, clear of the cursor's mark when the cursor stands on the marker, and above
    // the mark's height.
    return QRectF(x + kMarkHalfWidth + 2, 13, width, height() - 13 - kMarkHeight);
}

std::optional<Marker> Ruler::markerAt(QPointF pos) const {
    for (const Marker& m : song_.document().markers)
        if (markerLabelRect(m).adjusted(-kMarkHalfWidth - 2, 0, 0, 0).contains(pos)) return m;
    return std::nullopt;
}

void Ruler::commitMarkers(std::vector<Marker> markers, const QString& what) {
    std::stable_sort(markers.begin(), markers.end(),
                     [](const Marker& a, const Marker& b) { return a.beat < b.beat; });
    song_.apply({edit::MarkersReplace{std::move(markers)}}, what);
}

void Ruler::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const double beat = std::max(0.0, state_.snapBeat(state_.beatOfX(event->position().x())));
    pressed_marker_ = (event->modifiers() & Qt::ShiftModifier) ? std::nullopt : markerAt(event->position());
    if (pressed_marker_) {
        press_x_ = event->position().x();
        marker_to_ = pressed_marker_->beat;
        moving_marker_ = false;
        return;
    }
    if (event->modifiers() & Qt::ShiftModifier) {
        dragging_loop_ = true;
        drag_from_ = drag_to_ = beat;
    } else {
        emit locateRequested(beat);
    }
}

void Ruler::mouseMoveEvent(QMouseEvent* event) {
    if (pressed_marker_) {
        const double dx = event->position().x() - press_x_;
        moving_marker_ = moving_marker_ || std::abs(dx) >= 4;
        if (moving_marker_) {
            marker_to_ = std::max(0.0, state_.snapBeat(pressed_marker_->beat + dx / state_.pixelsPerBeat()));
            update();
        }
        return;
    }
    if (!dragging_loop_) return;
    drag_to_ = std::max(0.0, state_.snapBeat(state_.beatOfX(event->position().x())));
    update();
}

void Ruler::mouseReleaseEvent(QMouseEvent*) {
    if (const auto marker = std::exchange(pressed_marker_, std::nullopt)) {
        if (!moving_marker_) {
            emit locateRequested(marker->beat);  // a click on a marker jumps to it
            return;
        }
        moving_marker_ = false;
        std::vector<Marker> markers = song_.document().markers;
        const auto it = std::find(markers.begin(), markers.end(), *marker);
        if (it == markers.end() || marker_to_ == marker->beat) return update();
        it->beat = marker_to_;
        commitMarkers(std::move(markers), tr("Move marker"));
        update();
        return;
    }
    if (!dragging_loop_) return;
    dragging_loop_ = false;
    if (drag_to_ != drag_from_)
        emit loopRequested(std::min(drag_from_, drag_to_), std::max(drag_from_, drag_to_));
    update();
}

void Ruler::mouseDoubleClickEvent(QMouseEvent* event) {
    const auto marker = markerAt(event->position());
    if (!marker || event->button() != Qt::LeftButton) return;
    pressed_marker_.reset();
    std::optional<QString> name;
    if (name_editor_) {
        name = name_editor_(*marker);
    } else {
        bool ok = false;
        const QString typed = QInputDialog::getText(this, tr("Rename marker"), tr("Name:"), QLineEdit::Normal,
                                                    QString::fromStdString(marker->name), &ok);
        if (ok) name = typed;
    }
    if (!name || name->toStdString() == marker->name) return;
    std::vector<Marker> markers = song_.document().markers;
    const auto it = std::find(markers.begin(), markers.end(), *marker);
    if (it == markers.end()) return;
    it->name = name->toStdString();
    commitMarkers(std::move(markers), tr("Rename marker"));
}

void Ruler::contextMenuEvent(QContextMenuEvent* event) {
    const Document& doc = song_.document();
    const double beat = std::max(0.0, state_.snapBeat(state_.beatOfX(event->pos().x())));
    const int bar = meter_.bar_at_beat(state_.beatOfX(event->pos().x())).bar;
    QMenu menu(this);
    menu.addAction(tr("Add marker at %1…").arg(barBeatText(meter_, beat)), this, [this, beat] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("Add marker"), tr("Name:"), QLineEdit::Normal, {}, &ok);
        if (!ok) return;
        std::vector<Marker> markers = song_.document().markers;
        markers.push_back({beat, name.toStdString()});
        commitMarkers(std::move(markers), tr("Add marker"));
    });
    for (const Marker& near : doc.markers) {
        if (std::abs(state_.xOfBeat(near.beat) - event->pos().x()) > 40) continue;
        menu.addAction(tr("Remove marker \"%1\"").arg(QString::fromStdString(near.name)), this, [this, near] {
            std::vector<Marker> markers = song_.document().markers;  // as it is when chosen
            auto it = std::find(markers.begin(), markers.end(), near);
            if (it == markers.end()) return;
            markers.erase(it);
            song_.apply({edit::MarkersReplace{std::move(markers)}}, tr("Remove marker"));
        });
    }
    menu.addAction(tr("Time signature from bar %1…").arg(bar + 1), this, [this, bar] {
        const MeterSegment& m = meter_.segment_at(meter_.beat_of_bar(bar));
        bool ok = false;
        const QString text = QInputDialog::getText(
            this, tr("Time signature"), tr("From bar %1 (e.g. 3/4):").arg(bar + 1), QLineEdit::Normal,
            QStringLiteral("%1/%2").arg(m.numerator).arg(m.denominator), &ok);
        const QStringList parts = text.split('/');
        if (!ok || parts.size() != 2) return;
        std::vector<TimeSignature> meter;
        for (const TimeSignature& ts : song_.document().meter)
            if (ts.bar != bar) meter.push_back(ts);
        meter.push_back({bar, parts[0].trimmed().toInt(), parts[1].trimmed().toInt()});
        std::sort(meter.begin(), meter.end(), [](const auto& a, const auto& b) { return a.bar < b.bar; });
        if (!song_.apply({edit::MeterReplace{std::move(meter)}}, tr("Change time signature")))
            QMessageBox::warning(this, tr("Time signature"), song_.lastError());
    });
    menu.exec(event->globalPos());
}

}  // namespace tactus::gui
