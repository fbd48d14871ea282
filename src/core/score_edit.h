// Edits to a Document, as values: what a client asks for (docs/protocol.md, "Editing"), what the
// edit log keeps, and what is pushed to the other clients. Each names its target by id.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/score.h"

namespace tactus {

namespace edit {

struct NoteAdd {
    TrackId track = 0;
    Note note;  // note.id must be new to the document
};
struct NoteMove {
    NoteId id = 0;
    std::optional<double> start;  // beats; none: keeps its start
    TrackId track = 0;            // 0: stays on its track
};
struct NoteResize {
    NoteId id = 0;
    double length = 0.0;
};
struct NoteDelete {
    NoteId id = 0;
};
struct NotePitch {
    NoteId id = 0;
    int pitch = 60;
    double cents = 0.0;
};
struct NoteVelocity {
    NoteId id = 0;
    int velocity = 100;
};
struct TrackAdd {
    Track track;            // no notes or controllers; track.id must be new; its mixer, channel, orchestra,
                            // Csound instrument and parameters as set
    std::size_t index = 0;  // position among the tracks (clamped to the end)
};
struct TrackRemove {
    TrackId id = 0;  // removes its notes too
};
struct TrackRename {
    TrackId id = 0;
    std::string name;
};
struct TrackMove {
    TrackId id = 0;
    std::size_t index = 0;  // new position (clamped to the end)
};
// A Csound orchestra and instrument for a track, with the parameters it sets (the others keep the
// orchestra's defaults).
struct CsoundChoice {
    std::string orchestra;
    std::string csound_instrument;
    std::map<std::string, double> parameters;

    friend bool operator==(const CsoundChoice&, const CsoundChoice&) = default;
};
// A SoundFont and preset for a track.
struct SoundFontChoice {
    std::string soundfont;
    int bank = 0;
    int program = 0;
    bool drums = false;

    friend bool operator==(const SoundFontChoice&, const SoundFontChoice&) = default;
};
// An LV2 instrument plugin for a track, with the control values it sets (the others keep the plugin's
// defaults).
struct PluginChoice {
    std::string plugin;  // the URI
    std::map<std::string, double> parameters;
    std::string state;  // its LV2 state (Track::plugin_state), "" for none

    friend bool operator==(const PluginChoice&, const PluginChoice&) = default;
};
struct TrackInstrument {
    TrackId id = 0;
    std::string instrument;
    std::string preset;
    std::optional<CsoundChoice> csound =
        std::nullopt;  // none: the track keeps its orchestra, instrument and parameters
    std::optional<SoundFontChoice> soundfont = std::nullopt;  // none: the track keeps its font and preset
    std::optional<PluginChoice> lv2 = std::nullopt;  // none: the track keeps its plugin and parameters
};
// A track's whole insert chain (engine/lv2/insert_chain.h), replacing the one it had.
struct TrackInserts {
    TrackId id = 0;
    std::vector<Insert> inserts;
};
// A track's sends, replacing the ones it had.
struct TrackSends {
    TrackId id = 0;
    std::vector<Send> sends;
};
struct BusAdd {
    Bus bus;                // bus.id must be new among the buses
    std::size_t index = 0;  // position among the buses (clamped to the end)
};
// Refused while a track sends to the bus: remove those sends first (in the same batch).
struct BusRemove {
    BusId id = 0;
};
struct BusRename {
    BusId id = 0;
    std::string name;
};
struct BusInserts {
    BusId id = 0;
    std::vector<Insert> inserts;
};
struct MasterInserts {
    std::vector<Insert> inserts;
};
struct TrackControllers {
    TrackId id = 0;
    std::vector<ControllerEvent> events;  // replaces all of the track's; any order (kept sorted by beat)
};
struct TempoReplace {
    std::vector<TempoPoint> points;
};
struct MeterReplace {
    std::vector<TimeSignature> meter;
};
// A lane's points, replacing the ones it had (no lane: one is made; no points: the lane is removed).
struct AutomationSet {
    AutomationTarget target;
    std::vector<AutomationPoint> points;  // any order (kept sorted by beat, stable)
};
struct MarkersReplace {
    std::vector<Marker> markers;  // any order; may be empty
};
// Time inserted (by > 0) or removed (by < 0) at beat `at` (>= 0): every note that starts at or after
// `at`, and every controller event, automation point, marker and tempo point at or after it, moves by
// `by` beats; meter entries at or after bar `bar` move by `bars` bars (the arranger gives whole bars:
// `at` is the start of bar `bar`, and `by` is `bars` bars long there). A note that starts before `at`
// keeps its start and length. What stands at beat 0 (the first tempo point, the first meter entry at
// bar 0) never moves. Removing needs the removed span [at + by, at) empty of note starts, controller
// events, automation points, markers, tempo points (other than one at beat 0) and meter entries
// (bars [bar + bars, bar) other than bar 0): delete them first, in the same batch. A removal down to
// beat 0 (at + by == 0) is refused while a tempo point stands at `at` (or a meter entry at bar `bar`):
// it would land on the first one; delete it or change the first one first.
// `by` and `bars` have the same sign (or are both 0); at, at + by, bar and bar + bars are within the
// document's range, and so is everything moved.
//
// The inverse (core/edit_inverse.h) is TimeShift{at + by, -by, bar + bars, -bars}: an undo through it
// moves beats back by the same amount, which is exact when the beats and the shift are multiples of
// 1/1024 beat (at the document's sizes, up to 1,000,000 beats, such sums need no rounding); otherwise
// a beat may come back different in its last bit (floating point). The editor's own undo of a failed
// batch restores the old values exactly.
struct TimeShift {
    double at = 0.0;
    double by = 0.0;
    int bar = 0;
    int bars = 0;
};

}  // namespace edit

// A track's SoundFont and preset, as an edit carries them, and back.
inline edit::SoundFontChoice soundfont_of(const Track& t) {
    return {t.soundfont, t.bank, t.program, t.drums};
}
inline void set_soundfont(Track& t, const edit::SoundFontChoice& choice) {
    t.soundfont = choice.soundfont;
    t.bank = choice.bank;
    t.program = choice.program;
    t.drums = choice.drums;
}

using Edit = std::variant<edit::NoteAdd, edit::NoteMove, edit::NoteResize, edit::NoteDelete, edit::NotePitch,
                          edit::NoteVelocity, edit::TrackAdd, edit::TrackRemove, edit::TrackRename,
                          edit::TrackMove, edit::TrackInstrument, edit::TempoReplace, edit::MeterReplace,
                          edit::MarkersReplace, edit::TrackControllers, edit::TrackInserts, edit::TrackSends,
                          edit::BusAdd, edit::BusRemove, edit::BusRename, edit::BusInserts,
                          edit::MasterInserts, edit::AutomationSet, edit::TimeShift>;

// A batch applied atomically, and the revision it produced.
struct EditBatch {
    std::uint64_t revision = 0;
    std::vector<Edit> edits;
};

}  // namespace tactus
