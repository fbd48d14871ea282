// Which Csound orchestra and SoundFont files a loaded document may make the engine read (docs/security.md,
// "Csound orchestras: which files a document may name"). A track's orchestra (and its font) is held to the
// path policy as if the client had named the file itself: a relative name is taken relative to the document's
// directory, and for a confined client (any but the engine's owner, see path_policy.h) the file must lie in
// an allowed directory, nothing hidden below it; for everyone it is a regular file. Every track naming an
// orchestra is checked, whatever its instrument (a later /track/instrument may turn it into a csound
// track), and its name is replaced by the absolute path the policy resolved, which the instrument
// factory then opens (and vets: engine/csound/csound_orchestra_policy.h says what it may do). A
// soundfont track that names no font plays the default one (core/general_midi_font.h), which every
// client may use, by its name too (an imported MIDI file's tracks name it).
//
// Threading: the control thread (blocking file-system calls), never the audio thread.
#pragma once

#include <string>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"
#include "server/path_policy.h"

namespace tactus {

// "" when every orchestra of `doc` is admitted (their names then resolved), else the first refusal:
// "/tracks/2/orchestra: <the policy's refusal>". `document_dir`: the directory of the document's file
// ("" for an inline document: relative names then resolve against the policy's base directory, as any
// name a client gives). `confined`: the client is held to the allowed directories.
std::string admit_orchestras(Document& doc, const std::string& document_dir, const PathPolicy& policy,
                             bool confined);

// The same for the orchestras a batch of edits names (/track/add, /track/instrument with an orchestra):
// each is held to the policy as if the client had named it, a relative name taken relative to
// `document_dir` (the loaded document's directory, "" for an inline one), and replaced by the resolved
// absolute path. "" when all are admitted, else "edit N (/track/...): orchestra: <the refusal>".
std::string admit_edit_orchestras(std::vector<Edit>& edits, const std::string& document_dir,
                                  const PathPolicy& policy, bool confined);

}  // namespace tactus
