#include "engine/instrument_factory.h"

#include <cctype>
#include <cstdio>
#include <map>

#include "core/general_midi_font.h"
#include "engine/bus_input.h"
#include "engine/csound/csound_instrument.h"
#include "engine/csound/csound_orchestra.h"
#include "engine/lv2/instrument_with_inserts.h"
#include "engine/lv2/lv2_instrument.h"
#include "engine/lv2/plugin_catalogue.h"
#include "engine/lv2/refused_plugins.h"
#include "engine/midi_out_instrument.h"
#include "engine/silent_instrument.h"
#include "engine/soundfont/font_library.h"
#include "engine/soundfont/soundfont_instrument.h"
#include "engine/synth/synth_instrument.h"
#include "engine/synth/synth_preset.h"

namespace tactus {

namespace {

constexpr const char* kSynth = "synth";
constexpr const char* kMidi = "midi";            // an external synth on the engine's MIDI output
constexpr const char* kMidiOut = "out";          // its one preset
constexpr const char* kCsound = "csound";        // a Csound orchestra's instrument (engine/csound)
constexpr const char* kSoundFont = "soundfont";  // a SoundFont preset (engine/soundfont)
constexpr const char* kLv2 = "lv2";              // an LV2 instrument plugin (engine/lv2)
// check_instruments compiles at this rate (it has none): what it finds does not depend on the rate.
constexpr double kCheckRate = 48000.0;

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

std::vector<InstrumentInfo> available_instruments() {
    std::vector<std::string> fonts_presets;
    std::string ignored;
    if (auto font = sf2::FontLibrary::shared().headers(kGeneralMidiFont, &ignored))
        for (const sf2::Preset& p : font->presets) fonts_presets.push_back(soundfont_preset_label(p));
    std::vector<std::string> plugins;
    for (const lv2::PluginInfo& p : lv2::installed_plugins())
        if (p.instrument && p.playable()) plugins.push_back(p.uri + " " + p.name);
    return {{kSynth, synth_preset_names()},
            {kMidi, {kMidiOut}},
            {kCsound, {}},
            {kSoundFont, fonts_presets},
            {kLv2, plugins}};
}

std::string soundfont_preset_label(const sf2::Preset& preset) {
    char number[16];
    std::snprintf(number, sizeof number, "%03d:%03d ", preset.bank, preset.program);
    return number + preset.name;
}

std::string soundfont_path(const Track& track) {
    return track.soundfont.empty() ? kGeneralMidiFont : track.soundfont;
}

bool soundfont_track_drums(const Track& track) {
    return track.drums || track.midi_channel == 10;
}

namespace {

// The problems of one csound track; `orchestras` holds each file compiled once (nullptr: it failed,
// with its message), shared by every track that names it.
struct CheckedOrchestra {
    std::unique_ptr<CsoundOrchestra> orchestra;
    std::string error;
};

// "bell.orc:12: <Csound's message>" becomes "bell.orc:12: the orchestra does not load (...)": the line,
// not what Csound quotes of it.
std::string withheld(const std::string& path, const std::string& message) {
    std::string place = path;
    if (message.rfind(path + ":", 0) == 0) {
        std::size_t end = path.size() + 1;
        while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
        if (end > path.size() + 1) place = message.substr(0, end);
    }
    return place +
           ": the orchestra does not load (the reason quotes the file: only the engine's owner and its "
           "log are told)";
}

void check_csound_track(const Track& track, const std::string& base, const CsoundPermissions& permissions,
                        std::map<std::string, CheckedOrchestra>& orchestras,
                        std::vector<InstrumentProblem>& problems) {
    if (track.orchestra.empty()) {
        problems.push_back(
            {base + "/orchestra", "a csound track names its orchestra (a .orc or .csd file)", false, {}});
        return;
    }
    auto [it, fresh] = orchestras.try_emplace(track.orchestra);
    if (fresh)
        it->second.orchestra =
            CsoundOrchestra::load(track.orchestra, kCheckRate, &it->second.error, permissions);
    if (!it->second.orchestra) {
        problems.push_back(
            {base + "/orchestra", it->second.error, true, withheld(track.orchestra, it->second.error)});
        return;
    }
    if (track.csound_instrument.empty()) {
        problems.push_back(
            {base + "/csound_instrument",
             "a csound track names an instrument of " + track.orchestra + " (a number or a name)",
             false,
             {}});
    } else if (!it->second.orchestra->instrument_number(track.csound_instrument)) {
        problems.push_back({base + "/csound_instrument",
                            track.orchestra + " has no instrument '" + track.csound_instrument + "'",
                            true,
                            {}});
    }
}

void check_soundfont_track(const Track& track, const std::string& base,
                           std::vector<InstrumentProblem>& problems) {
    const std::string path = soundfont_path(track);
    std::string error;
    const auto font = sf2::FontLibrary::shared().headers(path, &error);
    if (!font) {
        problems.push_back({base + "/soundfont", error, true, {}});
        return;
    }
    const bool drums = soundfont_track_drums(track);
    const int bank = drums ? SoundFontInstrument::kDrumBank : track.bank;
    if (font->find_preset(bank, track.program)) return;
    if (font->find_preset(drums ? SoundFontInstrument::kDrumBank : 0, drums ? 0 : track.program))
        return;  // FluidSynth's fallback plays it (SoundFontInstrument)
    problems.push_back({base + "/program",
                        path + " has no preset " + std::to_string(bank) + ":" +
                            std::to_string(track.program) + (drums ? " (a drum track plays bank 128)" : ""),
                        true,
                        {}});
}

// A plugin a track names, as its instrument or as an insert: installed, of that kind, playable here.
void check_plugin(const std::string& uri, bool as_instrument, const std::string& at,
                  std::vector<InstrumentProblem>& problems) {
    std::string problem;
    const auto info = lv2::find_plugin(uri, &problem);
    if (const std::string refused = info ? lv2::refused_reason(uri) : ""; !refused.empty())
        problem = info->label() + " was bypassed: " + refused;
    else if (info && as_instrument && !info->instrument)
        problem = info->label() + " is an effect (" + info->category + "), not an instrument";
    else if (info && !as_instrument && !info->is_effect())
        problem = info->label() + " has no audio input: it is not an effect";
    else if (const std::string why = info ? info->unplayable_reason() : ""; !why.empty())
        problem = info->label() + " cannot be played: " + why;
    if (!problem.empty()) problems.push_back({at + "/plugin", problem, true, {}});
}

void check_lv2_track(const Track& track, const std::string& base, std::vector<InstrumentProblem>& problems) {
    if (track.plugin.empty()) {
        problems.push_back({base + "/plugin",
                            "an lv2 track names its plugin's URI (`tactus plugins` lists them)",
                            true,  // silent until one is given (/track/add, then /track/plugin in its batch)
                            {}});
        return;
    }
    check_plugin(track.plugin, true, base, problems);
}

// An insert that cannot be made passes its input through: the document plays on without it.
void check_insert(const Insert& insert, const std::string& at, std::vector<InstrumentProblem>& problems) {
    const std::size_t before = problems.size();
    check_plugin(insert.plugin, false, at, problems);
    for (std::size_t i = before; i < problems.size(); ++i) problems[i].skips_insert = true;
}

}  // namespace

std::vector<InstrumentProblem> check_instruments(const Document& doc, const CsoundPermissions& csound) {
    std::vector<InstrumentProblem> problems;
    std::map<std::string, CheckedOrchestra> orchestras;
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        const Track& track = doc.tracks[i];
        const std::string base = "/tracks/" + std::to_string(i);
        if (track.instrument == kCsound) {
            check_csound_track(track, base, csound, orchestras, problems);
        } else if (track.instrument == kSoundFont) {
            check_soundfont_track(track, base, problems);
        } else if (track.instrument == kLv2) {
            check_lv2_track(track, base, problems);
        } else if (track.instrument == kMidi) {
            if (track.preset != kMidiOut)
                problems.push_back(
                    {base + "/preset",
                     "unknown preset '" + track.preset + "' for instrument 'midi' (available: out)",
                     false,
                     {}});
        } else if (track.instrument != kSynth) {
            problems.push_back({base + "/instrument",
                                "unknown instrument '" + track.instrument +
                                    "' (this build has: synth, midi, csound, soundfont, lv2)",
                                false,
                                {}});
        } else if (find_synth_preset(track.preset) == nullptr) {
            problems.push_back({base + "/preset",
                                "unknown preset '" + track.preset + "' for instrument 'synth' (available: " +
                                    joined(synth_preset_names()) + ")",
                                false,
                                {}});
        }
        for (std::size_t j = 0; j < track.inserts.size(); ++j)
            check_insert(track.inserts[j], base + "/inserts/" + std::to_string(j), problems);
    }
    for (std::size_t i = 0; i < doc.buses.size(); ++i)
        for (std::size_t j = 0; j < doc.buses[i].inserts.size(); ++j)
            check_insert(doc.buses[i].inserts[j],
                         "/buses/" + std::to_string(i) + "/inserts/" + std::to_string(j), problems);
    for (std::size_t j = 0; j < doc.master_inserts.size(); ++j)
        check_insert(doc.master_inserts[j], "/master_inserts/" + std::to_string(j), problems);
    return problems;
}

// The values the document set, before the instrument plays (a name it does not have is skipped: an
// orchestra may have lost a channel since the document was saved).
static void apply_parameters(const Track& track, Instrument& instrument) {
    const auto& offered = instrument.parameters();
    for (const auto& [name, value] : track.parameters)
        for (std::size_t i = 0; i < offered.size(); ++i)
            if (offered[i].name == name) instrument.set_parameter(i, value);
}

std::unique_ptr<Instrument> make_instrument(const Track& track, double sample_rate, std::string* error,
                                            MidiOutBus* midi_out, const CsoundPermissions& csound,
                                            lv2::WorkerMode worker) {
    if (track.instrument == kMidi && track.preset == kMidiOut) {
        // Without an engine's output (an offline render) the messages go nowhere: the track is silent.
        static MidiOutBus nowhere;
        return std::make_unique<MidiOutInstrument>(midi_out ? *midi_out : nowhere,
                                                   track.midi_channel > 0 ? track.midi_channel - 1 : 0);
    }
    if (track.instrument == kCsound) {
        // Each track its own instance: Csound's state (its instruments, channels) is per instance.
        auto orchestra = CsoundOrchestra::load(track.orchestra, sample_rate, error, csound);
        if (!orchestra) return nullptr;
        const auto number = orchestra->instrument_number(track.csound_instrument);
        if (!number) {
            if (error) *error = track.orchestra + " has no instrument '" + track.csound_instrument + "'";
            return nullptr;
        }
        auto instrument = std::make_unique<CsoundInstrument>(std::move(orchestra), *number);
        apply_parameters(track, *instrument);
        return instrument;
    }
    if (track.instrument == kSoundFont) {
        // The samples are read on the font library's loader thread: the track is silent until then.
        return std::make_unique<SoundFontInstrument>(sf2::FontLibrary::shared().load(soundfont_path(track)),
                                                     track.bank, track.program, soundfont_track_drums(track),
                                                     sample_rate);
    }
    if (track.instrument == kLv2) {
        return Lv2Instrument::create(track.plugin, sample_rate,
                                     track.midi_channel > 0 ? track.midi_channel - 1 : 0, track.parameters,
                                     error, track.plugin_state, worker);
    }
    if (track.instrument == kSynth) {
        if (const SynthPreset* preset = find_synth_preset(track.preset))
            return std::make_unique<SynthInstrument>(*preset, sample_rate);
    }
    if (error) *error = "unknown instrument/preset '" + track.instrument + "/" + track.preset + "'";
    return nullptr;
}

}  // namespace tactus

namespace tactus {

std::unique_ptr<Instrument> make_instrument_or_silent(const Track& track, double sample_rate,
                                                      std::string* error, MidiOutBus* midi_out,
                                                      const CsoundPermissions& csound, std::string* silenced,
                                                      lv2::WorkerMode worker) {
    std::string why;
    auto instrument = make_instrument(track, sample_rate, &why, midi_out, csound, worker);
    if (!instrument) {
        if (!(track.instrument == kCsound || track.instrument == kSoundFont || track.instrument == kLv2) ||
            !silenced) {
            if (error) *error = why;
            return nullptr;
        }
        *silenced = why;
        instrument = std::make_unique<SilentInstrument>();
    }
    if (track.inserts.empty()) return instrument;
    // An insert that cannot be made passes its input through where the track may play on (silenced).
    std::vector<std::string> skipped;
    auto chain =
        InsertChain::create(track.inserts, sample_rate, error, silenced ? &skipped : nullptr, worker);
    if (!chain) return nullptr;
    for (const std::string& s : skipped) *silenced += (silenced->empty() ? "" : "; ") + s;
    return std::make_unique<InstrumentWithInserts>(std::move(instrument), std::move(chain));
}

std::unique_ptr<Instrument> make_bus_input(const Bus& bus, double sample_rate, std::string* error,
                                           std::vector<std::string>* skipped, lv2::WorkerMode worker) {
    if (bus.inserts.empty()) return std::make_unique<BusInput>(nullptr);
    auto chain = InsertChain::create(bus.inserts, sample_rate, error, skipped, worker);
    if (!chain) return nullptr;
    return std::make_unique<BusInput>(std::move(chain));
}

std::shared_ptr<InsertChain> make_master_chain(const std::vector<Insert>& inserts, double sample_rate,
                                               std::string* error, std::vector<std::string>* skipped,
                                               lv2::WorkerMode worker) {
    if (inserts.empty()) return nullptr;
    return InsertChain::create(inserts, sample_rate, error, skipped, worker);
}

std::vector<SendSpec> send_specs(const Track& track, const std::map<BusId, std::uint32_t>& bus_slots) {
    std::vector<SendSpec> specs;
    for (const Send& send : track.sends)
        if (const auto it = bus_slots.find(send.bus); it != bus_slots.end())
            specs.push_back({it->second, send.level, send.pre_fader});
    return specs;
}

std::unique_ptr<TrackMixer> make_track_mixer(const Document& doc, double sample_rate, std::string* error,
                                             MidiOutBus* midi_out, const CsoundPermissions& csound,
                                             std::vector<std::string>* silenced, lv2::WorkerMode worker) {
    auto mixer = std::make_unique<TrackMixer>(sample_rate);
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        const Track& track = doc.tracks[i];
        std::string why;
        auto instrument = make_instrument_or_silent(track, sample_rate, error, midi_out, csound,
                                                    silenced ? &why : nullptr, worker);
        if (!instrument) return nullptr;
        if (!why.empty()) silenced->push_back("/tracks/" + std::to_string(i) + ": " + why);
        mixer->add_track(std::move(instrument), {track.level, track.pan, track.mute, track.solo});
    }
    std::map<BusId, std::uint32_t> bus_slots;
    for (std::size_t i = 0; i < doc.buses.size(); ++i) {
        const Bus& bus = doc.buses[i];
        std::vector<std::string> skipped;
        auto input = make_bus_input(bus, sample_rate, error, silenced ? &skipped : nullptr, worker);
        if (!input) return nullptr;
        for (const std::string& s : skipped) silenced->push_back("/buses/" + std::to_string(i) + ": " + s);
        bus_slots[bus.id] = static_cast<std::uint32_t>(
            mixer->add_bus(std::move(input), {bus.level, bus.pan, bus.mute, bus.solo}));
    }
    std::vector<std::vector<SendSpec>> sends;
    for (const Track& track : doc.tracks) sends.push_back(send_specs(track, bus_slots));
    mixer->set_sends(sends);
    std::vector<std::string> skipped;
    auto master =
        make_master_chain(doc.master_inserts, sample_rate, error, silenced ? &skipped : nullptr, worker);
    if (!master && !doc.master_inserts.empty()) return nullptr;
    for (const std::string& s : skipped) silenced->push_back("/master_inserts: " + s);
    mixer->set_master_chain(std::move(master));
    // Not yet published: the sends' gains and the buses' alignment are set here, as the audio thread
    // would at a switch.
    mixer->take_over(nullptr);
    return mixer;
}

}  // namespace tactus
