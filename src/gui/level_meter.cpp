#include "gui/level_meter.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace tactus::gui {

namespace {
constexpr double kFloorDb = -60.0;
constexpr double kFallDbPerSecond = 20.0;
double toDb(double linear) {
    return linear > 0 ? 20.0 * std::log10(linear) : kFloorDb;
}
}  // namespace

LevelMeter::LevelMeter(QWidget* parent) : QWidget(parent) {
    setMinimumSize(8, 40);
    setToolTip(tr("Peak level; the red light shows clipping (click to reset)"));
}

void LevelMeter::setPeak(float peak, double elapsed_seconds) {
    const double fallen = toDb(shown_) - kFallDbPerSecond * elapsed_seconds;
    const double db = std::max(toDb(peak), fallen);
    const float next = db <= kFloorDb ? 0.0f : float(std::pow(10.0, db / 20.0));
    if (peak >= 1.0f) clipped_ = true;
    if (std::abs(next - shown_) > 1e-4f || peak >= 1.0f) {
        shown_ = next;
        update();
    }
}

void LevelMeter::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(20, 20, 22));
    const int light = 6;
    p.fillRect(QRect(0, 0, width(), light - 1), clipped_ ? QColor(240, 40, 40) : QColor(60, 30, 30));
    const double fraction = std::clamp((toDb(shown_) - kFloorDb) / -kFloorDb, 0.0, 1.0);
    const int h = height() - light;
    const int bar = int(fraction * h);
    const QColor colour = fraction > 0.9 ? QColor(240, 200, 40) : QColor(60, 200, 90);
    p.fillRect(QRect(0, height() - bar, width(), bar), colour);
}

void LevelMeter::mousePressEvent(QMouseEvent*) {
    clipped_ = false;
    update();
}

}  // namespace tactus::gui
