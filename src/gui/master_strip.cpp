#include "gui/master_strip.h"

#include <QGridLayout>
#include <QLabel>
#include <QSlider>

#include "gui/engine_link.h"
#include "gui/insert_slots.h"
#include "gui/level_meter.h"
#include "gui/mixer_controls.h"
#include "server/osc_out.h"

namespace tactus::gui {

MasterStrip::MasterStrip(SongModel& song, EngineLink& link, PluginServices& plugins, QWidget* parent)
    : QFrame(parent),
      link_(link),
      level_(new LevelFader(this)),
      level_text_(new QLabel(LevelFader::text(1.0), this)),
      meter_(new LevelMeter(this)),
      inserts_(new InsertSlots(song, plugins, {InsertOwner::Master, 0}, this)) {
    setFrameShape(QFrame::StyledPanel);
    meter_->setFixedWidth(10);
    level_text_->setMinimumWidth(level_text_->fontMetrics().horizontalAdvance(QStringLiteral("-60.0 dB")));
    level_text_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    connect(level_, &LevelFader::valueShown, level_text_, &QLabel::setText);
    connect(level_, &LevelFader::levelEdited, this, [this] { resendLevel(); });
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(3);
    layout->addWidget(new QLabel(tr("Master"), this), 0, 0);
    layout->addWidget(level_, 0, 1);
    layout->addWidget(level_text_, 0, 2);
    layout->addWidget(meter_, 0, 3, 2, 1);
    layout->addWidget(inserts_, 1, 0, 1, 3);
}

void MasterStrip::resendLevel() {
    link_.send(OscOut("/master/level").d(level_->level()).bytes());
}

}  // namespace tactus::gui
