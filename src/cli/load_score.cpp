#include "cli/load_score.h"

#include <iostream>

#include "core/document_files.h"
#include "core/document_json.h"
#include "engine/instrument_factory.h"

namespace tactus::cli {

std::optional<Document> load_score_or_report(const std::string& path) {
    LoadResult result = load_document_file(path);
    if (!result.errors.empty()) {
        for (const LoadError& error : result.errors) std::cerr << "error: " << error.to_string() << "\n";
        return std::nullopt;
    }
    for (const std::string& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
    // A csound track's orchestra is named relative to the score's directory.
    resolve_document_files(*result.document, document_directory(path));
    const auto problems = check_instruments(*result.document);
    for (const InstrumentProblem& p : problems)
        std::cerr << "error: " << path << ": " << p.json_path << ": " << p.message << "\n";
    if (!problems.empty()) return std::nullopt;
    return std::move(result.document);
}

}  // namespace tactus::cli
