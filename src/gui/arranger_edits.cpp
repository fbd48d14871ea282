#include "gui/arranger_edits.h"

#include <algorithm>

#include "core/meter_map.h"

namespace tactus::gui {

namespace {

bool inSpan(double beat, double begin, double end) {
    return beat >= begin && beat < end;
}

const Track* trackById(const Document& doc, TrackId id) {
    for (const Track& t : doc.tracks)
        if (t.id == id) return &t;
    return nullptr;
}

bool ownedBy(const AutomationLane& lane, TrackId track) {
    return lane.target.owner == AutomationOwner::Track && lane.target.id == track;
}

void sortByBeat(std::vector<ControllerEvent>& events) {
    std::stable_sort(events.begin(), events.end(),
                     [](const ControllerEvent& a, const ControllerEvent& b) { return a.beat < b.beat; });
}
void sortByBeat(std::vector<AutomationPoint>& points) {
    std::stable_sort(points.begin(), points.end(),
                     [](const AutomationPoint& a, const AutomationPoint& b) { return a.beat < b.beat; });
}

// `events` without those in [begin, end), with `added` put in (an edit only when that changes them).
template <class Item, class Make>
void replaceSpan(const std::vector<Item>& items, double begin, double end, std::vector<Item> added,
                 std::vector<Edit>& out, Make&& make) {
    std::vector<Item> kept;
    for (const Item& i : items)
        if (!inSpan(i.beat, begin, end)) kept.push_back(i);
    kept.insert(kept.end(), added.begin(), added.end());
    sortByBeat(kept);
    if (kept != items) out.push_back(make(std::move(kept)));
}

// Every lane a track owns.
template <class Fn>
void forLanes(const Document& doc, TrackId track, Fn&& fn) {
    for (const AutomationLane& lane : doc.automation)
        if (ownedBy(lane, track)) fn(lane);
}

}  // namespace

std::vector<Edit> deleteRangeEdits(const Document& doc, const ArrangerRange& range) {
    std::vector<Edit> out;
    if (range.empty()) return out;
    for (const TrackId id : range.tracks) {
        const Track* t = trackById(doc, id);
        if (!t) continue;
        for (const Note& n : t->notes)
            if (inSpan(n.start, range.begin, range.end)) out.push_back(edit::NoteDelete{n.id});
        replaceSpan(t->controllers, range.begin, range.end, {}, out,
                    [id](std::vector<ControllerEvent> events) {
                        return edit::TrackControllers{id, std::move(events)};
                    });
        forLanes(doc, id, [&](const AutomationLane& lane) {
            replaceSpan(lane.points, range.begin, range.end, {}, out,
                        [&](std::vector<AutomationPoint> points) {
                            return edit::AutomationSet{lane.target, std::move(points)};
                        });
        });
    }
    return out;
}

std::vector<Edit> moveRangeEdits(const Document& doc, const ArrangerRange& range, double by) {
    std::vector<Edit> out;
    if (range.empty() || by == 0.0) return out;
    by = std::max(by, -range.begin);  // nothing before the song's start
    const double to_begin = range.begin + by, to_end = range.end + by;
    for (const TrackId id : range.tracks) {
        const Track* t = trackById(doc, id);
        if (!t) continue;
        for (const Note& n : t->notes)
            if (inSpan(n.start, range.begin, range.end)) out.push_back(edit::NoteMove{n.id, n.start + by, 0});
        // Events and points: the moved ones replace what stood in the destination span.
        std::vector<ControllerEvent> moved;
        std::vector<ControllerEvent> rest;
        for (const ControllerEvent& e : t->controllers) {
            if (inSpan(e.beat, range.begin, range.end)) {
                ControllerEvent m = e;
                m.beat += by;
                moved.push_back(m);
            } else {
                rest.push_back(e);
            }
        }
        if (!moved.empty()) {
            std::vector<ControllerEvent> events;
            for (const ControllerEvent& e : rest)
                if (!inSpan(e.beat, to_begin, to_end)) events.push_back(e);
            events.insert(events.end(), moved.begin(), moved.end());
            sortByBeat(events);
            out.push_back(edit::TrackControllers{id, std::move(events)});
        }
        forLanes(doc, id, [&](const AutomationLane& lane) {
            std::vector<AutomationPoint> shifted, points;
            for (const AutomationPoint& p : lane.points)
                if (inSpan(p.beat, range.begin, range.end))
                    shifted.push_back({p.beat + by, p.value, p.shape});
            if (shifted.empty()) return;
            for (const AutomationPoint& p : lane.points)
                if (!inSpan(p.beat, range.begin, range.end) && !inSpan(p.beat, to_begin, to_end))
                    points.push_back(p);
            points.insert(points.end(), shifted.begin(), shifted.end());
            sortByBeat(points);
            out.push_back(edit::AutomationSet{lane.target, std::move(points)});
        });
    }
    return out;
}

RangeClip copyRange(const Document& doc, const ArrangerRange& range) {
    RangeClip clip;
    if (range.empty()) return clip;
    clip.length = range.end - range.begin;
    for (const TrackId id : range.tracks) {
        const Track* t = trackById(doc, id);
        if (!t) continue;
        RangeClipTrack part;
        for (const Note& n : t->notes)
            if (inSpan(n.start, range.begin, range.end)) {
                Note copy = n;
                copy.start -= range.begin;
                part.notes.push_back(copy);
            }
        for (const ControllerEvent& e : t->controllers)
            if (inSpan(e.beat, range.begin, range.end)) {
                ControllerEvent copy = e;
                copy.beat -= range.begin;
                part.controllers.push_back(copy);
            }
        forLanes(doc, id, [&](const AutomationLane& lane) {
            AutomationLane copy{lane.target, {}};
            for (const AutomationPoint& p : lane.points)
                if (inSpan(p.beat, range.begin, range.end))
                    copy.points.push_back({p.beat - range.begin, p.value, p.shape});
            if (!copy.points.empty()) part.lanes.push_back(std::move(copy));
        });
        clip.tracks.push_back(std::move(part));
    }
    return clip;
}

std::vector<Edit> pasteEdits(const Document& doc, const RangeClip& clip, TrackId first_track, double at,
                             NoteId& next_note_id) {
    std::vector<Edit> out;
    std::size_t first = doc.tracks.size();
    for (std::size_t i = 0; i < doc.tracks.size(); ++i)
        if (doc.tracks[i].id == first_track) first = i;
    at = std::max(0.0, at);
    for (std::size_t k = 0; k < clip.tracks.size() && first + k < doc.tracks.size(); ++k) {
        const RangeClipTrack& part = clip.tracks[k];
        const Track& t = doc.tracks[first + k];
        for (Note n : part.notes) {
            n.id = next_note_id++;
            n.start += at;
            out.push_back(edit::NoteAdd{t.id, n});
        }
        if (!part.controllers.empty()) {
            std::vector<ControllerEvent> added = part.controllers;
            for (ControllerEvent& e : added) e.beat += at;
            replaceSpan(t.controllers, at, at + clip.length, std::move(added), out,
                        [id = t.id](std::vector<ControllerEvent> events) {
                            return edit::TrackControllers{id, std::move(events)};
                        });
        }
        for (const AutomationLane& lane : part.lanes) {
            const AutomationTarget target{AutomationOwner::Track, t.id, lane.target.control};
            std::vector<AutomationPoint> existing;
            for (const AutomationLane& l : doc.automation)
                if (l.target == target) existing = l.points;
            std::vector<AutomationPoint> added = lane.points;
            for (AutomationPoint& p : added) p.beat += at;
            replaceSpan(existing, at, at + clip.length, std::move(added), out,
                        [&](std::vector<AutomationPoint> points) {
                            return edit::AutomationSet{target, std::move(points)};
                        });
        }
    }
    return out;
}

std::vector<Edit> insertBarsEdits(const Document& doc, int bar, int bars) {
    if (bars <= 0 || bar < 0) return {};
    const MeterMap meter(doc.meter);
    const double at = meter.beat_of_bar(bar);
    // The inserted bars have the meter in force where they go in.
    const double by = bars * meter.segment_at(at).beats_per_bar;
    return {edit::TimeShift{at, by, bar, bars}};
}

std::vector<Edit> removeBarsEdits(const Document& doc, int bar, int bars) {
    if (bars <= 0 || bar < 0) return {};
    const MeterMap meter(doc.meter);
    const double at = meter.beat_of_bar(bar), end = meter.beat_of_bar(bar + bars);
    std::vector<Edit> out;
    // What is in the bars goes: every track's notes, events and lanes' points, and the buses' lanes.
    ArrangerRange all{{}, at, end};
    for (const Track& t : doc.tracks) all.tracks.push_back(t.id);
    out = deleteRangeEdits(doc, all);
    for (const AutomationLane& lane : doc.automation)
        if (lane.target.owner != AutomationOwner::Track)  // the buses' and the master's
            replaceSpan(lane.points, at, end, {}, out, [&](std::vector<AutomationPoint> points) {
                return edit::AutomationSet{lane.target, std::move(points)};
            });
    std::vector<Marker> markers;
    for (const Marker& m : doc.markers)
        if (!inSpan(m.beat, at, end)) markers.push_back(m);
    if (markers.size() != doc.markers.size()) out.push_back(edit::MarkersReplace{markers});
    // Tempo and meter changes in the bars (and on the line after them, which lands on the line before
    // them) go before the shift; after it, what follows keeps the tempo and meter it had.
    const auto& points = doc.tempo.points();
    const auto at_end =
        std::find_if(points.begin(), points.end(), [&](const TempoPoint& p) { return p.beat == end; });
    std::vector<TempoPoint> tempo;
    for (const TempoPoint& p : points)
        if (p.beat == 0.0 || p.beat < at || p.beat > end) tempo.push_back(p);
    const bool tempo_changes = tempo.size() != points.size();
    std::vector<TimeSignature> signatures;
    for (const TimeSignature& s : doc.meter)
        if (s.bar == 0 || s.bar < bar || s.bar > bar + bars) signatures.push_back(s);
    const bool meter_changes = signatures.size() != doc.meter.size();
    if (tempo_changes) out.push_back(edit::TempoReplace{tempo});
    if (meter_changes) out.push_back(edit::MeterReplace{signatures});
    out.push_back(edit::TimeShift{end, at - end, bar + bars, -bars});
    if (tempo_changes) {
        std::vector<TempoPoint> after;
        for (const TempoPoint& p : tempo)
            if (p.beat < at) after.push_back(p);
        const bool ramp = at_end != points.end() && at_end->ramp;
        after.push_back({at, doc.tempo.bpm_at(end), ramp});
        for (const TempoPoint& p : tempo)
            if (p.beat > end) after.push_back({p.beat + (at - end), p.bpm, p.ramp});
        out.push_back(edit::TempoReplace{after});
    }
    if (meter_changes) {
        std::vector<TimeSignature> after;
        for (const TimeSignature& s : signatures)
            if (s.bar < bar) after.push_back(s);
        const MeterSegment& held = meter.segment_at(end);
        after.push_back({bar, held.numerator, held.denominator});
        for (const TimeSignature& s : signatures)
            if (s.bar > bar + bars) after.push_back({s.bar - bars, s.numerator, s.denominator});
        out.push_back(edit::MeterReplace{after});
    }
    return out;
}

}  // namespace tactus::gui
