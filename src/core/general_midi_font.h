// The SoundFont that imported MIDI files play on: Debian's fluid-soundfont-gm (FluidR3_GM), when it
// is installed; the built-in presets otherwise.
#pragma once

#include <string>

namespace tactus {

inline constexpr const char* kGeneralMidiFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
inline constexpr const char* kGeneralMidiFontPackage = "fluid-soundfont-gm";

// kGeneralMidiFont when that file exists, else "" (play imported files on the built-in presets).
std::string installed_general_midi_font();

}  // namespace tactus
