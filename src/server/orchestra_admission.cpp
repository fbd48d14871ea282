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

}  // namespace tactus
