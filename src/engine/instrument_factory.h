// Turns a track's instrument/preset names into a playable Instrument, and checks a document's
// names before anything is played. Off the audio thread (allocates).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/score.h"
#include "engine/csound/csound_orchestra_policy.h"
#include "engine/instrument.h"
#include "engine/lv2/lv2_worker.h"
#include "engine/track_mixer.h"

namespace tactus {

struct InstrumentProblem {
    std::string json_path;  // e.g. "/tracks/2/preset"
    std::string message;
    // A csound track's orchestra that does not load, a soundfont track's font that cannot be read or
    // lacks the preset: the document can still play, that track silent
    // (make_track_mixer with `silenced`). Other problems (an unknown instrument, a csound track that
    // names no orchestra or no instrument) refuse the document.
    bool track_can_play_silent = false;
    // The message without anything read from the file (Csound quotes the orchestra's lines), for a
    // client that may name files but not read them; empty when `message` quotes nothing.
    std::string withheld_message;
    // An insert that cannot be made: the track plays on without it (not silent).
    bool skips_insert = false;

    // What happens when the document plays anyway, for warnings: " (the track plays silent)", or
    // " (the track plays on without it)" for an insert.
    const char* consequence() const {
        return skips_insert ? " (the track plays on without it)" : " (the track plays silent)";
    }
};

// Every instrument kind this build can play, and the presets of each.
struct InstrumentInfo {
    std::string name;
    std::vector<std::string> presets;
};
// (soundfont: the presets of the default font, when it is installed, as soundfont_preset_label gives them.)
std::vector<InstrumentInfo> available_instruments();

namespace sf2 {
struct Preset;
}
// "000:000 Yamaha Grand Piano": bank, program and name.
std::string soundfont_preset_label(const sf2::Preset& preset);
// A soundfont track's font: the one it names, or the default font (engine/soundfont/default_font.h).
std::string soundfont_path(const Track& track);
// A soundfont track plays the percussion bank: marked as drums, or on MIDI channel 10.
bool soundfont_track_drums(const Track& track);

// One problem per track whose instrument or preset is unknown. A "csound" track's orchestra is read and
// compiled (once per file, however many tracks name it) to find what is wrong with it: a file that
// cannot be read, Csound's own message with the file's line ("/tracks/2/orchestra": "bell.orc:12:
// error: ..."), or an instrument it lacks ("/tracks/2/csound_instrument"). Orchestra paths are opened
// as the track gives them: resolve them against the document's directory first (core/document_files.h).
// `csound`: what the engine's owner lets orchestras do besides making sound (tactusd --csound-allow);
// an orchestra that would do more is a problem with the policy's refusal and its line, and nothing of
// it runs.
std::vector<InstrumentProblem> check_instruments(const Document& doc, const CsoundPermissions& csound = {});

class MidiOutBus;

// nullptr with *error set when the names are unknown (or a csound track's orchestra fails: each
// csound track gets a Csound instance of its own, compiled at `sample_rate`). `midi_out` is where the "midi"
// instrument sends (the engine's bus; none: an offline render, where such a track is silent).
// `worker`: how LV2 plugins' work is done (engine/lv2/lv2_worker.h): on the worker thread in the realtime
// engine, at once (deterministic) in an offline render.
std::unique_ptr<Instrument> make_instrument(const Track& track, double sample_rate, std::string* error,
                                            MidiOutBus* midi_out = nullptr,
                                            const CsoundPermissions& csound = {},
                                            lv2::WorkerMode worker = lv2::WorkerMode::Synchronous);

// A mixer with one channel per track of `doc`, in order, with the tracks' level/pan/mute/solo. With
// `silenced`, a csound track whose orchestra does not load gets a silent instrument and its error is
// appended there ("/tracks/N: message"); without, it fails the mixer like any other.
std::unique_ptr<TrackMixer> make_track_mixer(const Document& doc, double sample_rate, std::string* error,
                                             MidiOutBus* midi_out = nullptr,
                                             const CsoundPermissions& csound = {},
                                             std::vector<std::string>* silenced = nullptr,
                                             lv2::WorkerMode worker = lv2::WorkerMode::Synchronous);
// A bus's input (engine/bus_input.h) with its insert chain. An insert that cannot be made passes its
// input through, its message appended to *skipped ("insert 2: ..."); without `skipped` it fails.
std::unique_ptr<Instrument> make_bus_input(const Bus& bus, double sample_rate, std::string* error,
                                           std::vector<std::string>* skipped = nullptr,
                                           lv2::WorkerMode worker = lv2::WorkerMode::Synchronous);
// The master insert chain, or nullptr (with *error empty) when the document has none.
std::shared_ptr<InsertChain> make_master_chain(const std::vector<Insert>& inserts, double sample_rate,
                                               std::string* error,
                                               std::vector<std::string>* skipped = nullptr,
                                               lv2::WorkerMode worker = lv2::WorkerMode::Synchronous);
// The mixer's sends of one track: bus ids as bus slots (a send to an unknown bus is left out).
std::vector<SendSpec> send_specs(const Track& track, const std::map<BusId, std::uint32_t>& bus_slots);
// make_instrument, but a csound track that fails gets a SilentInstrument and *silenced its error.
std::unique_ptr<Instrument> make_instrument_or_silent(const Track& track, double sample_rate,
                                                      std::string* error, MidiOutBus* midi_out,
                                                      const CsoundPermissions& csound, std::string* silenced,
                                                      lv2::WorkerMode worker = lv2::WorkerMode::Synchronous);

}  // namespace tactus
