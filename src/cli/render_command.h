// `tactus render song.json -o out.wav [--rate R] [--format wav|flac] [--bits 16|24|32f]`
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace tactus::cli {

struct RenderCommandOptions {
    std::string input;
    std::string output;
    double rate = 48000.0;
    std::string format;  // "" = from the output's extension, else wav
    std::string bits = "24";
    int block = 512;
    int threads = 0;              // tracks rendered at once; 0: one per core
    bool progress_lines = false;  // print "progress PERCENT" lines on stdout (for a GUI's progress dialog)
    std::string output_option = "-o";   // the option that named `output`, for error messages
    std::string csound_allow = "none";  // what orchestras may do besides making sound
    std::string soundfont;              // --soundfont: a MIDI file's font ("none": built-in presets)
};

void add_render_command(CLI::App& app, int& exit_code);
int run_render_command(const RenderCommandOptions& options);

}  // namespace tactus::cli
