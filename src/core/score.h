// The score model: a document of tracks, notes, tempo and meter.
// Plain values, owned by one thread at a time (the editor / loader); the engine never reads it
// directly but compiles it into an immutable snapshot (engine/score_snapshot.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/automation.h"
#include "core/tempo_map.h"

namespace tactus {

using TrackId = std::uint64_t;
using NoteId = std::uint64_t;
using BusId = std::uint64_t;

// Document format version written by this build (see docs/document-format.md).
inline constexpr int kDocumentFormatVersion = 1;

struct Note {
    NoteId id = 0;
    double start = 0.0;   // beats from the start of the score
    double length = 0.0;  // beats; 0 is a shortest trigger (a drum hit)
    int pitch = 60;       // MIDI note number 0..127
    double cents = 0.0;   // fine tuning, -100..100
    int velocity = 100;   // 1..127

    double end() const { return start + length; }
    friend bool operator==(const Note&, const Note&) = default;
};

// Room for what later work plays: sustain (CC64), pitch bend, other controllers, program changes.
enum class ControllerKind { ControlChange, PitchBend, ProgramChange, ChannelPressure };

// The kind's name in documents and edit messages: "cc", "pitch_bend", "program", "pressure".
const char* controller_kind_name(ControllerKind kind);
std::optional<ControllerKind> controller_kind_from_name(std::string_view name);

struct ControllerEvent {
    double beat = 0.0;
    ControllerKind kind = ControllerKind::ControlChange;
    int number = 0;      // controller number (ControlChange) or program (ProgramChange)
    double value = 0.0;  // CC 0..127; pitch bend -1..1 (of the bend range); pressure 0..127

    friend bool operator==(const ControllerEvent&, const ControllerEvent&) = default;
};

// An effect plugin in a track's insert chain (engine/lv2/insert_chain.h), after the instrument and
// before the track's level and pan.
struct Insert {
    std::string plugin;                        // the LV2 URI
    std::map<std::string, double> parameters;  // control inputs by port symbol; the others keep defaults
    bool bypass = false;
    // The plugin's LV2 state (state:interface) as Turtle, restored after its parameters when it is made;
    // empty: none (the plugin has no state interface, or keeps its defaults).
    std::string state;

    friend bool operator==(const Insert&, const Insert&) = default;
};

// Whose insert chain: a track's, a bus's, or the master's.
enum class InsertOwner : std::int16_t { Track, Bus, Master };

// A track's feed to an effect bus (engine/track_mixer.h): its signal after the inserts, scaled by
// `level`; pre-fader before the track's level and pan (silenced with the track by mute and solo),
// post-fader after them.
struct Send {
    BusId bus = 0;
    double level = 1.0;  // linear gain, 0..4
    bool pre_fader = false;

    friend bool operator==(const Send&, const Send&) = default;
};

// An effect bus (a reverb return): the sum of the sends to it, through its inserts, then its own
// level, pan, mute and solo into the master.
struct Bus {
    BusId id = 0;
    std::string name;
    std::vector<Insert> inserts;  // in signal order
    std::vector<Send> sends;      // at most one per bus
    double level = 1.0;           // linear gain, 0..4
    double pan = 0.0;             // -1 (left) .. 1 (right), constant power
    bool mute = false;
    bool solo = false;

    friend bool operator==(const Bus&, const Bus&) = default;
};

struct Track {
    TrackId id = 0;
    std::string name;
    std::string instrument = "synth";  // instrument kind: "synth", "midi", "csound", "soundfont", "lv2"
    std::string preset = "sine";       // preset name within the instrument (unused by "csound")
    // instrument "csound": the orchestra file (.orc, or a .csd's <CsInstruments>) as the document
    // names it, relative to the document's own directory unless absolute (core/document_files.h), and
    // the instrument in it: a number ("3") or a name ("Bell").
    std::string orchestra;
    std::string csound_instrument;
    // The instrument's parameters the user set, by name (a Csound orchestra's input channels, set live
    // with /track/parameter); the others keep the instrument's defaults.
    std::map<std::string, double> parameters;
    // instrument "soundfont": the font file (SF2/SF3; relative to the document's directory unless
    // absolute), and the preset: bank 0..16383 and program 0..127 as MIDI selects them. A drum track
    // (`drums`, or MIDI channel 10) plays the font's percussion bank 128 whatever `bank` says.
    std::string soundfont;
    int bank = 0;
    int program = 0;
    bool drums = false;
    // instrument "lv2": the plugin's URI (an LV2 instrument: it takes MIDI); `parameters` holds its
    // control inputs by port symbol, `plugin_state` its LV2 state (as Insert::state).
    std::string plugin;
    std::string plugin_state;
    std::vector<Insert> inserts;  // in signal order
    std::vector<Send> sends;      // at most one per bus
    double level = 1.0;           // linear gain, 0..4
    double pan = 0.0;             // -1 (left) .. 1 (right), constant power
    bool mute = false;
    bool solo = false;
    int midi_channel = 0;  // 1..16: the MIDI channel it came from / goes out on; 0: none chosen
    std::vector<Note> notes;
    std::vector<ControllerEvent> controllers;

    friend bool operator==(const Track&, const Track&) = default;
};

// A meter change takes effect at the start of bar `bar` (0-based) of the score.
struct TimeSignature {
    int bar = 0;
    int numerator = 4;
    int denominator = 4;

    friend bool operator==(const TimeSignature&, const TimeSignature&) = default;
};

struct Marker {
    double beat = 0.0;
    std::string name;

    friend bool operator==(const Marker&, const Marker&) = default;
};

struct Document {
    std::string title;
    std::uint64_t revision = 0;  // bumped by every edit (live editing, later)
    TempoMap tempo;
    std::vector<TimeSignature> meter{TimeSignature{}};
    std::vector<Marker> markers;
    std::vector<Track> tracks;
    std::vector<Bus> buses;
    std::vector<Insert> master_inserts;  // the master's insert chain, before the master level
    // At most one lane per target (core/automation.h); a lane of a send the track no longer has stays,
    // silent, until the send is back or the lane is removed.
    std::vector<AutomationLane> automation;

    // The end of the last note, in beats (0 for an empty score).
    double end_beat() const;
    std::size_t note_count() const;
    // Largest note/track id in use, so editors can hand out fresh ids.
    NoteId max_note_id() const;

    friend bool operator==(const Document&, const Document&) = default;
};

}  // namespace tactus
