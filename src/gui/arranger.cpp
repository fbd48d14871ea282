#include "gui/arranger.h"

#include <QComboBox>
#include <QGridLayout>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QWheelEvent>
#include <cmath>

#include "gui/arranger_lanes.h"
#include "gui/automation_lane_view.h"
#include "gui/roll_state.h"
#include "gui/ruler.h"
#include "gui/song_model.h"

namespace tactus::gui {

Arranger::Arranger(SongModel& song, RollState& roll, QWidget* parent)
    : QWidget(parent),
      song_(song),
      view_(new RollState(this)),
      ruler_(new Ruler(song, *view_, this)),
      lanes_(new ArrangerLanes(song, *view_, roll, this)),
      hbar_(new QScrollBar(Qt::Horizontal, this)),
      vbar_(new QScrollBar(Qt::Vertical, this)),
      automation_choice_(new QComboBox(this)),
      automation_(new AutomationLaneView(song, *view_, this)) {
    setObjectName("arranger");
    headers_ = new ArrangerHeaders(song, roll, *lanes_, this);
    view_->setMinPixelsPerBeat(0.05);  // 20 beats a pixel: an hour at 120 bpm in 360 pixels
    view_->setPixelsPerBeat(8.0, 0.0);
    view_->setSnap(1.0);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(ruler_, 0, 1);
    layout->addWidget(headers_, 1, 0);
    layout->addWidget(lanes_, 1, 1);
    layout->addWidget(vbar_, 1, 2);
    layout->addWidget(automation_choice_, 2, 0, Qt::AlignTop);
    layout->addWidget(automation_, 2, 1);
    layout->addWidget(hbar_, 3, 1);
    automation_choice_->setObjectName("arrangerAutomationChoice");
    automation_choice_->setFixedWidth(130);
    automation_choice_->setToolTip(tr("The automation lane shown under the tracks"));
    automation_->setFixedTarget(AutomationTarget{});
    automation_->setFixedHeight(60);  // the tracks keep most of the arranger
    automation_->hide();
    connect(automation_choice_, &QComboBox::activated, this, [this](int index) {
        const QStringList parts = automation_choice_->itemData(index).toString().split(':');
        if (parts.size() < 3) return showAutomation(std::nullopt);
        const auto owner = automation_owner_from_name(parts[0].toStdString());
        if (!owner) return showAutomation(std::nullopt);
        showAutomation(
            AutomationTarget{*owner, parts[1].toULongLong(), parts.mid(2).join(':').toStdString()});
    });
    connect(&song_, &SongModel::documentChanged, this, &Arranger::refillAutomationChoice);
    refillAutomationChoice();
    layout->setColumnStretch(1, 1);
    layout->setRowStretch(1, 1);
    headers_->setFixedWidth(130);
    for (QWidget* w : std::initializer_list<QWidget*>{ruler_, lanes_, headers_, automation_})
        w->installEventFilter(this);
    connect(ruler_, &Ruler::locateRequested, this, &Arranger::locateRequested);
    connect(ruler_, &Ruler::loopRequested, this, &Arranger::loopRequested);
    connect(lanes_, &ArrangerLanes::editRequested, this, &Arranger::editRequested);
    connect(lanes_, &ArrangerLanes::contentChanged, this, &Arranger::updateScrollBars);
    connect(view_, &RollState::changed, this, &Arranger::updateScrollBars);
    connect(hbar_, &QScrollBar::valueChanged, this, [this](int v) {
        if (!syncing_) view_->setLeftBeat(v / view_->pixelsPerBeat());
    });
    connect(vbar_, &QScrollBar::valueChanged, this, [this](int v) {
        if (syncing_) return;
        lanes_->setTopOffset(v);
        headers_->update();
    });
    // The loop region shows here as in the piano roll.
    connect(&roll, &RollState::changed, this,
            [this, &roll] { view_->setLoop(roll.loopOn(), roll.loopBegin(), roll.loopEnd()); });
    updateScrollBars();
}

namespace {
QString choiceKey(const AutomationTarget& t) {
    return QStringLiteral("%1:%2:%3")
        .arg(automation_owner_name(t.owner))
        .arg(t.id)
        .arg(QString::fromStdString(t.control));
}
}  // namespace

void Arranger::showAutomation(std::optional<AutomationTarget> target) {
    automation_->setVisible(target.has_value());
    if (target) automation_->setFixedTarget(*target);
    const QSignalBlocker block(automation_choice_);
    automation_choice_->setCurrentIndex(
        std::max(0, automation_choice_->findData(target ? choiceKey(*target) : QString())));
}

// Every track's level, pan and sends, every bus's level and pan; "●" where a lane has points.
void Arranger::refillAutomationChoice() {
    const Document& doc = song_.document();
    const auto has = [&](const AutomationTarget& t) {
        for (const AutomationLane& lane : doc.automation)
            if (lane.target == t) return true;
        return false;
    };
    const QVariant shown = automation_choice_->currentData();
    const QSignalBlocker block(automation_choice_);
    automation_choice_->clear();
    automation_choice_->addItem(tr("No automation"), QString());
    const auto add = [&](const AutomationTarget& t, const QString& owner, const QString& control) {
        const QString text = tr("%1: %2").arg(owner, control);
        automation_choice_->addItem(has(t) ? text + QStringLiteral("  ●") : text, choiceKey(t));
    };
    for (const Track& t : doc.tracks) {
        const QString name = QString::fromStdString(t.name);
        add({AutomationOwner::Track, t.id, "level"}, name, tr("Level"));
        add({AutomationOwner::Track, t.id, "pan"}, name, tr("Pan"));
        for (const Send& send : t.sends) {
            const Bus* bus = song_.bus(send.bus);
            add({AutomationOwner::Track, t.id, "send:" + std::to_string(send.bus)}, name,
                tr("Send to %1").arg(bus ? QString::fromStdString(bus->name) : QString::number(send.bus)));
        }
    }
    for (const Bus& b : doc.buses) {
        const QString name = QString::fromStdString(b.name);
        add({AutomationOwner::Bus, b.id, "level"}, name, tr("Level"));
        add({AutomationOwner::Bus, b.id, "pan"}, name, tr("Pan"));
    }
    add({AutomationOwner::Master, 0, "level"}, tr("Master"), tr("Level"));
    const int index = automation_choice_->findData(shown);
    automation_choice_->setCurrentIndex(std::max(0, index));
    if (index < 0 && automation_->isVisible()) automation_->hide();  // its track or bus is gone
}

void Arranger::updateScrollBars() {
    syncing_ = true;
    const double ppb = view_->pixelsPerBeat();
    const double beats =
        std::max(song_.document().end_beat() + 32.0, view_->leftBeat() + lanes_->width() / ppb);
    hbar_->setRange(0, std::max(0, int(beats * ppb) - lanes_->width()));
    hbar_->setPageStep(lanes_->width());
    hbar_->setSingleStep(int(std::max(1.0, ppb * 4)));
    hbar_->setValue(int(std::lround(view_->leftBeat() * ppb)));
    vbar_->setRange(0, std::max(0, lanes_->contentHeight() - lanes_->height()));
    vbar_->setPageStep(lanes_->height());
    vbar_->setSingleStep(ArrangerLanes::kLaneHeight);
    vbar_->setValue(lanes_->topOffset());
    syncing_ = false;
    headers_->update();
}

void Arranger::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    lanes_->setTopOffset(lanes_->topOffset());
    updateScrollBars();
}

void Arranger::showCursor(double beat, bool playing) {
    view_->setCursorBeat(beat);
    const double visible = lanes_->width() / view_->pixelsPerBeat();
    const double left = view_->leftBeat();
    // Paging: the cursor stays in view, playing or located.
    if (beat >= left + visible * 0.95 || beat < left) {
        if (playing || std::abs(beat - left) > 1e-6) view_->setLeftBeat(std::max(0.0, beat - visible * 0.05));
    }
    lanes_->moveCursor(beat);
    ruler_->moveCursor(beat);
}

void Arranger::frameSong() {
    const double beats = std::max(song_.document().end_beat(), 16.0) * 1.05;
    view_->setPixelsPerBeat(lanes_->width() / beats, 0.0);
    view_->setLeftBeat(0.0);
}

bool Arranger::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::Wheel) return QWidget::eventFilter(watched, event);
    auto* wheel = static_cast<QWheelEvent*>(event);
    const double notches = wheel->angleDelta().y() / 120.0;
    if (wheel->modifiers() & Qt::ControlModifier) {
        const double x = watched == headers_ ? 0.0 : wheel->position().x();
        view_->setPixelsPerBeat(view_->pixelsPerBeat() * std::pow(1.25, notches), x);
    } else if (wheel->modifiers() & Qt::ShiftModifier) {
        view_->setLeftBeat(std::max(0.0, view_->leftBeat() - notches * 40.0 / view_->pixelsPerBeat()));
    } else {
        lanes_->setTopOffset(lanes_->topOffset() - int(notches * ArrangerLanes::kLaneHeight));
        updateScrollBars();
    }
    return true;
}

ArrangerHeaders::ArrangerHeaders(SongModel& song, RollState& roll, ArrangerLanes& lanes, QWidget* parent)
    : QWidget(parent), song_(song), roll_(roll), lanes_(lanes) {
    setObjectName("arrangerHeaders");
    connect(&song_, &SongModel::documentChanged, this, qOverload<>(&QWidget::update));
    connect(&roll_, &RollState::trackChanged, this, qOverload<>(&QWidget::update));
}

void ArrangerHeaders::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(36, 37, 42));
    const auto& tracks = song_.document().tracks;
    for (std::size_t row = 0; row < tracks.size(); ++row) {
        const double y = lanes_.yOfRow(int(row));
        if (y + ArrangerLanes::kLaneHeight < 0 || y > height()) continue;
        const QRectF lane(0, y, width(), ArrangerLanes::kLaneHeight);
        const bool current = tracks[row].id == roll_.currentTrack();
        p.fillRect(lane.adjusted(0, 0, 0, -1), current ? QColor(60, 90, 140) : QColor(46, 48, 56));
        p.setPen(current ? QColor(245, 245, 250) : QColor(200, 202, 210));
        const QString name = tracks[row].name.empty() ? tr("Track %1").arg(tracks[row].id)
                                                      : QString::fromStdString(tracks[row].name);
        p.drawText(lane.adjusted(8, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft,
                   p.fontMetrics().elidedText(name, Qt::ElideRight, width() - 12));
    }
    if (dragged_row_ >= 0 && drop_row_ >= 0) {
        const double y = lanes_.yOfRow(drop_row_ > dragged_row_ ? drop_row_ + 1 : drop_row_);
        p.setPen(QPen(QColor(255, 200, 90), 2));
        p.drawLine(QPointF(0, y), QPointF(width(), y));
    }
}

void ArrangerHeaders::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int row = lanes_.rowAt(event->position().y());
    if (row < 0) return;
    roll_.setCurrentTrack(song_.document().tracks[std::size_t(row)].id);
    dragged_row_ = row;
    drop_row_ = -1;
}

void ArrangerHeaders::mouseMoveEvent(QMouseEvent* event) {
    if (dragged_row_ < 0) return;
    const int rows = int(song_.document().tracks.size());
    const int row =
        std::clamp(int(std::floor((event->position().y() + lanes_.topOffset()) / ArrangerLanes::kLaneHeight)),
                   0, rows - 1);
    drop_row_ = row != dragged_row_ ? row : -1;
    update();
}

void ArrangerHeaders::mouseReleaseEvent(QMouseEvent* event) {
    if (dragged_row_ < 0 || event->button() != Qt::LeftButton) return;
    mouseMoveEvent(event);
    const int from = dragged_row_, to = drop_row_;
    dragged_row_ = drop_row_ = -1;
    update();
    if (to < 0 || to == from) return;
    const Track& t = song_.document().tracks[std::size_t(from)];
    song_.apply({edit::TrackMove{t.id, std::size_t(to)}},
                tr("Move track %1").arg(QString::fromStdString(t.name)));
}

}  // namespace tactus::gui
