// The live-edit tests' own model of a document and of the edit rules of docs/protocol.md ("Editing
// the document"): which edits apply and which are refused, batches all or none, one revision per
// applied batch. Written from the protocol, apart from src/core, so that the tests' predictions never
// come from the code under test; only DocModel::from reads a parsed core Document, to compare.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/score.h"

namespace tactus::test {

struct ModelNote {
    std::uint64_t track = 0;
    double start = 0, length = 0;
    int pitch = 60;
    double cents = 0;
    int velocity = 100;
    friend bool operator==(const ModelNote&, const ModelNote&) = default;
};

struct ModelTrack {
    std::uint64_t id = 0;
    std::string name, instrument = "synth", preset = "sine";
    friend bool operator==(const ModelTrack&, const ModelTrack&) = default;
};

struct ModelTempo {
    double beat = 0, bpm = 120;
    bool ramp = false;
    friend bool operator==(const ModelTempo&, const ModelTempo&) = default;
};

enum class EditKind {
    NoteAdd,
    NoteMove,
    NoteTrack,
    NoteResize,
    NoteDelete,
    NotePitch,
    NoteVelocity,
    TrackAdd,
    TrackRemove,
    TrackRename,
    TrackMove,
    TrackInstrument,
    TempoSet
};

// How the editor names each edit in its errors ("edit 2 of 3 (note/move): ..."): /note/track is a move.
inline const char* editor_name(EditKind k) {
    switch (k) {
        case EditKind::NoteAdd:
            return "note/add";
        case EditKind::NoteMove:
        case EditKind::NoteTrack:
            return "note/move";
        case EditKind::NoteResize:
            return "note/resize";
        case EditKind::NoteDelete:
            return "note/delete";
        case EditKind::NotePitch:
            return "note/pitch";
        case EditKind::NoteVelocity:
            return "note/velocity";
        case EditKind::TrackAdd:
            return "track/add";
        case EditKind::TrackRemove:
            return "track/remove";
        case EditKind::TrackRename:
            return "track/rename";
        case EditKind::TrackMove:
            return "track/move";
        case EditKind::TrackInstrument:
            return "track/instrument";
        case EditKind::TempoSet:
            return "tempo/set";
    }
    return "?";
}

struct ModelEdit {
    EditKind kind = EditKind::NoteAdd;
    std::uint64_t id = 0;     // note id (note edits) or track id (track edits)
    std::uint64_t track = 0;  // NoteAdd, NoteTrack
    double start = 0, length = 0, cents = 0;
    int pitch = 60, velocity = 100;
    std::string name, instrument, preset;
    std::optional<std::int64_t> index;  // TrackAdd (optional), TrackMove
    std::vector<ModelTempo> tempo;
};

inline const std::vector<std::string> kPresets = {"sine", "pluck",  "pad",      "bass",  "lead",
                                                  "saw",  "square", "triangle", "click", "drums"};

inline bool within(double v, double lo, double hi) {
    return std::isfinite(v) && v >= lo && v <= hi;
}

class DocModel {
public:
    std::vector<ModelTrack> tracks;
    std::map<std::uint64_t, ModelNote> notes;
    std::vector<ModelTempo> tempo{{0, 120, false}};
    std::uint64_t revision = 0;

    bool has_track(std::uint64_t id) const {
        return std::any_of(tracks.begin(), tracks.end(), [&](const ModelTrack& t) { return t.id == id; });
    }
    std::size_t track_position(std::uint64_t id) const {
        for (std::size_t i = 0; i < tracks.size(); ++i)
            if (tracks[i].id == id) return i;
        return tracks.size();
    }

    // Applies one edit by the rules of docs/protocol.md; "" or why it is refused.
    std::string apply(const ModelEdit& e) {
        const auto note_ok = [](const ModelNote& n) {
            return within(n.start, 0, 1e6) && within(n.length, 0, 1e6) && n.pitch >= 0 && n.pitch <= 127 &&
                   within(n.cents, -100, 100) && n.velocity >= 1 && n.velocity <= 127;
        };
        const auto find = [&](std::uint64_t id) -> ModelNote* {
            const auto it = notes.find(id);
            return it == notes.end() ? nullptr : &it->second;
        };
        switch (e.kind) {
            case EditKind::NoteAdd: {
                if (!has_track(e.track)) return "no track";
                if (e.id >= (std::uint64_t{1} << 53)) return "id too large";
                if (notes.count(e.id)) return "id exists";
                ModelNote n{e.track, e.start, e.length, e.pitch, 0.0, e.velocity};
                if (!note_ok(n)) return "out of range";
                notes[e.id] = n;
                return {};
            }
            case EditKind::NoteMove: {
                ModelNote* n = find(e.id);
                if (!n) return "no note";
                ModelNote moved = *n;
                moved.start = e.start;
                if (!note_ok(moved)) return "out of range";
                *n = moved;
                return {};
            }
            case EditKind::NoteTrack: {
                ModelNote* n = find(e.id);
                if (!n) return "no note";
                if (!has_track(e.track)) return "no track";
                n->track = e.track;
                return {};
            }
            case EditKind::NoteResize: {
                ModelNote* n = find(e.id);
                if (!n) return "no note";
                if (!within(e.length, 0, 1e6)) return "out of range";
                n->length = e.length;
                return {};
            }
            case EditKind::NoteDelete:
                if (!notes.erase(e.id)) return "no note";
                return {};
            case EditKind::NotePitch: {
                ModelNote* n = find(e.id);
                if (!n) return "no note";
                if (e.pitch < 0 || e.pitch > 127 || !within(e.cents, -100, 100)) return "out of range";
                n->pitch = e.pitch;
                n->cents = e.cents;
                return {};
            }
            case EditKind::NoteVelocity: {
                ModelNote* n = find(e.id);
                if (!n) return "no note";
                if (e.velocity < 1 || e.velocity > 127) return "out of range";
                n->velocity = e.velocity;
                return {};
            }
            case EditKind::TrackAdd: {
                if (e.id == 0 || e.id >= (std::uint64_t{1} << 53)) return "bad track id";
                if (has_track(e.id)) return "track exists";
                if (e.instrument != "synth" ||
                    std::find(kPresets.begin(), kPresets.end(), e.preset) == kPresets.end())
                    return "unknown instrument";
                const std::size_t at =
                    e.index ? std::min<std::size_t>(std::size_t(*e.index), tracks.size()) : tracks.size();
                tracks.insert(tracks.begin() + std::ptrdiff_t(at),
                              ModelTrack{e.id, e.name, e.instrument, e.preset});
                return {};
            }
            case EditKind::TrackRemove: {
                const std::size_t at = track_position(e.id);
                if (at == tracks.size()) return "no track";
                tracks.erase(tracks.begin() + std::ptrdiff_t(at));
                std::erase_if(notes, [&](const auto& kv) { return kv.second.track == e.id; });
                return {};
            }
            case EditKind::TrackRename: {
                const std::size_t at = track_position(e.id);
                if (at == tracks.size()) return "no track";
                tracks[at].name = e.name;
                return {};
            }
            case EditKind::TrackMove: {
                const std::size_t at = track_position(e.id);
                if (at == tracks.size()) return "no track";
                ModelTrack t = tracks[at];
                tracks.erase(tracks.begin() + std::ptrdiff_t(at));
                const std::size_t to = std::min<std::size_t>(std::size_t(*e.index), tracks.size());
                tracks.insert(tracks.begin() + std::ptrdiff_t(to), t);
                return {};
            }
            case EditKind::TrackInstrument: {
                const std::size_t at = track_position(e.id);
                if (at == tracks.size()) return "no track";
                if (e.instrument != "synth" ||
                    std::find(kPresets.begin(), kPresets.end(), e.preset) == kPresets.end())
                    return "unknown instrument";
                tracks[at].instrument = e.instrument;
                tracks[at].preset = e.preset;
                return {};
            }
            case EditKind::TempoSet: {
                if (e.tempo.empty()) return "empty tempo";
                for (std::size_t i = 0; i < e.tempo.size(); ++i) {
                    const ModelTempo& p = e.tempo[i];
                    if (!std::isfinite(p.beat) || !within(p.bpm, 1, 1000)) return "bad tempo point";
                    if (i == 0 && p.beat != 0.0) return "first tempo point not at 0";
                    if (i > 0 && !(p.beat > e.tempo[i - 1].beat)) return "tempo beats do not increase";
                }
                if (e.tempo.back().ramp) return "last tempo point ramps";
                tempo = e.tempo;
                return {};
            }
        }
        return "unknown edit";
    }

    // Applies a batch all or none: 0 when applied (the revision goes up), else the 1-based index of
    // the edit that refused it.
    std::size_t apply_batch(const std::vector<ModelEdit>& edits) {
        DocModel copy = *this;
        for (std::size_t i = 0; i < edits.size(); ++i)
            if (!copy.apply(edits[i]).empty()) return i + 1;
        *this = std::move(copy);
        ++revision;
        return 0;
    }

    static DocModel from(const Document& doc) {
        DocModel m;
        for (const Track& t : doc.tracks) {
            m.tracks.push_back({t.id, t.name, t.instrument, t.preset});
            for (const Note& n : t.notes)
                m.notes[n.id] = {t.id, n.start, n.length, n.pitch, n.cents, n.velocity};
        }
        m.tempo.clear();
        for (const TempoPoint& p : doc.tempo.points()) m.tempo.push_back({p.beat, p.bpm, p.ramp});
        m.revision = doc.revision;
        return m;
    }
};

// Differences between two models, as lines for a failure message (at most `limit`).
inline std::vector<std::string> differences(const DocModel& want, const DocModel& got,
                                            std::size_t limit = 20) {
    std::vector<std::string> out;
    const auto add = [&](const std::string& line) {
        if (out.size() < limit) out.push_back(line);
    };
    if (want.revision != got.revision)
        add("revision: expected " + std::to_string(want.revision) + ", engine has " +
            std::to_string(got.revision));
    if (want.tracks.size() != got.tracks.size())
        add("tracks: expected " + std::to_string(want.tracks.size()) + ", engine has " +
            std::to_string(got.tracks.size()));
    for (std::size_t i = 0; i < std::min(want.tracks.size(), got.tracks.size()); ++i) {
        const ModelTrack &a = want.tracks[i], &b = got.tracks[i];
        if (!(a == b))
            add("track " + std::to_string(i) + ": expected id " + std::to_string(a.id) + " '" + a.name +
                "' " + a.preset + ", engine has id " + std::to_string(b.id) + " '" + b.name + "' " +
                b.preset);
    }
    if (!(want.tempo == got.tempo)) add("tempo maps differ");
    std::set<std::uint64_t> ids;
    for (const auto& [id, n] : want.notes) ids.insert(id);
    for (const auto& [id, n] : got.notes) ids.insert(id);
    const auto describe = [](const ModelNote& n) {
        std::ostringstream s;
        s << "track " << n.track << " start " << n.start << " length " << n.length << " pitch " << n.pitch
          << " cents " << n.cents << " velocity " << n.velocity;
        return s.str();
    };
    std::size_t note_differences = 0;
    for (std::uint64_t id : ids) {
        const auto a = want.notes.find(id);
        const auto b = got.notes.find(id);
        if (a != want.notes.end() && b != got.notes.end() && a->second == b->second) continue;
        ++note_differences;
        add("note " + std::to_string(id) + ": expected " +
            (a == want.notes.end() ? std::string("none") : describe(a->second)) + "; engine has " +
            (b == got.notes.end() ? std::string("none") : describe(b->second)));
    }
    if (note_differences > 0) add(std::to_string(note_differences) + " notes differ in all");
    return out;
}

}  // namespace tactus::test
