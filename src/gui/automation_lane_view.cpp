#include "gui/automation_lane_view.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/lane_support.h"
#include "gui/mixer_controls.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
constexpr double kPointHalf = 3.5;
constexpr double kHitRadius = 6.0;
constexpr int kTopPosition = 721;  // the fader's +12 dB

bool isLevel(const QString& control) {
    return control != QStringLiteral("pan");
}
}  // namespace

AutomationLaneView::AutomationLaneView(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state) {
    setFixedHeight(80);  // as the velocity and controller lanes: they take turns in one place
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    connect(&song_, &SongModel::documentChanged, this, [this] {
        const std::size_t n = points().size();
        std::erase_if(selection_, [n](std::size_t i) { return i >= n; });
        update();
    });
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
    connect(&state_, &RollState::trackChanged, this, [this] {
        selection_.clear();
        update();
    });
}

void AutomationLaneView::setControl(const QString& control) {
    if (control == control_) return;
    control_ = control;
    selection_.clear();
    gesture_ = Gesture::None;
    update();
}

void AutomationLaneView::setFixedTarget(std::optional<AutomationTarget> target) {
    fixed_ = std::move(target);
    if (fixed_) control_ = QString::fromStdString(fixed_->control);
    selection_.clear();
    gesture_ = Gesture::None;
    update();
}

AutomationTarget AutomationLaneView::target() const {
    if (fixed_) return *fixed_;
    return {AutomationOwner::Track, state_.currentTrack(), control_.toStdString()};
}

bool AutomationLaneView::hasOwner() const {
    const AutomationTarget t = target();
    if (t.owner == AutomationOwner::Master) return true;
    return t.owner == AutomationOwner::Bus ? song_.bus(t.id) != nullptr : song_.track(t.id) != nullptr;
}

std::vector<AutomationPoint> AutomationLaneView::points() const {
    const AutomationTarget t = target();
    for (const AutomationLane& lane : song_.document().automation)
        if (lane.target == t) return lane.points;
    return {};
}

double AutomationLaneView::low() const {
    return isLevel(control_) ? 0.0 : -1.0;
}

double AutomationLaneView::high() const {
    return isLevel(control_) ? LevelFader::gainAt(kTopPosition) : 1.0;
}

// Level on the fader's scale (its positions are tenths of a dB), pan linear.
double AutomationLaneView::yOfValue(double value) const {
    const double fraction = isLevel(control_) ? double(LevelFader::positionOf(value)) / kTopPosition
                                              : (value - low()) / (high() - low());
    return height() - 4 - (height() - 8) * fraction;
}

double AutomationLaneView::valueOfY(double y) const {
    const double fraction = std::clamp((height() - 4 - y) / (height() - 8), 0.0, 1.0);
    if (isLevel(control_)) return LevelFader::gainAt(int(std::lround(fraction * kTopPosition)));
    return std::round((low() + (high() - low()) * fraction) * 100.0) / 100.0;  // whole percent
}

QString AutomationLaneView::valueText(double value) const {
    if (isLevel(control_)) return LevelFader::text(value);
    return PanDial::text(int(std::lround(value * 100)));
}

double AutomationLaneView::settingValue() const {
    const AutomationTarget t = target();
    if (t.owner == AutomationOwner::Master)
        return 1.0;  // (the master fader is the engine's, not in the lane)
    if (t.owner == AutomationOwner::Bus) {
        const Bus* bus = song_.bus(t.id);
        return !bus ? 1.0 : control_ == QStringLiteral("pan") ? bus->pan : bus->level;
    }
    const Track* track = song_.track(t.id);
    if (!track) return 1.0;
    if (control_ == QStringLiteral("pan")) return track->pan;
    if (control_ == QStringLiteral("level")) return track->level;
    const std::uint64_t bus = control_.mid(5).toULongLong();
    for (const Send& s : track->sends)
        if (s.bus == bus) return s.level;
    return 0.0;
}

QString AutomationLaneView::laneTitle() const {
    QString title;
    if (control_ == QStringLiteral("level")) {
        title = tr("Level automation");
    } else if (control_ == QStringLiteral("pan")) {
        title = tr("Pan automation");
    } else {
        const Bus* bus = song_.bus(control_.mid(5).toULongLong());
        title = tr("Send to %1 automation").arg(bus ? QString::fromStdString(bus->name) : control_.mid(5));
    }
    if (!fixed_) return title;
    const AutomationTarget t = target();
    if (t.owner == AutomationOwner::Master) return tr("Master: %1").arg(title);
    if (t.owner == AutomationOwner::Bus) {
        const Bus* bus = song_.bus(t.id);
        return tr("%1: %2").arg(bus ? QString::fromStdString(bus->name) : tr("bus %1").arg(t.id), title);
    }
    const Track* track = song_.track(t.id);
    return tr("%1: %2").arg(track ? QString::fromStdString(track->name) : tr("track %1").arg(t.id), title);
}

std::optional<std::size_t> AutomationLaneView::pointAt(QPointF pos) const {
    std::optional<std::size_t> best;
    double nearest = kHitRadius;
    const auto shown = points();
    for (std::size_t i = 0; i < shown.size(); ++i) {
        const double d =
            std::hypot(state_.xOfBeat(shown[i].beat) - pos.x(), yOfValue(shown[i].value) - pos.y());
        if (d <= nearest) nearest = d, best = i;
    }
    return best;
}

std::vector<AutomationPoint> AutomationLaneView::gestureResult() const {
    if (gesture_ != Gesture::Move) return before_.empty() ? points() : before_;
    const double beats =
        state_.snapBeat(state_.beatOfX(now_.x())) - state_.snapBeat(state_.beatOfX(press_.x()));
    std::vector<AutomationPoint> out = before_;
    for (const std::size_t i : selection_) {
        if (i >= out.size()) continue;
        out[i].beat = std::max(0.0, before_[i].beat + beats);
        // The value follows the pointer on the lane's own scale (dB for level), from where it was.
        if (now_.y() != press_.y())
            out[i].value =
                std::clamp(valueOfY(yOfValue(before_[i].value) + (now_.y() - press_.y())), low(), high());
    }
    return out;
}

void AutomationLaneView::commit(std::vector<AutomationPoint> points, const QString& what) {
    if (!hasOwner() || points == this->points()) return;
    song_.apply({edit::AutomationSet{target(), std::move(points)}}, what);
}

void AutomationLaneView::setPointShape(std::size_t index, AutomationShape shape) {
    std::vector<AutomationPoint> now = points();
    if (index >= now.size() || now[index].shape == shape) return;
    now[index].shape = shape;
    commit(std::move(now), tr("%1 shape").arg(laneTitle()));
}

void AutomationLaneView::deletePoint(std::size_t index) {
    std::vector<AutomationPoint> now = points();
    if (index >= now.size()) return;
    now.erase(now.begin() + std::ptrdiff_t(index));
    selection_.clear();
    commit(std::move(now), tr("Delete %1 point").arg(laneTitle()));
}

void AutomationLaneView::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(30, 34, 38));
    p.setPen(QColor(50, 54, 62));
    drawBeatLines(p, state_, width(), height());
    // The rest mark: unity for a level, the centre for pan.
    const double rest = std::round(yOfValue(isLevel(control_) ? 1.0 : 0.0)) + 0.5;
    p.setPen(QPen(QColor(70, 76, 88), 1, Qt::DashLine));
    p.drawLine(QPointF(0, rest), QPointF(width(), rest));

    const std::vector<AutomationPoint> shown = gestureResult();
    const QColor line(240, 170, 80), selected(255, 240, 150);
    if (shown.empty()) {
        // No lane: the setting plays, a faint line.
        p.setPen(QPen(QColor(120, 100, 70), 1.5));
        const double y = yOfValue(settingValue());
        p.drawLine(QPointF(0, y), QPointF(width(), y));
    } else {
        // The curve, one vertex per pixel (its value by the engine's rules, beats for frames).
        std::vector<AutomationPoint> sorted = shown;
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const AutomationPoint& a, const AutomationPoint& b) { return a.beat < b.beat; });
        QPolygonF curve;
        for (int x = 0; x <= width(); ++x)
            curve << QPointF(x, yOfValue(*automation_value_at_beat(sorted, state_.beatOfX(x))));
        p.setPen(QPen(line, 1.5));
        p.setRenderHint(QPainter::Antialiasing);
        p.drawPolyline(curve);
        p.setPen(Qt::NoPen);
        for (std::size_t i = 0; i < shown.size(); ++i) {
            const bool chosen = std::find(selection_.begin(), selection_.end(), i) != selection_.end();
            p.setBrush(chosen ? selected : line);
            const QPointF c(state_.xOfBeat(shown[i].beat), yOfValue(shown[i].value));
            if (shown[i].shape == AutomationShape::Hold)
                p.drawRect(QRectF(c - QPointF(kPointHalf, kPointHalf), c + QPointF(kPointHalf, kPointHalf)));
            else
                p.drawEllipse(c, kPointHalf + 0.5, kPointHalf + 0.5);
        }
        p.setRenderHint(QPainter::Antialiasing, false);
    }
    if (gesture_ == Gesture::Band) {
        p.setPen(QPen(QColor(220, 220, 230), 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(press_, now_).normalized());
    }
    if (gesture_ == Gesture::Move && selection_.size() == 1 && selection_[0] < shown.size()) {
        p.setPen(QColor(240, 240, 240));
        p.drawText(
            QPointF(std::min(now_.x() + 8, width() - 60.0), std::clamp(now_.y(), 12.0, height() - 4.0)),
            valueText(shown[selection_[0]].value));
    }
    p.setPen(QColor(170, 160, 140));
    p.drawText(QRectF(4, 2, width() - 8, 14), Qt::AlignLeft | Qt::AlignTop, laneTitle());
}

void AutomationLaneView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !hasOwner()) return;
    press_ = now_ = event->position();
    before_ = points();
    added_ = false;
    const bool shift = event->modifiers() & Qt::ShiftModifier;
    const auto hit = pointAt(press_);
    if (!hit) {
        if (shift) {
            gesture_ = Gesture::Band;
            update();
            return;
        }
        // A new point where the press is, then dragged like a selected one.
        AutomationPoint added{std::max(0.0, state_.snapBeat(state_.beatOfX(press_.x()))),
                              valueOfY(press_.y()), new_shape_};
        const auto at = std::upper_bound(before_.begin(), before_.end(), added.beat,
                                         [](double b, const AutomationPoint& p) { return b < p.beat; });
        const auto index = std::size_t(at - before_.begin());
        before_.insert(at, added);
        selection_ = {index};
        added_ = true;
        gesture_ = Gesture::Move;
        update();
        return;
    }
    const auto found = std::find(selection_.begin(), selection_.end(), *hit);
    if (shift && found != selection_.end()) {
        selection_.erase(found);
        gesture_ = Gesture::None;
    } else {
        if (found == selection_.end()) {
            if (!shift) selection_.clear();
            selection_.push_back(*hit);
        }
        gesture_ = Gesture::Move;
    }
    update();
}

void AutomationLaneView::mouseMoveEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None) return;
    now_ = event->position();
    update();
}

void AutomationLaneView::mouseReleaseEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None || event->button() != Qt::LeftButton) return;
    now_ = event->position();
    if (gesture_ == Gesture::Move) {
        std::vector<AutomationPoint> result = gestureResult();
        // The moved points keep their selection through the re-sort the edit makes.
        std::vector<AutomationPoint> moved;
        for (const std::size_t i : selection_) moved.push_back(result[i]);
        gesture_ = Gesture::None;
        commit(result, added_ ? tr("Add %1 point").arg(laneTitle()) : tr("Move %1 points").arg(laneTitle()));
        selection_.clear();
        const auto now = points();
        for (const AutomationPoint& m : moved)
            if (const auto it = std::find(now.begin(), now.end(), m); it != now.end())
                selection_.push_back(std::size_t(it - now.begin()));
    } else if (gesture_ == Gesture::Band) {
        const QRectF band = QRectF(press_, now_).normalized().adjusted(-1, -1, 1, 1);
        const auto shown = points();
        for (std::size_t i = 0; i < shown.size(); ++i)
            if (band.contains(QPointF(state_.xOfBeat(shown[i].beat), yOfValue(shown[i].value))) &&
                std::find(selection_.begin(), selection_.end(), i) == selection_.end())
                selection_.push_back(i);
    }
    gesture_ = Gesture::None;
    before_.clear();
    update();
}

void AutomationLaneView::contextMenuEvent(QContextMenuEvent* event) {
    const auto hit = pointAt(event->pos());
    if (!hit) return;
    const AutomationShape shape = points()[*hit].shape;
    QMenu menu(this);
    const std::pair<AutomationShape, QString> shapes[] = {
        {AutomationShape::Hold, tr("Hold until the next point")},
        {AutomationShape::Linear, tr("Linear to the next point")},
        {AutomationShape::Smooth, tr("Smooth to the next point")}};
    for (const auto& [s, name] : shapes) {
        QAction* a = menu.addAction(name, this, [this, i = *hit, s = s] { setPointShape(i, s); });
        a->setCheckable(true);
        a->setChecked(s == shape);
    }
    menu.addSeparator();
    menu.addAction(tr("Delete point"), this, [this, i = *hit] { deletePoint(i); });
    menu.exec(event->globalPos());
}

bool AutomationLaneView::event(QEvent* event) {
    return claimDeleteKey(event, !selection_.empty()) || QWidget::event(event);
}

void AutomationLaneView::keyPressEvent(QKeyEvent* event) {
    if (isDeleteKey(event) && !selection_.empty()) {
        std::vector<AutomationPoint> now = points();
        std::vector<std::size_t> erased = selection_;
        std::sort(erased.rbegin(), erased.rend());
        for (const std::size_t i : erased)
            if (i < now.size()) now.erase(now.begin() + std::ptrdiff_t(i));
        selection_.clear();
        commit(std::move(now), tr("Delete %1 points").arg(laneTitle()));
        return;
    }
    QWidget::keyPressEvent(event);
}

}  // namespace tactus::gui
