#include "gui/piano_keys.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>

#include "gui/drum_names.h"
#include "gui/engine_link.h"
#include "gui/roll_state.h"
#include "server/osc_out.h"

namespace tactus::gui {

PianoKeys::PianoKeys(EngineLink& link, RollState& state, QWidget* parent)
    : QWidget(parent), link_(link), state_(state) {
    setObjectName("pianoKeys");
    setFixedWidth(kPianoWidth);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(&state_, &RollState::changed, this, [this] {
        // Drum rows carry names: a wider column.
        const int wanted = state_.drumMode() ? kDrumWidth : kPianoWidth;
        if (width() != wanted) setFixedWidth(wanted);
        update();
    });
}

QString PianoKeys::rowLabel(int pitch) const {
    if (!state_.drumMode()) return pitch % 12 == 0 ? QStringLiteral("C%1").arg(pitch / 12 - 1) : QString();
    const QString name = generalMidiDrumName(pitch);
    return name.isEmpty() ? QString::number(pitch) : QStringLiteral("%1 %2").arg(pitch).arg(name);
}

void PianoKeys::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(235, 235, 230));
    const int top = state_.rowOf(state_.pitchOfY(event->rect().top()));
    const int bottom = state_.rowOf(state_.pitchOfY(event->rect().bottom()));
    QFont labels = font();
    labels.setPointSizeF(std::max(8.5, labels.pointSizeF() - 0.5));
    p.setFont(labels);
    if (state_.drumMode()) return paintDrumRows(p, top, bottom);
    for (int r = top; r >= bottom; --r) {
        const int pitch = state_.pitchOfRow(r);
        const QRectF row(0, state_.yOfPitch(pitch), width(), state_.keyHeight());
        const int pc = pitch % 12;
        const bool black = pc == 1 || pc == 3 || pc == 6 || pc == 8 || pc == 10;
        if (black) p.fillRect(row.adjusted(0, 0, -width() * 0.4, 0), QColor(30, 30, 32));
        if (pitch == sounding_) p.fillRect(row, QColor(255, 170, 60, 160));
        p.setPen(QColor(170, 170, 165));
        if (pc == 0 || pc == 5) p.drawLine(row.bottomLeft(), row.bottomRight());
        if (pc == 0 && state_.keyHeight() >= 7) {
            p.setPen(QColor(15, 15, 15));
            p.drawText(row.adjusted(0, 0, -3, 0), Qt::AlignRight | Qt::AlignVCenter, rowLabel(pitch));
        }
    }
}

// One named row per sound, alternately shaded; the name's size follows the row height.
void PianoKeys::paintDrumRows(QPainter& p, int top, int bottom) {
    for (int row = top; row >= bottom; --row) {
        const int pitch = state_.pitchOfRow(row);
        const QRectF r(0, state_.yOfPitch(pitch), width(), state_.keyHeight());
        p.fillRect(r, row % 2 ? QColor(225, 225, 220) : QColor(238, 238, 233));
        if (pitch == sounding_) p.fillRect(r, QColor(255, 170, 60, 160));
        p.setPen(QColor(190, 190, 185));
        p.drawLine(r.bottomLeft(), r.bottomRight());
        if (state_.keyHeight() >= 7) {
            p.setPen(QColor(15, 15, 15));
            p.drawText(r.adjusted(4, 0, -3, 0), Qt::AlignLeft | Qt::AlignVCenter,
                       p.fontMetrics().elidedText(rowLabel(pitch), Qt::ElideRight, width() - 7));
        }
    }
}

void PianoKeys::play(int pitch) {
    if (pitch == sounding_) return;
    release();
    if (state_.currentTrack() == 0) return;
    sounding_ = pitch;
    link_.send(OscOut("/note/on").i(std::int32_t(state_.currentTrack())).i(pitch).i(100).bytes());
    update();
}

void PianoKeys::release() {
    if (sounding_ < 0) return;
    link_.send(OscOut("/note/off").i(std::int32_t(state_.currentTrack())).i(sounding_).bytes());
    sounding_ = -1;
    update();
}

void PianoKeys::mousePressEvent(QMouseEvent* event) {
    play(state_.pitchOfY(event->position().y()));
}
void PianoKeys::mouseMoveEvent(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) play(state_.pitchOfY(event->position().y()));
}
void PianoKeys::mouseReleaseEvent(QMouseEvent*) {
    release();
}

}  // namespace tactus::gui
