#include "engine/csound/csound_activity.h"

// The plugin interface exposes the compiled instruments and their counts of active instances; it
// hides the host API, which this file does not use.
#include <csound/csdl.h>

namespace tactus {

int csound_active_instances(CSOUND* csound) {
    INSTRTXT** instruments = csound->GetInstrumentList(csound);
    if (!instruments || !instruments[0]) return 0;
    int active = 0;
    // instruments[0] is the global code; nxtinstxt chains the instruments after it.
    for (const INSTRTXT* instrument = instruments[0]->nxtinstxt; instrument;
         instrument = instrument->nxtinstxt)
        active += instrument->active;
    return active;
}

}  // namespace tactus
