#include "core/document_files.h"

#include <filesystem>

namespace tactus {

namespace fs = std::filesystem;

std::string document_directory(const std::string& document_path) {
    const fs::path parent = fs::path(document_path).parent_path();
    return parent.empty() ? "." : parent.string();
}

std::string resolve_document_file(const std::string& name, const std::string& dir) {
    if (name.empty()) return name;
    const fs::path path(name);
    if (path.is_absolute() || dir.empty()) return path.lexically_normal().string();
    return (fs::path(dir) / path).lexically_normal().string();
}

void resolve_document_files(Document& doc, const std::string& dir) {
    for (Track& track : doc.tracks) {
        track.orchestra = resolve_document_file(track.orchestra, dir);
        track.soundfont = resolve_document_file(track.soundfont, dir);
    }
}

}  // namespace tactus
