// Loads a document for playback or inspection: parses it, checks every track's instrument, and
// prints each problem as "file: /json/path: message" to stderr. Orchestra names come back resolved
// against the file's directory (core/document_files.h), ready for the instrument factory.
#pragma once

#include <optional>
#include <string>

#include "core/score.h"

namespace tactus::cli {

std::optional<Document> load_score_or_report(const std::string& path);

}  // namespace tactus::cli
