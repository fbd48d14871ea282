// `tactus send /address [types values...]`: one OSC message to tactusd; prints the replies.
#pragma once

namespace CLI {
class App;
}

namespace tactus::cli {

void add_send_command(CLI::App& app, int& exit_code);

}  // namespace tactus::cli
