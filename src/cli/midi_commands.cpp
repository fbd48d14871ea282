#include "cli/midi_commands.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "cli/load_score.h"
#include "cli/output_rules.h"
#include "core/atomic_file.h"
#include "core/document_json.h"
#include "core/midi_convert.h"

namespace tactus::cli {

namespace {

struct ConvertOptions {
    std::string input;
    std::string output;
    int ticks_per_quarter = 480;
};

int import_midi_command(const ConvertOptions& o) {
    if (!check_output_path({"import", o.input, o.output})) return 1;
    const MidiImportResult imported = import_midi_file(o.input);
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

int export_midi_command(const ConvertOptions& o) {
    if (!check_output_path({"export", o.input, o.output})) return 1;
    const auto doc = load_score_or_report(o.input);
    if (!doc) return 1;
    const MidiExportResult exported = export_midi(*doc, o.ticks_per_quarter);
    for (const std::string& w : exported.warnings) std::cerr << "warning: " << o.input << ": " << w << "\n";
    const std::vector<std::uint8_t> bytes = serialise_midi(exported.file);
    std::string error;
    if (!write_file_atomically(o.output, {reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                               &error)) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    std::cerr << o.input << " -> " << o.output << ": format 1, " << exported.file.tracks.size() << " tracks, "
              << o.ticks_per_quarter << " ticks per quarter\n";
    return 0;
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<ConvertOptions>();
    CLI::App* cmd =
        app.add_subcommand("import", "Convert a Standard MIDI File (.mid) into a score document (.json)");
    cmd->add_option("midi", o->input, "Standard MIDI File (format 0, 1 or 2)")->required();
    cmd->add_option("-o,--output", o->output, "Score document to write")->required();
    cmd->callback([o, &exit_code] { exit_code = import_midi_command(*o); });
}

void add_export_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<ConvertOptions>();
    CLI::App* cmd = app.add_subcommand("export", "Write a score as a Standard MIDI File (format 1)");
    cmd->add_option("score", o->input, "Score document (.json, or .mid)")->required();
    cmd->add_option("-o,--output", o->output, "MIDI file to write")->required();
    cmd->add_option("--ppq", o->ticks_per_quarter, "Ticks per quarter note")->check(CLI::Range(24, 32767));
    cmd->callback([o, &exit_code] { exit_code = export_midi_command(*o); });
}

}  // namespace tactus::cli
