// What the engine reads from a Csound instance's internal structures through the plugin interface
// (csdl.h), which the host API does not offer: whether instrument instances are running, so the
// instrument can tell when an orchestra has fallen silent and the mixer can stop rendering it.
//
// Threading: the one thread that performs the instance.
#pragma once

typedef struct CSOUND_ CSOUND;

namespace tactus {

// Instances of every instrument (not the global code) that are active now. O(instruments).
int csound_active_instances(CSOUND* csound);

}  // namespace tactus
