#include "gui/tempo_lane.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFontMetricsF>
#include <QFormLayout>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/bar_beat.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
constexpr double kHandleRadius = 4.0;
constexpr double kBpmPerPixel = 0.5;       // dragging a handle
constexpr double kFineBpmPerPixel = 0.05;  // ... with Shift

double tenths(double bpm) {
    return std::clamp(std::round(bpm * 10) / 10, TempoMap::kMinBpm, TempoMap::kMaxBpm);
}

std::optional<TempoPoint> askForTempoPoint(QWidget* parent, const TempoPoint& point, bool can_ramp,
                                           const QString& where) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Tempo change at %1").arg(where));
    auto* bpm = new QDoubleSpinBox(&dialog);
    bpm->setRange(TempoMap::kMinBpm, TempoMap::kMaxBpm);
    bpm->setDecimals(2);
    bpm->setSuffix(QObject::tr(" BPM"));
    bpm->setValue(point.bpm);
    auto* ramp = new QCheckBox(QObject::tr("Ramp to the next change"), &dialog);
    ramp->setChecked(point.ramp);
    ramp->setEnabled(can_ramp);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto* layout = new QFormLayout(&dialog);
    layout->addRow(QObject::tr("Tempo"), bpm);
    layout->addRow(ramp);
    layout->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return std::nullopt;
    TempoPoint edited = point;
    edited.bpm = bpm->value();
    edited.ramp = can_ramp && ramp->isChecked();
    return edited;
}
}  // namespace

TempoLane::TempoLane(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state) {
    setFixedHeight(54);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setToolTip(tr(
        "Tempo: click to add a change, drag to edit (Shift: finely), double-click to type a tempo or set a "
        "ramp, right-click to remove"));
    connect(&song_, &SongModel::documentChanged, this, [this] {
        fitRange();
        update();
    });
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
    fitRange();
}

void TempoLane::fitRange() {
    min_bpm_ = 40.0;
    max_bpm_ = 200.0;
    for (const TempoPoint& p : song_.document().tempo.points()) {
        min_bpm_ = std::min(min_bpm_, std::floor(p.bpm / 20) * 20);
        max_bpm_ = std::max(max_bpm_, std::ceil(p.bpm / 20) * 20 + 20);
    }
}

double TempoLane::yOfBpm(double bpm) const {
    return 4 + (height() - 8) * (max_bpm_ - bpm) / (max_bpm_ - min_bpm_);
}

double TempoLane::bpmOfY(double y) const {
    return tenths(max_bpm_ - (y - 4) * (max_bpm_ - min_bpm_) / (height() - 8));
}

int TempoLane::handleAt(QPointF pos) const {
    const auto& points = song_.document().tempo.points();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const QPointF c(state_.xOfBeat(points[i].beat), yOfBpm(points[i].bpm));
        if (std::abs(c.x() - pos.x()) <= kHandleRadius + 2 && std::abs(c.y() - pos.y()) <= kHandleRadius + 2)
            return int(i);
    }
    return -1;
}

void TempoLane::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(32, 33, 38));
    p.setRenderHint(QPainter::Antialiasing);
    const std::vector<TempoPoint>& points = dragging_ >= 0 ? draft_ : song_.document().tempo.points();
    auto map = TempoMap::from_points(points, nullptr);
    if (!map) return;
    // The curve, sampled every few pixels (ramps are linear in beats, so this is exact at the points).
    QPolygonF curve;
    for (int x = 0; x <= width(); x += 3) {
        const double beat = std::max(0.0, state_.beatOfX(x));
        curve << QPointF(x, yOfBpm(map->bpm_at(beat)));
    }
    p.setPen(QPen(QColor(240, 170, 70), 1.5));
    p.drawPolyline(curve);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const QPointF c(state_.xOfBeat(points[i].beat), yOfBpm(points[i].bpm));
        p.setBrush(points[i].ramp ? QColor(240, 170, 70) : QColor(32, 33, 38));
        p.drawEllipse(c, kHandleRadius, kHandleRadius);
        p.drawText(labelRect(i), Qt::AlignLeft | Qt::AlignVCenter, label(points[i]));
    }
}

QString TempoLane::label(const TempoPoint& point) {
    return QString::number(point.bpm, 'g', 5);
}

QRectF TempoLane::labelRect(std::size_t i) const {
    const auto& points = song_.document().tempo.points();
    const TempoPoint& point = points.at(i);
    const QPointF c(state_.xOfBeat(point.beat), yOfBpm(point.bpm));
    const QFontMetricsF metrics(font());
    const double w = metrics.horizontalAdvance(label(point)) + 2, h = metrics.height();
    // Right of the handle, or left of it where the lane ends; below it in the lane's upper half.
    double x = c.x() + 6;
    if (x + w > width()) x = c.x() - 6 - w;
    const double y = point.bpm > (min_bpm_ + max_bpm_) / 2 ? c.y() + 2 : c.y() - 2 - h;
    return QRectF(x, std::clamp(y, 0.0, std::max(0.0, height() - h)), w, h);
}

void TempoLane::commit(std::vector<TempoPoint> points, const QString& what) {
    std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.beat < b.beat; });
    if (!points.empty()) points.back().ramp = false;  // a ramp needs a point to go to
    song_.apply({edit::TempoReplace{std::move(points)}}, what);
}

void TempoLane::mousePressEvent(QMouseEvent* event) {
    const std::vector<TempoPoint>& points = song_.document().tempo.points();
    const int handle = handleAt(event->position());
    if (event->button() == Qt::RightButton) {
        if (handle > 0) {
            std::vector<TempoPoint> next = points;
            next.erase(next.begin() + handle);
            commit(std::move(next), tr("Remove tempo change"));
        }
        return;
    }
    if (event->button() != Qt::LeftButton) return;
    if (handle >= 0) {
        dragging_ = handle;
        draft_ = points;
        press_pos_ = event->position();
        press_bpm_ = points[std::size_t(handle)].bpm;
        return;
    }
    const double beat = std::max(0.0, state_.snapBeat(state_.beatOfX(event->position().x())));
    if (std::any_of(points.begin(), points.end(), [&](const TempoPoint& p) { return p.beat == beat; }))
        return;
    // The tempo in force there: a new change starts where the music is, and a drag or a double-click
    // then sets it (the lane's height is too coarse to aim a tempo at).
    std::vector<TempoPoint> next = points;
    next.push_back({beat, tenths(song_.document().tempo.bpm_at(beat)), false});
    commit(std::move(next), tr("Add tempo change"));
}

void TempoLane::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_ < 0) return;
    TempoPoint& p = draft_[std::size_t(dragging_)];
    const double per_pixel = event->modifiers() & Qt::ShiftModifier ? kFineBpmPerPixel : kBpmPerPixel;
    p.bpm = tenths(press_bpm_ + (press_pos_.y() - event->position().y()) * per_pixel);
    if (dragging_ > 0) {  // the first point stays at beat 0; others keep their order
        const double lo = draft_[std::size_t(dragging_ - 1)].beat;
        const double hi =
            std::size_t(dragging_ + 1) < draft_.size() ? draft_[std::size_t(dragging_ + 1)].beat : 1e6;
        const double beat = state_.snapBeat(state_.beatOfX(event->position().x()));
        if (beat > lo && beat < hi) p.beat = beat;
    }
    update();
}

void TempoLane::mouseReleaseEvent(QMouseEvent*) {
    if (dragging_ < 0) return;
    dragging_ = -1;
    if (draft_ != song_.document().tempo.points()) commit(draft_, tr("Change tempo"));
    update();
}

void TempoLane::mouseDoubleClickEvent(QMouseEvent* event) {
    const int handle = handleAt(event->position());
    if (handle < 0) return;
    dragging_ = -1;
    const std::vector<TempoPoint> points = song_.document().tempo.points();
    const std::size_t i = std::size_t(handle);
    const bool can_ramp = i + 1 < points.size();
    const auto edited = editor_
                            ? editor_(points[i], can_ramp)
                            : askForTempoPoint(this, points[i], can_ramp,
                                               barBeatText(MeterMap(song_.document().meter), points[i].beat));
    if (!edited || (edited->bpm == points[i].bpm && edited->ramp == points[i].ramp)) return;
    std::vector<TempoPoint> next = points;
    next[i].bpm = std::clamp(edited->bpm, TempoMap::kMinBpm, TempoMap::kMaxBpm);
    next[i].ramp = can_ramp && edited->ramp;
    commit(std::move(next), tr("Change tempo"));
}

}  // namespace tactus::gui
