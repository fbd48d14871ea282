#include "gui/soundfont_presets.h"

#include <string>

#include "gui/engine_link.h"
#include "server/osc_out.h"

namespace tactus::gui {

namespace {
constexpr const char* kAddress = "/soundfont/presets";
constexpr int kDrumBank = 128;  // the SoundFont percussion bank
}  // namespace

const SoundFontPreset* FontPresets::find(int bank, int program) const {
    for (const SoundFontPreset& p : presets)
        if (p.bank == bank && p.program == program) return &p;
    return nullptr;
}

std::string soundFontPresetLabel(int bank, int program) {
    return std::to_string(bank) + ":" + std::to_string(program);
}

SoundFontPresets::SoundFontPresets(EngineLink& link, QObject* parent) : QObject(parent), link_(link) {
    connect(&link_, &EngineLink::packetReceived, this, &SoundFontPresets::onPacket);
    // What was asked on a dropped connection is never answered: ask again on the next one.
    connect(&link_, &EngineLink::disconnected, this, [this] {
        for (const QString& font : asked_) fonts_.erase(font);
        asked_.clear();
    });
}

void SoundFontPresets::request(const QString& font) {
    if (fonts_.count(font) || !link_.isConnected()) return;
    fonts_[font] = FontPresets{};
    asked_.push_back(font);
    OscOut message(kAddress);
    if (!font.isEmpty()) message.s(font.toStdString());
    link_.send(message.bytes());
}

const FontPresets* SoundFontPresets::presets(const QString& font) const {
    const auto it = fonts_.find(font);
    return it == fonts_.end() ? nullptr : &it->second;
}

QString SoundFontPresets::presetName(const QString& font, int bank, int program, bool drums) const {
    const FontPresets* known = presets(font);
    if (!known || !known->answered) return {};
    const SoundFontPreset* p = known->find(drums ? kDrumBank : bank, program);
    if (!p) p = drums ? known->find(kDrumBank, 0) : known->find(0, program);
    return p ? p->name : QString();
}

// `/soundfont/preset i:bank i:program s:name` per preset, then `/reply "/soundfont/presets" s:path
// i:count` or `/error "/soundfont/presets" s:message`, for the oldest font asked.
void SoundFontPresets::onPacket(const OscPacket& packet) {
    for (const OscMessage& m : packet.messages) {
        if (asked_.empty()) return;
        FontPresets& font = fonts_[asked_.front()];
        if (m.address == "/soundfont/preset" && m.types == "iis") {
            font.presets.push_back({int(m.args[0].i), int(m.args[1].i), QString::fromStdString(m.args[2].s)});
            continue;
        }
        const bool reply = m.address == "/reply" && m.types.size() >= 2 && m.types.compare(0, 2, "ss") == 0;
        const bool error = m.address == "/error" && m.types.size() >= 2 && m.types.compare(0, 2, "ss") == 0;
        if ((!reply && !error) || m.args[0].s != kAddress) continue;
        font.answered = true;
        if (reply)
            font.resolved = QString::fromStdString(m.args[1].s);
        else
            font.error = QString::fromStdString(m.args[1].s), font.presets.clear();
        const QString name = asked_.front();
        asked_.pop_front();
        emit fontAnswered(name);
    }
}

}  // namespace tactus::gui
