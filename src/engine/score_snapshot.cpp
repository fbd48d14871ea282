#include "engine/score_snapshot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <unordered_map>

namespace tactus {

namespace {

// Chunk 0 starts before every frame a score can have, so every frame has a chunk.
constexpr Frame kFirstChunkStart = std::numeric_limits<Frame>::min() / 4;
// A fresh build fills chunks half full, leaving room for edits before they split.
constexpr std::size_t kBuildChunkEvents = ScoreSnapshot::kMaxChunkEvents / 2;
// Spare room in a chunk an edit copies (a few inserts without reallocating).
constexpr std::size_t kCloneSpare = 8;

std::int16_t clamp_pitch(int pitch) {
    return static_cast<std::int16_t>(std::clamp(pitch, 0, 127));
}
std::uint8_t clamp_velocity(int velocity) {
    return static_cast<std::uint8_t>(std::clamp(velocity, 1, 127));
}

bool event_before(const ScoreEvent& a, const ScoreEvent& b) {
    if (a.frame != b.frame) return a.frame < b.frame;  // (nearly always decides: the sort's hot path)
    return std::tie(a.kind, a.track, a.key, a.controller) < std::tie(b.kind, b.track, b.key, b.controller);
}

// Sorts `events` made of the runs [runs[i], runs[i + 1]): each run sorted (most already are), then
// adjacent runs merged pairwise until one is left. Linear in events for sorted runs, where a full
// sort of a million notes' events costs several times more.
void sort_runs(std::vector<ScoreEvent>& events, std::vector<std::size_t> runs) {
    const auto at = [&](std::vector<ScoreEvent>& v, std::size_t i) {
        return v.begin() + static_cast<std::ptrdiff_t>(i);
    };
    runs.erase(std::unique(runs.begin(), runs.end()), runs.end());  // no empty runs
    for (std::size_t r = 0; r + 1 < runs.size(); ++r)
        if (!std::is_sorted(at(events, runs[r]), at(events, runs[r + 1]), event_before))
            std::sort(at(events, runs[r]), at(events, runs[r + 1]), event_before);
    if (runs.size() <= 2) return;
    std::vector<ScoreEvent> merged(events.size());
    while (runs.size() > 2) {
        std::vector<std::size_t> next{0};
        for (std::size_t r = 0; r + 1 < runs.size(); r += 2) {
            const std::size_t end = r + 2 < runs.size() ? runs[r + 2] : runs[r + 1];
            std::merge(at(events, runs[r]), at(events, runs[r + 1]), at(events, runs[r + 1]), at(events, end),
                       at(merged, runs[r]), event_before);
            next.push_back(end);
        }
        events.swap(merged);
        runs = std::move(next);
    }
}

bool sounding_before(const SnapshotNote& a, const SnapshotNote& b) {
    return std::tie(a.on, a.track, a.key) < std::tie(b.on, b.track, b.key);
}

ScoreEvent note_on_event(const SnapshotNote& n) {
    return {n.on, n.off, n.track, ScoreEventKind::NoteOn, n.velocity, n.pitch, n.cents, n.key, 0};
}

ScoreEvent note_off_event(const SnapshotNote& n) {
    ScoreEvent off = note_on_event(n);
    off.frame = n.off;
    // A very short note can round to zero frames: it is then a shortest trigger too.
    off.kind = n.off == n.on ? ScoreEventKind::ZeroLengthNoteOff : ScoreEventKind::NoteOff;
    return off;
}

// Where, in a chunk's sorted events, a cut leaves equal frames together: the first index at or
// after `wanted` whose frame differs from the one before (or before it, or 0 if every frame is equal).
std::size_t frame_boundary_near(const std::vector<ScoreEvent>& events, std::size_t wanted) {
    for (std::size_t m = wanted; m < events.size(); ++m)
        if (events[m - 1].frame < events[m].frame) return m;
    for (std::size_t m = wanted; m > 0; --m)
        if (events[m - 1].frame < events[m].frame) return m;
    return 0;
}

// Splits `chunk` into pieces of at most `target` events where frames allow; the first piece is
// `chunk` itself, shortened.
std::vector<std::shared_ptr<EventChunk>> split_chunk(std::shared_ptr<EventChunk> chunk, std::size_t target) {
    std::vector<std::shared_ptr<EventChunk>> pieces{chunk};
    for (;;) {
        EventChunk& last = *pieces.back();
        if (last.events.size() <= target) break;
        const std::size_t cut = frame_boundary_near(last.events, target);
        if (cut == 0) break;  // every event on one frame: cannot split
        auto next = std::make_shared<EventChunk>();
        next->start = last.events[cut].frame;
        next->events.assign(last.events.begin() + static_cast<std::ptrdiff_t>(cut), last.events.end());
        for (const SnapshotNote& n : last.sounding)
            if (n.off > next->start) next->sounding.push_back(n);
        for (std::size_t i = 0; i < cut; ++i) {
            const ScoreEvent& e = last.events[i];
            if (e.kind == ScoreEventKind::NoteOn && e.off > next->start) next->sounding.push_back(note_of(e));
        }
        std::sort(next->sounding.begin(), next->sounding.end(), sounding_before);
        last.events.resize(cut);
        last.events.shrink_to_fit();
        pieces.push_back(std::move(next));
    }
    return pieces;
}

}  // namespace

// Applies note changes to a copy of a snapshot, cloning each touched chunk once.
class SnapshotEditor {
public:
    explicit SnapshotEditor(const ScoreSnapshot& base) : snap_(std::make_shared<ScoreSnapshot>(base)) {}

    void remove(const SnapshotNote& n) {
        erase_event(note_on_event(n));
        erase_event(note_off_event(n));
        for_each_chunk_crossed(n, [&](EventChunk& c) {
            auto it = std::lower_bound(c.sounding.begin(), c.sounding.end(), n, sounding_before);
            if (it != c.sounding.end() && it->key == n.key && it->track == n.track) c.sounding.erase(it);
        });
    }

    void add(const SnapshotNote& n) {
        insert_event(note_on_event(n));
        insert_event(note_off_event(n));
        for_each_chunk_crossed(n, [&](EventChunk& c) {
            c.sounding.insert(std::lower_bound(c.sounding.begin(), c.sounding.end(), n, sounding_before), n);
        });
    }

    std::shared_ptr<const ScoreSnapshot> finish() {
        // Split oversized chunks, highest index first so lower indices stay valid.
        std::vector<std::size_t> touched;
        for (const auto& [index, chunk] : cloned_)
            if (chunk->events.size() > ScoreSnapshot::kMaxChunkEvents) touched.push_back(index);
        std::sort(touched.rbegin(), touched.rend());
        for (std::size_t index : touched) {
            auto pieces = split_chunk(cloned_[index], kBuildChunkEvents);
            for (std::size_t p = 1; p < pieces.size(); ++p) {
                snap_->chunks_.insert(snap_->chunks_.begin() + static_cast<std::ptrdiff_t>(index + p),
                                      pieces[p]);
                snap_->chunk_starts_.insert(
                    snap_->chunk_starts_.begin() + static_cast<std::ptrdiff_t>(index + p), pieces[p]->start);
            }
        }
        snap_->update_end_frame();
        return snap_;
    }

private:
    EventChunk& mutable_chunk(std::size_t index) {
        auto [it, fresh] = cloned_.try_emplace(index);
        if (fresh) {
            // Copied with a little room, so the edit's own inserts do not copy the chunk again.
            const EventChunk& original = *snap_->chunks_[index];
            auto copy = std::make_shared<EventChunk>();
            copy->start = original.start;
            copy->events.reserve(original.events.size() + kCloneSpare);
            copy->events.assign(original.events.begin(), original.events.end());
            copy->sounding.reserve(original.sounding.size() + kCloneSpare);
            copy->sounding.assign(original.sounding.begin(), original.sounding.end());
            it->second = std::move(copy);
            snap_->chunks_[index] = it->second;
        }
        return *it->second;
    }

    void erase_event(const ScoreEvent& e) {
        EventChunk& c = mutable_chunk(snap_->chunk_index_at(e.frame));
        auto it = std::lower_bound(c.events.begin(), c.events.end(), e, event_before);
        if (it != c.events.end() && it->frame == e.frame && it->kind == e.kind && it->key == e.key &&
            it->track == e.track)
            c.events.erase(it);
    }

    void insert_event(const ScoreEvent& e) {
        EventChunk& c = mutable_chunk(snap_->chunk_index_at(e.frame));
        c.events.insert(std::lower_bound(c.events.begin(), c.events.end(), e, event_before), e);
    }

    // Every chunk whose start lies strictly inside the note: those that list it as sounding.
    template <class Fn>
    void for_each_chunk_crossed(const SnapshotNote& n, Fn&& fn) {
        const auto& starts = snap_->chunk_starts_;
        auto first = std::upper_bound(starts.begin(), starts.end(), n.on);
        for (auto it = first; it != starts.end() && *it < n.off; ++it)
            fn(mutable_chunk(static_cast<std::size_t>(it - starts.begin())));
    }

    std::shared_ptr<ScoreSnapshot> snap_;
    std::unordered_map<std::size_t, std::shared_ptr<EventChunk>> cloned_;
};

SnapshotNote ScoreSnapshot::compile(const Note& note, std::uint32_t slot) const {
    SnapshotNote n;
    n.on = score_frame_at_beat(note.start);
    n.off = note.length > 0.0 ? score_frame_at_beat(note.end()) : n.on;
    n.track = slot;
    n.velocity = clamp_velocity(note.velocity);
    n.pitch = clamp_pitch(note.pitch);
    n.cents = static_cast<float>(note.cents);
    n.key = note.id;
    return n;
}

namespace {

// The document's lanes with their controls in mixer slots and points on score frames. A lane whose
// track, bus or send's bus is not in the document plays nothing (the editor removes such lanes; a send
// lane may outlive its send, and then the mixer finds no send to move).
CompiledAutomation compile_automation(const ScoreSnapshot& snap, const Document& doc,
                                      std::span<const std::uint32_t> track_slots,
                                      std::span<const std::uint32_t> bus_slots) {
    const auto slot_of = [](const auto& items, std::uint64_t id, std::span<const std::uint32_t> slots,
                            std::uint32_t* slot) {
        for (std::uint32_t i = 0; i < items.size(); ++i)
            if (items[i].id == id) {
                *slot = i < slots.size() ? slots[i] : i;
                return true;
            }
        return false;
    };
    std::vector<CompiledAutomationLane> lanes;
    for (const AutomationLane& lane : doc.automation) {
        const auto parsed = parse_automated_control(lane.target.owner, lane.target.control, nullptr);
        if (!parsed || lane.points.empty()) continue;
        CompiledAutomationLane compiled;
        compiled.control.control = parsed->control;
        compiled.control.bus = lane.target.owner == AutomationOwner::Bus;
        const bool found =
            lane.target.owner == AutomationOwner::Master ||
            (compiled.control.bus ? slot_of(doc.buses, lane.target.id, bus_slots, &compiled.control.slot)
                                  : slot_of(doc.tracks, lane.target.id, track_slots, &compiled.control.slot));
        if (!found) continue;
        if (parsed->control == AutomatedControl::SendLevel &&
            !slot_of(doc.buses, parsed->bus, bus_slots, &compiled.control.send_bus))
            continue;
        for (const AutomationPoint& p : lane.points)
            compiled.points.push_back({snap.score_frame_at_beat(p.beat), p.value, p.shape});
        std::stable_sort(compiled.points.begin(), compiled.points.end(),
                         [](const auto& a, const auto& b) { return a.frame < b.frame; });
        lanes.push_back(std::move(compiled));
    }
    return CompiledAutomation(std::move(lanes));
}

}  // namespace

std::shared_ptr<const ScoreSnapshot> ScoreSnapshot::build(const Document& doc, double sample_rate,
                                                          std::span<const std::uint32_t> track_slots,
                                                          std::span<const std::uint32_t> bus_slots) {
    auto snap = std::make_shared<ScoreSnapshot>();
    snap->sample_rate_ = sample_rate;
    snap->tempo_ = doc.tempo;

    snap->meter_ = MeterMap(doc.meter);

    std::vector<ScoreEvent> events;
    events.reserve(2 * doc.note_count());
    std::vector<std::size_t> runs{0};  // events[runs[i], runs[i + 1]) is one track's ons, offs or controllers
    auto controllers = std::make_shared<std::vector<ControllerEvent>>();
    auto chase = std::make_shared<ControllerChase>();
    std::vector<Frame> controller_frames;
    for (std::uint32_t t = 0; t < doc.tracks.size(); ++t) {
        const Track& track = doc.tracks[t];
        const std::uint32_t slot = t < track_slots.size() ? track_slots[t] : t;
        // A track's note-ons, then its note-offs, then its controllers: each run is in order already
        // where notes are in order (as editors and the MIDI import write them), sorted otherwise.
        const std::size_t ons = events.size();
        for (const Note& note : track.notes) events.push_back(note_on_event(snap->compile(note, slot)));
        const std::size_t offs = events.size();
        for (std::size_t i = ons; i < offs; ++i) events.push_back(note_off_event(note_of(events[i])));
        runs.push_back(ons);
        runs.push_back(offs);
        runs.push_back(events.size());
        controller_frames.clear();
        for (const ControllerEvent& c : track.controllers) {
            ScoreEvent e;
            e.frame = snap->score_frame_at_beat(c.beat);
            controller_frames.push_back(e.frame);
            e.track = slot;
            e.kind = ScoreEventKind::Controller;
            e.controller = static_cast<std::uint32_t>(controllers->size());
            controllers->push_back(c);
            events.push_back(e);
        }
        chase->add_track(slot, track.program, track.controllers, controller_frames);
    }
    runs.push_back(events.size());  // the automation's events: a run of their own
    auto automation =
        std::make_shared<const CompiledAutomation>(compile_automation(*snap, doc, track_slots, bus_slots));
    for (std::size_t l = 0; l < automation->lanes().size(); ++l) {
        const CompiledAutomationLane& lane = automation->lanes()[l];
        for (std::size_t i = 0; i < lane.points.size(); ++i) {
            ScoreEvent e;
            e.frame = lane.points[i].frame;
            e.kind = ScoreEventKind::Automation;
            e.track = lane.control.slot;
            e.controller = static_cast<std::uint32_t>(l);
            e.key = i;
            events.push_back(e);
        }
    }
    snap->automation_ = std::move(automation);
    runs.push_back(events.size());
    snap->controllers_ = std::move(controllers);
    snap->chase_ = std::move(chase);
    sort_runs(events, runs);

    // Cut the events into chunks of about kBuildChunkEvents, never between two on one frame; each
    // chunk's vector is allocated once, at its size.
    std::vector<std::shared_ptr<EventChunk>> chunks;
    std::size_t from = 0;
    Frame start = kFirstChunkStart;
    for (std::size_t i = 0; i <= events.size(); ++i) {
        const bool cut =
            i == events.size() || (i - from >= kBuildChunkEvents && events[i - 1].frame < events[i].frame);
        if (!cut) continue;
        auto chunk = std::make_shared<EventChunk>();
        chunk->start = start;
        chunk->events.assign(events.begin() + static_cast<std::ptrdiff_t>(from),
                             events.begin() + static_cast<std::ptrdiff_t>(i));
        chunks.push_back(std::move(chunk));
        snap->chunk_starts_.push_back(start);
        if (i < events.size()) start = events[i].frame;
        from = i;
    }
    // Each note is listed as sounding in every chunk whose start it crosses. Note-ons in event order
    // are in sounding order (frame, then track and key), so the lists come out sorted.
    for (const ScoreEvent& e : events) {
        if (e.kind != ScoreEventKind::NoteOn) continue;
        auto first = std::upper_bound(snap->chunk_starts_.begin(), snap->chunk_starts_.end(), e.frame);
        for (auto it = first; it != snap->chunk_starts_.end() && *it < e.off; ++it)
            chunks[static_cast<std::size_t>(it - snap->chunk_starts_.begin())]->sounding.push_back(
                note_of(e));
    }
    snap->chunks_.assign(chunks.begin(), chunks.end());
    snap->update_end_frame();
    return snap;
}

std::shared_ptr<const ScoreSnapshot> ScoreSnapshot::with_notes_changed(
    std::span<const SnapshotNote> removed, std::span<const SnapshotNote> added) const {
    SnapshotEditor editor(*this);
    for (const SnapshotNote& n : removed) editor.remove(n);
    for (const SnapshotNote& n : added) editor.add(n);
    return editor.finish();
}

void ScoreSnapshot::update_end_frame() {
    end_frame_ = 0;
    for (auto c = chunks_.rbegin(); c != chunks_.rend(); ++c) {
        for (auto e = (*c)->events.rbegin(); e != (*c)->events.rend(); ++e) {
            if (e->kind == ScoreEventKind::NoteOff || e->kind == ScoreEventKind::ZeroLengthNoteOff) {
                end_frame_ = std::max<Frame>(e->frame, 0);
                return;
            }
        }
    }
}

EventCursor ScoreSnapshot::first_event_at_or_after(Frame frame) const {
    EventCursor cursor;
    cursor.chunk = chunk_index_at(frame);
    const auto& events = chunks_[cursor.chunk]->events;
    cursor.index =
        static_cast<std::size_t>(std::lower_bound(events.begin(), events.end(), frame,
                                                  [](const ScoreEvent& e, Frame f) { return e.frame < f; }) -
                                 events.begin());
    return cursor;
}

BarPosition ScoreSnapshot::bar_at_beat(double beat) const {
    return meter_.bar_at_beat(beat);
}

}  // namespace tactus
