#include "cli/plugins_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace tactus::cli {

namespace {

std::string number(float value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", static_cast<double>(value));
    return text;
}

bool same_category(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

}  // namespace

void print_plugin_line(const lv2::PluginInfo& p, std::ostream& out) {
    out << p.uri << "  " << p.name << "  [" << p.category << "]  audio " << p.count(lv2::PortKind::AudioIn)
        << " in " << p.count(lv2::PortKind::AudioOut) << " out" << (p.takes_midi() ? ", MIDI in" : "");
    if (!p.playable()) out << "  (cannot be played here: " << p.unplayable_reason() << ")";
    out << "\n";
}

void print_plugin_details(const lv2::PluginInfo& p, std::ostream& out) {
    print_plugin_line(p, out);
    out << "Controls (symbol: name, minimum..maximum, default):\n";
    for (const lv2::PortInfo& port : p.ports) {
        if (port.kind != lv2::PortKind::ControlIn) continue;
        out << "  " << port.symbol << ": " << port.name << ", " << number(port.minimum) << ".."
            << number(port.maximum) << (port.unit.empty() ? "" : " " + port.unit) << ", default "
            << number(port.default_value);
        if (port.toggled) out << " (on/off)";
        if (port.integer || port.enumeration) out << " (whole numbers)";
        if (port.logarithmic) out << " (logarithmic)";
        out << "\n";
    }
}

void add_plugins_command(CLI::App& app, int& exit_code) {
    auto uri = std::make_shared<std::string>();
    auto category = std::make_shared<std::string>();
    CLI::App* cmd =
        app.add_subcommand("plugins", "List the LV2 plugins installed here (instruments and effects)");
    cmd->add_option("uri", *uri, "One plugin's URI: its control ports, ranges and defaults");
    cmd->add_option("--category", *category,
                    "Only this category (Instrument, Reverb, Equaliser, Delay, ...)");
    cmd->callback([uri, category, &exit_code] {
        if (!uri->empty()) {
            std::string error;
            const auto plugin = lv2::find_plugin(*uri, &error);
            if (!plugin) {
                std::cerr << "error: " << error << "\n";
                exit_code = 1;
                return;
            }
            print_plugin_details(*plugin, std::cout);
            return;
        }
        std::size_t shown = 0;
        for (const lv2::PluginInfo& p : lv2::installed_plugins()) {
            if (!category->empty() && !same_category(p.category, *category)) continue;
            print_plugin_line(p, std::cout);
            ++shown;
        }
        if (shown == 0) {
            std::cerr << (category->empty()
                              ? "no LV2 plugins are installed (Debian: mda-lv2, x42-plugins, ...)"
                              : "no installed LV2 plugin is in category '" + *category + "'")
                      << "\n";
            exit_code = 1;
        }
    });
}

}  // namespace tactus::cli
