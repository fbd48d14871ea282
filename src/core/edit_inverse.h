// Undo for edits: the edits that take a document back to where it was before a batch. An editor's
// undo history is a stack of these; applying one is an ordinary batch (a new revision), so undo and
// redo travel to the engine and to other clients like any other edit.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/score_edit.h"

namespace tactus {

// The inverse of `edits` as they would apply to `before`'s document: applied right after them, it
// restores every note, track, tempo and meter they touched. nullopt with `error` set when an edit
// names something that does not exist at that point (the batch itself would be refused) or adds a
// note with id 0 (its id is not known until applied: give new notes their ids first).
// A removed track comes back whole: its place, name, instrument, mixer settings and MIDI channel (as
// /track/add carries them), its controller events (/track/controllers), its notes and its automation
// lanes (/automation/set); a removed bus its lanes and the tracks' lanes of their sends to it. An
// automation/set is undone by one setting the lane's old points (none: the lane goes again). A
// time/shift is undone by the opposite shift from where it moved things to (edit::TimeShift: exact for
// beats and shifts in multiples of 1/1024 beat, else possibly off in the last bit).
std::optional<std::vector<Edit>> inverse_edits(const DocumentEditor& before, const std::vector<Edit>& edits,
                                               std::string* error);

}  // namespace tactus
