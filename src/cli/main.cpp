// The `tactus` command line.
#include <CLI/CLI.hpp>

#include "cli/export_command.h"
#include "cli/info_command.h"
#include "cli/midi_commands.h"
#include "cli/play_command.h"
#include "cli/plugins_command.h"
#include "cli/render_command.h"
#include "cli/send_command.h"

int main(int argc, char** argv) {
    CLI::App app{"Tactus: a music sequencer whose timing never slips"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "tactus 0.1.0");
    int exit_code = 0;
    tactus::cli::add_render_command(app, exit_code);
    tactus::cli::add_info_command(app, exit_code);
    tactus::cli::add_play_command(app, exit_code);
    tactus::cli::add_send_command(app, exit_code);
    tactus::cli::add_import_command(app, exit_code);
    tactus::cli::add_export_command(app, exit_code);
    tactus::cli::add_plugins_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        // CLI11 returns 0 for --help/--version; any real usage error exits 2, like other Unix tools.
        return code == 0 ? 0 : 2;
    }
    return exit_code;
}
