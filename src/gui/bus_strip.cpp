#include "gui/bus_strip.h"

#include <QDial>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>
#include <cmath>

#include "gui/insert_slots.h"
#include "gui/mixer_controls.h"
#include "gui/routing_commands.h"
#include "gui/song_model.h"

namespace tactus::gui {

BusStrip::BusStrip(SongModel& song, PluginServices& plugins, BusId id, QWidget* parent)
    : QFrame(parent),
      song_(song),
      id_(id),
      name_(new QLineEdit(this)),
      level_(new LevelFader(this)),
      pan_(new PanDial(this)),
      level_text_(new QLabel(this)),
      pan_text_(new QLabel(this)),
      mute_(new QToolButton(this)),
      solo_(new QToolButton(this)),
      remove_(new QToolButton(this)),
      inserts_(new InsertSlots(song, plugins, {InsertOwner::Bus, id}, this)) {
    setFrameShape(QFrame::StyledPanel);
    name_->setToolTip(tr("Bus name"));
    pan_->setFixedSize(30, 30);
    level_text_->setMinimumWidth(level_text_->fontMetrics().horizontalAdvance(QStringLiteral("-60.0 dB")));
    level_text_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    pan_text_->setMinimumWidth(pan_text_->fontMetrics().horizontalAdvance(QStringLiteral("R 100")));
    connect(level_, &LevelFader::valueShown, level_text_, &QLabel::setText);
    connect(pan_, &PanDial::valueShown, pan_text_, &QLabel::setText);
    mute_->setText(tr("M"));
    mute_->setCheckable(true);
    mute_->setToolTip(tr("Mute the bus"));
    solo_->setText(tr("S"));
    solo_->setCheckable(true);
    solo_->setToolTip(tr("Solo the bus: the other buses and the tracks' own outputs are silenced"));
    remove_->setText(tr("✕"));
    remove_->setToolTip(tr("Remove the bus (and the sends to it)"));
    remove_->setObjectName(QStringLiteral("removeBus"));

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(3);
    layout->addWidget(name_, 0, 0, 1, 2);
    layout->addWidget(mute_, 0, 2);
    layout->addWidget(solo_, 0, 3);
    layout->addWidget(remove_, 0, 4);
    layout->addWidget(level_, 1, 0, 1, 2);
    layout->addWidget(level_text_, 1, 2);
    layout->addWidget(pan_, 1, 3);
    layout->addWidget(pan_text_, 1, 4);
    layout->addWidget(inserts_, 2, 0, 1, 5);

    connect(name_, &QLineEdit::editingFinished, this, [this] {
        const Bus* b = song_.bus(id_);
        const std::string name = name_->text().toStdString();
        if (b && b->name != name) song_.apply({edit::BusRename{id_, name}}, tr("Rename bus"));
    });
    connect(level_, &LevelFader::levelEdited, this, [this](double level) { song_.setBusLevel(id_, level); });
    using Gesture = SongModel::MixerGesture;
    connect(level_, &LevelFader::gestureFinished, this, [this](double before, double after) {
        song_.recordMixerGesture({Gesture::Control::BusLevel, id_, 0, before, after});
    });
    connect(pan_, &PanDial::gestureFinished, this, [this](int before, int after) {
        song_.recordMixerGesture({Gesture::Control::BusPan, id_, 0, before / 100.0, after / 100.0});
    });
    connect(pan_, &QDial::valueChanged, this, [this](int v) { song_.setBusPan(id_, v / 100.0); });
    connect(mute_, &QToolButton::toggled, this, [this](bool on) { song_.setBusMute(id_, on); });
    connect(solo_, &QToolButton::toggled, this, [this](bool on) { song_.setBusSolo(id_, on); });
    // Queued: removing the bus deletes this strip.
    connect(remove_, &QToolButton::clicked, this, &BusStrip::removeBus, Qt::QueuedConnection);
    connect(&song_, &SongModel::busMixerChanged, this, [this](BusId changed) {
        if (changed == id_) refresh();
    });
    refresh();
}

bool BusStrip::removeBus() {
    auto edits = gui::removeBus(song_.document(), id_);
    return edits && song_.apply(std::move(*edits), tr("Remove bus"));
}

void BusStrip::refresh() {
    const Bus* b = song_.bus(id_);
    if (!b) return;
    const SongModel::Mixer m = song_.busMixer(id_);
    const QSignalBlocker b1(level_), b2(pan_), b3(mute_), b4(solo_);
    if (!name_->hasFocus()) name_->setText(QString::fromStdString(b->name));
    level_->setLevel(m.level);
    pan_->setValue(int(std::lround(m.pan * 100)));
    level_text_->setText(LevelFader::text(level_->level()));  // (their own signals are blocked here)
    pan_text_->setText(PanDial::text(pan_->value()));
    mute_->setChecked(m.mute);
    solo_->setChecked(m.solo);
}

}  // namespace tactus::gui
