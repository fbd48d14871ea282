#include "cli/load_score.h"

#include <iostream>

#include "core/document_files.h"
#include "core/document_json.h"
#include "engine/instrument_factory.h"

namespace tactus::cli {

void add_csound_allow_option(CLI::App* command, std::string* list) {
    command
        ->add_option("--csound-allow", *list,
                     "What Csound orchestras may do besides making sound: files, network, devices, "
                     "programs (comma-separated), all or none")
        ->capture_default_str();
}

std::optional<CsoundPermissions> csound_permissions_or_report(const std::string& list) {
    std::string error;
    auto permissions = parse_csound_permissions(list, &error);
    if (!permissions) std::cerr << "error: --csound-allow: " << error << "\n";
    return permissions;
}

std::optional<Document> load_score_or_report(const std::string& path, const CsoundPermissions& csound) {
    LoadResult result = load_document_file(path);
    if (!result.errors.empty()) {
        for (const LoadError& error : result.errors) std::cerr << "error: " << error.to_string() << "\n";
        return std::nullopt;
    }
    for (const std::string& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
    // A csound track's orchestra is named relative to the score's directory.
    resolve_document_files(*result.document, document_directory(path));
    const auto problems = check_instruments(*result.document, csound);
    for (const InstrumentProblem& p : problems)
        std::cerr << "error: " << path << ": " << p.json_path << ": " << p.message << "\n";
    if (!problems.empty()) return std::nullopt;
    return std::move(result.document);
}

}  // namespace tactus::cli
