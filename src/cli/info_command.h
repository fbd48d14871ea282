// `tactus info song.json`: tracks, note counts, duration, tempo map and meter.
#pragma once

#include <iosfwd>

#include "core/score.h"

namespace CLI {
class App;
}

namespace tactus::cli {

void add_info_command(CLI::App& app, int& exit_code);
void print_info(const Document& doc, std::ostream& out);

}  // namespace tactus::cli
