// What the lanes under the piano roll (controller, automation) share: the beat lines behind their
// graphs, and the Delete key while they hold selected points. Threading: the UI thread.
#pragma once

#include <QEvent>
#include <QKeyEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/roll_state.h"

namespace tactus::gui {

// A line on every beat in view (every bar's first when beats are under 12 pixels apart).
inline void drawBeatLines(QPainter& p, const RollState& state, int width, int height) {
    const double first = state.beatOfX(0), last = state.beatOfX(width);
    for (double b = std::max(0.0, std::floor(first)); b <= last; b += 1.0) {
        if (state.pixelsPerBeat() < 12 && std::fmod(b, 4.0) != 0) continue;
        const double x = std::round(state.xOfBeat(b)) + 0.5;
        p.drawLine(QPointF(x, 0), QPointF(x, height));
    }
}

inline bool isDeleteKey(const QKeyEvent* key) {
    return key->key() == Qt::Key_Delete || key->key() == Qt::Key_Backspace;
}

// Delete belongs to a lane while it holds selected points (otherwise it deletes notes): true when
// `event` is Delete's shortcut override, then accepted so that the key reaches the lane.
inline bool claimDeleteKey(QEvent* event, bool has_selection) {
    if (event->type() != QEvent::ShortcutOverride || !has_selection) return false;
    if (!isDeleteKey(static_cast<QKeyEvent*>(event))) return false;
    event->accept();
    return true;
}

}  // namespace tactus::gui
