// `tactus import song.mid -o song.json` and `tactus export song.json -o song.mid`: Standard MIDI Files
// to and from documents (core/midi_convert.h; docs/midi.md has the rules). Warnings go to stderr.
#pragma once

namespace CLI {
class App;
}

namespace tactus::cli {

void add_import_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);

}  // namespace tactus::cli
