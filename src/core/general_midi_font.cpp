#include "core/general_midi_font.h"

#include <filesystem>
#include <system_error>

namespace tactus {

std::string installed_general_midi_font() {
    std::error_code ec;
    return std::filesystem::is_regular_file(kGeneralMidiFont, ec) ? kGeneralMidiFont : "";
}

}  // namespace tactus
