#include "engine/soundfont/sound_font.h"

#include <algorithm>

namespace tactus::sf2 {

const Preset* SoundFont::find_preset(int bank, int program) const {
    auto before = [](const Preset& p, std::pair<int, int> key) {
        return p.bank != key.first ? p.bank < key.first : p.program < key.second;
    };
    auto it = std::lower_bound(presets.begin(), presets.end(), std::pair{bank, program}, before);
    if (it == presets.end() || it->bank != bank || it->program != program) return nullptr;
    return &*it;
}

}  // namespace tactus::sf2
