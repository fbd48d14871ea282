#include "gui/plugin_catalog.h"

#include <algorithm>

#include "gui/engine_link.h"
#include "server/osc_out.h"

namespace tactus::gui {

PluginCatalog::PluginCatalog(EngineLink& link, QObject* parent) : QObject(parent), link_(link) {
    connect(&link_, &EngineLink::packetReceived, this, &PluginCatalog::onPacket);
    // Asked on a dropped connection: never answered. Ask again on the next one.
    connect(&link_, &EngineLink::disconnected, this, [this] {
        if (!listed_) asked_ = false;
        incoming_.clear();
    });
}

void PluginCatalog::request() {
    if (asked_ || listed_ || !link_.isConnected()) return;
    asked_ = true;
    incoming_.clear();
    link_.send(OscOut("/plugins").bytes());
}

const PluginInfo* PluginCatalog::find(const QString& uri) const {
    for (const PluginInfo& p : plugins_)
        if (p.uri == uri) return &p;
    return nullptr;
}

QString PluginCatalog::displayName(const QString& uri) const {
    if (const PluginInfo* p = find(uri)) return p->name;
    const qsizetype cut = std::max(uri.lastIndexOf('/'), uri.lastIndexOf('#'));
    return cut >= 0 && cut + 1 < uri.size() ? uri.mid(cut + 1) : uri;
}

// `/plugin ,sssiiis` per plugin, then `/reply "/plugins" s:category i:count`.
void PluginCatalog::onPacket(const OscPacket& packet) {
    if (!asked_ || listed_) return;
    for (const OscMessage& m : packet.messages) {
        if (m.address == "/plugin" && m.types == "sssiiis") {
            incoming_.push_back({QString::fromStdString(m.args[0].s), QString::fromStdString(m.args[1].s),
                                 QString::fromStdString(m.args[2].s), int(m.args[3].i), int(m.args[4].i),
                                 m.args[5].i != 0, QString::fromStdString(m.args[6].s)});
        } else if (m.address == "/reply" && !m.args.empty() && m.args[0].s == "/plugins") {
            plugins_ = std::move(incoming_);
            incoming_.clear();
            listed_ = true;
            emit listed();
        }
    }
}

}  // namespace tactus::gui
