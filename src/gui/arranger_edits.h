// What the arranger's range commands do to a document, as pure functions returning one batch of edits
// (applied as one undoable step): a range is a span of beats on some tracks (the arranger snaps it to
// bars). A track's part of a range is its notes that start in the span, its controller events and the
// points of its automation lanes in it; notes that start before the span and sound into it stay.
//   delete   removes the range's notes, events and points;
//   move     puts them `by` beats later (earlier: negative), replacing the events and points of the
//            destination span (notes already there stay: they sound together);
//   copy     takes them as a RangeClip, paste puts a RangeClip's copies at a beat, onto tracks from a first
//   one on; insert   adds whole bars at a bar line on every track (what follows moves later: notes, events,
//            points, markers, tempo and meter changes), remove takes them out (what is in them goes,
//            what follows moves earlier; the tempo after them stays what it was).
// Threading: any (plain values).
#pragma once

#include <cstdint>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"

namespace tactus::gui {

struct ArrangerRange {
    std::vector<TrackId> tracks;  // in the document's order
    double begin = 0.0;
    double end = 0.0;
    bool empty() const { return tracks.empty() || end <= begin; }
};

// One track's part of a copied range, its beats relative to the range's start.
struct RangeClipTrack {
    std::vector<Note> notes;
    std::vector<ControllerEvent> controllers;
    std::vector<AutomationLane> lanes;  // each lane's points in the range (targets of this track)
};
struct RangeClip {
    double length = 0.0;
    std::vector<RangeClipTrack> tracks;  // the range's tracks in order
    bool empty() const { return tracks.empty(); }
};

std::vector<Edit> deleteRangeEdits(const Document& doc, const ArrangerRange& range);
std::vector<Edit> moveRangeEdits(const Document& doc, const ArrangerRange& range, double by);
RangeClip copyRange(const Document& doc, const ArrangerRange& range);
// The clip's tracks onto the document's tracks from `first_track` on (in order; those past the last
// track are left out), at beat `at`; notes get ids from `next_note_id` on (advanced).
std::vector<Edit> pasteEdits(const Document& doc, const RangeClip& clip, TrackId first_track, double at,
                             NoteId& next_note_id);
std::vector<Edit> insertBarsEdits(const Document& doc, int bar, int bars);
std::vector<Edit> removeBarsEdits(const Document& doc, int bar, int bars);

}  // namespace tactus::gui
