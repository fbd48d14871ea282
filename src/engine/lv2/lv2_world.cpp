#include "engine/lv2/lv2_world.h"

#include <lv2/atom/atom.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/midi/midi.h>
#include <lv2/parameters/parameters.h>
#include <lv2/port-props/port-props.h>
#include <lv2/resize-port/resize-port.h>
#include <lv2/units/units.h>

#include <algorithm>
#include <cctype>

namespace tactus::lv2 {

World& World::shared() {
    static World world;  // never destroyed before the plugins that use its map: a function static
    return world;
}

World::World() {
    world_ = lilv_world_new();
    lilv_world_load_all(world_);
    const auto uri = [this](const char* u) { return lilv_new_uri(world_, u); };
    nodes_ = Nodes{
        .audio_port = uri(LV2_CORE__AudioPort),
        .control_port = uri(LV2_CORE__ControlPort),
        .cv_port = uri(LV2_CORE__CVPort),
        .atom_port = uri(LV2_ATOM__AtomPort),
        .input_port = uri(LV2_CORE__InputPort),
        .output_port = uri(LV2_CORE__OutputPort),
        .midi_event = uri(LV2_MIDI__MidiEvent),
        .instrument_class = uri(LV2_CORE__InstrumentPlugin),
        .connection_optional = uri(LV2_CORE__connectionOptional),
        .integer = uri(LV2_CORE__integer),
        .toggled = uri(LV2_CORE__toggled),
        .enumeration = uri(LV2_CORE__enumeration),
        .logarithmic = uri(LV2_PORT_PROPS__logarithmic),
        .sample_rate = uri(LV2_CORE__sampleRate),
        .units_unit = uri(LV2_UNITS__unit),
        .units_symbol = uri(LV2_UNITS__symbol),
        .rsz_minimum_size = uri(LV2_RESIZE_PORT__minimumSize),
        .reports_latency = uri(LV2_CORE__reportsLatency),
    };
    map_ = {this, [](LV2_URID_Map_Handle h, const char* u) { return static_cast<World*>(h)->map(u); }};
    unmap_ = {this, [](LV2_URID_Unmap_Handle h, LV2_URID id) { return static_cast<World*>(h)->unmap(id); }};
    urids_ = Urids{
        .atom_Sequence = map(LV2_ATOM__Sequence),
        .atom_Chunk = map(LV2_ATOM__Chunk),
        .atom_Float = map(LV2_ATOM__Float),
        .atom_Int = map(LV2_ATOM__Int),
        .atom_FrameTime = map(LV2_ATOM__frameTime),
        .midi_MidiEvent = map(LV2_MIDI__MidiEvent),
        .param_sampleRate = map(LV2_PARAMETERS__sampleRate),
        .bufsz_minBlockLength = map(LV2_BUF_SIZE__minBlockLength),
        .bufsz_maxBlockLength = map(LV2_BUF_SIZE__maxBlockLength),
        .bufsz_nominalBlockLength = map(LV2_BUF_SIZE__nominalBlockLength),
        .bufsz_sequenceSize = map(LV2_BUF_SIZE__sequenceSize),
    };
}

World::~World() {
    for (LilvNode* n :
         {nodes_.audio_port, nodes_.control_port, nodes_.cv_port, nodes_.atom_port, nodes_.input_port,
          nodes_.output_port, nodes_.midi_event, nodes_.instrument_class, nodes_.connection_optional,
          nodes_.integer, nodes_.toggled, nodes_.enumeration, nodes_.logarithmic, nodes_.sample_rate,
          nodes_.units_unit, nodes_.units_symbol, nodes_.rsz_minimum_size, nodes_.reports_latency})
        lilv_node_free(n);
    lilv_world_free(world_);
}

namespace {

// An absolute URI's shape (scheme ":" then printable ASCII without spaces). lilv prints an error for
// anything else, and no installed plugin has such a URI: a client's garbage is answered without it.
bool looks_like_uri(const std::string& uri) {
    const std::size_t colon = uri.find(':');
    if (colon == 0 || colon == std::string::npos || !std::isalpha(static_cast<unsigned char>(uri[0])))
        return false;
    for (std::size_t i = 0; i < colon; ++i) {
        const auto c = static_cast<unsigned char>(uri[i]);
        if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return std::all_of(uri.begin(), uri.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

const LilvPlugin* World::plugin(const std::string& uri) {
    if (!looks_like_uri(uri)) return nullptr;
    LilvNode* node = lilv_new_uri(world_, uri.c_str());
    if (!node) return nullptr;
    const LilvPlugin* found = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world_), node);
    lilv_node_free(node);
    return found;
}

LV2_URID World::map(const char* uri) {
    std::lock_guard guard(map_mutex_);
    const auto [it, added] = ids_.try_emplace(uri, LV2_URID(uris_.size() + 1));
    if (added) uris_.emplace_back(uri);
    return it->second;
}

const char* World::unmap(LV2_URID urid) {
    std::lock_guard guard(map_mutex_);
    return urid >= 1 && urid <= uris_.size() ? uris_[urid - 1].c_str() : nullptr;
}

}  // namespace tactus::lv2
