// Which files a loaded document's plugin states may make a plugin read (docs/security.md). An LV2
// state names files (a convolver's impulse response) as file: IRIs or atom:Path literals, and the
// plugin opens them itself when its state is restored. For a confined client (any but the engine's
// owner, see path_policy.h) every such file must pass the path policy as if the client had named it;
// a relative file reference, which the state would resolve against nothing the client chose, is
// refused. The owner's documents name what they like.
//
// Threading: the control thread (blocking file-system calls), never the audio thread.
#pragma once

#include <string>
#include <vector>

#include "core/score.h"
#include "server/path_policy.h"

namespace tactus {

// The files a plugin state (Turtle) names: file: IRIs (percent-decoded) and atom:Path literals; a
// relative IRI that is not a prefixed name's is returned as it is (not absolute: refused).
std::vector<std::string> files_named_in_state(const std::string& state);

// "" when every file the document's plugin states name is admitted, else the first refusal:
// "/tracks/2/inserts/0/state: <the policy's refusal>".
std::string admit_plugin_states(const Document& doc, const PathPolicy& policy, bool confined);

}  // namespace tactus
