// Which Csound orchestras a loaded document may make the engine compile (docs/security.md, "Csound
// orchestras"). An orchestra is a program: it can run shell commands (`system`) and read and write
// files, so the rules for the files a client names are not enough on their own:
//   - A confined client (any but the engine's owner, see path_policy.h) may load a document naming
//     an orchestra only when the owner allowed it (tactusd --allow-csound).
//   - The orchestra's file passes PathPolicy::for_reading as a file the client named itself: a
//     relative name is taken relative to the document's directory, and for a confined client the
//     file must lie in an allowed directory, not hidden, a regular file.
// Every track naming an orchestra is checked, whatever its instrument (a later /track/instrument may
// turn it into a csound track), and its name is replaced by the absolute path the policy resolved, which
// the engine's instrument factory then opens.
//
// Threading: the control thread (blocking file-system calls), never the audio thread.
#pragma once

#include <string>

#include "core/score.h"
#include "server/path_policy.h"

namespace tactus {

struct OrchestraClient {
    bool confined = true;           // not the engine's owner
    bool confined_allowed = false;  // tactusd --allow-csound
};

// "" when every orchestra of `doc` is admitted (their names then resolved), else the first refusal:
// "/tracks/2/orchestra: <why>". `document_dir`: the directory of the document's file ("" for an
// inline document: relative names then resolve against the policy's base directory, as any name a
// client gives).
std::string admit_orchestras(Document& doc, const std::string& document_dir, const PathPolicy& policy,
                             const OrchestraClient& client);

}  // namespace tactus
