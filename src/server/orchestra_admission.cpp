#include "server/orchestra_admission.h"

#include "core/document_files.h"

namespace tactus {

std::string admit_orchestras(Document& doc, const std::string& document_dir, const PathPolicy& policy,
                             bool confined) {
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        Track& track = doc.tracks[i];
        if (track.orchestra.empty()) continue;
        const ResolvedPath file =
            policy.for_reading(resolve_document_file(track.orchestra, document_dir), confined);
        if (!file.ok()) return "/tracks/" + std::to_string(i) + "/orchestra: " + file.error;
        track.orchestra = file.path;
    }
    return {};
}

std::string admit_edit_orchestras(std::vector<Edit>& edits, const std::string& document_dir,
                                  const PathPolicy& policy, bool confined) {
    for (std::size_t i = 0; i < edits.size(); ++i) {
        std::string* orchestra = nullptr;
        const char* address = "/track/add";
        if (auto* add = std::get_if<edit::TrackAdd>(&edits[i])) {
            orchestra = &add->track.orchestra;
        } else if (auto* change = std::get_if<edit::TrackInstrument>(&edits[i]); change && change->csound) {
            orchestra = &change->csound->orchestra;
            address = "/track/instrument";
        }
        if (!orchestra || orchestra->empty()) continue;
        const ResolvedPath file =
            policy.for_reading(resolve_document_file(*orchestra, document_dir), confined);
        if (!file.ok())
            return "edit " + std::to_string(i + 1) + " (" + address + "): orchestra: " + file.error;
        *orchestra = file.path;
    }
    return {};
}

}  // namespace tactus
