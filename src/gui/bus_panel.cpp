#include "gui/bus_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "gui/bus_strip.h"
#include "gui/routing_commands.h"
#include "gui/song_model.h"

namespace tactus::gui {

BusPanel::BusPanel(SongModel& song, PluginServices& plugins, QWidget* parent)
    : QWidget(parent), song_(song), plugins_(plugins), strip_layout_(new QVBoxLayout) {
    auto* add = new QPushButton(tr("Add bus"), this);
    add->setToolTip(tr("A new effect bus (a reverb return): tracks feed it through their sends"));
    connect(add, &QPushButton::clicked, this, [this] { addBus(); });
    auto* head = new QHBoxLayout;
    head->addWidget(new QLabel(tr("<b>Buses</b>"), this));
    head->addStretch(1);
    head->addWidget(add);
    strip_layout_->setContentsMargins(0, 0, 0, 0);
    strip_layout_->setSpacing(2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 6, 2, 2);
    layout->setSpacing(2);
    layout->addLayout(head);
    layout->addLayout(strip_layout_);
    connect(&song_, &SongModel::busesChanged, this, &BusPanel::rebuild);
    rebuild();
}

void BusPanel::rebuild() {
    for (BusStrip* s : strips_) s->deleteLater();
    strips_.clear();
    for (const Bus& b : song_.document().buses) {
        auto* strip = new BusStrip(song_, plugins_, b.id, this);
        strip_layout_->addWidget(strip);
        strips_.push_back(strip);
    }
}

BusStrip* BusPanel::strip(BusId id) const {
    for (BusStrip* s : strips_)
        if (s->busId() == id) return s;
    return nullptr;
}

BusId BusPanel::addBus() {
    const BusId id = song_.newBusId();
    return song_.apply(gui::addBus(song_.document(), id, tr("Bus %1").arg(id).toStdString()), tr("Add bus"))
               ? id
               : 0;
}

}  // namespace tactus::gui
