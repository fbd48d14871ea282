#include "gui/plugin_services.h"

#include "gui/engine_link.h"
#include "gui/plugin_catalog.h"
#include "gui/plugin_controls.h"
#include "gui/plugin_parameter_editor.h"
#include "gui/song_model.h"

namespace tactus::gui {

PluginServices::PluginServices(SongModel& song, EngineLink& link, QObject* parent)
    : QObject(parent),
      song_(song),
      catalog_(new PluginCatalog(link, this)),
      controls_(new PluginControls(link, this)),
      chooser_(askForPlugin) {
    // Names on the strips come from the list: ask for it once the engine is there.
    connect(&link, &EngineLink::connected, catalog_, &PluginCatalog::request);
    if (link.isConnected()) catalog_->request();
}

std::optional<QString> PluginServices::choose(QWidget* parent, PluginKind kind) {
    catalog_->request();
    return chooser_ ? chooser_(parent, *catalog_, kind) : std::nullopt;
}

PluginParameterEditor* PluginServices::edit(const PluginTarget& target, QWidget* near) {
    return openPluginEditor(song_, *controls_, *catalog_, target, near);
}

}  // namespace tactus::gui
