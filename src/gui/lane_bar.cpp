#include "gui/lane_bar.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <algorithm>

#include "gui/roll_state.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
// Item data: -1 velocity, -2 "Other CC…", else kind * 1000 + number.
constexpr int kVelocity = -1;
constexpr int kOtherCc = -2;
// An automation lane's item data: this prefix and the control ("auto:level").
const QString kAutomationPrefix = QStringLiteral("auto:");
int code(const LaneTarget& t) {
    return int(t.kind) * 1000 + t.number;
}
LaneTarget target(int code) {
    return {ControllerKind(code / 1000), code % 1000};
}
}  // namespace

LaneBar::LaneBar(SongModel& song, RollState& state, QWidget* parent)
    : QWidget(parent), song_(song), state_(state), lanes_(new QComboBox(this)) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 1, 4, 1);
    layout->setSpacing(4);
    auto* label = new QLabel(tr("Lane"), this);
    label->setBuddy(lanes_);
    layout->addWidget(label);
    lanes_->setObjectName("laneChoice");
    lanes_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    layout->addWidget(lanes_);
    auto* group = new QButtonGroup(this);
    const std::pair<ControllerLane::Tool, const char*> tools[] = {
        {ControllerLane::Tool::Draw, QT_TR_NOOP("Draw")},
        {ControllerLane::Tool::Line, QT_TR_NOOP("Line")},
        {ControllerLane::Tool::Curve, QT_TR_NOOP("Curve")},
        {ControllerLane::Tool::Select, QT_TR_NOOP("Select")}};
    for (int i = 0; i < 4; ++i) {
        tools_[i] = new QToolButton(this);
        tools_[i]->setText(tr(tools[i].second));
        tools_[i]->setCheckable(true);
        tools_[i]->setAutoRaise(true);
        group->addButton(tools_[i], int(tools[i].first));
        layout->addWidget(tools_[i]);
    }
    tools_[0]->setChecked(true);
    tools_[0]->setToolTip(tr("Draw points along the stroke, one per grid step"));
    tools_[1]->setToolTip(tr("Drag a straight line of points"));
    tools_[2]->setToolTip(tr("Drag a smooth curve of points"));
    tools_[3]->setToolTip(tr("Select points (Shift adds, drag a band), drag to move, Delete removes"));
    connect(group, &QButtonGroup::idClicked, this,
            [this](int id) { emit toolChosen(ControllerLane::Tool(id)); });
    layout->addStretch(1);
    connect(lanes_, &QComboBox::activated, this, &LaneBar::onActivated);
    connect(&song_, &SongModel::documentChanged, this, &LaneBar::refill);
    connect(&state_, &RollState::trackChanged, this, &LaneBar::refill);
    refill();
}

void LaneBar::refill() {
    const Track* track = song_.track(state_.currentTrack());
    std::vector<LaneTarget> targets = commonLaneTargets();
    std::vector<LaneTarget> used;
    if (track)
        for (const ControllerEvent& e : track->controllers) {
            const LaneTarget t{e.kind, e.kind == ControllerKind::ControlChange ? e.number : 0};
            if (std::find(used.begin(), used.end(), t) == used.end()) used.push_back(t);
        }
    for (const LaneTarget& t : used)
        if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    if (chosen_ && std::find(targets.begin(), targets.end(), *chosen_) == targets.end())
        targets.push_back(*chosen_);
    std::sort(targets.begin(), targets.end(), [](const LaneTarget& a, const LaneTarget& b) {
        return std::pair(int(a.kind), a.number) < std::pair(int(b.kind), b.number);
    });
    const QSignalBlocker block(lanes_);
    lanes_->clear();
    lanes_->addItem(tr("Velocity"), kVelocity);
    for (const LaneTarget& t : targets) {
        const bool has = std::find(used.begin(), used.end(), t) != used.end();
        lanes_->addItem(has ? laneName(t) + QStringLiteral("  ●") : laneName(t), code(t));
    }
    lanes_->addItem(tr("Other CC…"), kOtherCc);
    // The track's automation lanes: its level, its pan, each of its sends.
    lanes_->insertSeparator(lanes_->count());
    std::vector<std::pair<QString, QString>> automation{{QStringLiteral("level"), tr("Level automation")},
                                                        {QStringLiteral("pan"), tr("Pan automation")}};
    if (track)
        for (const Send& send : track->sends) {
            const Bus* bus = song_.bus(send.bus);
            automation.emplace_back(
                QStringLiteral("send:%1").arg(send.bus),
                tr("Send to %1 automation")
                    .arg(bus ? QString::fromStdString(bus->name) : QString::number(send.bus)));
        }
    for (const auto& [control, name] : automation) {
        bool has = false;
        if (track)
            for (const AutomationLane& lane : song_.document().automation)
                has = has || (lane.target.owner == AutomationOwner::Track && lane.target.id == track->id &&
                              lane.target.control == control.toStdString());
        lanes_->addItem(has ? name + QStringLiteral("  ●") : name, kAutomationPrefix + control);
    }
    const int shown = !chosen_automation_.isEmpty() ? lanes_->findData(kAutomationPrefix + chosen_automation_)
                                                    : lanes_->findData(chosen_ ? code(*chosen_) : kVelocity);
    lanes_->setCurrentIndex(std::max(0, shown));
    for (QToolButton* b : tools_) {
        b->setEnabled(chosen_.has_value());
        b->setVisible(chosen_automation_.isEmpty());  // an automation lane has tools of its own
    }
}

void LaneBar::onActivated(int index) {
    const QVariant item = lanes_->itemData(index);
    if (item.typeId() == QMetaType::QString) {
        const QString text = item.toString();
        if (text.startsWith(kAutomationPrefix)) return chooseAutomation(text.mid(kAutomationPrefix.size()));
    }
    const int choice = item.toInt();
    if (choice == kOtherCc) {
        bool ok = false;
        const int number = QInputDialog::getInt(this, tr("Controller lane"), tr("CC number (0-127):"),
                                                chosen_ ? chosen_->number : 1, 0, 127, 1, &ok);
        if (!ok) return refill();  // back to what was shown
        return choose(LaneTarget{ControllerKind::ControlChange, number});
    }
    choose(choice == kVelocity ? std::nullopt : std::optional(target(choice)));
}

void LaneBar::choose(std::optional<LaneTarget> target) {
    chosen_ = target;
    chosen_automation_.clear();
    refill();
    emit laneChosen(target);
}

void LaneBar::chooseAutomation(const QString& control) {
    chosen_.reset();
    chosen_automation_ = control;
    refill();
    emit automationChosen(control);
}

void LaneBar::chooseTool(ControllerLane::Tool tool) {
    tools_[int(tool)]->setChecked(true);
    emit toolChosen(tool);
}

}  // namespace tactus::gui
