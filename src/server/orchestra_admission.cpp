#include "server/orchestra_admission.h"

#include "core/document_files.h"
#include "core/general_midi_font.h"

namespace tactus {

std::string admit_orchestras(Document& doc, const std::string& document_dir, const PathPolicy& policy,
                             bool confined) {
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        Track& track = doc.tracks[i];
        for (auto [name, field] :
             {std::pair{&track.orchestra, "orchestra"}, std::pair{&track.soundfont, "soundfont"}}) {
            if (name->empty() || (name == &track.soundfont && *name == kGeneralMidiFont)) continue;
            const ResolvedPath file =
                policy.for_reading(resolve_document_file(*name, document_dir), confined);
            if (!file.ok()) return "/tracks/" + std::to_string(i) + "/" + field + ": " + file.error;
            *name = file.path;
        }
    }
    return {};
}

std::string admit_edit_orchestras(std::vector<Edit>& edits, const std::string& document_dir,
                                  const PathPolicy& policy, bool confined) {
    for (std::size_t i = 0; i < edits.size(); ++i) {
        std::string* orchestra = nullptr;
        std::string* soundfont = nullptr;
        const char* address = "/track/add";
        if (auto* add = std::get_if<edit::TrackAdd>(&edits[i])) {
            orchestra = &add->track.orchestra;
            soundfont = &add->track.soundfont;
        } else if (auto* change = std::get_if<edit::TrackInstrument>(&edits[i])) {
            if (change->csound) orchestra = &change->csound->orchestra;
            if (change->soundfont) soundfont = &change->soundfont->soundfont;
            address = "/track/instrument";
        }
        for (auto [name, field] : {std::pair{orchestra, "orchestra"}, std::pair{soundfont, "soundfont"}}) {
            if (!name || name->empty() || (name == soundfont && *name == kGeneralMidiFont)) continue;
            const ResolvedPath file =
                policy.for_reading(resolve_document_file(*name, document_dir), confined);
            if (!file.ok())
                return "edit " + std::to_string(i + 1) + " (" + address + "): " + field + ": " + file.error;
            *name = file.path;
        }
    }
    return {};
}

}  // namespace tactus
