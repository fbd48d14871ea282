#include "core/edit_inverse.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <unordered_map>

namespace tactus {

namespace {

int clamped_int(std::int64_t v) {
    return static_cast<int>(std::clamp<std::int64_t>(v, INT_MIN, INT_MAX));
}

// The document as the batch has left it so far, without copying every note: notes the batch touched
// are looked up here first, everything else in the editor.
class BatchView {
public:
    explicit BatchView(const DocumentEditor& editor) : editor_(editor), doc_(editor.document()) {
        for (const Track& t : doc_.tracks) {
            Track meta = t;
            meta.notes.clear();
            tracks_.push_back(std::move(meta));
        }
        tempo_ = doc_.tempo.points();
        meter_ = doc_.meter;
        markers_ = doc_.markers;
        buses_ = doc_.buses;
        master_inserts_ = doc_.master_inserts;
        automation_ = doc_.automation;
    }

    std::optional<PlacedNote> note(NoteId id) const {
        if (auto it = notes_.find(id); it != notes_.end()) return it->second;
        return editor_.find_note(id);
    }
    void set_note(NoteId id, std::optional<PlacedNote> n) { notes_[id] = std::move(n); }

    std::vector<Track>::iterator track(TrackId id) {
        return std::find_if(tracks_.begin(), tracks_.end(), [id](const Track& t) { return t.id == id; });
    }
    bool has_track(TrackId id) { return track(id) != tracks_.end(); }
    std::vector<Track>& tracks() { return tracks_; }

    // Every note on track `id` now.
    std::vector<Note> notes_on(TrackId id) const {
        std::vector<Note> out;
        for (const Track& t : doc_.tracks) {
            if (t.id != id) continue;
            for (const Note& n : t.notes)
                if (!notes_.count(n.id)) out.push_back(n);
        }
        for (const auto& [nid, placed] : notes_)
            if (placed && placed->track == id) out.push_back(placed->note);
        return out;
    }
    // Forgets the notes of a removed track.
    void drop_notes_of(TrackId id) {
        for (const Note& n : notes_on(id)) notes_[n.id] = std::nullopt;
    }

    std::vector<TempoPoint> tempo_;
    std::vector<TimeSignature> meter_;
    std::vector<Marker> markers_;
    std::vector<Bus> buses_;
    std::vector<Insert> master_inserts_;

    std::vector<Bus>::iterator bus(BusId id) {
        return std::find_if(buses_.begin(), buses_.end(), [id](const Bus& b) { return b.id == id; });
    }

    // The lanes, kept in the editor's order (by target), as the batch has left them so far.
    std::vector<AutomationLane> automation_;

    // The lane's points now (none: no lane).
    std::vector<AutomationPoint> lane_points(const AutomationTarget& target) const {
        for (const AutomationLane& lane : automation_)
            if (lane.target == target) return lane.points;
        return {};
    }
    // As the editor sets a lane: points sorted by beat (stable); none removes the lane.
    void set_lane(const AutomationTarget& target, std::vector<AutomationPoint> points) {
        std::stable_sort(points.begin(), points.end(),
                         [](const AutomationPoint& a, const AutomationPoint& b) { return a.beat < b.beat; });
        const auto it = std::lower_bound(automation_.begin(), automation_.end(), target,
                                         [](const AutomationLane& lane, const AutomationTarget& t) {
                                             return automation_target_less(lane.target, t);
                                         });
        const bool found = it != automation_.end() && it->target == target;
        if (points.empty()) {
            if (found) automation_.erase(it);
        } else if (found) {
            it->points = std::move(points);
        } else {
            automation_.insert(it, AutomationLane{target, std::move(points)});
        }
    }
    // Removes the lanes `which` picks and returns them, as edits that set them again.
    template <class Which>
    std::vector<Edit> take_lanes(Which which) {
        std::vector<Edit> restore;
        std::erase_if(automation_, [&](const AutomationLane& lane) {
            if (!which(lane.target)) return false;
            restore.push_back(edit::AutomationSet{lane.target, lane.points});
            return true;
        });
        return restore;
    }

    // As the editor applies a time/shift (one it accepts): what stands at or after the point moves.
    void shift_time(const edit::TimeShift& shift) {
        const auto moves = [&](double beat) { return beat >= shift.at; };
        for (auto& [id, placed] : notes_)
            if (placed && moves(placed->note.start)) placed->note.start += shift.by;
        for (const Track& t : doc_.tracks)
            for (const Note& n : t.notes)
                if (!notes_.count(n.id) && moves(n.start)) {
                    Note moved = n;
                    moved.start += shift.by;
                    notes_[n.id] = PlacedNote{t.id, moved};
                }
        for (Track& t : tracks_)
            for (ControllerEvent& c : t.controllers)
                if (moves(c.beat)) c.beat += shift.by;
        for (AutomationLane& lane : automation_)
            for (AutomationPoint& p : lane.points)
                if (moves(p.beat)) p.beat += shift.by;
        for (Marker& m : markers_)
            if (moves(m.beat)) m.beat += shift.by;
        for (std::size_t i = 1; i < tempo_.size(); ++i)  // the first, at beat 0, stays
            if (moves(tempo_[i].beat)) tempo_[i].beat += shift.by;
        for (TimeSignature& m : meter_)
            if (m.bar != 0 && m.bar >= shift.bar) m.bar = clamped_int(std::int64_t{m.bar} + shift.bars);
    }

private:
    const DocumentEditor& editor_;
    const Document& doc_;
    std::vector<Track> tracks_;
    std::unordered_map<NoteId, std::optional<PlacedNote>> notes_;
};

// A track as /track/add carries it (everything but its notes and controller events, which follow as
// their own edits): what comes back must be what the engine and every other client get too.
Track as_sent(const Track& t) {
    Track out = t;
    out.notes.clear();
    out.controllers.clear();
    return out;
}

std::string no_note(NoteId id) {
    return "no note with id " + std::to_string(id);
}
std::string no_track(TrackId id) {
    return "no track with id " + std::to_string(id);
}
std::string no_bus(BusId id) {
    return "no bus with id " + std::to_string(id);
}

}  // namespace

std::optional<std::vector<Edit>> inverse_edits(const DocumentEditor& before, const std::vector<Edit>& edits,
                                               std::string* error) {
    BatchView view(before);
    std::vector<std::vector<Edit>> undo;  // per edit, in order; reversed at the end
    auto fail = [&](std::size_t i, const std::string& why) -> std::optional<std::vector<Edit>> {
        if (error) *error = "edit " + std::to_string(i + 1) + ": " + why;
        return std::nullopt;
    };

    for (std::size_t i = 0; i < edits.size(); ++i) {
        const Edit& e = edits[i];
        std::vector<Edit> inverse;
        if (auto* add = std::get_if<edit::NoteAdd>(&e)) {
            if (add->note.id == 0) return fail(i, "a new note needs its id before it can be undone");
            if (!view.has_track(add->track)) return fail(i, no_track(add->track));
            inverse.push_back(edit::NoteDelete{add->note.id});
            view.set_note(add->note.id, PlacedNote{add->track, add->note});
        } else if (auto* move = std::get_if<edit::NoteMove>(&e)) {
            auto n = view.note(move->id);
            if (!n) return fail(i, no_note(move->id));
            edit::NoteMove back{move->id, std::nullopt, 0};
            if (move->start) back.start = n->note.start, n->note.start = *move->start;
            if (move->track && move->track != n->track) back.track = n->track, n->track = move->track;
            inverse.push_back(back);
            view.set_note(move->id, n);
        } else if (auto* resize = std::get_if<edit::NoteResize>(&e)) {
            auto n = view.note(resize->id);
            if (!n) return fail(i, no_note(resize->id));
            inverse.push_back(edit::NoteResize{resize->id, n->note.length});
            n->note.length = resize->length;
            view.set_note(resize->id, n);
        } else if (auto* del = std::get_if<edit::NoteDelete>(&e)) {
            auto n = view.note(del->id);
            if (!n) return fail(i, no_note(del->id));
            inverse.push_back(edit::NoteAdd{n->track, n->note});
            view.set_note(del->id, std::nullopt);
        } else if (auto* pitch = std::get_if<edit::NotePitch>(&e)) {
            auto n = view.note(pitch->id);
            if (!n) return fail(i, no_note(pitch->id));
            inverse.push_back(edit::NotePitch{pitch->id, n->note.pitch, n->note.cents});
            n->note.pitch = pitch->pitch;
            n->note.cents = pitch->cents;
            view.set_note(pitch->id, n);
        } else if (auto* velocity = std::get_if<edit::NoteVelocity>(&e)) {
            auto n = view.note(velocity->id);
            if (!n) return fail(i, no_note(velocity->id));
            inverse.push_back(edit::NoteVelocity{velocity->id, n->note.velocity});
            n->note.velocity = velocity->velocity;
            view.set_note(velocity->id, n);
        } else if (auto* tadd = std::get_if<edit::TrackAdd>(&e)) {
            inverse.push_back(edit::TrackRemove{tadd->track.id});
            auto& tracks = view.tracks();
            const std::size_t at = std::min(tadd->index, tracks.size());
            tracks.insert(tracks.begin() + static_cast<std::ptrdiff_t>(at), tadd->track);
        } else if (auto* remove = std::get_if<edit::TrackRemove>(&e)) {
            auto it = view.track(remove->id);
            if (it == view.tracks().end()) return fail(i, no_track(remove->id));
            const auto index = static_cast<std::size_t>(it - view.tracks().begin());
            inverse.push_back(edit::TrackAdd{as_sent(*it), index});
            if (!it->controllers.empty())
                inverse.push_back(edit::TrackControllers{remove->id, it->controllers});
            for (const Note& n : view.notes_on(remove->id)) inverse.push_back(edit::NoteAdd{remove->id, n});
            // Its lanes, which went with it (the editor puts them back in their places).
            for (Edit& lane : view.take_lanes([id = remove->id](const AutomationTarget& t) {
                     return t.owner == AutomationOwner::Track && t.id == id;
                 }))
                inverse.push_back(std::move(lane));
            view.drop_notes_of(remove->id);
            view.tracks().erase(it);
        } else if (auto* rename = std::get_if<edit::TrackRename>(&e)) {
            auto it = view.track(rename->id);
            if (it == view.tracks().end()) return fail(i, no_track(rename->id));
            inverse.push_back(edit::TrackRename{rename->id, it->name});
            it->name = rename->name;
        } else if (auto* tmove = std::get_if<edit::TrackMove>(&e)) {
            auto it = view.track(tmove->id);
            if (it == view.tracks().end()) return fail(i, no_track(tmove->id));
            auto& tracks = view.tracks();
            inverse.push_back(edit::TrackMove{tmove->id, static_cast<std::size_t>(it - tracks.begin())});
            Track moved = *it;
            tracks.erase(it);
            const std::size_t at = std::min(tmove->index, tracks.size());
            tracks.insert(tracks.begin() + static_cast<std::ptrdiff_t>(at), std::move(moved));
        } else if (auto* instrument = std::get_if<edit::TrackInstrument>(&e)) {
            auto it = view.track(instrument->id);
            if (it == view.tracks().end()) return fail(i, no_track(instrument->id));
            // The old orchestra always comes back with the old instrument (a 3-argument change kept it;
            // sending it again is harmless), so undo restores a Csound track whole.
            inverse.push_back(edit::TrackInstrument{
                instrument->id, it->instrument, it->preset,
                edit::CsoundChoice{it->orchestra, it->csound_instrument, it->parameters},
                it->instrument == "soundfont" ? std::optional(soundfont_of(*it)) : std::nullopt,
                it->instrument == "lv2"
                    ? std::optional(edit::PluginChoice{it->plugin, it->parameters, it->plugin_state})
                    : std::nullopt});
            it->instrument = instrument->instrument;
            it->preset = instrument->preset;
            if (instrument->csound) {
                it->orchestra = instrument->csound->orchestra;
                it->csound_instrument = instrument->csound->csound_instrument;
                it->parameters = instrument->csound->parameters;
            }
            if (instrument->soundfont) set_soundfont(*it, *instrument->soundfont);
            if (instrument->lv2) {
                it->plugin = instrument->lv2->plugin;
                it->parameters = instrument->lv2->parameters;
                it->plugin_state = instrument->lv2->state;
            }
        } else if (auto* inserts = std::get_if<edit::TrackInserts>(&e)) {
            auto it = view.track(inserts->id);
            if (it == view.tracks().end()) return fail(i, no_track(inserts->id));
            inverse.push_back(edit::TrackInserts{inserts->id, it->inserts});
            it->inserts = inserts->inserts;
        } else if (auto* sends = std::get_if<edit::TrackSends>(&e)) {
            auto it = view.track(sends->id);
            if (it == view.tracks().end()) return fail(i, no_track(sends->id));
            inverse.push_back(edit::TrackSends{sends->id, it->sends});
            it->sends = sends->sends;
        } else if (auto* badd = std::get_if<edit::BusAdd>(&e)) {
            inverse.push_back(edit::BusRemove{badd->bus.id});
            const std::size_t at = std::min(badd->index, view.buses_.size());
            view.buses_.insert(view.buses_.begin() + static_cast<std::ptrdiff_t>(at), badd->bus);
        } else if (auto* bremove = std::get_if<edit::BusRemove>(&e)) {
            auto it = view.bus(bremove->id);
            if (it == view.buses_.end()) return fail(i, no_bus(bremove->id));
            inverse.push_back(edit::BusAdd{*it, static_cast<std::size_t>(it - view.buses_.begin())});
            // Its lanes and the tracks' lanes of their sends to it, which went with it, after it is back.
            for (Edit& lane : view.take_lanes([id = bremove->id](const AutomationTarget& t) {
                     if (t.owner == AutomationOwner::Bus) return t.id == id;
                     const auto control = parse_automated_control(t.owner, t.control, nullptr);
                     return control && control->control == AutomatedControl::SendLevel && control->bus == id;
                 }))
                inverse.push_back(std::move(lane));
            view.buses_.erase(it);
        } else if (auto* brename = std::get_if<edit::BusRename>(&e)) {
            auto it = view.bus(brename->id);
            if (it == view.buses_.end()) return fail(i, no_bus(brename->id));
            inverse.push_back(edit::BusRename{brename->id, it->name});
            it->name = brename->name;
        } else if (auto* binserts = std::get_if<edit::BusInserts>(&e)) {
            auto it = view.bus(binserts->id);
            if (it == view.buses_.end()) return fail(i, no_bus(binserts->id));
            inverse.push_back(edit::BusInserts{binserts->id, it->inserts});
            it->inserts = binserts->inserts;
        } else if (auto* minserts = std::get_if<edit::MasterInserts>(&e)) {
            inverse.push_back(edit::MasterInserts{view.master_inserts_});
            view.master_inserts_ = minserts->inserts;
        } else if (auto* controllers = std::get_if<edit::TrackControllers>(&e)) {
            auto it = view.track(controllers->id);
            if (it == view.tracks().end()) return fail(i, no_track(controllers->id));
            inverse.push_back(edit::TrackControllers{controllers->id, it->controllers});
            it->controllers = controllers->events;
        } else if (auto* tempo = std::get_if<edit::TempoReplace>(&e)) {
            inverse.push_back(edit::TempoReplace{view.tempo_});
            view.tempo_ = tempo->points;
        } else if (auto* meter = std::get_if<edit::MeterReplace>(&e)) {
            inverse.push_back(edit::MeterReplace{view.meter_});
            view.meter_ = meter->meter;
        } else if (auto* markers = std::get_if<edit::MarkersReplace>(&e)) {
            inverse.push_back(edit::MarkersReplace{view.markers_});
            view.markers_ = markers->markers;
        } else if (auto* set = std::get_if<edit::AutomationSet>(&e)) {
            const AutomationTarget& target = set->target;
            if (target.owner == AutomationOwner::Bus && view.bus(target.id) == view.buses_.end())
                return fail(i, no_bus(target.id));
            if (target.owner == AutomationOwner::Track && !view.has_track(target.id))
                return fail(i, no_track(target.id));
            inverse.push_back(edit::AutomationSet{target, view.lane_points(target)});
            view.set_lane(target, set->points);
        } else if (auto* shift = std::get_if<edit::TimeShift>(&e)) {
            // Moves back what moved (exact for dyadic beats and shifts; see edit::TimeShift).
            // (Clamped: a shift the editor would refuse must not overflow here.)
            inverse.push_back(edit::TimeShift{shift->at + shift->by, -shift->by,
                                              clamped_int(std::int64_t{shift->bar} + shift->bars),
                                              clamped_int(-std::int64_t{shift->bars})});
            view.shift_time(*shift);
        }
        undo.push_back(std::move(inverse));
    }

    std::vector<Edit> out;
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) out.insert(out.end(), it->begin(), it->end());
    return out;
}

}  // namespace tactus
