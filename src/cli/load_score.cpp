#include "cli/load_score.h"

#include <fstream>
#include <iostream>
#include <string_view>

#include "core/document_files.h"
#include "core/document_json.h"
#include "core/general_midi_font.h"
#include "core/midi_convert.h"
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

void add_soundfont_option(CLI::App* command, std::string* font) {
    command->add_option("--soundfont", *font,
                        "For a MIDI file: the SoundFont its tracks play (default: " +
                            std::string(kGeneralMidiFont) + " when installed; none: the built-in presets)");
}

namespace {
bool is_midi_file(const std::string& path) {
    char magic[4] = {};
    std::ifstream(path, std::ios::binary).read(magic, 4);
    return std::string_view(magic, 4) == "MThd";
}
}  // namespace

std::optional<Document> load_score_or_report(const std::string& path, const CsoundPermissions& csound,
                                             const std::string& soundfont) {
    LoadResult result = load_document_file(path);
    if (!result.errors.empty()) {
        for (const LoadError& error : result.errors) std::cerr << "error: " << error.to_string() << "\n";
        return std::nullopt;
    }
    if (!soundfont.empty() && is_midi_file(path))
        assign_general_midi_instruments(*result.document, soundfont == "none" ? "" : soundfont);
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
