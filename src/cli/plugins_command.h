// `tactus plugins`: the LV2 plugins installed here, as the engine sees them (engine/lv2).
//   tactus plugins                      every plugin: URI, name, category, audio ins/outs, MIDI
//   tactus plugins --category Reverb    only that category (Instrument, Reverb, Equaliser, ...)
//   tactus plugins URI                  one plugin with its control ports (ranges, defaults, units)
#pragma once

#include <iosfwd>

#include "engine/lv2/plugin_catalogue.h"

namespace CLI {
class App;
}

namespace tactus::cli {

void add_plugins_command(CLI::App& app, int& exit_code);
void print_plugin_line(const lv2::PluginInfo& plugin, std::ostream& out);
void print_plugin_details(const lv2::PluginInfo& plugin, std::ostream& out);

}  // namespace tactus::cli
