#include "cli/export_command.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/csd_export.h"
#include "cli/load_score.h"
#include "cli/midi_commands.h"
#include "cli/output_rules.h"
#include "core/atomic_file.h"

namespace tactus::cli {

namespace {

bool is_csd(const std::string& path) {
    return std::filesystem::path(path).extension() == ".csd";
}

struct ExportOptions {
    CsdExportCommandOptions csd;
    int ticks_per_quarter = 480;
};

}  // namespace

int run_csd_export_command(const CsdExportCommandOptions& options) {
    if (!(options.rate >= 8000.0 && options.rate <= 384000.0) || options.rate != std::floor(options.rate)) {
        std::cerr << "error: --rate: " << options.rate << " Hz is not a whole rate in 8000..384000\n";
        return 1;
    }
    if (!check_output_path({"export", options.input, options.output})) return 1;
    const auto csound = csound_permissions_or_report(options.csound_allow);
    if (!csound) return 1;
    const auto doc = load_score_or_report(options.input, *csound);
    if (!doc) return 1;
    CsdExportOptions export_options;
    export_options.sample_rate = options.rate;
    export_options.output = options.output;
    export_options.csound = *csound;
    const CsdExportResult exported = export_csound(*doc, export_options);
    for (const std::string& w : exported.warnings)
        std::cerr << "warning: " << options.input << ": " << w << "\n";
    if (!exported.error.empty()) {
        std::cerr << "error: " << options.input << ": " << exported.error << "\n";
        return 1;
    }
    // Every file is checked before any is written: none then overwrites the input or a directory.
    for (const CsdFile& file : exported.files)
        if (!check_output_path({"export", options.input, file.path})) return 1;
    for (const CsdFile& file : exported.files) {
        std::string error;
        if (!write_file_atomically(file.path, file.text, &error)) {
            std::cerr << "error: " << error << "\n";
            return 1;
        }
        std::cerr << options.input << " -> " << file.path << ": " << file.notes << " notes, "
                  << file.controllers << " controller changes of " << file.tracks.size()
                  << (file.tracks.size() == 1 ? " track" : " tracks") << " on " << file.orchestra
                  << "; csound writes " << file.sound_file << "\n";
    }
    return 0;
}

void add_export_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<ExportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "export",
        "Write a score as a Standard MIDI File (.mid, format 1) or its Csound tracks as a Csound "
        "file (.csd: orchestra and score, rendering on Tactus's frames)");
    cmd->add_option("score", o->csd.input, "Score document (.json, or .mid)")->required();
    cmd->add_option("-o,--output", o->csd.output, "File to write: .csd for Csound, otherwise MIDI")
        ->required();
    cmd->add_option("--ppq", o->ticks_per_quarter, "MIDI: ticks per quarter note")
        ->check(CLI::Range(24, 32767));
    cmd->add_option("--rate", o->csd.rate, ".csd: the sample rate the score's frames are for (Csound's sr)")
        ->capture_default_str();
    add_csound_allow_option(cmd, &o->csd.csound_allow);
    cmd->callback([o, &exit_code] {
        exit_code = is_csd(o->csd.output)
                        ? run_csd_export_command(o->csd)
                        : export_midi_command(o->csd.input, o->csd.output, o->ticks_per_quarter);
    });
}

}  // namespace tactus::cli
