// The piano roll's editing commands as batches of edits: what Delete, the arrow keys, quantize and
// paste do to the selected notes of a track. Pure functions of the document, so they are tested
// without a window; the caller applies the batch through SongModel (one undo step each).
#pragma once

#include <functional>
#include <set>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"

namespace tactus::gui {

// The selected notes that exist on `track`, in start order.
std::vector<Note> selectedNotes(const Document& doc, TrackId track, const std::set<NoteId>& selection);

std::vector<Edit> deleteNotes(const std::vector<Note>& notes);
// Moves by `beats` and `semitones`; nothing when any note would leave 0..kMaxDocumentBeat or 0..127.
std::vector<Edit> shiftNotes(const std::vector<Note>& notes, double beats, int semitones);
// Moves by `beats`, each note to the pitch `pitchOf` gives for its own (drum rows: the sound so many
// rows away); nothing when any note would leave 0..kMaxDocumentBeat.
std::vector<Edit> moveNotes(const std::vector<Note>& notes, double beats,
                            const std::function<int(int)>& pitchOf);
// Each start to the nearest multiple of `grid` beats (lengths kept).
// Quantize: each start moves `strength` of the way to the nearest grid line. With swing, every second
// line (the second of each pair of grid steps) is `swing` of a step later. With `ends`, each end moves
// likewise to its nearest line (a note keeps at least one step; zero-length hits keep no length).
struct QuantizeSettings {
    double grid = 0.25;     // beats
    double strength = 1.0;  // 0..1
    double swing = 0.0;     // 0..0.75 of a step
    bool ends = false;
};
std::vector<Edit> quantizeNotes(const std::vector<Note>& notes, const QuantizeSettings& settings);
// The swung grid line nearest `beat`.
double nearestGridLine(double beat, double grid, double swing);
// Each length changed by `delta_beats`, to at least `min_length`.
std::vector<Edit> resizeNotes(const std::vector<Note>& notes, double delta_beats, double min_length);

// A copied phrase: notes with starts relative to the earliest one.
struct Clip {
    std::vector<Note> notes;
    bool empty() const { return notes.empty(); }
};
Clip copyNotes(const std::vector<Note>& notes);
// The clip's notes at `beat` on `track`, with new ids from `next_id` (incremented).
std::vector<Edit> pasteClip(const Clip& clip, TrackId track, double beat, NoteId& next_id);

}  // namespace tactus::gui
