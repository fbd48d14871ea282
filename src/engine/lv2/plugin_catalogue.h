// What an installed LV2 plugin offers, read from its bundle's data (lilv) without instantiating it:
// name, URI, class, and every port with its range and unit. `tactus plugins`, the engine's
// /plugins reply and the instrument and insert factories read it.
//
// Threading: any thread but the audio thread (it takes World's lock).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tactus::lv2 {

enum class PortKind { AudioIn, AudioOut, ControlIn, ControlOut, CvIn, CvOut, AtomIn, AtomOut, Other };

struct PortInfo {
    unsigned index = 0;
    PortKind kind = PortKind::Other;
    std::string symbol;
    std::string name;
    float minimum = 0.0f;
    float maximum = 1.0f;
    float default_value = 0.0f;
    std::string unit;  // the units:symbol ("dB", "Hz", "ms"), or empty
    bool integer = false;
    bool toggled = false;
    bool enumeration = false;
    bool logarithmic = false;
    bool midi = false;      // an atom port that takes (or gives) MIDI events
    bool optional = false;  // lv2:connectionOptional
    bool latency = false;   // the control output reporting the plugin's latency
    int atom_size = 0;      // rsz:minimumSize of an atom port (0: none declared)
};

struct PluginInfo {
    std::string uri;
    std::string name;
    std::string category;  // the lv2 class label: "Instrument", "Reverb", "Equaliser", ...
    bool instrument = false;
    std::vector<PortInfo> ports;
    std::vector<std::string> required_features;
    std::vector<std::string> missing_features;  // of which this host does not provide

    int count(PortKind kind) const;
    // "LV2 plugin <URI> (Name)": how every message about it names it.
    std::string label() const { return "LV2 plugin <" + uri + "> (" + name + ")"; }
    // An effect takes audio in (an instrument with audio inputs is still an instrument).
    bool is_effect() const { return !instrument && count(PortKind::AudioIn) > 0; }
    // It has an atom input that takes MIDI events.
    bool takes_midi() const;
    // Audio in/out counts this host can play: 0..2 inputs, 1..2 outputs (mono plugins are spread to
    // stereo), a MIDI input for instruments, every required feature provided.
    bool playable() const;
    // Why it is not playable ("" when it is).
    std::string unplayable_reason() const;
};

// Every installed plugin, sorted by name (read on the first call, then kept).
const std::vector<PluginInfo>& installed_plugins();
// One plugin by URI; nullopt with *error naming the URI when it is not installed.
std::optional<PluginInfo> find_plugin(const std::string& uri, std::string* error);
// The features the host provides (required features outside it make a plugin unplayable).
const std::vector<std::string>& supported_features();

}  // namespace tactus::lv2
