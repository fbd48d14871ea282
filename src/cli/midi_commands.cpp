#include "cli/midi_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/load_score.h"
#include "cli/output_rules.h"
#include "core/atomic_file.h"
#include "core/document_json.h"
#include "core/general_midi_font.h"
#include "core/midi_convert.h"

namespace tactus::cli {

namespace {

struct ConvertOptions {
    std::string input;
    std::string output;
};

int import_midi_command(const ConvertOptions& o) {
    if (!check_output_path({"import", o.input, o.output})) return 1;
    MidiImportResult imported = import_midi_file(o.input);
    if (imported.document) assign_general_midi_instruments(*imported.document, installed_general_midi_font());
    if (!imported.document) {
        std::cerr << "error: " << imported.error << "\n";
        return 1;
    }
    for (const std::string& w : imported.warnings) std::cerr << "warning: " << w << "\n";
    std::string error;
    if (!save_document_file(*imported.document, o.output, &error)) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    const std::size_t tracks = imported.document->tracks.size();
    std::cerr << o.input << " -> " << o.output << ": " << tracks << (tracks == 1 ? " track, " : " tracks, ")
              << imported.document->note_count() << " notes\n";
    return 0;
}

}  // namespace

int export_midi_command(const std::string& input, const std::string& output, int ticks_per_quarter) {
    if (!check_output_path({"export", input, output})) return 1;
    const auto doc = load_score_or_report(input);
    if (!doc) return 1;
    const MidiExportResult exported = export_midi(*doc, ticks_per_quarter);
    for (const std::string& w : exported.warnings) std::cerr << "warning: " << input << ": " << w << "\n";
    const std::vector<std::uint8_t> bytes = serialise_midi(exported.file);
    std::string error;
    if (!write_file_atomically(output, {reinterpret_cast<const char*>(bytes.data()), bytes.size()}, &error)) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    std::cerr << input << " -> " << output << ": format 1, " << exported.file.tracks.size() << " tracks, "
              << ticks_per_quarter << " ticks per quarter\n";
    return 0;
}

void add_import_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<ConvertOptions>();
    CLI::App* cmd =
        app.add_subcommand("import", "Convert a Standard MIDI File (.mid) into a score document (.json)");
    cmd->add_option("midi", o->input, "Standard MIDI File (format 0, 1 or 2)")->required();
    cmd->add_option("-o,--output", o->output, "Score document to write")->required();
    cmd->callback([o, &exit_code] { exit_code = import_midi_command(*o); });
}

}  // namespace tactus::cli
