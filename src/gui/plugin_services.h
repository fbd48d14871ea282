// What the mixer's strips share to choose and edit plugins: the engine's plugin list, the plugins'
// controls, how a plugin is chosen (the browser dialog; tests answer themselves) and how an editor is
// opened.
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <optional>

#include "gui/plugin_browser.h"
#include "gui/plugin_target.h"

namespace tactus::gui {

class EngineLink;
class PluginCatalog;
class PluginControls;
class PluginParameterEditor;
class SongModel;

class PluginServices : public QObject {
    Q_OBJECT
public:
    PluginServices(SongModel& song, EngineLink& link, QObject* parent = nullptr);

    PluginCatalog& catalog() const { return *catalog_; }
    PluginControls& controls() const { return *controls_; }
    // Asks the user for a plugin of that kind (with the chooser set; default askForPlugin).
    std::optional<QString> choose(QWidget* parent, PluginKind kind);
    void setChooser(PluginChooser chooser) { chooser_ = std::move(chooser); }
    // Opens (or raises) the parameter editor of `target`; nullptr when there is no plugin there.
    PluginParameterEditor* edit(const PluginTarget& target, QWidget* near);

private:
    SongModel& song_;
    PluginCatalog* catalog_;
    PluginControls* controls_;
    PluginChooser chooser_;
};

}  // namespace tactus::gui
