// The LV2 plugins installed where the engine runs, as it lists them (/plugins: one /plugin uri, name,
// category, audio inputs, audio outputs, MIDI input, why_not each, then /reply): the GUI never reads
// plugin bundles itself. Asked once per connection (the first time something needs the list) and kept;
// the plugin browser lists them, the strips name a plugin by its URI from here.
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <QString>
#include <vector>

#include "server/osc_message.h"

namespace tactus::gui {

class EngineLink;

struct PluginInfo {
    QString uri;
    QString name;
    QString category;  // "Instrument", "Reverb", "Delay", ... (lilv's class label without " Plugin")
    int audioInputs = 0;
    int audioOutputs = 0;
    bool midiInput = false;
    QString whyNot;  // empty: Tactus can play it; else the reason it cannot
    bool playable() const { return whyNot.isEmpty(); }
    // An instrument: it takes MIDI (a track plays it). An effect: it takes audio (an insert).
    bool isInstrument() const { return midiInput; }
    bool isEffect() const { return audioInputs > 0 && category != QStringLiteral("Instrument"); }
};

class PluginCatalog : public QObject {
    Q_OBJECT
public:
    explicit PluginCatalog(EngineLink& link, QObject* parent = nullptr);

    // Asks the engine for the list unless it is known or asked already (and the engine is connected);
    // listed() follows.
    void request();
    bool isListed() const { return listed_; }
    bool isAsked() const { return asked_; }
    const std::vector<PluginInfo>& plugins() const { return plugins_; }
    // The plugin with that URI, or nullptr (not installed, or not listed yet).
    const PluginInfo* find(const QString& uri) const;
    // The plugin's name when it is listed, else the last part of its URI.
    QString displayName(const QString& uri) const;

    void onPacket(const OscPacket& packet);

signals:
    void listed();

private:
    EngineLink& link_;
    bool asked_ = false;
    bool listed_ = false;
    std::vector<PluginInfo> plugins_;
    std::vector<PluginInfo> incoming_;
};

}  // namespace tactus::gui
