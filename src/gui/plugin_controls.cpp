#include "gui/plugin_controls.h"

#include "gui/engine_link.h"
#include "server/osc_out.h"

namespace tactus::gui {

namespace {
constexpr const char* kAddress = "/plugin/controls";
}

const PluginControl* PluginControlList::find(const std::string& symbol) const {
    for (const PluginControl& c : controls)
        if (c.symbol == symbol) return &c;
    return nullptr;
}

PluginControls::PluginControls(EngineLink& link, QObject* parent) : QObject(parent), link_(link) {
    connect(&link_, &EngineLink::packetReceived, this, &PluginControls::onPacket);
    connect(&link_, &EngineLink::disconnected, this, [this] {
        for (const QString& uri : asked_) plugins_.erase(uri);
        asked_.clear();
    });
}

void PluginControls::request(const QString& uri) {
    if (uri.isEmpty() || plugins_.count(uri) || !link_.isConnected()) return;
    plugins_[uri] = PluginControlList{};
    asked_.push_back(uri);
    link_.send(OscOut(kAddress).s(uri.toStdString()).bytes());
}

const PluginControlList* PluginControls::controls(const QString& uri) const {
    const auto it = plugins_.find(uri);
    return it == plugins_.end() ? nullptr : &it->second;
}

// `/plugin/control ,ssfffsi` per control input, then `/reply "/plugin/controls" s:uri i:count` or
// `/error "/plugin/controls" s:message`, for the oldest plugin asked.
void PluginControls::onPacket(const OscPacket& packet) {
    for (const OscMessage& m : packet.messages) {
        if (asked_.empty()) return;
        PluginControlList& list = plugins_[asked_.front()];
        if (m.address == "/plugin/control" && m.types == "ssfffsi") {
            list.controls.push_back({m.args[0].s, QString::fromStdString(m.args[1].s), m.args[2].f,
                                     m.args[3].f, m.args[4].f, QString::fromStdString(m.args[5].s),
                                     int(m.args[6].i)});
            continue;
        }
        const bool reply = m.address == "/reply" || m.address == "/error";
        if (!reply || m.types.size() < 2 || m.types.compare(0, 2, "ss") != 0 || m.args[0].s != kAddress)
            continue;
        list.answered = true;
        if (m.address == "/error") list.error = QString::fromStdString(m.args[1].s), list.controls.clear();
        const QString uri = asked_.front();
        asked_.pop_front();
        emit answered(uri);
    }
}

}  // namespace tactus::gui
