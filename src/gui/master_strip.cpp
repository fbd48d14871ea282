#include "gui/master_strip.h"

#include <QGridLayout>
#include <QLabel>
#include <QSlider>

#include "gui/engine_link.h"
#include "gui/insert_slots.h"
#include "gui/level_meter.h"
#include "server/osc_out.h"

namespace tactus::gui {

MasterStrip::MasterStrip(SongModel& song, EngineLink& link, PluginServices& plugins, QWidget* parent)
    : QFrame(parent),
      link_(link),
      level_(new QSlider(Qt::Horizontal, this)),
      meter_(new LevelMeter(this)),
      inserts_(new InsertSlots(song, plugins, {InsertOwner::Master, 0}, this)) {
    setFrameShape(QFrame::StyledPanel);
    level_->setRange(0, 200);
    level_->setValue(100);
    level_->setToolTip(tr("Master level"));
    meter_->setFixedWidth(10);
    connect(level_, &QSlider::valueChanged, this, [this] { resendLevel(); });
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(3);
    layout->addWidget(new QLabel(tr("Master"), this), 0, 0);
    layout->addWidget(level_, 0, 1);
    layout->addWidget(meter_, 0, 2, 2, 1);
    layout->addWidget(inserts_, 1, 0, 1, 2);
}

void MasterStrip::resendLevel() {
    link_.send(OscOut("/master/level").d(level_->value() / 100.0).bytes());
}

}  // namespace tactus::gui
