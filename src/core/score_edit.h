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

using Edit =
    std::variant<edit::NoteAdd, edit::NoteMove, edit::NoteResize, edit::NoteDelete, edit::NotePitch,
                 edit::NoteVelocity, edit::TrackAdd, edit::TrackRemove, edit::TrackRename, edit::TrackMove,
                 edit::TrackInstrument, edit::TempoReplace, edit::MeterReplace, edit::MarkersReplace,
                 edit::TrackControllers, edit::TrackInserts, edit::TrackSends, edit::BusAdd, edit::BusRemove,
                 edit::BusRename, edit::BusInserts, edit::MasterInserts, edit::AutomationSet>;

// A batch applied atomically, and the revision it produced.
struct EditBatch {
    std::uint64_t revision = 0;
    std::vector<Edit> edits;
};

}  // namespace tactus
