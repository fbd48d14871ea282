#include "engine/lv2/plugin_catalogue.h"

#include <lv2/buf-size/buf-size.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <algorithm>

#include "engine/lv2/lv2_world.h"

namespace tactus::lv2 {

const std::vector<std::string>& supported_features() {
    static const std::vector<std::string> features = {
        LV2_URID__map,
        LV2_URID__unmap,
        LV2_OPTIONS__options,
        LV2_BUF_SIZE__boundedBlockLength,
        LV2_BUF_SIZE__fixedBlockLength,
        LV2_BUF_SIZE__powerOf2BlockLength,
        LV2_LOG__log,
        LV2_WORKER__schedule,  // lv2_worker.h
    };
    return features;
}

int PluginInfo::count(PortKind kind) const {
    return static_cast<int>(
        std::count_if(ports.begin(), ports.end(), [&](const PortInfo& p) { return p.kind == kind; }));
}

bool PluginInfo::takes_midi() const {
    return std::any_of(ports.begin(), ports.end(),
                       [](const PortInfo& p) { return p.kind == PortKind::AtomIn && p.midi; });
}

std::string PluginInfo::unplayable_reason() const {
    if (!missing_features.empty()) return "it needs a feature this host lacks: " + missing_features.front();
    const int ins = count(PortKind::AudioIn), outs = count(PortKind::AudioOut);
    if (outs < 1 || outs > 2)
        return "it has " + std::to_string(outs) + " audio outputs (Tactus plays 1 or 2)";
    if (ins > 2) return "it has " + std::to_string(ins) + " audio inputs (Tactus feeds 0 to 2)";
    for (const PortInfo& p : ports)
        if ((p.kind == PortKind::CvIn || p.kind == PortKind::Other) && !p.optional)
            return "port '" + p.symbol + "' is of a kind Tactus does not connect";
    if (instrument && !takes_midi()) return "an instrument without a MIDI input";
    return "";
}

bool PluginInfo::playable() const {
    return unplayable_reason().empty();
}

namespace {

std::string node_string(const LilvNode* node) {
    return node ? lilv_node_as_string(node) : "";
}

std::string owned_string(LilvNode* node) {
    std::string s = node_string(node);
    lilv_node_free(node);
    return s;
}

PortInfo describe_port(World& world, const LilvPlugin* plugin, unsigned index) {
    const World::Nodes& n = world.nodes();
    const LilvPort* port = lilv_plugin_get_port_by_index(plugin, index);
    PortInfo info;
    info.index = index;
    info.symbol = node_string(lilv_port_get_symbol(plugin, port));
    info.name = owned_string(lilv_port_get_name(plugin, port));
    const bool input = lilv_port_is_a(plugin, port, n.input_port);
    if (lilv_port_is_a(plugin, port, n.audio_port))
        info.kind = input ? PortKind::AudioIn : PortKind::AudioOut;
    else if (lilv_port_is_a(plugin, port, n.control_port))
        info.kind = input ? PortKind::ControlIn : PortKind::ControlOut;
    else if (lilv_port_is_a(plugin, port, n.cv_port))
        info.kind = input ? PortKind::CvIn : PortKind::CvOut;
    else if (lilv_port_is_a(plugin, port, n.atom_port))
        info.kind = input ? PortKind::AtomIn : PortKind::AtomOut;
    info.midi = lilv_port_supports_event(plugin, port, n.midi_event);
    info.optional = lilv_port_has_property(plugin, port, n.connection_optional);
    info.integer = lilv_port_has_property(plugin, port, n.integer);
    info.toggled = lilv_port_has_property(plugin, port, n.toggled);
    info.enumeration = lilv_port_has_property(plugin, port, n.enumeration);
    info.logarithmic = lilv_port_has_property(plugin, port, n.logarithmic);
    info.latency =
        info.kind == PortKind::ControlOut && lilv_port_has_property(plugin, port, n.reports_latency);
    LilvNode *def = nullptr, *min = nullptr, *max = nullptr;
    lilv_port_get_range(plugin, port, &def, &min, &max);
    if (min) info.minimum = lilv_node_as_float(min);
    if (max) info.maximum = lilv_node_as_float(max);
    info.default_value = def ? lilv_node_as_float(def) : info.minimum;
    lilv_node_free(def);
    lilv_node_free(min);
    lilv_node_free(max);
    if (lilv_port_has_property(plugin, port, n.sample_rate)) {
        // Ranges in fractions of the sample rate are given for the rate the host runs at.
        info.minimum *= 48000.0f;
        info.maximum *= 48000.0f;
        info.default_value *= 48000.0f;
    }
    if (LilvNode* unit = lilv_port_get(plugin, port, n.units_unit)) {
        if (LilvNode* symbol = lilv_world_get(world.lilv(), unit, n.units_symbol, nullptr))
            info.unit = owned_string(symbol);
        lilv_node_free(unit);
    }
    if (LilvNode* size = lilv_port_get(plugin, port, n.rsz_minimum_size)) {
        info.atom_size = lilv_node_as_int(size);
        lilv_node_free(size);
    }
    return info;
}

PluginInfo describe(World& world, const LilvPlugin* plugin) {
    PluginInfo info;
    info.uri = node_string(lilv_plugin_get_uri(plugin));
    info.name = owned_string(lilv_plugin_get_name(plugin));
    const LilvPluginClass* cls = lilv_plugin_get_class(plugin);
    info.category = node_string(lilv_plugin_class_get_label(cls));
    // lilv labels classes "Instrument Plugin", "Delay Plugin": the kind is the category.
    if (const std::string suffix = " Plugin";
        info.category.size() > suffix.size() && info.category.ends_with(suffix))
        info.category.resize(info.category.size() - suffix.size());
    info.instrument = lilv_node_equals(lilv_plugin_class_get_uri(cls), world.nodes().instrument_class);
    const unsigned ports = lilv_plugin_get_num_ports(plugin);
    for (unsigned i = 0; i < ports; ++i) info.ports.push_back(describe_port(world, plugin, i));
    LilvNodes* required = lilv_plugin_get_required_features(plugin);
    LILV_FOREACH(nodes, it, required) {
        const std::string feature = node_string(lilv_nodes_get(required, it));
        info.required_features.push_back(feature);
        const auto& ours = supported_features();
        if (std::find(ours.begin(), ours.end(), feature) == ours.end())
            info.missing_features.push_back(feature);
    }
    lilv_nodes_free(required);
    return info;
}

}  // namespace

const std::vector<PluginInfo>& installed_plugins() {
    // Read once (about 100 ms for 260 plugins): a plugin installed while the program runs is seen by
    // find_plugin, not here.
    static const std::vector<PluginInfo> all = [] {
        World& world = World::shared();
        std::vector<PluginInfo> list;
        {
            auto guard = world.lock();
            const LilvPlugins* plugins = lilv_world_get_all_plugins(world.lilv());
            LILV_FOREACH(plugins, it, plugins) list.push_back(describe(world, lilv_plugins_get(plugins, it)));
        }
        std::sort(list.begin(), list.end(), [](const PluginInfo& a, const PluginInfo& b) {
            return a.name != b.name ? a.name < b.name : a.uri < b.uri;
        });
        return list;
    }();
    return all;
}

std::optional<PluginInfo> find_plugin(const std::string& uri, std::string* error) {
    World& world = World::shared();
    auto guard = world.lock();
    const LilvPlugin* plugin = world.plugin(uri);
    if (!plugin) {
        if (error)
            *error = "LV2 plugin <" + uri + "> is not installed (`tactus plugins` lists those that are)";
        return std::nullopt;
    }
    return describe(world, plugin);
}

}  // namespace tactus::lv2
