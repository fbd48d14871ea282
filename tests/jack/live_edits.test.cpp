// Live editing end to end (docs/protocol.md, "Editing the document (live, while it plays)"): tactusd
// plays through a private JACK dummy server while the test edits its document over TCP, records its
// output with a JACK client of its own, and checks what was heard against its own reading of the
// timing model (support/reference_timing.h), never against src/core:
//
// - a note added 200 ms ahead of the play position starts on its exact frame (0 samples);
// - a note moved to another beat still ahead starts on its new frame, and nothing sounds at its old one;
// - a deleted sounding note is released with its envelope: exact silence within the preset's release
//   time, no step larger than the waveform's own;
// - a tempo change keeps the beat heard at the block where it takes effect, and every later note
//   lands on the frame of the new tempo map anchored there (timing.md), also when another edit
//   follows at once;
// - 10,000 random edits (valid and invalid, single and batched) are answered exactly as the rules of
//   the protocol predict, and the engine's document ends equal to the test's own model of it;
// - subscribers (UDP and TCP) receive every applied batch, with consecutive revisions, and rebuild
//   the document from the pushes alone; a note added with id 0 gets an id the push shows.
//
// Each test runs tactusd_rtcheck where it is built (tactusd_jack_fixture.h): an allocation, free or
// lock on the audio thread aborts it. Every test ends by checking that the engine is still alive,
// answers, and exits 0 on /quit.
//
// Frames are JACK frame times: the /play reply gives the frame where score frame 0 plays, the
// recorder stamps every cycle with its frame, and the test reads the current frame with
// jack_frame_time() on the recorder's client. Notes in (or right after) a cycle lost to an xrun are
// not judged, and xruns themselves are reported, never asserted on.
#include <gtest/gtest.h>
#include <jack/jack.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "click_score.h"
#include "core/document_json.h"
#include "support/osc_tcp_client.h"
#include "support/reference_timing.h"
#include "support/score_builder.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr lo_timetag kImmediately = {0, 1};

// ------------------------------------------------------------------------------------------------
// The test's model of a document and of the edit rules of docs/protocol.md

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
const char* editor_name(EditKind k) {
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

const std::vector<std::string> kPresets = {"sine", "pluck",  "pad",      "bass",  "lead",
                                           "saw",  "square", "triangle", "click", "drums"};

bool within(double v, double lo, double hi) {
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
std::vector<std::string> differences(const DocModel& want, const DocModel& got, std::size_t limit = 20) {
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

// ------------------------------------------------------------------------------------------------
// Edit messages: what the test sends, and what it means

struct EditMessage {
    std::string address;
    OscBytes bytes;
    std::vector<ModelEdit> edits;  // what it asks for (when it parses)
    bool parse_error = false;      // refused before any edit is considered (a bad argument)
    bool is_edit = true;           // false: /ping, splitting a bundle into two batches
};

// Builds the message for `edits` (all of one kind), ids and track ids as `h` unless told otherwise.
EditMessage edit_message(const std::vector<ModelEdit>& edits, bool ids_as_int32 = false) {
    EditMessage m;
    m.edits = edits;
    OscOutgoing out;
    const auto id = [&](std::uint64_t v) {
        if (ids_as_int32)
            out.i(static_cast<std::int32_t>(v));
        else
            out.h(static_cast<std::int64_t>(v));
    };
    const EditKind kind = edits.front().kind;
    switch (kind) {
        case EditKind::NoteAdd:
            m.address = "/note/add";
            break;
        case EditKind::NoteMove:
            m.address = "/note/move";
            break;
        case EditKind::NoteTrack:
            m.address = "/note/track";
            break;
        case EditKind::NoteResize:
            m.address = "/note/resize";
            break;
        case EditKind::NoteDelete:
            m.address = "/note/delete";
            break;
        case EditKind::NotePitch:
            m.address = "/note/pitch";
            break;
        case EditKind::NoteVelocity:
            m.address = "/note/velocity";
            break;
        case EditKind::TrackAdd:
            m.address = "/track/add";
            break;
        case EditKind::TrackRemove:
            m.address = "/track/remove";
            break;
        case EditKind::TrackRename:
            m.address = "/track/rename";
            break;
        case EditKind::TrackMove:
            m.address = "/track/move";
            break;
        case EditKind::TrackInstrument:
            m.address = "/track/instrument";
            break;
        case EditKind::TempoSet:
            m.address = "/tempo/set";
            break;
    }
    for (const ModelEdit& e : edits) {
        switch (kind) {
            case EditKind::NoteAdd:
                id(e.track);
                id(e.id);
                out.d(e.start).d(e.length).i(e.pitch).i(e.velocity);
                break;
            case EditKind::NoteMove:
                id(e.id);
                out.d(e.start);
                break;
            case EditKind::NoteTrack:
                id(e.id);
                id(e.track);
                break;
            case EditKind::NoteResize:
                id(e.id);
                out.d(e.length);
                break;
            case EditKind::NoteDelete:
                id(e.id);
                break;
            case EditKind::NotePitch:
                id(e.id);
                out.i(e.pitch).d(e.cents);
                break;
            case EditKind::NoteVelocity:
                id(e.id);
                out.i(e.velocity);
                break;
            case EditKind::TrackAdd:
                id(e.id);
                out.s(e.name).s(e.instrument).s(e.preset);
                if (e.index) out.i(static_cast<std::int32_t>(*e.index));
                break;
            case EditKind::TrackRemove:
                id(e.id);
                break;
            case EditKind::TrackRename:
                id(e.id);
                out.s(e.name);
                break;
            case EditKind::TrackMove:
                id(e.id);
                out.i(static_cast<std::int32_t>(*e.index));
                break;
            case EditKind::TrackInstrument:
                id(e.id);
                out.s(e.instrument).s(e.preset);
                break;
            case EditKind::TempoSet:
                for (const ModelTempo& p : e.tempo) out.d(p.beat).d(p.bpm).i(p.ramp ? 1 : 0);
                break;
        }
    }
    m.bytes = osc_message_bytes(m.address, out);
    return m;
}

// The edits a pushed message stands for (the engine writes ids as h, pitch/velocity/index as i).
std::vector<ModelEdit> edits_of_push(const OscIncoming& m, std::string* problem) {
    std::vector<ModelEdit> out;
    const std::string& a = m.address;
    std::size_t group = 0;
    if (a == "/note/add")
        group = 6;
    else if (a == "/note/move" || a == "/note/track" || a == "/note/resize" || a == "/note/velocity" ||
             a == "/track/rename" || a == "/track/move")
        group = 2;
    else if (a == "/note/pitch" || a == "/track/instrument" || a == "/tempo/set")
        group = 3;
    else if (a == "/note/delete" || a == "/track/remove")
        group = 1;
    else if (a == "/track/add")
        group = m.args.size();
    if (group == 0 || m.args.empty() || m.args.size() % group != 0) {
        *problem = "unexpected pushed message " + m.to_string();
        return out;
    }
    try {
        if (a == "/tempo/set") {
            ModelEdit e;
            e.kind = EditKind::TempoSet;
            for (std::size_t i = 0; i < m.args.size(); i += 3)
                e.tempo.push_back({m.number(i), m.number(i + 1), m.integer(i + 2) != 0});
            out.push_back(e);
            return out;
        }
        for (std::size_t i = 0; i < m.args.size(); i += group) {
            ModelEdit e;
            const auto id = [&](std::size_t k) { return static_cast<std::uint64_t>(m.integer(i + k)); };
            if (a == "/note/add") {
                e.kind = EditKind::NoteAdd;
                e.track = id(0);
                e.id = id(1);
                e.start = m.number(i + 2);
                e.length = m.number(i + 3);
                e.pitch = int(m.integer(i + 4));
                e.velocity = int(m.integer(i + 5));
            } else if (a == "/note/move") {
                e.kind = EditKind::NoteMove;
                e.id = id(0);
                e.start = m.number(i + 1);
            } else if (a == "/note/track") {
                e.kind = EditKind::NoteTrack;
                e.id = id(0);
                e.track = id(1);
            } else if (a == "/note/resize") {
                e.kind = EditKind::NoteResize;
                e.id = id(0);
                e.length = m.number(i + 1);
            } else if (a == "/note/delete") {
                e.kind = EditKind::NoteDelete;
                e.id = id(0);
            } else if (a == "/note/pitch") {
                e.kind = EditKind::NotePitch;
                e.id = id(0);
                e.pitch = int(m.integer(i + 1));
                e.cents = m.number(i + 2);
            } else if (a == "/note/velocity") {
                e.kind = EditKind::NoteVelocity;
                e.id = id(0);
                e.velocity = int(m.integer(i + 1));
            } else if (a == "/track/add") {
                e.kind = EditKind::TrackAdd;
                e.id = id(0);
                e.name = m.string(i + 1);
                e.instrument = m.string(i + 2);
                e.preset = m.string(i + 3);
                if (m.args.size() > 4) e.index = m.integer(i + 4);
            } else if (a == "/track/remove") {
                e.kind = EditKind::TrackRemove;
                e.id = id(0);
            } else if (a == "/track/rename") {
                e.kind = EditKind::TrackRename;
                e.id = id(0);
                e.name = m.string(i + 1);
            } else if (a == "/track/move") {
                e.kind = EditKind::TrackMove;
                e.id = id(0);
                e.index = m.integer(i + 1);
            } else if (a == "/track/instrument") {
                e.kind = EditKind::TrackInstrument;
                e.id = id(0);
                e.instrument = m.string(i + 1);
                e.preset = m.string(i + 2);
            }
            out.push_back(e);
        }
    } catch (const std::exception& ex) {
        *problem = ex.what();
        out.clear();
    }
    return out;
}

// One answer the engine owes for a packet: /reply "<address>" revision count, /error "<address>"
// "edit k of n (name): ...", or /reply "/ping".
struct ExpectedAnswer {
    bool error = false;
    std::string address;
    std::uint64_t revision = 0;
    std::size_t count = 0;
    std::string error_prefix;  // for editor errors; "" for argument errors
    bool ping = false;
};

// Predicts the answers to a packet (one message, or a bundle of them) and applies what it should
// apply to `model`: consecutive edit messages form one batch, all or none (docs/protocol.md).
std::vector<ExpectedAnswer> predict(const std::vector<EditMessage>& packet, DocModel& model) {
    std::vector<ExpectedAnswer> answers;
    std::vector<const EditMessage*> batch;
    const auto flush = [&] {
        if (batch.empty()) return;
        ExpectedAnswer a;
        a.address = batch.front()->address;
        std::vector<ModelEdit> edits;
        for (const EditMessage* m : batch) {
            if (m->parse_error) {
                a.error = true;
                a.address = m->address;
                break;
            }
            edits.insert(edits.end(), m->edits.begin(), m->edits.end());
        }
        if (!a.error) {
            const std::size_t refused = model.apply_batch(edits);
            if (refused > 0) {
                a.error = true;
                a.error_prefix = "edit " + std::to_string(refused) + " of " + std::to_string(edits.size()) +
                                 " (" + editor_name(edits[refused - 1].kind) + "): ";
            } else {
                a.revision = model.revision;
                a.count = edits.size();
            }
        }
        answers.push_back(a);
        batch.clear();
    };
    for (const EditMessage& m : packet) {
        if (m.is_edit) {
            batch.push_back(&m);
            continue;
        }
        flush();
        ExpectedAnswer ping;
        ping.ping = true;
        ping.address = m.address;
        answers.push_back(ping);
    }
    flush();
    return answers;
}

// "" when `got` is the answer predicted, else what differs.
std::string mismatch(const ExpectedAnswer& want, const OscIncoming& got) {
    std::ostringstream why;
    if (want.ping) {
        if (got.address == "/reply" && got.types == "s" && got.string(0) == want.address) return {};
        why << "expected /reply \"" << want.address << "\"";
    } else if (want.error) {
        if (got.address == "/error" && got.types == "ss" && got.string(0) == want.address &&
            got.string(1).rfind(want.error_prefix, 0) == 0)
            return {};
        why << "expected /error \"" << want.address << "\" \"" << want.error_prefix << "...\"";
    } else {
        if (got.address == "/reply" && got.types == "shi" && got.string(0) == want.address &&
            got.integer(1) == std::int64_t(want.revision) && got.integer(2) == std::int64_t(want.count))
            return {};
        why << "expected /reply \"" << want.address << "\" " << want.revision << " " << want.count;
    }
    why << ", got " << got.to_string();
    return why.str();
}

// ------------------------------------------------------------------------------------------------
// Random edits

class EditGenerator {
public:
    EditGenerator(std::uint32_t seed, std::uint64_t first_new_note_id, std::uint64_t first_new_track_id)
        : rng_(seed), next_note_id_(first_new_note_id), next_track_id_(first_new_track_id) {}

    // One packet: a single edit message (most), or a bundle of several, some with a conflict or a
    // bad argument, some split by a /ping. `model` is the state the packet will meet.
    std::vector<EditMessage> packet(const DocModel& model) {
        std::vector<EditMessage> out;
        const int roll = uniform(0, 99);
        if (roll < 80) {
            out.push_back(message(model));
            return out;
        }
        // A bundle: its messages see the document as the previous ones leave it (when they apply).
        DocModel scratch = model;
        const int n = uniform(2, 4);
        for (int i = 0; i < n; ++i) {
            if (roll >= 95 && i == 1) {
                EditMessage ping;
                ping.address = "/ping";
                ping.bytes = osc_message_bytes("/ping");
                ping.is_edit = false;
                out.push_back(std::move(ping));
                continue;
            }
            if (roll >= 88 && roll < 95 && i == n - 1 && !out.empty() && !out.front().edits.empty()) {
                for (EditMessage& m : conflict(out.front())) out.push_back(std::move(m));
                continue;
            }
            EditMessage m = message(scratch);
            if (!m.parse_error && m.is_edit) {
                DocModel next = scratch;
                if (next.apply_batch(m.edits) == 0) scratch = next;
            }
            out.push_back(std::move(m));
        }
        return out;
    }

    std::int64_t edits_in(const std::vector<EditMessage>& packet) const {
        std::int64_t n = 0;
        for (const EditMessage& m : packet)
            n += m.is_edit ? std::max<std::int64_t>(1, std::int64_t(m.edits.size())) : 0;
        return n;
    }

private:
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    // A start on a 1/64-beat grid mostly near the loop, sometimes anywhere in the first 40 beats.
    double start() { return std::round(real(0, chance(0.8) ? 16.0 : 40.0) * 64) / 64; }
    double length() { return chance(0.1) ? 0.0 : std::round(real(1.0 / 64, 3.0) * 64) / 64; }

    std::uint64_t existing_note(const DocModel& m) {
        if (m.notes.empty()) return 999'999'999;
        auto it = m.notes.begin();
        std::advance(it, uniform(0, int(m.notes.size()) - 1));
        return it->first;
    }
    std::uint64_t existing_track(const DocModel& m) {
        return m.tracks.empty() ? 77 : m.tracks[std::size_t(uniform(0, int(m.tracks.size()) - 1))].id;
    }
    // An id that names no note: one deleted earlier, or one never used.
    std::uint64_t missing_note(const DocModel& m) {
        for (int tries = 0; tries < 4 && !deleted_.empty(); ++tries) {
            const std::uint64_t id = deleted_[std::size_t(uniform(0, int(deleted_.size()) - 1))];
            if (!m.notes.count(id)) return id;
        }
        return 5'000'000'000ull + std::uint64_t(uniform(0, 1000));
    }

    ModelEdit note_edit(const DocModel& m, EditKind kind) {
        ModelEdit e;
        e.kind = kind;
        e.id = existing_note(m);
        switch (kind) {
            case EditKind::NoteAdd:
                e.id = next_note_id_++;
                e.track = existing_track(m);
                e.start = start();
                e.length = length();
                e.pitch = uniform(36, 96);
                e.velocity = uniform(1, 127);
                break;
            case EditKind::NoteMove:
                e.start = start();
                break;
            case EditKind::NoteTrack:
                e.track = existing_track(m);
                break;
            case EditKind::NoteResize:
                e.length = length();
                break;
            case EditKind::NoteDelete:
                deleted_.push_back(e.id);
                break;
            case EditKind::NotePitch:
                e.pitch = uniform(0, 127);
                e.cents = chance(0.5) ? 0.0 : std::round(real(-100, 100) * 4) / 4;
                break;
            case EditKind::NoteVelocity:
                e.velocity = uniform(1, 127);
                break;
            default:
                break;
        }
        return e;
    }

    // Spoils a valid edit in a way the rules refuse (a missing id, a duplicate id, a value out of
    // range, a missing track).
    void spoil(ModelEdit& e, const DocModel& m) {
        switch (e.kind) {
            case EditKind::NoteAdd:
                switch (uniform(0, 6)) {
                    case 0:
                        e.id = existing_note(m);
                        break;  // duplicate (when the score has notes)
                    case 1:
                        e.track = 424242;
                        break;
                    case 2:
                        e.pitch = chance(0.5) ? 128 : -1;
                        break;
                    case 3:
                        e.velocity = chance(0.5) ? 0 : 128;
                        break;
                    case 4:
                        e.start = chance(0.5) ? -0.25 : 1'000'000.5;
                        break;
                    case 5:
                        e.length = -1.0;
                        break;
                    default:
                        e.id = (std::uint64_t{1} << 53) + 5;
                        break;
                }
                break;
            case EditKind::NoteMove:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.start = chance(0.5) ? -1.0 : 2'000'000.0;
                break;
            case EditKind::NoteTrack:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.track = 99'999;
                break;
            case EditKind::NoteResize:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.length = -0.5;
                break;
            case EditKind::NoteDelete:
                e.id = missing_note(m);
                break;
            case EditKind::NotePitch:
                if (chance(0.4))
                    e.id = missing_note(m);
                else if (chance(0.5))
                    e.pitch = chance(0.5) ? 200 : -3;
                else
                    e.cents = chance(0.5) ? 150.0 : -100.5;
                break;
            case EditKind::NoteVelocity:
                if (chance(0.5))
                    e.id = missing_note(m);
                else
                    e.velocity = chance(0.5) ? 0 : 300;
                break;
            default:
                break;
        }
    }

    EditMessage message(const DocModel& m) {
        const int roll = uniform(0, 999);
        if (roll < 10) return tempo_message();
        if (roll < 25) return track_message(m);
        if (roll < 45) return argument_error(m);
        static constexpr EditKind kNoteKinds[] = {
            EditKind::NoteAdd,   EditKind::NoteAdd,      EditKind::NoteAdd,    EditKind::NoteMove,
            EditKind::NoteMove,  EditKind::NoteResize,   EditKind::NoteDelete, EditKind::NoteDelete,
            EditKind::NotePitch, EditKind::NoteVelocity, EditKind::NoteTrack,  EditKind::NoteResize};
        const EditKind kind = kNoteKinds[uniform(0, 11)];
        const int groups = chance(0.75) ? 1 : uniform(2, 3);
        std::vector<ModelEdit> edits;
        for (int g = 0; g < groups; ++g) edits.push_back(note_edit(m, kind));
        if (chance(0.15)) spoil(edits[std::size_t(uniform(0, groups - 1))], m);
        const bool small_ids = std::all_of(edits.begin(), edits.end(), [](const ModelEdit& e) {
            return e.id < (1u << 30) && e.track < (1u << 30);
        });
        return edit_message(edits, chance(0.1) && small_ids);
    }

    // The last message(s) of a bundle, conflicting with the first: the same id added twice, or the
    // note the first one edits deleted and then edited (or deleted) again.
    std::vector<EditMessage> conflict(const EditMessage& first) {
        const ModelEdit& e = first.edits.front();
        if (e.kind == EditKind::NoteAdd) {
            ModelEdit again = e;
            again.start = start();
            return {edit_message({again})};
        }
        if (e.kind == EditKind::TempoSet || e.kind >= EditKind::TrackAdd) {
            ModelEdit missing;
            missing.kind = EditKind::NoteDelete;
            missing.id = 6'000'000'000ull;
            return {edit_message({missing})};
        }
        ModelEdit del;
        del.kind = EditKind::NoteDelete;
        del.id = e.id;
        if (chance(0.5)) return {edit_message({del, del})};  // one message, the same id twice
        ModelEdit resize;
        resize.kind = EditKind::NoteResize;
        resize.id = e.id;
        resize.length = 0.5;
        return {edit_message({del}), edit_message({resize})};
    }

    EditMessage tempo_message() {
        ModelEdit e;
        e.kind = EditKind::TempoSet;
        const int points = uniform(1, 3);
        double beat = 0;
        for (int i = 0; i < points; ++i) {
            e.tempo.push_back({beat, double(uniform(60, 180)), i + 1 < points && chance(0.4)});
            beat += double(uniform(4, 16));
        }
        if (chance(0.25)) {  // refused: a bpm out of range, or a first point not at beat 0
            if (chance(0.5))
                e.tempo.back().bpm = 0.5;
            else
                e.tempo.front().beat = 1.0;
        }
        return edit_message({e});
    }

    EditMessage track_message(const DocModel& m) {
        ModelEdit e;
        const int roll = uniform(0, 9);
        if (roll < 3 || m.tracks.size() < 2) {
            e.kind = EditKind::TrackAdd;
            e.id = chance(0.1) ? existing_track(m) : next_track_id_++;
            e.name = "track " + std::to_string(e.id);
            e.instrument = "synth";
            e.preset = chance(0.1) ? "kazoo" : kPresets[std::size_t(uniform(0, 9))];
            if (e.preset == "pad") e.preset = "pluck";  // keep the engine's load modest
            if (chance(0.5)) e.index = uniform(0, 8);
        } else if (roll < 5) {
            e.kind = EditKind::TrackRemove;
            e.id = m.tracks.size() > 3 ? existing_track(m) : 31337;
        } else if (roll < 7) {
            e.kind = EditKind::TrackRename;
            e.id = existing_track(m);
            e.name = "renamed " + std::to_string(uniform(0, 999));
        } else if (roll < 8) {
            e.kind = EditKind::TrackMove;
            e.id = existing_track(m);
            e.index = uniform(0, 6);
        } else {
            e.kind = EditKind::TrackInstrument;
            e.id = existing_track(m);
            e.instrument = chance(0.1) ? "csound" : "synth";
            e.preset = kPresets[std::size_t(uniform(0, 9))];
            if (e.preset == "pad") e.preset = "click";
        }
        return edit_message({e});
    }

    // A message refused for its arguments: a wrong type, an id that is not positive, a wrong count.
    EditMessage argument_error(const DocModel& m) {
        EditMessage msg;
        msg.parse_error = true;
        OscOutgoing out;
        switch (uniform(0, 4)) {
            case 0:
                msg.address = "/note/move";
                out.h(std::int64_t(existing_note(m))).s("soon");
                break;
            case 1:
                msg.address = "/note/delete";
                out.h(chance(0.5) ? 0 : -7);
                break;
            case 2:
                msg.address = "/note/resize";
                out.h(std::int64_t(existing_note(m))).d(1.0).h(std::int64_t(existing_note(m)));
                break;
            case 3:
                msg.address = "/note/velocity";
                out.h(std::int64_t(existing_note(m))).d(64.5);  // an integer argument must be whole
                break;
            default:
                msg.address = "/note/add";
                out.h(std::int64_t(existing_track(m))).h(std::int64_t(next_note_id_++)).d(1.0).d(1.0).i(60);
                break;
        }
        msg.bytes = osc_message_bytes(msg.address, out);
        return msg;
    }

    std::mt19937 rng_;
    std::uint64_t next_note_id_;
    std::uint64_t next_track_id_;
    std::vector<std::uint64_t> deleted_;
};

// ------------------------------------------------------------------------------------------------
// The fixture

class LiveEditJackTest : public TactusdJackTest {
protected:
    void SetUp() override {
        TactusdJackTest::SetUp();
        if (HasFatalFailure()) return;
        std::string error;
        ASSERT_TRUE(tcp_.connect(tactusd_->port(), &error)) << error;
        report("engine", std::getenv("TACTUSD") ? std::getenv("TACTUSD") : TACTUS_DAEMON_PATH);
    }

    // The current JACK frame (jack_frame_time on the recorder's client; a fresh server counts from 0).
    JackFrame jack_now() const { return static_cast<JackFrame>(jack_frame_time(recorder_->client())); }

    // An edit over TCP, and its answer (nullopt with a failure recorded when none came).
    std::optional<OscIncoming> tcp_edit(const std::string& address, const OscOutgoing& message) {
        auto reply = tcp_.call(address, message, 3000ms);
        if (!reply) ADD_FAILURE() << address << " over TCP: no answer within 3 s; " << engine_state();
        return reply;
    }

    struct FullStatus {
        JackFrame frame = 0;
        bool playing = false;
        double beat = 0, bpm = 0;
        std::int64_t xruns = 0, revision = 0;
    };
    std::optional<FullStatus> full_status(OscTcpClient& client) {
        if (!client.send("/status")) return std::nullopt;
        auto s = client.wait_message("/status", 3000ms);
        if (!s || s->args.size() < 19) {
            ADD_FAILURE() << "/status over TCP: " << (s ? s->to_string() : std::string("no answer"));
            return std::nullopt;
        }
        FullStatus f;
        f.frame = s->integer(2);
        f.playing = s->integer(3) != 0;
        f.beat = s->number(4);
        f.bpm = s->number(7);
        f.xruns = s->integer(8);
        f.revision = s->integer(18);
        return f;
    }

    // Whether the engine process still runs (a crashed one is a zombie until quit() reaps it), and
    // if not, how it ended (from /proc/PID/stat: its state, and its wait status as the last field).
    bool engine_running(std::string* how_it_ended = nullptr) const {
        std::ifstream stat("/proc/" + std::to_string(tactusd_->pid()) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return false;
        const auto paren = line.rfind(')');
        if (paren == std::string::npos || paren + 2 >= line.size()) return false;
        if (line[paren + 2] != 'Z') return true;
        if (how_it_ended) {
            const int status = std::atoi(line.substr(line.find_last_of(' ') + 1).c_str());
            *how_it_ended = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) +
                                                      " (" + strsignal(WTERMSIG(status)) + ")"
                                                : "exited with status " + std::to_string(WEXITSTATUS(status));
        }
        return false;
    }
    std::string engine_state() const {
        std::string how;
        if (engine_running(&how)) return "tactusd still runs";
        return "tactusd is no longer running (" + how + "); its log:\n" + tactusd_->log();
    }

    // Test 7's check, at the end of every test: the engine (tactusd_rtcheck, which aborts on any
    // allocation, free or lock on its audio thread) is still running, still answers, and exits 0.
    void expect_alive_then_clean_exit() {
        ASSERT_TRUE(tactusd_);
        ASSERT_TRUE(engine_running()) << engine_state();
        const auto pong = tcp_.call("/ping", OscOutgoing(), 3000ms);
        EXPECT_TRUE(pong && !pong->is_error()) << "tactusd did not answer /ping over TCP; its log:\n"
                                               << tactusd_->log();
        const std::string log = tactusd_->log();
        EXPECT_EQ(log.find("realtime violation"), std::string::npos) << log;
        if (recorder_) recorder_->stop();
        EXPECT_EQ(tactusd_->quit(), 0) << "tactusd did not exit 0 after /quit; its log:\n" << log;
    }

    // Clicks hard left at 120 bpm (a whole beat is 24000 frames), one a beat from beat 0 on.
    static Document click_document(int beats, std::vector<Note> extra = {}) {
        Document doc;
        doc.title = "live edits";
        doc.tempo = tempo_map({{0, 120, false}});
        std::vector<Note> notes;
        for (int b = 0; b < beats; ++b) notes.push_back(note(NoteId(b + 1), b, 1.0 / 16, 72 + (b % 5)));
        for (const Note& n : extra) notes.push_back(n);
        doc.tracks.push_back(track(1, "click", notes, -1.0));
        return doc;
    }

    OscTcpClient tcp_;
};

constexpr long double kBeatsPerFrame120 = 2.0L / 48000.0L;  // 120 bpm at 48 kHz

// A beat on the 1/128 grid with an odd numerator (at 120 bpm and 48 kHz its exact position is x.5
// frames: round half up decides), at least `target`, and at least 0.1 beat (50 ms) from every beat
// in `avoid` (so every click is preceded by exact silence).
double odd_grid_beat_from(long double target, const std::vector<double>& avoid) {
    long double k = std::ceil(target * 128.0L);
    if (std::fmod(k, 2.0L) == 0) k += 1;
    for (;;) {
        const double beat = double(k / 128.0L);
        const bool clear =
            std::none_of(avoid.begin(), avoid.end(), [&](double a) { return std::abs(a - beat) < 0.1; });
        if (clear) return beat;
        k += 16;  // 1/8 beat further, still odd
    }
}

// Onsets of channel 0 from `from` to `to`: every expected one whose frame (and the 64 frames before
// it) was recorded must be exactly there; every recorded onset must be expected (or in `tolerated`).
struct Judgement {
    int judged = 0, lost = 0;
    std::int64_t max_error = 0;
    std::vector<std::string> failures;
};
Judgement judge_onsets(const JackRecorder& recorder, const std::vector<ExpectedOnset>& expected,
                       JackFrame from, JackFrame to, const std::vector<JackFrame>& tolerated = {}) {
    Judgement j;
    const OnsetScan scan = recorder.onsets(0, from, 64);
    std::vector<JackFrame> found;
    for (JackFrame f : scan.onsets)
        if (f < to) found.push_back(f);
    for (const ExpectedOnset& e : expected) {
        if (e.frame < from || e.frame >= to) continue;
        if (!recorder.recorded(e.frame - 64, e.frame + 1)) {
            ++j.lost;
            continue;
        }
        ++j.judged;
        JackFrame nearest = -1;
        for (JackFrame f : found)
            if (nearest < 0 || std::abs(f - e.frame) < std::abs(nearest - e.frame)) nearest = f;
        if (nearest == e.frame) continue;
        const std::int64_t error =
            nearest < 0 ? 48000 : std::min<std::int64_t>(std::abs(nearest - e.frame), 48000);
        j.max_error = std::max(j.max_error, error);
        std::ostringstream line;
        line << e.what << " (beat " << e.beat << "): expected its onset at JACK frame " << e.frame << ", ";
        if (nearest < 0)
            line << "found no onset";
        else
            line << "the nearest onset is at " << nearest << " (" << (nearest - e.frame) << " samples)";
        j.failures.push_back(line.str());
    }
    for (JackFrame f : found) {
        const bool known = std::any_of(expected.begin(), expected.end(),
                                       [&](const ExpectedOnset& e) { return e.frame == f; }) ||
                           std::find(tolerated.begin(), tolerated.end(), f) != tolerated.end();
        if (!known)
            j.failures.push_back("unexpected onset at JACK frame " + std::to_string(f) +
                                 ": nothing was due there");
    }
    return j;
}

// Expected onsets of every note of a click document at 120 bpm (no edits), from play frame `play`.
std::vector<ExpectedOnset> plain_onsets(const Document& doc, JackFrame play) {
    const ReferenceTiming ref({{0, 120, false}});
    std::vector<ExpectedOnset> out;
    const auto& notes = doc.tracks.at(0).notes;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        const std::int64_t f = ref.frame_at(notes[i].start, 48000);
        out.push_back({i, notes[i].start, f, play + f, "note " + std::to_string(notes[i].id)});
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// 1. A note added 200 ms ahead sounds on its exact frame

TEST_F(LiveEditJackTest, a_note_added_over_tcp_200ms_ahead_sounds_on_its_exact_frame) {
    const Document doc = click_document(8);
    ASSERT_TRUE(load(save_temp(doc, "live-add")));
    JackRecorder* recorder = start_recorder(8.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());
    const ReferenceTiming ref({{0, 120, false}});

    std::vector<ExpectedOnset> expected = plain_onsets(doc, *play);
    std::vector<double> avoid;
    for (const Note& n : doc.tracks[0].notes) avoid.push_back(n.start);
    std::vector<JackFrame> tolerated;
    int in_time = 0;
    std::int64_t revision = 0;
    // Three notes, each added 200 ms ahead of the position heard when it is sent, about a second apart.
    for (int k = 0; k < 3; ++k) {
        std::this_thread::sleep_for(k == 0 ? 600ms : 900ms);
        // The play position, from /status (exact at the block start it reports) ...
        const auto status = full_status(tcp_);
        ASSERT_TRUE(status && status->playing);
        EXPECT_NEAR(status->beat, double((status->frame - *play) * kBeatsPerFrame120), 1e-9)
            << "/status beat is not the beat of its frame";
        // ... and now, from JACK's clock: the note goes 200 ms (9600 frames) ahead of it.
        const JackFrame sent_at = jack_now();
        const double beat = odd_grid_beat_from((sent_at - *play + 9600) * kBeatsPerFrame120, avoid);
        avoid.push_back(beat);
        const NoteId id = 1000 + NoteId(k);
        const JackFrame frame = *play + ref.frame_at(beat, kRate);
        const auto reply =
            tcp_edit("/note/add", osc().i(1).h(std::int64_t(id)).d(beat).d(1.0 / 16).i(60 + 3 * k).i(110));
        const JackFrame replied_at = jack_now();
        ASSERT_TRUE(reply);
        ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/add\" " + std::to_string(++revision) + " 1");
        report("note_" + std::to_string(k) + "_lead_ms_at_send", (frame - sent_at) * 1000 / kRate);
        report("note_" + std::to_string(k) + "_reply_ms", (replied_at - sent_at) * 1000 / kRate);
        ExpectedOnset e{doc.tracks[0].notes.size() + std::size_t(k), beat, frame - *play, frame,
                        "added note " + std::to_string(id)};
        if (replied_at + 2 * kPeriod < frame) {
            ++in_time;
            expected.push_back(e);
        } else {
            // The machine stalled: the edit's reply came after the note was due. Not judged.
            tolerated.push_back(frame);
            report("note_" + std::to_string(k) + "_not_judged", "reply came after its frame");
        }
    }
    ASSERT_GE(in_time, 2) << "the edits' replies came too late to judge (a stalled machine)";

    const JackFrame end = *play + ref.frame_at(8.0, kRate);
    ASSERT_TRUE(recorder->wait_until_recorded(end, 15s));
    recorder->stop();
    const Judgement j = judge_onsets(*recorder, expected, *play - 4 * kPeriod, end, tolerated);
    for (const std::string& f : j.failures) ADD_FAILURE() << f;
    EXPECT_EQ(j.max_error, 0);
    EXPECT_GE(j.judged, int(expected.size()) - 2) << "too many notes lost to xruns to judge";
    report("notes_judged", j.judged);
    report("notes_lost_to_xruns", j.lost);
    report("recorder_gaps", std::int64_t(recorder->gaps().size()));
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// 2. A note moved ahead lands on its new frame; nothing sounds at its old one

TEST_F(LiveEditJackTest, a_note_moved_ahead_lands_on_its_new_frame_and_not_on_its_old_one) {
    // Two rounds, at beats 2 and 6: in each, note A (0.3 s ahead) moves later, note B (0.75 s ahead)
    // moves earlier, to 200 ms ahead, in one /note/move of two groups.
    std::vector<Note> movable;
    for (int round = 0; round < 2; ++round) {
        const double base = 2.0 + 4.0 * round;
        movable.push_back(note(NoteId(100 + 2 * round), base + 77.0 / 128, 1.0 / 16, 64));
        movable.push_back(note(NoteId(101 + 2 * round), base + 193.0 / 128, 1.0 / 16, 67));
    }
    const Document doc = click_document(11, movable);
    ASSERT_TRUE(load(save_temp(doc, "live-move")));
    JackRecorder* recorder = start_recorder(9.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());
    const ReferenceTiming ref({{0, 120, false}});
    const auto frame_of = [&](double beat) { return *play + ref.frame_at(beat, kRate); };

    // Expected: every click that is not moved, plus the moved ones at their new beats.
    std::vector<ExpectedOnset> expected;
    std::vector<double> avoid;
    for (const ExpectedOnset& e : plain_onsets(doc, *play)) {
        avoid.push_back(e.beat);
        if (e.what != "note 100" && e.what != "note 101" && e.what != "note 102" && e.what != "note 103")
            expected.push_back(e);
    }
    std::vector<JackFrame> old_frames, tolerated;
    int conclusive = 0;
    std::int64_t revision = 0;
    for (int round = 0; round < 2; ++round) {
        const double base = 2.0 + 4.0 * round;
        const NoteId a = NoteId(100 + 2 * round), b = NoteId(101 + 2 * round);
        const double old_a = base + 77.0 / 128, old_b = base + 193.0 / 128;
        // Wait for the position to reach the round's beat.
        while (jack_now() < frame_of(base)) std::this_thread::sleep_for(2ms);
        const JackFrame sent_at = jack_now();
        const long double position = (sent_at - *play) * kBeatsPerFrame120;
        const double new_b = odd_grid_beat_from(position + 0.4L, avoid);  // 200 ms ahead
        avoid.push_back(new_b);
        const double new_a = odd_grid_beat_from(position + 1.9L, avoid);  // 950 ms ahead
        avoid.push_back(new_a);
        const auto reply =
            tcp_edit("/note/move", osc().h(std::int64_t(a)).d(new_a).h(std::int64_t(b)).d(new_b));
        const JackFrame replied_at = jack_now();
        ASSERT_TRUE(reply);
        ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/move\" " + std::to_string(++revision) + " 2");
        report("round_" + std::to_string(round) + "_reply_ms", (replied_at - sent_at) * 1000 / kRate);
        const JackFrame first_due = std::min({frame_of(old_a), frame_of(new_b)});
        const std::vector<ExpectedOnset> moved = {{0, new_a, frame_of(new_a) - *play, frame_of(new_a),
                                                   "note " + std::to_string(a) + " moved later"},
                                                  {0, new_b, frame_of(new_b) - *play, frame_of(new_b),
                                                   "note " + std::to_string(b) + " moved earlier"}};
        if (replied_at + 2 * kPeriod < first_due) {
            ++conclusive;
            expected.insert(expected.end(), moved.begin(), moved.end());
            old_frames.push_back(frame_of(old_a));
            old_frames.push_back(frame_of(old_b));
        } else {
            report("round_" + std::to_string(round) + "_not_judged", "reply came after a frame it changes");
            for (double beat : {old_a, old_b, new_a, new_b}) tolerated.push_back(frame_of(beat));
        }
    }
    ASSERT_GE(conclusive, 1) << "the edits' replies came too late to judge (a stalled machine)";

    const JackFrame end = frame_of(11.0);
    ASSERT_TRUE(recorder->wait_until_recorded(end, 15s));
    recorder->stop();
    const Judgement j = judge_onsets(*recorder, expected, *play - 4 * kPeriod, end, tolerated);
    for (const std::string& f : j.failures) ADD_FAILURE() << f;
    EXPECT_EQ(j.max_error, 0);
    // Nothing at all around the old frames: exact silence from 64 frames before to 30 ms after.
    for (JackFrame old : old_frames) {
        if (!recorder->recorded(old - 64, old + 1440)) continue;
        for (JackFrame f = old - 64; f < old + 1440; ++f)
            if (*recorder->sample_at(0, f) != 0.0f) {
                ADD_FAILURE() << "sound at JACK frame " << f << ", near the old frame " << old
                              << " of a moved note";
                break;
            }
    }
    report("notes_judged", j.judged);
    report("notes_lost_to_xruns", j.lost);
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// 3. Deleting a sounding note releases it with its envelope

TEST_F(LiveEditJackTest, deleting_a_sounding_note_releases_it_with_its_envelope_never_cut) {
    // Two rounds, so that an xrun in one still leaves the other to judge. In each, a sine (release
    // 80 ms from full level) hard left and a pad (release 600 ms) hard right sound one long note each
    // (20 beats, 10 s), and both are deleted together 1.8 s after they started (the pad's envelopes
    // have settled by then). Round 1's notes start at beat 6 (3 s), when round 0's have died away.
    Document doc;
    doc.title = "live delete";
    doc.tempo = tempo_map({{0, 120, false}});
    doc.tracks.push_back(track(1, "sine", {note(1, 0.0, 20.0, 69, 100), note(3, 6.0, 20.0, 71, 100)}, -1.0));
    doc.tracks.push_back(track(2, "pad", {note(2, 0.0, 20.0, 57, 100), note(4, 6.0, 20.0, 59, 100)}, 1.0));
    ASSERT_TRUE(load(save_temp(doc, "live-delete")));
    JackRecorder* recorder = start_recorder(8.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());

    struct Round {
        JackFrame sent_at = 0, replied_at = 0;
    };
    Round rounds[2];
    for (int r = 0; r < 2; ++r) {
        while (jack_now() < *play + (18 + 30 * r) * kRate / 10) std::this_thread::sleep_for(5ms);
        rounds[r].sent_at = jack_now();
        const auto reply = tcp_edit("/note/delete", osc().h(1 + 2 * r).h(2 + 2 * r));
        rounds[r].replied_at = jack_now();
        ASSERT_TRUE(reply);
        ASSERT_EQ(reply->to_string(), "/reply ,shi \"/note/delete\" " + std::to_string(r + 1) + " 2");
        report("round_" + std::to_string(r) + "_reply_ms",
               (rounds[r].replied_at - rounds[r].sent_at) * 1000 / kRate);
    }
    const JackFrame end = rounds[1].replied_at + kRate;  // 1 s after: well past both releases
    ASSERT_TRUE(recorder->wait_until_recorded(end, 10s));
    recorder->stop();

    int judged = 0;
    for (int r = 0; r < 2; ++r) {
        SCOPED_TRACE("round " + std::to_string(r));
        const JackFrame sent_at = rounds[r].sent_at, replied_at = rounds[r].replied_at;
        // The engine switches to the edited score at the first block after the edit was applied
        // (before its reply was sent): at a block boundary in [sent_at - period, replied_at + 2 periods].
        const JackFrame switch_earliest = sent_at - kPeriod, switch_latest = replied_at + 2 * kPeriod;
        const JackFrame from = sent_at - kRate / 2, until = replied_at + kRate;
        if (!recorder->recorded(from, until)) {
            report("round_" + std::to_string(r) + "_not_judged",
                   "cycles around the edit were lost to an xrun");
            continue;
        }
        ++judged;
        struct Channel {
            int index;
            const char* name;
            double release_s;
        };
        for (const Channel ch : {Channel{0, "sine (left)", 0.08}, Channel{1, "pad (right)", 0.6}}) {
            SCOPED_TRACE(ch.name);
            const auto release_frames = static_cast<JackFrame>(std::lround(ch.release_s * kRate));
            const auto at = [&](JackFrame f) { return *recorder->sample_at(ch.index, f); };
            // The last non-zero sample; exact silence after it up to a second after the reply.
            JackFrame last_sound = -1;
            for (JackFrame f = from; f < until; ++f)
                if (at(f) != 0.0f) last_sound = f;
            ASSERT_GT(last_sound, sent_at)
                << "silent before the edit was sent: the note never sounded or was cut";
            EXPECT_LE(last_sound, switch_latest + release_frames + 2)
                << "still sounding " << (last_sound - switch_latest)
                << " frames after the latest possible switch; the release takes " << release_frames;
            // Not cut: it kept sounding for a good part of its release after the edit.
            EXPECT_GE(last_sound, switch_earliest + release_frames / 2)
                << "silent " << (last_sound - switch_earliest) << " frames after the edit: cut, not released";
            // No step larger than the waveform's own: the largest sample-to-sample step from the edit
            // to the end of the release against the largest in the half second before the edit.
            float before = 0.0f, after = 0.0f;
            for (JackFrame f = from + 1; f < switch_earliest; ++f)
                before = std::max(before, std::abs(at(f) - at(f - 1)));
            for (JackFrame f = switch_earliest; f <= last_sound + 1; ++f)
                after = std::max(after, std::abs(at(f) - at(f - 1)));
            EXPECT_GT(before, 0.0f);
            EXPECT_LE(after, before * 1.02f + 1e-6f)
                << "a step of " << after << " across the release, larger than the note's own " << before;
            const std::string key = "round_" + std::to_string(r) + " " + ch.name;
            report(key + " max_step_before", std::to_string(before));
            report(key + " max_step_after", std::to_string(after));
            report(key + " sounding_frames_after_reply", last_sound - replied_at);
            if (ch.index != 0) continue;
            // The sine's release starts at full level (sustain 1.0), so its envelope falls from the
            // switch on: the peak of each 10 ms window is not above the one before.
            float previous = 1.0f;
            for (JackFrame w = switch_latest; w + 480 <= last_sound; w += 480) {
                float peak = 0.0f;
                for (JackFrame f = w; f < w + 480; ++f) peak = std::max(peak, std::abs(at(f)));
                EXPECT_LE(peak, previous * 1.001f)
                    << "the sine's level rose during its release, at frame " << w;
                previous = peak;
            }
        }
    }
    EXPECT_GE(judged, 1) << "both rounds lost cycles to xruns: nothing to judge";
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// 4. A tempo change keeps the beat being heard

// The beat at `seconds` under a reference map (bisection on its seconds_at).
long double beat_at_seconds(const ReferenceTiming& ref, long double seconds) {
    long double lo = 0, hi = 1;
    while (ref.seconds_at(hi) < seconds) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15L; ++i) {
        const long double mid = (lo + hi) / 2;
        (ref.seconds_at(mid) < seconds ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

struct TempoSwitchCheck {
    JackFrame switch_frame = -1;  // the block boundary whose prediction every judged note matched
    int judged = 0, lost = 0, matched = 0, ambiguous = 0;
    std::vector<std::string> failures;
};

// Clicks every half beat (with small offsets), 120 bpm, from beat 0 to 12.
Document half_beat_clicks() {
    Document doc;
    doc.title = "live tempo";
    doc.tempo = tempo_map({{0, 120, false}});
    std::vector<Note> notes;
    for (int k = 0; k < 24; ++k)
        notes.push_back(note(NoteId(k + 1), k * 0.5 + (k % 4) * 3.0 / 128, 1.0 / 16, 70 + k % 7));
    doc.tracks.push_back(track(1, "click", notes, -1.0));
    return doc;
}

// Plays half_beat_clicks(), sends the new tempo map over TCP right after the note at beat 2.5
// (and, with `then_note_edit`, a note edit in the same TCP write), and checks the notes after the
// switch against every block boundary the switch could have happened on.
void run_tempo_change(OscTcpClient& tcp, JackRecorder* recorder, JackFrame play, bool then_note_edit,
                      TempoSwitchCheck& out, std::function<JackFrame()> now,
                      std::function<void(const std::string&, std::int64_t)> note_down) {
    const int rate = 48000, period = 128;
    const Document doc = half_beat_clicks();
    const ReferenceTiming old_ref({{0, 120, false}});
    // The new map: 90 bpm, a ramp from beat 5 to 9 up to 150 bpm, then 150 (first point at beat 0).
    const std::vector<RefTempoPoint> new_points = {{0, 90, false}, {5, 90, true}, {9, 150, false}};
    const ReferenceTiming new_ref(new_points);

    // Right after the click at beat 2.5 (+ offset 6/128): send at beat 2.6.
    while (now() < play + old_ref.frame_at(2.6L, rate)) std::this_thread::sleep_for(1ms);
    const JackFrame sent_at = now();
    std::vector<OscBytes> packets = {
        osc_message_bytes("/tempo/set", osc().d(0).d(90).i(0).d(5).d(90).i(1).d(9).d(150).i(0))};
    if (then_note_edit) packets.push_back(osc_message_bytes("/note/velocity", osc().h(24).i(90)));
    ASSERT_TRUE(tcp.send_packets(packets));
    const auto reply = tcp.wait_reply("/tempo/set", 3000ms);
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->to_string(), "/reply ,shi \"/tempo/set\" 1 1");
    if (then_note_edit) {
        const auto second = tcp.wait_reply("/note/velocity", 3000ms);
        ASSERT_TRUE(second);
        ASSERT_EQ(second->to_string(), "/reply ,shi \"/note/velocity\" 2 1");
    }
    const JackFrame replied_at = now();
    note_down("reply_ms", (replied_at - sent_at) * 1000 / rate);

    // The last note is at beat 11.5 + 9/128: under the new map about 5 s after the switch.
    const JackFrame end = replied_at + 6 * rate;
    ASSERT_TRUE(recorder->wait_until_recorded(end, 15s));
    recorder->stop();

    const OnsetScan scan = recorder->onsets(0, play - 4 * period, 64);
    const auto found = [&](JackFrame f) {
        return std::binary_search(scan.onsets.begin(), scan.onsets.end(), f);
    };
    const auto& notes = doc.tracks[0].notes;
    const auto old_frame = [&](const Note& n) { return play + old_ref.frame_at(n.start, rate); };
    // For a switch at block boundary F, the beat heard there is the old map's beat at score frame
    // F - play; the new map puts that beat at score frame round(seconds_new(beat) * rate), and a
    // later note at beat b sounds at F + frame_new(b) - that.
    const auto prediction = [&](JackFrame F, double beat) {
        const long double heard = (F - play) * kBeatsPerFrame120;
        const auto anchor = static_cast<JackFrame>(std::floor(new_ref.seconds_at(heard) * rate + 0.5L));
        return F + new_ref.frame_at(beat, rate) - anchor;
    };
    // Notes due before the edit was sent play on the old map; notes due (on the old map) after the
    // reply came back play on the new one; a note in between (only on a stalled machine) may do
    // either and is not judged.
    const JackFrame old_until = sent_at - period, new_from = replied_at + 2 * period;
    std::vector<const Note*> after, ambiguous;
    for (const Note& n : notes) {
        const JackFrame f = old_frame(n);
        if (f < old_until) {
            if (recorder->recorded(f - 64, f + 1) && !found(f))
                out.failures.push_back("note " + std::to_string(n.id) +
                                       " before the tempo change: no onset at its frame " +
                                       std::to_string(f));
        } else {
            (f >= new_from ? after : ambiguous).push_back(&n);
        }
    }
    // The switch: the block boundary (from a period before the edit was sent to two after its reply)
    // whose prediction the most judged notes match.
    // Block boundaries: the recorded cycles' starts, and the period grid through the last one before
    // the edit (in case the switch's own cycle was lost to an xrun).
    std::set<JackFrame> candidates;
    JackFrame grid = -1;
    for (const RecordedCycle& c : recorder->cycles()) {
        if (c.frame_time < sent_at - 2 * period) grid = c.frame_time;
        if (c.frame_time >= sent_at - 2 * period && c.frame_time <= new_from) candidates.insert(c.frame_time);
    }
    if (grid >= 0)
        for (JackFrame F = grid; F <= new_from; F += period)
            if (F >= sent_at - 2 * period) candidates.insert(F);
    int best = -1;
    for (JackFrame F : candidates) {
        int judged = 0, matched = 0, lost = 0;
        for (const Note* n : after) {
            const JackFrame f = prediction(F, n->start);
            if (!recorder->recorded(f - 64, f + 1)) {
                ++lost;
                continue;
            }
            ++judged;
            if (found(f)) ++matched;
        }
        if (matched > best) {
            best = matched;
            out.switch_frame = F;
            out.judged = judged;
            out.matched = matched;
            out.lost = lost;
        }
    }
    if (out.switch_frame < 0) {
        out.failures.push_back("no recorded block boundary near the edit");
        return;
    }
    // Name the notes the best switch misses, and say where the new map anchored at the play frame
    // (the position kept in frames, not the beat) would have put them, when an onset is there.
    for (const Note* n : after) {
        const JackFrame f = prediction(out.switch_frame, n->start);
        if (!recorder->recorded(f - 64, f + 1) || found(f)) continue;
        const JackFrame kept_position = play + new_ref.frame_at(n->start, rate);
        std::ostringstream line;
        line << "note " << n->id << " (beat " << n->start
             << ") after the tempo change: expected at JACK frame " << f << " (switch at block "
             << out.switch_frame << ", " << (out.switch_frame - sent_at)
             << " frames after the edit was sent), no onset there";
        JackFrame nearest = -1;
        for (JackFrame o : scan.onsets)
            if (nearest < 0 || std::abs(o - f) < std::abs(nearest - f)) nearest = o;
        if (nearest >= 0) line << "; nearest onset " << nearest << " (" << (nearest - f) << " samples)";
        if (found(kept_position))
            line << "; there IS an onset at " << kept_position
                 << ", where the new map anchored at the play frame puts it: the beat was not kept";
        out.failures.push_back(line.str());
    }
    // Every onset from the edit on is one of the notes', where it is due.
    for (JackFrame f : scan.onsets) {
        if (f < old_until || f >= end) continue;
        const bool known =
            std::any_of(after.begin(), after.end(),
                        [&](const Note* n) { return prediction(out.switch_frame, n->start) == f; }) ||
            std::any_of(ambiguous.begin(), ambiguous.end(), [&](const Note* n) {
                return prediction(out.switch_frame, n->start) == f || old_frame(*n) == f;
            });
        if (!known)
            out.failures.push_back("unexpected onset at JACK frame " + std::to_string(f) +
                                   " after the tempo change");
    }
    out.ambiguous = int(ambiguous.size());
}

TEST_F(LiveEditJackTest, a_tempo_change_while_playing_keeps_the_beat_and_later_notes_follow_the_new_map) {
    const Document doc = half_beat_clicks();
    ASSERT_TRUE(load(save_temp(doc, "live-tempo")));
    JackRecorder* recorder = start_recorder(12.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());

    // A second connection polls /status across the change: (frame, beat, bpm) of block starts.
    OscTcpClient poller;
    std::string error;
    ASSERT_TRUE(poller.connect(tactusd_->port(), &error)) << error;
    std::vector<FullStatus> statuses;
    std::atomic<bool> polling{true};
    std::thread poll_thread([&] {
        while (polling.load()) {
            if (auto s = full_status(poller)) statuses.push_back(*s);
            std::this_thread::sleep_for(15ms);
        }
    });
    TempoSwitchCheck check;
    run_tempo_change(
        tcp_, recorder, *play, false, check, [this] { return jack_now(); },
        [this](const std::string& k, std::int64_t v) { report(k, v); });
    polling = false;
    poll_thread.join();
    if (HasFatalFailure()) return;
    for (const std::string& f : check.failures) ADD_FAILURE() << f;
    EXPECT_EQ(check.matched, check.judged)
        << "notes after the tempo change on their frames (switch at block " << check.switch_frame << ")";
    EXPECT_GE(check.judged, 12) << "too few notes after the change could be judged";
    report("switch_frame_after_play", check.switch_frame - *play);
    report("notes_after_switch_judged", check.judged);
    report("notes_after_switch_lost", check.lost);
    report("notes_near_switch_not_judged", check.ambiguous);

    // /status before and after agrees with the same switch: the beat is continuous (the old map up
    // to the switch, the new one from the beat heard there), and the tempo is the new map's.
    const ReferenceTiming new_ref({{0, 90, false}, {5, 90, true}, {9, 150, false}});
    const long double heard = (check.switch_frame - *play) * kBeatsPerFrame120;
    const auto anchor = static_cast<JackFrame>(std::floor(new_ref.seconds_at(heard) * kRate + 0.5L));
    int before = 0, after = 0;
    for (const FullStatus& s : statuses) {
        if (!s.playing) continue;
        long double want = 0;
        double want_bpm = 120;
        if (s.frame < check.switch_frame) {
            want = (s.frame - *play) * kBeatsPerFrame120;
            ++before;
        } else {
            want = beat_at_seconds(new_ref, (long double)(anchor + s.frame - check.switch_frame) / kRate);
            want_bpm = want < 5 ? 90 : want < 9 ? 90 + 60 * double(want - 5) / 4 : 150;
            ++after;
        }
        EXPECT_NEAR(s.beat, double(want), 1e-6)
            << "/status at JACK frame " << s.frame << " (switch at " << check.switch_frame << ")";
        EXPECT_NEAR(s.bpm, want_bpm, 1e-6) << "/status bpm at JACK frame " << s.frame;
    }
    EXPECT_GT(before, 3);
    EXPECT_GT(after, 3);
    report("status_samples_before_after", std::to_string(before) + " / " + std::to_string(after));
    expect_alive_then_clean_exit();
}

// The same change followed at once by a note edit (another batch, same TCP write, as a GUI sends a
// tempo change and a note drag in quick succession): the beat must still be kept.
TEST_F(LiveEditJackTest, a_tempo_change_followed_at_once_by_a_note_edit_still_keeps_the_beat) {
    const Document doc = half_beat_clicks();
    ASSERT_TRUE(load(save_temp(doc, "live-tempo2")));
    JackRecorder* recorder = start_recorder(12.0);
    ASSERT_NE(recorder, nullptr);
    std::this_thread::sleep_for(100ms);
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());
    TempoSwitchCheck check;
    run_tempo_change(
        tcp_, recorder, *play, true, check, [this] { return jack_now(); },
        [this](const std::string& k, std::int64_t v) { report(k, v); });
    if (HasFatalFailure()) return;
    for (const std::string& f : check.failures) ADD_FAILURE() << f;
    EXPECT_EQ(check.matched, check.judged)
        << "notes after the tempo change on their frames (best switch block " << check.switch_frame << ")";
    report("notes_after_switch_judged", check.judged);
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// 5. 10,000 random edits over TCP while playing

Document band_document() {
    Document doc;
    doc.title = "live random edits";
    doc.revision = 40;
    doc.tempo = tempo_map({{0, 120, false}});
    std::mt19937 rng(4242);
    std::uniform_int_distribution<int> pitch(40, 90), slot(0, 16 * 8 - 1), velocity(40, 120);
    const char* presets[] = {"pluck", "sine", "drums", "click"};
    NoteId id = 1;
    for (int t = 0; t < 4; ++t) {
        Track tr = track(TrackId(t + 1), presets[t], {}, -0.6 + 0.4 * t);
        tr.level = 0.5;
        for (int k = 0; k < 50; ++k)
            tr.notes.push_back(note(id++, slot(rng) / 8.0, 0.25 * (1 + k % 4), pitch(rng), velocity(rng)));
        doc.tracks.push_back(tr);
    }
    return doc;
}

TEST_F(LiveEditJackTest, ten_thousand_random_edits_over_tcp_are_answered_as_the_rules_predict) {
    const Document doc = band_document();
    ASSERT_TRUE(load(save_temp(doc, "live-random")));
    const auto loop = osc_.call("/loop", osc().i(1).d(0.0).d(16.0));
    ASSERT_TRUE(loop && !loop->is_error()) << (loop ? loop->to_string() : "no answer");
    const auto play = play_from(0.0);
    ASSERT_TRUE(play.has_value());
    const auto status_before = status();

    DocModel model = DocModel::from(doc);
    EditGenerator generator(20261124, 10'000, 100);
    constexpr std::int64_t kEdits = 10'000;
    constexpr std::size_t kInFlight = 8;  // packets sent ahead of their answers
    std::int64_t edits_sent = 0, packets = 0, bundles = 0, applied = 0, refused = 0, mismatches = 0;
    bool answer_missing = false;
    std::deque<std::pair<ExpectedAnswer, std::string>> owed;  // answer, and what was sent (for messages)
    std::size_t in_flight = 0;
    std::deque<std::size_t> answers_per_packet;
    const auto started = Clock::now();
    const auto take_answer = [&]() -> bool {
        auto got = tcp_.receive(3000ms);
        if (!got) {
            ADD_FAILURE() << "no answer within 3 s; " << owed.size() << " answers owed; " << engine_state();
            answer_missing = true;
            return false;
        }
        if (owed.empty()) {
            ADD_FAILURE() << "an answer nobody asked for: " << got->to_string();
            answer_missing = true;
            return false;
        }
        const auto [want, sent] = owed.front();
        owed.pop_front();
        if (const std::string why = mismatch(want, *got); !why.empty()) {
            if (mismatches++ < 10) ADD_FAILURE() << "after sending " << sent << ": " << why;
        }
        (want.error ? refused : applied) += want.ping ? 0 : 1;
        if (--answers_per_packet.front() == 0) {
            answers_per_packet.pop_front();
            --in_flight;
        }
        return true;
    };
    while (edits_sent < kEdits && mismatches < 10) {
        const std::vector<EditMessage> packet = generator.packet(model);
        const std::vector<ExpectedAnswer> answers = predict(packet, model);
        std::string sent;
        for (const EditMessage& m : packet) sent += (sent.empty() ? "" : ", ") + m.address;
        if (packet.size() > 1) sent = "[" + sent + "]", ++bundles;
        sent += " (packet " + std::to_string(packets) + ")";
        std::vector<OscBytes> elements;
        for (const EditMessage& m : packet) elements.push_back(m.bytes);
        ASSERT_TRUE(
            tcp_.send_packet(packet.size() == 1 ? elements.front() : osc_bundle_of(kImmediately, elements)));
        ++packets;
        edits_sent += generator.edits_in(packet);
        for (const ExpectedAnswer& a : answers) owed.emplace_back(a, sent);
        answers_per_packet.push_back(answers.size());
        ++in_flight;
        while (in_flight >= kInFlight)
            if (!take_answer()) break;
        if (answer_missing) break;
    }
    while (!owed.empty() && !answer_missing) take_answer();
    ASSERT_TRUE(engine_running()) << engine_state();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_EQ(mismatches, 0) << "answers that differ from the prediction (first 10 shown)";

    // The engine's document, over TCP, against the model.
    ASSERT_TRUE(tcp_.send("/document"));
    const auto fetched = tcp_.wait_message("/document", 10000ms);
    ASSERT_TRUE(fetched && fetched->types == "hs") << (fetched ? fetched->to_string() : "no /document reply");
    LoadResult parsed = parse_document(fetched->string(1), "/document");
    ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
    DocModel engine = DocModel::from(*parsed.document);
    EXPECT_EQ(fetched->integer(0), std::int64_t(model.revision));
    EXPECT_EQ(model.revision, doc.revision + std::uint64_t(applied)) << "one revision per applied batch";
    for (const std::string& d : differences(model, engine)) ADD_FAILURE() << d;

    const auto status_after = status();
    ASSERT_TRUE(status_after);
    EXPECT_TRUE(status_after->playing) << "the transport stopped during the edits";
    report("edits_sent", edits_sent);
    report("packets", packets);
    report("bundles", bundles);
    report("batches_applied", applied);
    report("batches_refused", refused);
    report("notes_at_end", std::int64_t(model.notes.size()));
    report("tracks_at_end", std::int64_t(model.tracks.size()));
    report("edit_seconds", std::to_string(seconds));
    if (status_before) report("tactusd_xruns_during_edits", status_after->xruns - status_before->xruns);
    expect_alive_then_clean_exit();
}

// ------------------------------------------------------------------------------------------------
// 6. Subscribers receive every batch another client applied

TEST_F(LiveEditJackTest, subscribers_receive_every_applied_batch_and_rebuild_the_document) {
    const Document doc = band_document();
    ASSERT_TRUE(load(save_temp(doc, "live-push")));
    ASSERT_TRUE(osc_.call("/loop", osc().i(1).d(0.0).d(16.0)));
    ASSERT_TRUE(play_from(0.0));

    // Subscriber U over UDP (the fixture's OscTestClient), subscriber T over TCP.
    const auto u_reply = osc_.call("/edits/subscribe");
    ASSERT_TRUE(u_reply);
    ASSERT_EQ(u_reply->to_string(), "/reply ,sh \"/edits/subscribe\" " + std::to_string(doc.revision));
    OscTcpClient t;
    std::string error;
    ASSERT_TRUE(t.connect(tactusd_->port(), &error)) << error;
    const auto t_reply = t.call("/edits/subscribe");
    ASSERT_TRUE(t_reply);
    ASSERT_EQ(t_reply->to_string(), "/reply ,sh \"/edits/subscribe\" " + std::to_string(doc.revision));

    DocModel model = DocModel::from(doc);
    DocModel u_mirror = model, t_mirror = model;
    std::uint64_t u_next = doc.revision + 1, t_next = doc.revision + 1;
    std::int64_t u_batches = 0, t_batches = 0, applied = 0;
    EditGenerator generator(777, 20'000, 200);

    // Applies one pushed batch (its /edited head and `count` messages) to a mirror.
    const auto apply_push = [](const OscIncoming& head, const std::vector<OscIncoming>& messages,
                               DocModel& mirror, std::uint64_t& next, const char* who) {
        ASSERT_EQ(head.address, "/edited") << who;
        ASSERT_EQ(head.types, "hi") << who;
        EXPECT_EQ(head.integer(0), std::int64_t(next)) << who << ": revisions must be consecutive";
        ASSERT_EQ(head.integer(1), std::int64_t(messages.size())) << who << ": " << head.to_string();
        next = std::uint64_t(head.integer(0)) + 1;
        std::vector<ModelEdit> edits;
        for (const OscIncoming& m : messages) {
            std::string problem;
            const auto part = edits_of_push(m, &problem);
            ASSERT_TRUE(problem.empty()) << who << ": " << problem;
            edits.insert(edits.end(), part.begin(), part.end());
        }
        ASSERT_EQ(mirror.apply_batch(edits), 0u) << who << ": a pushed batch does not apply to the mirror";
        mirror.revision = std::uint64_t(head.integer(0));
    };
    const auto drain_udp = [&](milliseconds wait) {
        while (auto m = osc_.receive(wait)) {
            ASSERT_EQ(m->address, "/edited") << "UDP subscriber received " << m->to_string();
            std::vector<OscIncoming> messages;
            for (std::int64_t i = 0; i < m->integer(1); ++i) {
                auto part = osc_.receive(1000ms);
                ASSERT_TRUE(part) << "a pushed batch ended early";
                messages.push_back(*part);
            }
            apply_push(*m, messages, u_mirror, u_next, "UDP subscriber");
            ++u_batches;
        }
    };
    const auto drain_tcp = [&](milliseconds wait) {
        while (auto packet = t.receive_packet(wait)) {
            ASSERT_TRUE(packet->is_bundle)
                << "TCP subscriber received a lone " << packet->messages.front().address;
            std::vector<OscIncoming> messages;
            for (std::size_t i = 1; i < packet->messages.size(); ++i)
                messages.push_back(to_incoming(packet->messages[i]));
            apply_push(to_incoming(packet->messages.front()), messages, t_mirror, t_next, "TCP subscriber");
            ++t_batches;
        }
    };

    for (int i = 0; i < 400; ++i) {
        const std::vector<EditMessage> packet = generator.packet(model);
        const std::vector<ExpectedAnswer> answers = predict(packet, model);
        std::vector<OscBytes> elements;
        for (const EditMessage& m : packet) elements.push_back(m.bytes);
        ASSERT_TRUE(
            tcp_.send_packet(packet.size() == 1 ? elements.front() : osc_bundle_of(kImmediately, elements)));
        for (const ExpectedAnswer& want : answers) {
            const auto got = tcp_.receive(3000ms);
            ASSERT_TRUE(got) << "no answer to packet " << i << "; " << engine_state();
            ASSERT_EQ(mismatch(want, *got), "");
            if (!want.ping && !want.error) ++applied;
        }
        if (i % 5 == 0) {
            // (OscTestClient::receive reads the socket only when at least a whole millisecond is left.)
            drain_udp(3ms);
            drain_tcp(0ms);
            if (HasFatalFailure()) return;
        }
    }
    drain_udp(300ms);
    drain_tcp(300ms);
    if (HasFatalFailure()) return;
    EXPECT_EQ(u_batches, applied) << "the UDP subscriber missed batches";
    EXPECT_EQ(t_batches, applied) << "the TCP subscriber missed batches";
    EXPECT_TRUE(tcp_.inbox().empty()) << "the editing client received something besides its answers";
    for (const std::string& d : differences(model, u_mirror)) ADD_FAILURE() << "UDP mirror: " << d;
    for (const std::string& d : differences(model, t_mirror)) ADD_FAILURE() << "TCP mirror: " << d;

    // The engine's own document agrees with both.
    ASSERT_TRUE(t.send("/document"));
    const auto fetched = t.wait_message("/document", 10000ms);
    ASSERT_TRUE(fetched && fetched->types == "hs");
    LoadResult parsed = parse_document(fetched->string(1), "/document");
    ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front().to_string();
    for (const std::string& d : differences(model, DocModel::from(*parsed.document)))
        ADD_FAILURE() << "engine: " << d;
    report("batches_applied_and_pushed", applied);
    expect_alive_then_clean_exit();
}

// /note/add with id 0: "lets the engine pick the next free id (the push and /edits/since show it)".
TEST_F(LiveEditJackTest, a_note_added_with_id_zero_gets_an_engine_picked_id_that_the_push_shows) {
    const Document doc = click_document(4);
    ASSERT_TRUE(load(save_temp(doc, "live-id0")));
    ASSERT_TRUE(osc_.call("/edits/subscribe"));
    const auto reply = tcp_edit("/note/add", osc().i(1).h(0).d(2.25).d(0.25).i(64).i(100));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->to_string(), "/reply ,shi \"/note/add\" 1 1");
    const auto head = osc_.receive(1000ms);
    ASSERT_TRUE(head) << "no push";
    EXPECT_EQ(head->to_string(), "/edited ,hi 1 1");
    const auto pushed = osc_.receive(1000ms);
    ASSERT_TRUE(pushed);
    EXPECT_EQ(pushed->address, "/note/add");
    if (pushed->args.size() == 6) {
        EXPECT_GT(pushed->integer(1), 4) << "an id of its own, not one in use";
    }
    expect_alive_then_clean_exit();
}

}  // namespace
}  // namespace tactus::test
