#include "gui/controller_lane.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "gui/lane_support.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
constexpr double kPointHalf = 3.0;  // a point's square
constexpr double kHitRadius = 6.0;  // how near a press must be to take a point
const std::vector<ControllerEvent> kNoEvents;

QString valueText(const LaneTarget& target, double value) {
    if (target.kind == ControllerKind::PitchBend) return QString::asprintf("%+.3f", value);
    return QString::number(int(value));
}
}  // namespace

ControllerLane::ControllerLane(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state) {
    setFixedHeight(80);  // as the velocity lane: they take turns in one place
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);  // Delete reaches the lane once it was clicked
    setMouseTracking(false);
    connect(&song_, &SongModel::documentChanged, this, [this] {
        // Points that are gone (undo, another client) leave the selection.
        const auto& now = events();
        std::erase_if(selection_, [&](const ControllerEvent& e) {
            return std::find(now.begin(), now.end(), e) == now.end();
        });
        update();
    });
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
    connect(&state_, &RollState::trackChanged, this, [this] {
        selection_.clear();
        update();
    });
}

void ControllerLane::setTarget(const LaneTarget& target) {
    if (target == target_) return;
    target_ = target;
    selection_.clear();
    gesture_ = Gesture::None;
    update();
    emit targetChanged();
}

void ControllerLane::setTool(Tool tool) {
    tool_ = tool;
    if (tool != Tool::Select) selection_.clear();
    update();
}

double ControllerLane::yOfValue(double value) const {
    const double low = laneMinimum(target_), high = laneMaximum(target_);
    return height() - 4 - (height() - 8) * (value - low) / (high - low);
}

double ControllerLane::valueOfY(double y) const {
    const double low = laneMinimum(target_), high = laneMaximum(target_);
    return laneQuantized(target_, low + (high - low) * (height() - 4 - y) / (height() - 8));
}

double ControllerLane::valueChangeOfDrag(double dy) const {
    const double range = laneMaximum(target_) - laneMinimum(target_);
    const double change = -dy * range / (height() - 8);
    return target_.kind == ControllerKind::PitchBend ? std::round(change * 8192.0) / 8192.0 + 0.0
                                                     : std::round(change) + 0.0;
}

const std::vector<ControllerEvent>& ControllerLane::events() const {
    const Track* track = song_.track(state_.currentTrack());
    return track ? track->controllers : kNoEvents;
}

std::vector<ControllerEvent> ControllerLane::targetEvents() const {
    std::vector<ControllerEvent> out;
    for (const ControllerEvent& e : events())
        if (target_.matches(e)) out.push_back(e);
    return out;
}

double ControllerLane::step() const {
    return state_.snap() > 0 ? state_.snap() : 1.0 / 32;  // snap off: a fine grid still, not every pixel
}

std::optional<ControllerEvent> ControllerLane::pointAt(QPointF pos) const {
    std::optional<ControllerEvent> best;
    double nearest = kHitRadius;
    for (const ControllerEvent& e : events()) {
        if (!target_.matches(e)) continue;
        const double d = std::hypot(state_.xOfBeat(e.beat) - pos.x(), yOfValue(laneValueOf(e)) - pos.y());
        if (d <= nearest) nearest = d, best = e;
    }
    return best;
}

void ControllerLane::commit(std::vector<ControllerEvent> events, const QString& what) {
    const TrackId track = state_.currentTrack();
    if (!song_.track(track) || events == this->events()) return;
    song_.apply({edit::TrackControllers{track, std::move(events)}}, what);
}

// The events as the gesture under way leaves `events` (the track's whole list on release, the lane's
// own for the preview: the tools touch only the lane's target, so both come out alike).
std::vector<ControllerEvent> ControllerLane::gestureResult(const std::vector<ControllerEvent>& events) const {
    switch (gesture_) {
        case Gesture::Draw: {
            std::vector<ControllerEvent> points;  // a flat stretch needs its first point only
            for (const ControllerEvent& e : stroke_)
                if (points.empty() || laneValueOf(points.back()) != laneValueOf(e)) points.push_back(e);
            return replaceSpan(events, target_, stroke_begin_, stroke_end_, points);
        }
        case Gesture::Ramp: {
            const double b0 = std::max(0.0, state_.snapBeat(state_.beatOfX(press_.x())));
            const double b1 = std::max(0.0, state_.snapBeat(state_.beatOfX(now_.x())));
            return replaceSpan(events, target_, b0, b1,
                               rampPoints(target_, b0, valueOfY(press_.y()), b1, valueOfY(now_.y()), step(),
                                          tool_ == Tool::Curve ? CurveShape::Smooth : CurveShape::Line));
        }
        case Gesture::Move: {
            const auto [beats, value] = moveDelta();
            return moveEvents(events, selection_, target_, beats, value);
        }
        default:
            return events;
    }
}

std::pair<double, double> ControllerLane::moveDelta() const {
    const double beats =
        std::round((state_.beatOfX(now_.x()) - state_.beatOfX(press_.x())) / step()) * step();
    return {beats, valueChangeOfDrag(now_.y() - press_.y())};
}

void ControllerLane::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(34, 35, 40));
    // Guides: the centre (bend's rest, a pan's middle) and the quarters.
    p.setPen(QColor(50, 52, 60));
    for (int q = 1; q < 4; ++q) {
        const double y = std::round(4 + (height() - 8) * q / 4.0) + 0.5;
        p.drawLine(QPointF(0, y), QPointF(width(), y));
    }
    drawBeatLines(p, state_, width(), height());
    if (song_.track(state_.currentTrack())) paintGraph(p, gestureResult(targetEvents()));
    if (gesture_ == Gesture::Band) {
        p.setPen(QPen(QColor(220, 220, 230), 1, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(press_, now_).normalized());
    }
    // The value being set, beside the pointer.
    if (gesture_ == Gesture::Draw || gesture_ == Gesture::Ramp || gesture_ == Gesture::Move) {
        p.setPen(QColor(240, 240, 240));
        const double shown = valueOfY(now_.y());
        p.drawText(
            QPointF(std::min(now_.x() + 8, width() - 40.0), std::clamp(now_.y(), 12.0, height() - 4.0)),
            valueText(target_, shown));
    }
    p.setPen(QColor(150, 152, 165));
    p.drawText(QRectF(4, 2, width() - 8, 14), Qt::AlignLeft | Qt::AlignTop, laneName(target_));
}

void ControllerLane::paintGraph(QPainter& p, const std::vector<ControllerEvent>& shown) const {
    const double first = state_.beatOfX(-kHitRadius), last = state_.beatOfX(width() + kHitRadius);
    // Before the first event the value rests where a reset channel has it: a faint line.
    double held = laneDefault(target_);
    double x = 0;
    auto it = std::lower_bound(shown.begin(), shown.end(), first,
                               [](const ControllerEvent& e, double beat) { return e.beat < beat; });
    if (it != shown.begin()) held = laneValueOf(*std::prev(it));
    const QColor line(90, 200, 200), selected(255, 196, 90);
    p.setPen(QPen(it == shown.begin() ? QColor(70, 100, 100) : line, 1.5));
    for (; it != shown.end() && it->beat <= last; ++it) {
        const double xe = state_.xOfBeat(it->beat), ye = yOfValue(laneValueOf(*it));
        p.drawLine(QPointF(x, yOfValue(held)), QPointF(xe, yOfValue(held)));
        p.setPen(QPen(line, 1.5));
        p.drawLine(QPointF(xe, yOfValue(held)), QPointF(xe, ye));
        x = xe, held = laneValueOf(*it);
    }
    p.drawLine(QPointF(x, yOfValue(held)), QPointF(width(), yOfValue(held)));
    // The points, on top.
    p.setPen(Qt::NoPen);
    for (const ControllerEvent& e : shown) {
        if (e.beat < first || e.beat > last) continue;
        const bool chosen = std::find(selection_.begin(), selection_.end(), e) != selection_.end() &&
                            gesture_ != Gesture::Move;
        p.setBrush(chosen ? selected : line);
        const QPointF c(state_.xOfBeat(e.beat), yOfValue(laneValueOf(e)));
        p.drawRect(QRectF(c - QPointF(kPointHalf, kPointHalf), c + QPointF(kPointHalf, kPointHalf)));
    }
}

void ControllerLane::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !song_.track(state_.currentTrack())) return;
    press_ = now_ = event->position();
    switch (tool_) {
        case Tool::Draw: {
            gesture_ = Gesture::Draw;
            const double beat =
                std::max(0.0, std::floor(state_.beatOfX(press_.x()) / step() + 1e-9) * step());
            stroke_ = {laneEvent(target_, beat, valueOfY(press_.y()))};
            stroke_begin_ = stroke_end_ = beat;
            last_draw_beat_ = beat;
            last_draw_value_ = valueOfY(press_.y());
            break;
        }
        case Tool::Line:
        case Tool::Curve:
            gesture_ = Gesture::Ramp;
            break;
        case Tool::Select: {
            const auto point = pointAt(press_);
            const bool add = event->modifiers() & Qt::ShiftModifier;
            if (!point) {
                if (!add) selection_.clear();
                gesture_ = Gesture::Band;
                break;
            }
            const auto found = std::find(selection_.begin(), selection_.end(), *point);
            if (add && found != selection_.end()) {
                selection_.erase(found);
                gesture_ = Gesture::None;
                break;
            }
            if (found == selection_.end()) {
                if (!add) selection_.clear();
                selection_.push_back(*point);
            }
            gesture_ = Gesture::Move;
            break;
        }
    }
    update();
}

void ControllerLane::mouseMoveEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None) return;
    now_ = event->position();
    if (gesture_ == Gesture::Draw) {
        // A point on every grid step between the last one laid and the pointer, so that a quick stroke
        // leaves no gap; values along the way are interpolated.
        const double beat = std::max(0.0, std::floor(state_.beatOfX(now_.x()) / step() + 1e-9) * step());
        const double value = valueOfY(now_.y());
        const int steps = int(std::lround((beat - last_draw_beat_) / step()));
        for (int i = 1; i <= std::abs(steps); ++i) {
            const double b = last_draw_beat_ + (steps > 0 ? i : -i) * step();
            const double v = last_draw_value_ + (value - last_draw_value_) * i / std::abs(steps);
            std::erase_if(stroke_, [&](const ControllerEvent& e) { return std::abs(e.beat - b) < 1e-9; });
            stroke_.push_back(laneEvent(target_, b, v));
        }
        if (steps == 0) stroke_.back() = laneEvent(target_, beat, value);  // the same step: its new height
        std::sort(stroke_.begin(), stroke_.end(),
                  [](const ControllerEvent& a, const ControllerEvent& b) { return a.beat < b.beat; });
        stroke_begin_ = std::min(stroke_begin_, beat);
        stroke_end_ = std::max(stroke_end_, beat);
        last_draw_beat_ = beat;
        last_draw_value_ = value;
    }
    update();
}

void ControllerLane::mouseReleaseEvent(QMouseEvent* event) {
    if (gesture_ == Gesture::None || event->button() != Qt::LeftButton) return;
    now_ = event->position();
    const Gesture gesture = gesture_;
    if (gesture == Gesture::Draw) mouseMoveEvent(event);
    const std::vector<ControllerEvent> all = events();
    switch (gesture) {
        case Gesture::Draw:
            commit(gestureResult(all), tr("Draw %1").arg(laneName(target_)));
            break;
        case Gesture::Ramp:
            commit(gestureResult(all), tool_ == Tool::Curve ? tr("Curve %1").arg(laneName(target_))
                                                            : tr("Line %1").arg(laneName(target_)));
            break;
        case Gesture::Move: {
            const auto [beats, value] = moveDelta();
            if (beats == 0 && value == 0) break;
            std::vector<ControllerEvent> moved;
            for (const ControllerEvent& e : selection_)
                moved.push_back(laneEvent(target_, std::max(0.0, e.beat + beats), laneValueOf(e) + value));
            commit(gestureResult(all), tr("Move %1").arg(laneName(target_)));
            selection_ = std::move(moved);
            break;
        }
        case Gesture::Band: {
            const QRectF band = QRectF(press_, now_).normalized().adjusted(-1, -1, 1, 1);
            for (const ControllerEvent& e : all) {
                if (!target_.matches(e)) continue;
                const QPointF c(state_.xOfBeat(e.beat), yOfValue(laneValueOf(e)));
                if (band.contains(c) &&
                    std::find(selection_.begin(), selection_.end(), e) == selection_.end())
                    selection_.push_back(e);
            }
            break;
        }
        case Gesture::None:
            break;
    }
    gesture_ = Gesture::None;
    update();
}

bool ControllerLane::event(QEvent* event) {
    return claimDeleteKey(event, !selection_.empty()) || QWidget::event(event);
}

void ControllerLane::keyPressEvent(QKeyEvent* event) {
    if (isDeleteKey(event) && !selection_.empty()) {
        const auto erased = std::move(selection_);
        selection_.clear();
        commit(eraseEvents(events(), erased), tr("Delete %1 points").arg(laneName(target_)));
        return;
    }
    QWidget::keyPressEvent(event);
}

}  // namespace tactus::gui
