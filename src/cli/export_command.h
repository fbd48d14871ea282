// `tactus export song.json -o song.mid [--ppq N]`: a Standard MIDI File (cli/midi_commands.h).
// `tactus export song.json -o song.csd [--rate R] [--csound-allow ...]`: the Csound tracks as Csound's
// own file, orchestra and score, rendering on Tactus's frames (cli/csd_export.h, docs/csound-export.md).
// The output's extension picks the format.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tactus::cli {

struct CsdExportCommandOptions {
    std::string input;
    std::string output;
    double rate = 48000.0;
    std::string csound_allow = "none";
};

void add_export_command(CLI::App& app, int& exit_code);
int run_csd_export_command(const CsdExportCommandOptions& options);

}  // namespace tactus::cli
