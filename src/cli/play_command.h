// `tactus play song.json`: plays through tactusd (starting one when none is listening), shows the
// position, Ctrl-C stops cleanly. With no audio device and no JACK server it can render instead.
#pragma once

namespace CLI {
class App;
}

namespace tactus::cli {

void add_play_command(CLI::App& app, int& exit_code);

}  // namespace tactus::cli
