// The control inputs of LV2 plugins, as the engine lists them (/plugin/controls URI: one /plugin/control
// symbol, name, minimum, maximum, default, unit, flags each, then /reply, or /error for a URI that is not
// installed). Each plugin is asked once per connection and kept; the parameter editor builds its
// controls from here.
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <QString>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "server/osc_message.h"

namespace tactus::gui {

class EngineLink;

struct PluginControl {
    std::string symbol;
    QString name;
    double minimum = 0.0;
    double maximum = 1.0;
    double defaultValue = 0.0;
    QString unit;
    int flags = 0;  // kToggle | kInteger | kLogarithmic (docs/protocol.md, /plugin/controls)
    static constexpr int kToggle = 1;
    static constexpr int kInteger = 2;
    static constexpr int kLogarithmic = 4;
    bool toggle() const { return flags & kToggle; }
    bool integer() const { return flags & kInteger; }
    bool logarithmic() const { return (flags & kLogarithmic) && minimum > 0.0 && maximum > minimum; }
};

struct PluginControlList {
    bool answered = false;
    QString error;                        // the engine's (the plugin is not installed)
    std::vector<PluginControl> controls;  // in port order
    const PluginControl* find(const std::string& symbol) const;
};

class PluginControls : public QObject {
    Q_OBJECT
public:
    explicit PluginControls(EngineLink& link, QObject* parent = nullptr);

    // Asks the engine for `uri`'s controls unless they are known or asked already (and the engine is
    // connected); answered() follows.
    void request(const QString& uri);
    // What is known of `uri` (nullptr: never asked, or asked on a connection that dropped).
    const PluginControlList* controls(const QString& uri) const;

    void onPacket(const OscPacket& packet);

signals:
    void answered(const QString& uri);

private:
    EngineLink& link_;
    std::map<QString, PluginControlList> plugins_;
    std::deque<QString> asked_;  // in order: the engine answers in order on the stream
};

}  // namespace tactus::gui
