#include "core/document_editor.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <tuple>

#include "core/document_json.h"

namespace tactus {

namespace {

// Ids are written to JSON as numbers: above 2^53 a reader could not get them back exactly.
constexpr std::uint64_t kMaxId = std::uint64_t{1} << 53;
// A marker's name travels in edit messages, which cap strings at 4 KiB (server/osc_out.h).
constexpr std::size_t kMaxMarkerName = 1000;

const char* edit_name(const Edit& e) {
    static constexpr const char* kNames[] = {
        "note/add",         "note/move",      "note/resize",    "note/delete",  "note/pitch",
        "note/velocity",    "track/add",      "track/remove",   "track/rename", "track/move",
        "track/instrument", "tempo/set",      "meter/set",      "markers/set",  "track/controllers",
        "track/inserts",    "track/sends",    "bus/add",        "bus/remove",   "bus/rename",
        "bus/inserts",      "master/inserts", "automation/set", "time/shift"};
    static_assert(std::size(kNames) == std::variant_size_v<Edit>, "a name for every kind of edit");
    return kNames[e.index()];
}

std::string number(double x) {
    std::string s = std::to_string(x);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// As the document format requires (a saved document must load again): both named, the preset too
// where the instrument does not use it (csound).
std::string check_instrument_names(const std::string& instrument, const std::string& preset) {
    if (instrument.empty()) return "instrument must not be empty";
    if (preset.empty()) return "preset must not be empty (a csound track keeps any, e.g. \"sine\")";
    return {};
}

std::string check_range(const char* what, double v, double lo, double hi) {
    if (!std::isfinite(v) || v < lo || v > hi)
        return std::string(what) + " must be within " + number(lo) + ".." + number(hi) + " (got " +
               number(v) + ")";
    return {};
}

std::string check_note(const Note& n) {
    for (auto problem :
         {check_range("start", n.start, 0, kMaxDocumentBeat),
          check_range("length", n.length, 0, kMaxDocumentBeat), check_range("pitch", n.pitch, 0, 127),
          check_range("cents", n.cents, -100, 100), check_range("velocity", n.velocity, 1, 127)})
        if (!problem.empty()) return problem;
    return {};
}

std::string check_meter(const std::vector<TimeSignature>& meter) {
    if (meter.empty()) return "the meter needs at least one entry (the first at bar 0)";
    for (std::size_t i = 0; i < meter.size(); ++i) {
        const TimeSignature& m = meter[i];
        const std::string at = "meter entry " + std::to_string(i + 1) + ": ";
        if (i == 0 && m.bar != 0)
            return at + "the first entry must be at bar 0 (got " + std::to_string(m.bar) + ")";
        if (i > 0 && m.bar <= meter[i - 1].bar)
            return at + "bar " + std::to_string(m.bar) + " must be after the previous entry's bar " +
                   std::to_string(meter[i - 1].bar);
        if (m.bar < 0 || m.bar > kMaxDocumentBeat) return at + check_range("bar", m.bar, 0, kMaxDocumentBeat);
        if (m.numerator < 1 || m.numerator > 64) return at + check_range("numerator", m.numerator, 1, 64);
        if (m.denominator < 1 || m.denominator > 64 || (m.denominator & (m.denominator - 1)) != 0)
            return at + "denominator must be a power of two within 1..64 (got " +
                   std::to_string(m.denominator) + ")";
    }
    return {};
}

std::string check_controllers(const std::vector<ControllerEvent>& events) {
    for (std::size_t i = 0; i < events.size(); ++i) {
        const ControllerEvent& c = events[i];
        const std::string at = "controller event " + std::to_string(i + 1) + ": ";
        std::string problem = check_range("beat", c.beat, 0, kMaxDocumentBeat);
        if (problem.empty()) problem = check_range("number", c.number, 0, 127);  // as files have it
        if (problem.empty())
            problem = c.kind == ControllerKind::PitchBend ? check_range("pitch bend value", c.value, -1, 1)
                                                          : check_range("value", c.value, 0, 127);
        if (!problem.empty()) return at + problem;
    }
    return {};
}

std::string check_markers(const std::vector<Marker>& markers) {
    for (std::size_t i = 0; i < markers.size(); ++i) {
        const Marker& m = markers[i];
        const std::string at = "marker " + std::to_string(i + 1) + ": ";
        if (!(m.beat >= 0 && m.beat <= kMaxDocumentBeat))
            return at + check_range("beat", m.beat, 0, kMaxDocumentBeat);
        if (m.name.size() > kMaxMarkerName)
            return at + "name is " + std::to_string(m.name.size()) + " bytes; at most " +
                   std::to_string(kMaxMarkerName) + " are allowed";
    }
    return {};
}

std::string check_inserts(const std::vector<Insert>& inserts) {
    for (std::size_t i = 0; i < inserts.size(); ++i) {
        const Insert& insert = inserts[i];
        if (insert.plugin.empty())
            return "insert " + std::to_string(i + 1) + ": the plugin's URI must not be empty";
        for (const auto& [name, value] : insert.parameters)
            if (!std::isfinite(value))
                return "insert " + std::to_string(i + 1) + ": parameter '" + name +
                       "' must be a finite number";
    }
    return {};
}

// Edit messages do not carry plugin state (docs/protocol.md): an insert without one keeps the state
// of the first insert of the same plugin in the chain it replaces that has not given its own already.
void keep_states(const std::vector<Insert>& before, std::vector<Insert>& after) {
    std::vector<bool> used(before.size(), false);
    for (Insert& insert : after) {
        if (!insert.state.empty()) continue;
        for (std::size_t i = 0; i < before.size(); ++i)
            if (!used[i] && before[i].plugin == insert.plugin) {
                used[i] = true;
                insert.state = before[i].state;
                break;
            }
    }
}

std::string check_bus_mix(const Bus& b) {
    if (auto p = check_range("level", b.level, 0, 4); !p.empty()) return p;
    return check_range("pan", b.pan, -1, 1);
}

template <class T>
std::size_t vector_bytes(const std::vector<T>& v) {
    return v.capacity() * sizeof(T);
}

// Heap bytes of a string beyond its inline buffer (libstdc++ keeps up to 15 characters inline).
std::size_t string_bytes(const std::string& s) {
    return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

// A map node (three pointers, a colour, the key and the value) and its key's heap.
std::size_t parameters_bytes(const std::map<std::string, double>& parameters) {
    std::size_t bytes = 0;
    for (const auto& [name, value] : parameters)
        bytes += 4 * sizeof(void*) + sizeof(std::string) + sizeof(value) + string_bytes(name);
    return bytes;
}

std::size_t inserts_heap_bytes(const std::vector<Insert>& inserts) {
    std::size_t bytes = vector_bytes(inserts);
    for (const Insert& i : inserts)
        bytes += string_bytes(i.plugin) + string_bytes(i.state) + parameters_bytes(i.parameters);
    return bytes;
}

std::size_t bus_heap_bytes(const Bus& b) {
    return string_bytes(b.name) + inserts_heap_bytes(b.inserts);
}

std::size_t track_heap_bytes(const Track& t) {
    return string_bytes(t.name) + string_bytes(t.instrument) + string_bytes(t.preset) +
           string_bytes(t.orchestra) + string_bytes(t.csound_instrument) + string_bytes(t.soundfont) +
           string_bytes(t.plugin) + string_bytes(t.plugin_state) + inserts_heap_bytes(t.inserts) +
           vector_bytes(t.sends) + vector_bytes(t.notes) + vector_bytes(t.controllers) +
           parameters_bytes(t.parameters);
}

std::size_t edit_heap_bytes(const Edit& e) {
    if (const auto* add = std::get_if<edit::TrackAdd>(&e)) return track_heap_bytes(add->track);
    if (const auto* rename = std::get_if<edit::TrackRename>(&e)) return string_bytes(rename->name);
    if (const auto* instrument = std::get_if<edit::TrackInstrument>(&e))
        return string_bytes(instrument->instrument) + string_bytes(instrument->preset) +
               (instrument->csound ? string_bytes(instrument->csound->orchestra) +
                                         string_bytes(instrument->csound->csound_instrument) +
                                         parameters_bytes(instrument->csound->parameters)
                                   : 0) +
               (instrument->soundfont ? string_bytes(instrument->soundfont->soundfont) : 0) +
               (instrument->lv2
                    ? string_bytes(instrument->lv2->plugin) + string_bytes(instrument->lv2->state) +
                          parameters_bytes(instrument->lv2->parameters)
                    : 0);
    if (const auto* inserts = std::get_if<edit::TrackInserts>(&e))
        return inserts_heap_bytes(inserts->inserts);
    if (const auto* sends = std::get_if<edit::TrackSends>(&e)) return vector_bytes(sends->sends);
    if (const auto* add = std::get_if<edit::BusAdd>(&e)) return bus_heap_bytes(add->bus);
    if (const auto* rename = std::get_if<edit::BusRename>(&e)) return string_bytes(rename->name);
    if (const auto* inserts = std::get_if<edit::BusInserts>(&e)) return inserts_heap_bytes(inserts->inserts);
    if (const auto* inserts = std::get_if<edit::MasterInserts>(&e))
        return inserts_heap_bytes(inserts->inserts);
    if (const auto* controllers = std::get_if<edit::TrackControllers>(&e))
        return vector_bytes(controllers->events);
    if (const auto* tempo = std::get_if<edit::TempoReplace>(&e)) return vector_bytes(tempo->points);
    if (const auto* meter = std::get_if<edit::MeterReplace>(&e)) return vector_bytes(meter->meter);
    if (const auto* set = std::get_if<edit::AutomationSet>(&e))
        return string_bytes(set->target.control) + vector_bytes(set->points);
    if (const auto* markers = std::get_if<edit::MarkersReplace>(&e)) {
        std::size_t bytes = vector_bytes(markers->markers);
        for (const Marker& m : markers->markers) bytes += string_bytes(m.name);
        return bytes;
    }
    return 0;
}

bool lane_before(const AutomationLane& lane, const AutomationTarget& target) {
    return automation_target_less(lane.target, target);
}

void sort_points(std::vector<AutomationPoint>& points) {
    std::stable_sort(points.begin(), points.end(),
                     [](const AutomationPoint& a, const AutomationPoint& b) { return a.beat < b.beat; });
}

void sort_lanes(std::vector<AutomationLane>& lanes) {
    std::stable_sort(lanes.begin(), lanes.end(), [](const AutomationLane& a, const AutomationLane& b) {
        return automation_target_less(a.target, b.target);
    });
}

// What a deque of batches spends per element beyond the batch itself (its slot, and the size kept
// beside it), and a heap block's bookkeeping.
constexpr std::size_t kBatchOverhead = 2 * sizeof(void*) + sizeof(std::size_t);

}  // namespace

std::size_t estimated_bytes(const EditBatch& batch) {
    std::size_t bytes = sizeof(EditBatch) + kBatchOverhead + vector_bytes(batch.edits);
    for (const Edit& e : batch.edits) bytes += edit_heap_bytes(e);
    return bytes;
}

void DocumentEditor::reset(Document doc) {
    doc_ = std::move(doc);
    sort_lanes(doc_.automation);
    for (AutomationLane& lane : doc_.automation) sort_points(lane.points);
    notes_.clear();
    next_note_id_ = 1;
    for (const Track& t : doc_.tracks) {
        for (std::size_t i = 0; i < t.notes.size(); ++i) {
            notes_[t.notes[i].id] = {t.id, i};
            next_note_id_ = std::max(next_note_id_, t.notes[i].id + 1);
        }
    }
    tracks_.clear();
    reindex_tracks();
    log_.clear();
    log_sizes_.clear();
    log_bytes_ = 0;
    log_base_ = doc_.revision;
}

void DocumentEditor::reindex_tracks(std::size_t from) {
    for (std::size_t i = from; i < doc_.tracks.size(); ++i) tracks_[doc_.tracks[i].id] = i;
}

Track* DocumentEditor::track_by_id(TrackId id) {
    const auto it = tracks_.find(id);
    return it == tracks_.end() ? nullptr : &doc_.tracks[it->second];
}

std::optional<std::size_t> DocumentEditor::track_position(TrackId id) const {
    const auto it = tracks_.find(id);
    if (it == tracks_.end()) return std::nullopt;
    return it->second;
}

std::optional<PlacedNote> DocumentEditor::find_note(NoteId id) const {
    const auto it = notes_.find(id);
    if (it == notes_.end()) return std::nullopt;
    return PlacedNote{it->second.track, doc_.tracks[tracks_.at(it->second.track)].notes[it->second.index]};
}

// Records the note's state before the batch touched it (once per batch).
void DocumentEditor::touch(NoteId id) {
    if (before_.count(id)) return;
    before_[id] = find_note(id);
}

void DocumentEditor::push_note(TrackId track, const Note& note) {
    touch(note.id);
    auto& notes = track_by_id(track)->notes;
    notes.push_back(note);
    notes_[note.id] = {track, notes.size() - 1};
    undo_.push_back([this, track, id = note.id] {
        track_by_id(track)->notes.pop_back();
        notes_.erase(id);
    });
}

void DocumentEditor::erase_note(NoteId id) {
    touch(id);
    const Location at = notes_.at(id);
    auto& notes = track_by_id(at.track)->notes;
    const Note old = notes[at.index];
    const bool last = at.index + 1 == notes.size();
    if (!last) {
        notes[at.index] = notes.back();
        notes_[notes[at.index].id].index = at.index;
    }
    notes.pop_back();
    notes_.erase(id);
    undo_.push_back([this, at, old, last] {
        auto& v = track_by_id(at.track)->notes;
        if (last) {
            v.push_back(old);
        } else {
            v.push_back(v[at.index]);
            notes_[v.back().id].index = v.size() - 1;
            v[at.index] = old;
        }
        notes_[old.id] = at;
    });
}

void DocumentEditor::set_note(NoteId id, const Note& note) {
    touch(id);
    const Location at = notes_.at(id);
    Note& slot = track_by_id(at.track)->notes[at.index];
    const Note old = slot;
    slot = note;
    undo_.push_back([this, at, old] { track_by_id(at.track)->notes[at.index] = old; });
}

void DocumentEditor::insert_track(std::size_t position, Track track) {
    for (std::size_t i = 0; i < track.notes.size(); ++i) {
        touch(track.notes[i].id);
        notes_[track.notes[i].id] = {track.id, i};
    }
    doc_.tracks.insert(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(position), std::move(track));
    reindex_tracks(position);
    undo_.push_back([this, position] {
        Track t = std::move(doc_.tracks[position]);
        doc_.tracks.erase(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(position));
        for (const Note& n : t.notes) notes_.erase(n.id);
        tracks_.erase(t.id);
        reindex_tracks(position);
    });
}

Track DocumentEditor::take_track(std::size_t position) {
    Track t = std::move(doc_.tracks[position]);
    doc_.tracks.erase(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(position));
    for (const Note& n : t.notes) {
        if (!before_.count(n.id)) before_[n.id] = PlacedNote{t.id, n};
        notes_.erase(n.id);
    }
    tracks_.erase(t.id);
    reindex_tracks(position);
    undo_.push_back([this, position, copy = t] {
        for (std::size_t i = 0; i < copy.notes.size(); ++i) notes_[copy.notes[i].id] = {copy.id, i};
        doc_.tracks.insert(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(position), copy);
        reindex_tracks(position);
    });
    return t;
}

void DocumentEditor::set_lane(const AutomationTarget& target, std::vector<AutomationPoint> points) {
    auto& lanes = doc_.automation;
    const auto it = std::lower_bound(lanes.begin(), lanes.end(), target, lane_before);
    const auto at = it - lanes.begin();
    if (it == lanes.end() || it->target != target) {
        if (points.empty()) return;  // no lane, and none wanted
        lanes.insert(it, AutomationLane{target, std::move(points)});
        undo_.push_back([this, at] { doc_.automation.erase(doc_.automation.begin() + at); });
        return;
    }
    if (points.empty()) {
        undo_.push_back(
            [this, at, old = std::move(*it)] { doc_.automation.insert(doc_.automation.begin() + at, old); });
        lanes.erase(it);
        return;
    }
    undo_.push_back(
        [this, at, old = std::move(it->points)] { doc_.automation[std::size_t(at)].points = old; });
    it->points = std::move(points);
}

bool DocumentEditor::remove_lanes(const std::function<bool(const AutomationTarget&)>& which) {
    std::vector<std::pair<std::size_t, AutomationLane>> removed;  // with their positions, ascending
    std::vector<AutomationLane> kept;
    for (std::size_t i = 0; i < doc_.automation.size(); ++i) {
        AutomationLane& lane = doc_.automation[i];
        if (which(lane.target)) {
            removed.emplace_back(i, std::move(lane));
        } else {
            kept.push_back(std::move(lane));
        }
    }
    if (removed.empty()) return false;
    doc_.automation = std::move(kept);
    undo_.push_back([this, removed = std::move(removed)] {
        for (const auto& [at, lane] : removed)
            doc_.automation.insert(doc_.automation.begin() + static_cast<std::ptrdiff_t>(at), lane);
    });
    return true;
}

bool DocumentEditor::apply(std::vector<Edit> edits, EditEffect* effect, std::string* error,
                           const InstrumentCheck& check_instrument) {
    EditEffect local;
    effect_ = effect ? effect : &local;
    *effect_ = {};
    check_instrument_ = check_instrument ? &check_instrument : nullptr;
    undo_.clear();
    before_.clear();
    const NoteId next_id = next_note_id_;
    for (std::size_t i = 0; i < edits.size(); ++i) {
        const std::string problem = apply_one(edits[i]);
        if (problem.empty()) continue;
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
        before_.clear();
        next_note_id_ = next_id;
        *effect_ = {};
        if (error)
            *error = "edit " + std::to_string(i + 1) + " of " + std::to_string(edits.size()) + " (" +
                     edit_name(edits[i]) + "): " + problem;
        return false;
    }
    // Net note changes: the state before the batch against the state now.
    for (const auto& [id, before] : before_) {
        const std::optional<PlacedNote> after = find_note(id);
        if (before == after) continue;
        if (before) effect_->removed.push_back(*before);
        if (after) effect_->added.push_back(*after);
    }
    undo_.clear();
    before_.clear();
    ++doc_.revision;
    edits.shrink_to_fit();  // the log keeps them: no spare capacity
    log_.push_back({doc_.revision, std::move(edits)});
    log_sizes_.push_back(estimated_bytes(log_.back()));
    log_bytes_ += log_sizes_.back();
    trim_log();
    return true;
}

void DocumentEditor::set_log_byte_limit(std::size_t bytes) {
    log_byte_limit_ = bytes;
    trim_log();
}

// Drops the oldest batches while the log is over its bound, never the newest one.
void DocumentEditor::trim_log() {
    while (log_bytes_ > log_byte_limit_ && log_.size() > 1) {
        log_base_ = log_.front().revision;
        log_bytes_ -= log_sizes_.front();
        log_.pop_front();
        log_sizes_.pop_front();
    }
}

std::string DocumentEditor::apply_one(Edit& e) {
    const auto no_note = [](NoteId id) { return "no note with id " + std::to_string(id); };
    const auto no_track = [](TrackId id) { return "no track with id " + std::to_string(id); };
    const auto no_bus = [](BusId id) { return "no bus with id " + std::to_string(id); };

    if (auto* add = std::get_if<edit::NoteAdd>(&e)) {
        if (!track_by_id(add->track)) return no_track(add->track);
        if (add->note.id == 0) add->note.id = next_note_id_;
        if (add->note.id >= kMaxId)
            return "note id must be below 2^53 (got " + std::to_string(add->note.id) + ")";
        if (const auto existing = find_note(add->note.id))
            return "note id " + std::to_string(add->note.id) + " already exists (on track " +
                   std::to_string(existing->track) + ")";
        if (auto problem = check_note(add->note); !problem.empty()) return problem;
        push_note(add->track, add->note);
        next_note_id_ = std::max(next_note_id_, add->note.id + 1);
        return {};
    }
    if (auto* move = std::get_if<edit::NoteMove>(&e)) {
        auto placed = find_note(move->id);
        if (!placed) return no_note(move->id);
        const TrackId to = move->track == 0 ? placed->track : move->track;
        if (!track_by_id(to)) return no_track(to);
        Note n = placed->note;
        if (move->start) n.start = *move->start;
        if (auto problem = check_note(n); !problem.empty()) return problem;
        if (to == placed->track) {
            set_note(n.id, n);
        } else {
            erase_note(n.id);
            push_note(to, n);
        }
        return {};
    }
    if (auto* resize = std::get_if<edit::NoteResize>(&e)) {
        auto placed = find_note(resize->id);
        if (!placed) return no_note(resize->id);
        placed->note.length = resize->length;
        if (auto problem = check_note(placed->note); !problem.empty()) return problem;
        set_note(resize->id, placed->note);
        return {};
    }
    if (auto* del = std::get_if<edit::NoteDelete>(&e)) {
        if (!notes_.count(del->id)) return no_note(del->id);
        erase_note(del->id);
        return {};
    }
    if (auto* pitch = std::get_if<edit::NotePitch>(&e)) {
        auto placed = find_note(pitch->id);
        if (!placed) return no_note(pitch->id);
        placed->note.pitch = pitch->pitch;
        placed->note.cents = pitch->cents;
        if (auto problem = check_note(placed->note); !problem.empty()) return problem;
        set_note(pitch->id, placed->note);
        return {};
    }
    if (auto* velocity = std::get_if<edit::NoteVelocity>(&e)) {
        auto placed = find_note(velocity->id);
        if (!placed) return no_note(velocity->id);
        placed->note.velocity = velocity->velocity;
        if (auto problem = check_note(placed->note); !problem.empty()) return problem;
        set_note(velocity->id, placed->note);
        return {};
    }
    if (auto* add = std::get_if<edit::TrackAdd>(&e)) {
        if (add->track.id == 0 || add->track.id >= kMaxId)
            return "track id must be within 1..2^53 (got " + std::to_string(add->track.id) + ")";
        if (track_by_id(add->track.id))
            return "track id " + std::to_string(add->track.id) + " already exists";
        if (!add->track.notes.empty() || !add->track.controllers.empty())
            return "a new track starts empty: add its notes with note/add";
        if (auto p = check_instrument_names(add->track.instrument, add->track.preset); !p.empty()) return p;
        if (auto p = check_range("level", add->track.level, 0, 4); !p.empty()) return p;
        if (auto p = check_range("pan", add->track.pan, -1, 1); !p.empty()) return p;
        if (auto p = check_range("MIDI channel", add->track.midi_channel, 0, 16); !p.empty()) return p;
        if (auto p = check_sends(add->track.sends); !p.empty()) return p;
        if (auto p = check_inserts(add->track.inserts); !p.empty()) return p;
        if (check_instrument_)
            if (auto p = (*check_instrument_)(add->track); !p.empty()) return p;
        add->index = std::min(add->index, doc_.tracks.size());
        insert_track(add->index, add->track);
        effect_->tracks_changed = true;
        effect_->instruments_changed.push_back(add->track.id);
        effect_->routing_changed = effect_->routing_changed || !add->track.sends.empty();
        return {};
    }
    if (auto* remove = std::get_if<edit::TrackRemove>(&e)) {
        const auto at = track_position(remove->id);
        if (!at) return no_track(remove->id);
        effect_->routing_changed = effect_->routing_changed || !doc_.tracks[*at].sends.empty();
        take_track(*at);
        // Its lanes go with it (an undo of the batch brings them back).
        if (remove_lanes([id = remove->id](const AutomationTarget& t) {
                return t.owner == AutomationOwner::Track && t.id == id;
            }))
            effect_->automation_changed = true;
        effect_->tracks_changed = true;
        effect_->tracks_removed.push_back(remove->id);
        return {};
    }
    if (auto* rename = std::get_if<edit::TrackRename>(&e)) {
        Track* t = track_by_id(rename->id);
        if (!t) return no_track(rename->id);
        undo_.push_back([this, id = rename->id, old = t->name] { track_by_id(id)->name = old; });
        t->name = rename->name;
        return {};
    }
    if (auto* move = std::get_if<edit::TrackMove>(&e)) {
        const auto at = track_position(move->id);
        if (!at) return no_track(move->id);
        move->index = std::min(move->index, doc_.tracks.size() - 1);
        Track t = std::move(doc_.tracks[*at]);
        doc_.tracks.erase(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(*at));
        doc_.tracks.insert(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(move->index), std::move(t));
        reindex_tracks(std::min(*at, move->index));
        undo_.push_back([this, from = *at, to = move->index] {
            Track back = std::move(doc_.tracks[to]);
            doc_.tracks.erase(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(to));
            doc_.tracks.insert(doc_.tracks.begin() + static_cast<std::ptrdiff_t>(from), std::move(back));
            reindex_tracks(std::min(from, to));
        });
        effect_->tracks_changed = true;
        return {};
    }
    if (auto* instrument = std::get_if<edit::TrackInstrument>(&e)) {
        Track* t = track_by_id(instrument->id);
        if (!t) return no_track(instrument->id);
        if (auto p = check_instrument_names(instrument->instrument, instrument->preset); !p.empty()) return p;
        // As for inserts: the same plugin keeps its state when the edit carries none.
        if (instrument->lv2 && instrument->lv2->state.empty() && instrument->lv2->plugin == t->plugin)
            instrument->lv2->state = t->plugin_state;
        Track changed = *t;
        changed.notes.clear();
        changed.instrument = instrument->instrument;
        changed.preset = instrument->preset;
        if (instrument->csound) {
            changed.orchestra = instrument->csound->orchestra;
            changed.csound_instrument = instrument->csound->csound_instrument;
            changed.parameters = instrument->csound->parameters;
        }
        if (instrument->soundfont) set_soundfont(changed, *instrument->soundfont);
        if (instrument->lv2) {
            changed.plugin = instrument->lv2->plugin;
            changed.parameters = instrument->lv2->parameters;
            changed.plugin_state = instrument->lv2->state;
        }
        if (check_instrument_)
            if (auto p = (*check_instrument_)(changed); !p.empty()) return p;
        undo_.push_back([this, id = t->id, old_instrument = t->instrument, old_preset = t->preset,
                         old_csound = edit::CsoundChoice{t->orchestra, t->csound_instrument, t->parameters},
                         old_soundfont = soundfont_of(*t), old_plugin = t->plugin,
                         old_state = t->plugin_state] {
            Track* back = track_by_id(id);
            back->instrument = old_instrument;
            back->preset = old_preset;
            back->orchestra = old_csound.orchestra;
            back->csound_instrument = old_csound.csound_instrument;
            back->parameters = old_csound.parameters;
            set_soundfont(*back, old_soundfont);
            back->plugin = old_plugin;
            back->plugin_state = old_state;
        });
        t->instrument = instrument->instrument;
        t->preset = instrument->preset;
        if (instrument->csound) {
            t->orchestra = instrument->csound->orchestra;
            t->csound_instrument = instrument->csound->csound_instrument;
            t->parameters = instrument->csound->parameters;
        }
        if (instrument->soundfont) set_soundfont(*t, *instrument->soundfont);
        if (instrument->lv2) {
            t->plugin = instrument->lv2->plugin;
            t->parameters = instrument->lv2->parameters;
            t->plugin_state = instrument->lv2->state;
        }
        effect_->instruments_changed.push_back(t->id);
        return {};
    }
    if (auto* inserts = std::get_if<edit::TrackInserts>(&e)) {
        Track* t = track_by_id(inserts->id);
        if (!t) return no_track(inserts->id);
        if (auto p = check_inserts(inserts->inserts); !p.empty()) return p;
        keep_states(t->inserts, inserts->inserts);
        Track changed = *t;
        changed.notes.clear();
        changed.inserts = inserts->inserts;
        if (check_instrument_)
            if (auto p = (*check_instrument_)(changed); !p.empty()) return p;
        undo_.push_back([this, id = t->id, old = t->inserts] { track_by_id(id)->inserts = old; });
        t->inserts = inserts->inserts;
        effect_->instruments_changed.push_back(t->id);
        return {};
    }
    if (auto* sends = std::get_if<edit::TrackSends>(&e)) {
        Track* t = track_by_id(sends->id);
        if (!t) return no_track(sends->id);
        if (auto p = check_sends(sends->sends); !p.empty()) return p;
        undo_.push_back([this, id = t->id, old = t->sends] { track_by_id(id)->sends = old; });
        t->sends = sends->sends;
        effect_->routing_changed = true;
        return {};
    }
    if (auto* add = std::get_if<edit::BusAdd>(&e)) {
        if (add->bus.id == 0 || add->bus.id >= kMaxId)
            return "bus id must be within 1..2^53 (got " + std::to_string(add->bus.id) + ")";
        if (bus_by_id(add->bus.id)) return "bus id " + std::to_string(add->bus.id) + " already exists";
        if (auto p = check_bus_mix(add->bus); !p.empty()) return p;
        if (auto p = check_inserts(add->bus.inserts); !p.empty()) return p;
        add->index = std::min(add->index, doc_.buses.size());
        doc_.buses.insert(doc_.buses.begin() + static_cast<std::ptrdiff_t>(add->index), add->bus);
        undo_.push_back(
            [this, id = add->bus.id] { doc_.buses.erase(doc_.buses.begin() + *bus_position(id)); });
        effect_->buses_changed.push_back(add->bus.id);
        effect_->routing_changed = true;
        return {};
    }
    if (auto* remove = std::get_if<edit::BusRemove>(&e)) {
        const auto at = bus_position(remove->id);
        if (!at) return no_bus(remove->id);
        std::string senders;
        for (const Track& t : doc_.tracks)
            for (const Send& send : t.sends)
                if (send.bus == remove->id) senders += (senders.empty() ? "" : ", ") + std::to_string(t.id);
        if (!senders.empty())
            return "bus " + std::to_string(remove->id) + " still has sends from tracks " + senders +
                   ": remove them first (track/sends, in the same batch)";
        undo_.push_back([this, at = *at, old = doc_.buses[*at]] {
            doc_.buses.insert(doc_.buses.begin() + static_cast<std::ptrdiff_t>(at), old);
        });
        doc_.buses.erase(doc_.buses.begin() + static_cast<std::ptrdiff_t>(*at));
        // Its lanes go with it, and every track's lane of its send to it.
        if (remove_lanes([id = remove->id](const AutomationTarget& t) {
                if (t.owner == AutomationOwner::Bus) return t.id == id;
                const auto control = parse_automated_control(t.owner, t.control, nullptr);
                return control && control->control == AutomatedControl::SendLevel && control->bus == id;
            }))
            effect_->automation_changed = true;
        effect_->buses_removed.push_back(remove->id);
        effect_->routing_changed = true;
        return {};
    }
    if (auto* rename = std::get_if<edit::BusRename>(&e)) {
        Bus* b = bus_by_id(rename->id);
        if (!b) return no_bus(rename->id);
        undo_.push_back([this, id = rename->id, old = b->name] { bus_by_id(id)->name = old; });
        b->name = rename->name;
        return {};
    }
    if (auto* inserts = std::get_if<edit::BusInserts>(&e)) {
        Bus* b = bus_by_id(inserts->id);
        if (!b) return no_bus(inserts->id);
        if (auto p = check_inserts(inserts->inserts); !p.empty()) return p;
        keep_states(b->inserts, inserts->inserts);
        undo_.push_back([this, id = b->id, old = b->inserts] { bus_by_id(id)->inserts = old; });
        b->inserts = inserts->inserts;
        effect_->buses_changed.push_back(b->id);
        effect_->routing_changed = true;
        return {};
    }
    if (auto* inserts = std::get_if<edit::MasterInserts>(&e)) {
        if (auto p = check_inserts(inserts->inserts); !p.empty()) return p;
        keep_states(doc_.master_inserts, inserts->inserts);
        undo_.push_back([this, old = doc_.master_inserts] { doc_.master_inserts = old; });
        doc_.master_inserts = inserts->inserts;
        effect_->master_changed = true;
        effect_->routing_changed = true;
        return {};
    }
    if (auto* tempo = std::get_if<edit::TempoReplace>(&e)) {
        std::string problem;
        auto map = TempoMap::from_points(tempo->points, &problem);
        if (!map) return problem;
        undo_.push_back([this, old = doc_.tempo] { doc_.tempo = old; });
        doc_.tempo = *map;
        effect_->tempo_changed = true;
        return {};
    }
    if (auto* meter = std::get_if<edit::MeterReplace>(&e)) {
        if (auto problem = check_meter(meter->meter); !problem.empty()) return problem;
        undo_.push_back([this, old = doc_.meter] { doc_.meter = old; });
        doc_.meter = meter->meter;
        effect_->meter_changed = true;
        return {};
    }
    if (auto* markers = std::get_if<edit::MarkersReplace>(&e)) {
        if (auto problem = check_markers(markers->markers); !problem.empty()) return problem;
        undo_.push_back([this, old = doc_.markers] { doc_.markers = old; });
        doc_.markers = markers->markers;
        return {};
    }
    if (auto* controllers = std::get_if<edit::TrackControllers>(&e)) {
        Track* t = track_by_id(controllers->id);
        if (!t) return no_track(controllers->id);
        if (auto problem = check_controllers(controllers->events); !problem.empty()) return problem;
        // Sorted so that the document (and what is pushed and logged) has one form for one content.
        std::stable_sort(controllers->events.begin(), controllers->events.end(),
                         [](const ControllerEvent& a, const ControllerEvent& b) { return a.beat < b.beat; });
        undo_.push_back([this, id = t->id, old = t->controllers] { track_by_id(id)->controllers = old; });
        t->controllers = controllers->events;
        effect_->controllers_changed = true;
        return {};
    }
    if (auto* set = std::get_if<edit::AutomationSet>(&e)) {
        const AutomationTarget& target = set->target;
        const bool bus = target.owner == AutomationOwner::Bus;
        if (target.owner == AutomationOwner::Master) {
            if (target.id != 0) return "the master's id is 0 (got " + std::to_string(target.id) + ")";
        } else if (bus ? !bus_by_id(target.id) : !track_by_id(target.id)) {
            return bus ? no_bus(target.id) : no_track(target.id);
        }
        std::string problem;
        const auto control = parse_automated_control(target.owner, target.control, &problem);
        if (!control) return problem;
        // A send lane needs its bus (it goes with it), not the send: without one it stays silent.
        if (control->control == AutomatedControl::SendLevel && !bus_by_id(control->bus))
            return "no bus with id " + std::to_string(control->bus) + " (for \"" + target.control + "\")";
        problem = check_automation_points(control->control, set->points, kMaxDocumentBeat);
        if (!problem.empty()) return problem;
        // Sorted so that the document (and what is pushed and logged) has one form for one content.
        sort_points(set->points);
        set_lane(target, set->points);
        effect_->automation_changed = true;
        return {};
    }
    if (auto* shift = std::get_if<edit::TimeShift>(&e)) return shift_time(*shift);
    return "unsupported edit";
}

std::string DocumentEditor::shift_time(const edit::TimeShift& shift) {
    const double at = shift.at;
    const double by = shift.by;
    if (auto p = check_range("at", at, 0, kMaxDocumentBeat); !p.empty()) return p;
    if (auto p = check_range("by", by, -kMaxDocumentBeat, kMaxDocumentBeat); !p.empty()) return p;
    const double to = at + by;  // where what stood at `at` lands
    if (to < 0 || to > kMaxDocumentBeat)
        return "at + by must be within 0.." + number(kMaxDocumentBeat) + " (got " + number(to) + ")";
    if (shift.bar < 0 || shift.bar > kMaxDocumentBeat)
        return check_range("bar", shift.bar, 0, kMaxDocumentBeat);
    constexpr auto kMaxBar = static_cast<std::int64_t>(kMaxDocumentBeat);
    const std::int64_t to_bar = std::int64_t{shift.bar} + shift.bars;
    if (to_bar < 0 || to_bar > kMaxBar)
        return "bar + bars must be within 0.." + number(kMaxDocumentBeat) + " (got " +
               std::to_string(to_bar) + ")";
    const auto sign = [](double v) { return (v > 0) - (v < 0); };
    if (sign(by) != sign(shift.bars))
        return "by (" + number(by) + " beats) and bars (" + std::to_string(shift.bars) +
               ") must have the same sign, or both be 0";
    if (by == 0) return {};  // nothing moves

    const bool removing = by < 0;
    const auto moves = [at](double beat) { return beat >= at; };
    const auto bar_moves = [&shift](int bar) { return bar != 0 && bar >= shift.bar; };
    const std::string span = "the removed span " + number(to) + ".." + number(at) + ": delete it first";
    const auto inside = [&](double beat) { return removing && beat >= to && beat < at; };
    const auto beyond = [&](double beat) { return !removing && moves(beat) && beat + by > kMaxDocumentBeat; };
    const std::string past = ", beyond beat " + number(kMaxDocumentBeat);
    std::vector<TempoPoint> tempo = doc_.tempo.points();

    // Refused while the removed span holds something, or something would land outside the document.
    const Note* first_note = nullptr;
    for (const Track& t : doc_.tracks)
        for (const Note& n : t.notes) {
            if (beyond(n.start))
                return "note " + std::to_string(n.id) + " would start at beat " + number(n.start + by) + past;
            if (inside(n.start) &&
                (!first_note || std::tie(n.start, n.id) < std::tie(first_note->start, first_note->id)))
                first_note = &n;
        }
    if (first_note)
        return "note " + std::to_string(first_note->id) + " starts at beat " + number(first_note->start) +
               ", inside " + span;
    // The first thing in the removed span, or moved past the end: `what` names it.
    const auto check_beat = [&](double beat, const auto& what) -> std::string {
        if (inside(beat)) return what() + " is at beat " + number(beat) + ", inside " + span;
        if (beyond(beat)) return what() + " would be at beat " + number(beat + by) + past;
        return {};
    };
    for (const Track& t : doc_.tracks)
        for (std::size_t i = 0; i < t.controllers.size(); ++i)
            if (auto p = check_beat(t.controllers[i].beat,
                                    [&] {
                                        return "controller event " + std::to_string(i + 1) + " of track " +
                                               std::to_string(t.id);
                                    });
                !p.empty())
                return p;
    for (const AutomationLane& lane : doc_.automation)
        for (std::size_t i = 0; i < lane.points.size(); ++i)
            if (auto p = check_beat(lane.points[i].beat,
                                    [&] {
                                        return "automation point " + std::to_string(i + 1) + " of the " +
                                               automation_owner_name(lane.target.owner) + " " +
                                               std::to_string(lane.target.id) + " \"" + lane.target.control +
                                               "\" lane";
                                    });
                !p.empty())
                return p;
    for (std::size_t i = 0; i < doc_.markers.size(); ++i)
        if (auto p = check_beat(
                doc_.markers[i].beat,
                [&] { return "marker " + std::to_string(i + 1) + " (\"" + doc_.markers[i].name + "\")"; });
            !p.empty())
            return p;
    for (std::size_t i = 1; i < tempo.size(); ++i) {  // the first, at beat 0, stays
        const double beat = tempo[i].beat;
        const std::string what = "tempo point " + std::to_string(i + 1);
        if (auto p = check_beat(beat, [&] { return what; }); !p.empty()) return p;
        if (removing && to == 0 && beat == at)
            return what + " at beat " + number(beat) +
                   " would land on the first tempo point, at beat 0: delete it, or give the first point its "
                   "tempo, first";
    }
    for (std::size_t i = 1; i < doc_.meter.size(); ++i) {  // the first, at bar 0, stays
        const int bar = doc_.meter[i].bar;
        const std::string what = "meter entry " + std::to_string(i + 1);
        if (removing && bar >= to_bar && bar < shift.bar)
            return what + " is at bar " + std::to_string(bar) + ", inside the removed bars " +
                   std::to_string(to_bar) + ".." + std::to_string(shift.bar) + ": delete it first";
        if (!removing && bar_moves(bar) && bar + to_bar - shift.bar > kMaxBar)
            return what + " would be at bar " + std::to_string(bar + to_bar - shift.bar) + ", beyond bar " +
                   std::to_string(kMaxBar);
        if (removing && to_bar == 0 && bar == shift.bar)
            return what + " at bar " + std::to_string(bar) +
                   " would land on the first entry, at bar 0: delete it, or give the first entry its "
                   "meter, first";
    }

    // Notes: each one moved is reported as it was and as it is (before_), restored by start.
    for (Track& t : doc_.tracks) {
        std::vector<std::pair<std::size_t, double>> old;  // index, start
        for (std::size_t i = 0; i < t.notes.size(); ++i) {
            Note& n = t.notes[i];
            if (!moves(n.start)) continue;
            touch(n.id);
            old.emplace_back(i, n.start);
            n.start += by;
        }
        if (old.empty()) continue;
        old.shrink_to_fit();
        undo_.push_back([this, id = t.id, old = std::move(old)] {
            auto& notes = track_by_id(id)->notes;
            for (const auto& [i, start] : old) notes[i].start = start;
        });
    }
    // Controller events, automation points and markers: their order holds (what moves lands at or after
    // at + by, past what stays: the removed span is empty).
    for (Track& t : doc_.tracks) {
        if (std::none_of(t.controllers.begin(), t.controllers.end(),
                         [&](const ControllerEvent& c) { return moves(c.beat); }))
            continue;
        undo_.push_back([this, id = t.id, old = t.controllers] { track_by_id(id)->controllers = old; });
        for (ControllerEvent& c : t.controllers)
            if (moves(c.beat)) c.beat += by;
        effect_->controllers_changed = true;
    }
    for (std::size_t l = 0; l < doc_.automation.size(); ++l) {
        auto& points = doc_.automation[l].points;
        if (std::none_of(points.begin(), points.end(),
                         [&](const AutomationPoint& p) { return moves(p.beat); }))
            continue;
        undo_.push_back([this, l, old = points] { doc_.automation[l].points = old; });
        for (AutomationPoint& p : points)
            if (moves(p.beat)) p.beat += by;
        effect_->automation_changed = true;
    }
    if (std::any_of(doc_.markers.begin(), doc_.markers.end(),
                    [&](const Marker& m) { return moves(m.beat); })) {
        undo_.push_back([this, old = doc_.markers] { doc_.markers = old; });
        for (Marker& m : doc_.markers)
            if (moves(m.beat)) m.beat += by;
    }
    bool tempo_moved = false;
    for (std::size_t i = 1; i < tempo.size(); ++i)
        if (moves(tempo[i].beat)) {
            tempo[i].beat += by;
            tempo_moved = true;
        }
    if (tempo_moved) {
        std::string problem;
        auto map = TempoMap::from_points(std::move(tempo), &problem);
        if (!map) return problem;  // not reached: the checks above keep the points in order
        undo_.push_back([this, old = doc_.tempo] { doc_.tempo = old; });
        doc_.tempo = std::move(*map);
        effect_->tempo_changed = true;
    }
    if (std::any_of(doc_.meter.begin(), doc_.meter.end(),
                    [&](const TimeSignature& m) { return bar_moves(m.bar); })) {
        std::vector<TimeSignature> meter = doc_.meter;
        for (TimeSignature& m : meter)
            if (bar_moves(m.bar)) m.bar = static_cast<int>(m.bar + to_bar - shift.bar);
        if (auto problem = check_meter(meter); !problem.empty()) return problem;  // not reached, as above
        undo_.push_back([this, old = doc_.meter] { doc_.meter = old; });
        doc_.meter = std::move(meter);
        effect_->meter_changed = true;
    }
    return {};
}

bool DocumentEditor::set_parameter(TrackId id, const std::string& name, double value) {
    Track* t = track_by_id(id);
    if (!t) return false;
    t->parameters[name] = value;
    return true;
}

bool DocumentEditor::set_mix(TrackId id, const MixChange& change) {
    Track* t = track_by_id(id);
    if (!t) return false;
    if (change.level) t->level = *change.level;
    if (change.pan) t->pan = *change.pan;
    if (change.mute) t->mute = *change.mute;
    if (change.solo) t->solo = *change.solo;
    return true;
}

bool DocumentEditor::set_bus_mix(BusId id, const MixChange& change) {
    Bus* b = bus_by_id(id);
    if (!b) return false;
    if (change.level) b->level = *change.level;
    if (change.pan) b->pan = *change.pan;
    if (change.mute) b->mute = *change.mute;
    if (change.solo) b->solo = *change.solo;
    return true;
}

bool DocumentEditor::set_send_level(TrackId track, BusId bus, double level) {
    Track* t = track_by_id(track);
    if (!t) return false;
    for (Send& send : t->sends)
        if (send.bus == bus) {
            send.level = level;
            return true;
        }
    return false;
}

const std::vector<Insert>* DocumentEditor::inserts_of(InsertOwner owner, std::uint64_t id) const {
    if (owner == InsertOwner::Master) return &doc_.master_inserts;
    if (owner == InsertOwner::Bus) {
        const auto at = bus_position(id);
        return at ? &doc_.buses[*at].inserts : nullptr;
    }
    const auto at = track_position(id);
    return at ? &doc_.tracks[*at].inserts : nullptr;
}

bool DocumentEditor::set_insert_parameter(InsertOwner owner, std::uint64_t id, std::size_t insert,
                                          const std::string& symbol, double value) {
    auto* inserts = const_cast<std::vector<Insert>*>(inserts_of(owner, id));
    if (!inserts || insert >= inserts->size()) return false;
    (*inserts)[insert].parameters[symbol] = value;
    return true;
}

std::string DocumentEditor::check_sends(const std::vector<Send>& sends) const {
    for (std::size_t i = 0; i < sends.size(); ++i) {
        const Send& send = sends[i];
        const std::string which = "send " + std::to_string(i + 1) + ": ";
        if (!bus_position(send.bus)) return which + "no bus with id " + std::to_string(send.bus);
        if (auto p = check_range("level", send.level, 0, 4); !p.empty()) return which + p;
        for (std::size_t j = 0; j < i; ++j)
            if (sends[j].bus == send.bus)
                return which + "the track already sends to bus " + std::to_string(send.bus) + " (send " +
                       std::to_string(j + 1) + ")";
    }
    return {};
}

std::optional<std::size_t> DocumentEditor::bus_position(BusId id) const {
    for (std::size_t i = 0; i < doc_.buses.size(); ++i)
        if (doc_.buses[i].id == id) return i;
    return std::nullopt;
}

Bus* DocumentEditor::bus_by_id(BusId id) {
    const auto at = bus_position(id);
    return at ? &doc_.buses[*at] : nullptr;
}

std::optional<std::vector<const EditBatch*>> DocumentEditor::batches_since(std::uint64_t revision) const {
    if (revision < log_base_ || revision > doc_.revision) return std::nullopt;
    std::vector<const EditBatch*> out;
    for (const EditBatch& b : log_)
        if (b.revision > revision) out.push_back(&b);
    return out;
}

Document canonical_document(Document doc) {
    sort_lanes(doc.automation);
    for (Track& t : doc.tracks)
        std::sort(t.notes.begin(), t.notes.end(), [](const Note& a, const Note& b) {
            return std::tie(a.start, a.id) < std::tie(b.start, b.id);
        });
    return doc;
}

}  // namespace tactus
