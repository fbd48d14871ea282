// The names of the General MIDI percussion keys (GM Level 1: keys 35-81; GM2 adds 27-34 and 82-87), as
// a drum track's rows show them.
#pragma once

#include <QString>

namespace tactus::gui {

// "Acoustic Snare" for 38; "" for a key General MIDI names no sound for.
QString generalMidiDrumName(int pitch);

}  // namespace tactus::gui
