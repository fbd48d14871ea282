#include "gui/velocity_lane.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <tuple>

#include "gui/roll_commands.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

VelocityLane::VelocityLane(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state) {
    setFixedHeight(80);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(&song_, &SongModel::documentChanged, this, qOverload<>(&QWidget::update));
    connect(&state_, &RollState::changed, this, qOverload<>(&QWidget::update));
    connect(&state_, &RollState::selectionChanged, this, qOverload<>(&QWidget::update));
}

int VelocityLane::velocityOfY(double y) const {
    return std::clamp(int(std::lround(127.0 * (height() - 4 - y) / (height() - 8))), 1, 127);
}

double VelocityLane::yOfVelocity(int velocity) const {
    return height() - 4 - (height() - 8) * velocity / 127.0;
}

void VelocityLane::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    p.fillRect(event->rect(), QColor(34, 35, 40));
    const Track* track = song_.track(state_.currentTrack());
    if (!track) return;
    const double first = state_.beatOfX(-4), last = state_.beatOfX(width() + 4);
    const bool group = dragging_ && state_.isSelected(dragging_);
    for (const Note& n : track->notes) {
        if (n.start < first || n.start > last) continue;
        const bool dragged = n.id == dragging_ || (group && state_.isSelected(n.id));
        const int velocity = dragged ? drag_velocity_ : n.velocity;
        const double x = state_.xOfBeat(n.start);
        const double top = yOfVelocity(velocity);
        const QColor colour = state_.isSelected(n.id) ? QColor(255, 196, 90) : QColor(90, 200, 200);
        p.setPen(QPen(colour, 2));
        p.drawLine(QPointF(x + 1, height() - 2), QPointF(x + 1, top));
        p.setBrush(colour);
        p.drawEllipse(QPointF(x + 1, top), 3, 3);
    }
    // The value being set, beside the stalk dragged.
    if (const auto dragged = dragging_ ? song_.findNote(dragging_) : std::nullopt) {
        const double x = state_.xOfBeat(dragged->note.start);
        p.setPen(QColor(240, 240, 240));
        p.drawText(QPointF(x + 7, std::max(12.0, yOfVelocity(drag_velocity_) + 4)),
                   QString::number(drag_velocity_));
    }
}

void VelocityLane::mousePressEvent(QMouseEvent* event) {
    const Track* track = song_.track(state_.currentTrack());
    if (!track || event->button() != Qt::LeftButton) return;
    // The stalk nearest in x; among stalks at the same x (a chord), a selected note's, else the one
    // whose top is nearest the click.
    const QPointF at = event->position();
    const auto distance = [&](const Note& n) {
        const double dx = std::abs(state_.xOfBeat(n.start) - at.x());
        const double dy = std::abs(yOfVelocity(n.velocity) - at.y());
        return std::tuple(std::round(dx), state_.isSelected(n.id) ? 0 : 1, dy);
    };
    dragging_ = 0;
    std::tuple<double, int, double> best{6.5, 0, 0.0};
    for (const Note& n : track->notes)
        if (const auto d = distance(n); d < best) best = d, dragging_ = n.id;
    drag_velocity_ = velocityOfY(at.y());
    update();
}

void VelocityLane::mouseMoveEvent(QMouseEvent* event) {
    if (!dragging_) return;
    drag_velocity_ = velocityOfY(event->position().y());
    update();
}

void VelocityLane::mouseReleaseEvent(QMouseEvent*) {
    if (!dragging_) return;
    std::vector<Note> notes;
    if (state_.isSelected(dragging_))
        notes = selectedNotes(song_.document(), state_.currentTrack(), state_.selection());
    else if (auto n = song_.findNote(dragging_))
        notes.push_back(n->note);
    std::vector<Edit> edits;
    for (const Note& n : notes)
        if (n.velocity != drag_velocity_) edits.push_back(edit::NoteVelocity{n.id, drag_velocity_});
    dragging_ = 0;
    song_.apply(std::move(edits), tr("Set velocity"));
    update();
}

}  // namespace tactus::gui
