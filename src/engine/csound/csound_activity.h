// Whether a Csound instance has instrument instances running (performing or in their release), read
// from its compiled instruments through the plugin interface (csdl.h). The instrument uses it to tell
// when an orchestra has fallen silent, so that the mixer can stop rendering it.
//
// Threading: the one thread that performs the instance.
#pragma once

typedef struct CSOUND_ CSOUND;

namespace tactus {

// Instances of every instrument (not the global code) that are active now. O(instruments).
int csound_active_instances(CSOUND* csound);

}  // namespace tactus
