#include "server/orchestra_admission.h"

#include "core/document_files.h"

namespace tactus {

std::string admit_orchestras(Document& doc, const std::string& document_dir, const PathPolicy& policy,
                             const OrchestraClient& client) {
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        Track& track = doc.tracks[i];
        if (track.orchestra.empty()) continue;
        const std::string at = "/tracks/" + std::to_string(i) + "/orchestra: ";
        if (client.confined && !client.confined_allowed)
            return at + track.orchestra +
                   ": refused: a Csound orchestra can run shell commands and read and write files, so this "
                   "engine compiles orchestras for its owner only (tactusd --allow-csound; see "
                   "docs/security.md)";
        const ResolvedPath file =
            policy.for_reading(resolve_document_file(track.orchestra, document_dir), client.confined);
        if (!file.ok()) return at + file.error;
        track.orchestra = file.path;
    }
    return {};
}

}  // namespace tactus
