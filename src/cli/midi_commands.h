// `tactus import song.mid -o song.json` and `tactus export song.json -o song.mid`: Standard MIDI Files
// to and from documents (core/midi_convert.h; docs/midi.md has the rules). Warnings go to stderr.
// (`tactus export` itself is cli/export_command.h: it also writes Csound's .csd.)
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tactus::cli {

void add_import_command(CLI::App& app, int& exit_code);
// Writes `input` as a Standard MIDI File at `output`; the exit status.
int export_midi_command(const std::string& input, const std::string& output, int ticks_per_quarter);

}  // namespace tactus::cli
