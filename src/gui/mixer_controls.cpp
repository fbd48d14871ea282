#include "gui/mixer_controls.h"

#include <QInputDialog>
#include <QMouseEvent>
#include <QPainter>
#include <QSignalBlocker>
#include <QStyleOptionSlider>
#include <algorithm>
#include <cmath>
#include <utility>

namespace tactus::gui {

namespace {
constexpr double kBottomDb = -60.0;  // position 1; position 0 is silence
constexpr double kStepDb = 0.1;
constexpr int kTopPosition = 721;  // +12.0 dB, within the engine's gain of 4 (+12.04 dB)
}  // namespace

LevelFader::LevelFader(QWidget* parent) : QSlider(Qt::Horizontal, parent) {
    setRange(0, kTopPosition);
    setSingleStep(5);  // half a dB per arrow key
    setPageStep(60);
    setValue(kUnityPosition);
    setToolTip(tr("Level (double-click to type it, Ctrl-click for 0 dB)"));
    connect(this, &QSlider::valueChanged, this, [this](int position) {
        if (showing_) return;
        const double before = level_;
        level_ = gainAt(position);
        setToolTip(text(level_));
        emit valueShown(text(level_));
        emit levelEdited(level_);
        if (!isSliderDown()) emit gestureFinished(before, level_);  // a key, the wheel, a page click
    });
    connect(this, &QSlider::sliderPressed, this, [this] { drag_before_ = level_; });
    connect(this, &QSlider::sliderReleased, this, [this] {
        if (level_ != drag_before_) emit gestureFinished(drag_before_, level_);
    });
}

int LevelFader::positionOf(double gain) {
    if (gain <= 0) return 0;
    const double db = 20 * std::log10(gain);
    return std::clamp(int(std::lround((db - kBottomDb) / kStepDb)) + 1, 1, kTopPosition);
}

double LevelFader::gainAt(int position) {
    if (position <= 0) return 0.0;
    return std::pow(10.0, (kBottomDb + (position - 1) * kStepDb) / 20);
}

QString LevelFader::text(double gain) {
    if (gain <= 0) return QStringLiteral("-inf dB");
    const double db = 20 * std::log10(gain);
    return QStringLiteral("%1 dB").arg(std::abs(db) < 0.05 ? 0.0 : db, 0, 'f', 1);
}

void LevelFader::show(double gain) {
    level_ = gain;
    showing_ = true;
    setValue(positionOf(gain));
    showing_ = false;
    setToolTip(text(gain));
    emit valueShown(text(gain));
}

void LevelFader::setLevel(double gain) {
    if (isSliderDown()) return;  // the user's hand wins over a refresh
    show(gain);
}

void LevelFader::editLevel(double gain) {
    const double before = level_;
    show(std::clamp(gain, 0.0, 4.0));
    emit levelEdited(level_);
    if (level_ != before) emit gestureFinished(before, level_);
}

void LevelFader::paintEvent(QPaintEvent* event) {
    QSlider::paintEvent(event);
    // The unity mark: a tick under the groove where 0 dB is.
    QStyleOptionSlider option;
    initStyleOption(&option);
    const QRect groove = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderGroove, this);
    const QRect handle = style()->subControlRect(QStyle::CC_Slider, &option, QStyle::SC_SliderHandle, this);
    const int span = groove.width() - handle.width();
    const double x = groove.left() + handle.width() / 2.0 + span * double(kUnityPosition) / maximum();
    QPainter p(this);
    p.setPen(QPen(QColor(230, 200, 90), 2));
    p.drawLine(QPointF(x, height() - 4), QPointF(x, height()));
}

void LevelFader::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier)) {
        editLevel(1.0);
        return;
    }
    QSlider::mousePressEvent(event);
}

void LevelFader::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    bool ok = false;
    const double current = level_ > 0 ? 20 * std::log10(level_) : -120.0;
    const double db = QInputDialog::getDouble(this, tr("Level"), tr("Level in dB (below -60: silence):"),
                                              std::round(current * 10) / 10, -120.0, 12.0, 1, &ok);
    if (ok) editLevel(db < kBottomDb ? 0.0 : std::pow(10.0, db / 20));
}

PanDial::PanDial(QWidget* parent) : QDial(parent) {
    setRange(-100, 100);
    setValue(0);
    setToolTip(tr("Pan (double-click to type it, Ctrl-click to centre)"));
    connect(this, &QDial::valueChanged, this, [this](int v) {
        setToolTip(text(v));
        emit valueShown(text(v));
        if (!isSliderDown()) emit gestureFinished(previous_, v);  // a key, the wheel, typed, reset
    });
    connect(this, &QDial::sliderPressed, this, [this] { drag_before_ = value(); });
    connect(this, &QDial::sliderReleased, this, [this] {
        if (value() != drag_before_) emit gestureFinished(drag_before_, value());
    });
}

void PanDial::sliderChange(SliderChange change) {
    if (change == SliderValueChange) previous_ = std::exchange(current_, value());
    QDial::sliderChange(change);
}

QString PanDial::text(int value) {
    if (value == 0) return QStringLiteral("C");
    return value < 0 ? QStringLiteral("L %1").arg(-value) : QStringLiteral("R %1").arg(value);
}

void PanDial::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier)) {
        reset_pressed_ = true;
        setValue(0);
        return;
    }
    QDial::mousePressEvent(event);
}

void PanDial::mouseReleaseEvent(QMouseEvent* event) {
    if (std::exchange(reset_pressed_, false)) return;
    QDial::mouseReleaseEvent(event);
}

void PanDial::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    bool ok = false;
    const int typed = QInputDialog::getInt(this, tr("Pan"), tr("Pan, -100 (left) to 100 (right):"), value(),
                                           -100, 100, 1, &ok);
    if (ok) setValue(typed);
}

}  // namespace tactus::gui
