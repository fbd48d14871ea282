#include "gui/send_controls.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "gui/mixer_controls.h"
#include "gui/routing_commands.h"
#include "gui/song_model.h"

namespace tactus::gui {

SendControls::SendControls(SongModel& song, TrackId track, QWidget* parent)
    : QWidget(parent),
      song_(song),
      track_(track),
      rows_layout_(new QVBoxLayout),
      add_(new QToolButton(this)) {
    add_->setText(tr("+"));
    add_->setToolTip(tr("Send to a bus"));
    add_->setObjectName(QStringLiteral("addSend"));
    add_->setAutoRaise(true);
    add_->setPopupMode(QToolButton::InstantPopup);
    add_->setMenu(new QMenu(add_));
    connect(add_->menu(), &QMenu::aboutToShow, this, &SendControls::offerBuses);
    auto* head = new QHBoxLayout;
    head->setContentsMargins(0, 0, 0, 0);
    head->addWidget(new QLabel(tr("Sends"), this));
    head->addStretch(1);
    head->addWidget(add_);
    rows_layout_->setContentsMargins(0, 0, 0, 0);
    rows_layout_->setSpacing(0);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(head);
    layout->addLayout(rows_layout_);
    connect(&song_, &SongModel::documentChanged, this, &SendControls::refresh);
    connect(&song_, &SongModel::sendLevelChanged, this, [this](TrackId t, BusId bus, double level) {
        if (t != track_ || !levelSlider(bus)) return;
        const QSignalBlocker block(levelSlider(bus));
        levelSlider(bus)->setLevel(level);
    });
    refresh();
}

void SendControls::offerBuses() {
    QMenu* menu = add_->menu();
    menu->clear();
    const Track* t = song_.track(track_);
    for (const Bus& b : song_.document().buses) {
        const bool sends =
            t && std::any_of(t->sends.begin(), t->sends.end(), [&](const Send& s) { return s.bus == b.id; });
        QAction* a =
            menu->addAction(b.name.empty() ? tr("Bus %1").arg(b.id) : QString::fromStdString(b.name));
        a->setEnabled(!sends);
        connect(a, &QAction::triggered, this, [this, id = b.id] { addSend(id); });
    }
    if (menu->isEmpty()) menu->addAction(tr("No buses: add one in the mixer"))->setEnabled(false);
}

void SendControls::refresh() {
    const Track* t = song_.track(track_);
    if (!t) return;
    std::vector<std::pair<BusId, std::string>> now;
    std::vector<bool> pre;
    for (const Send& s : t->sends) {
        const Bus* b = song_.bus(s.bus);
        now.emplace_back(s.bus, b ? b->name : std::string());
        pre.push_back(s.pre_fader);
    }
    if (now != shown_ || pre != shown_pre_) {
        shown_ = now;
        shown_pre_ = pre;
        for (auto& [bus, row] : rows_) delete row.widget;
        rows_.clear();
        for (const Send& s : t->sends) {
            auto* widget = new QWidget(this);
            auto* h = new QHBoxLayout(widget);
            h->setContentsMargins(0, 0, 0, 0);
            h->setSpacing(2);
            const Bus* b = song_.bus(s.bus);
            auto* name = new QLabel(
                b && !b->name.empty() ? QString::fromStdString(b->name) : tr("Bus %1").arg(s.bus), widget);
            name->setMinimumWidth(40);
            Row row{widget, new LevelFader(widget), new QToolButton(widget)};
            row.level->setObjectName(QStringLiteral("sendLevel"));
            row.pre->setText(tr("Pre"));
            row.pre->setCheckable(true);
            row.pre->setObjectName(QStringLiteral("preFader"));
            row.pre->setToolTip(tr("Pre-fader: the send takes the track before its level and pan"));
            auto* remove = new QToolButton(widget);
            remove->setText(tr("✕"));
            remove->setAutoRaise(true);
            remove->setToolTip(tr("Remove this send"));
            remove->setObjectName(QStringLiteral("removeSend"));
            h->addWidget(name);
            h->addWidget(row.level, 1);
            h->addWidget(row.pre);
            h->addWidget(remove);
            const BusId bus = s.bus;
            connect(row.level, &LevelFader::levelEdited, this,
                    [this, bus](double level) { song_.setSendLevel(track_, bus, level); });
            connect(row.level, &LevelFader::gestureFinished, this, [this, bus](double before, double after) {
                song_.recordMixerGesture(
                    {SongModel::MixerGesture::Control::SendLevel, track_, bus, before, after});
            });
            // Queued: the edit rebuilds the rows, deleting the button that was clicked.
            connect(
                row.pre, &QToolButton::toggled, this, [this, bus](bool on) { setPreFader(bus, on); },
                Qt::QueuedConnection);
            connect(
                remove, &QToolButton::clicked, this, [this, bus] { removeSend(bus); }, Qt::QueuedConnection);
            rows_layout_->addWidget(widget);
            rows_[bus] = row;
        }
    }
    for (const Send& s : t->sends) {
        const Row& row = rows_.at(s.bus);
        const QSignalBlocker b1(row.level), b2(row.pre);
        row.level->setLevel(s.level);
        row.pre->setChecked(s.pre_fader);
    }
}

bool SendControls::addSend(BusId bus) {
    auto edits = gui::addSend(song_.document(), track_, bus);
    return edits && song_.apply(std::move(*edits), tr("Add send"));
}

bool SendControls::removeSend(BusId bus) {
    auto edits = gui::removeSend(song_.document(), track_, bus);
    return edits && song_.apply(std::move(*edits), tr("Remove send"));
}

bool SendControls::setPreFader(BusId bus, bool pre_fader) {
    auto edits = setSendPreFader(song_.document(), track_, bus, pre_fader);
    const bool done =
        edits && song_.apply(std::move(*edits), pre_fader ? tr("Send pre-fader") : tr("Send post-fader"));
    if (!done) refresh();
    return done;
}

LevelFader* SendControls::levelSlider(BusId bus) const {
    const auto it = rows_.find(bus);
    return it == rows_.end() ? nullptr : it->second.level;
}

QToolButton* SendControls::preFaderButton(BusId bus) const {
    const auto it = rows_.find(bus);
    return it == rows_.end() ? nullptr : it->second.pre;
}

}  // namespace tactus::gui
