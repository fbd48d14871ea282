// tactus-gui as a real process on an X display, as a user runs it: it starts its own tactusd (through
// its EngineSupervisor) on the JACK server and port it is given. It runs in a process group of its own,
// with a fresh HOME (no settings, no recovery files from other runs), so that terminate() can take
// the GUI and the engine it started down together, whatever state they are in.
//
// terminate() sends SIGTERM: the GUI quits its event loop, writes its --stats-file and asks its
// engine to quit; whatever is left of the group after a grace period is killed.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tactus::test {

struct GuiProcessOptions {
    std::string gui_path;     // the tactus-gui executable
    std::string engine_path;  // the tactusd it starts
    std::string display;      // ":N"
    std::string jack_server;
    int port = 0;  // the engine's OSC port
    std::string document;
    std::vector<std::string> extra_args;  // e.g. --edit-track 2, --classic-scheduler 1:3
};

// The counters tactus-gui --stats-file wrote (src/gui/session_stats.h), by name.
using GuiStats = std::map<std::string, double>;

class GuiProcess {
public:
    explicit GuiProcess(GuiProcessOptions options);
    ~GuiProcess();  // terminate()
    GuiProcess(const GuiProcess&) = delete;
    GuiProcess& operator=(const GuiProcess&) = delete;

    bool running() const { return pid_ > 0; }
    const std::string& error() const { return error_; }
    pid_t pid() const { return pid_; }
    std::string log() const;
    // The GUI's private $HOME (a temporary folder, removed with it): the one folder a loopback client of
    // its engine may name files in (tactusd's default --allow-dir).
    const std::string& home() const { return home_; }
    // The environment the GUI runs in (for xdotool on the same display).
    const std::vector<std::string>& environment() const { return env_; }

    // SIGTERM, wait for the GUI to exit (up to 10 s), then SIGKILL whatever of its group is left
    // (tactusd included). The GUI's exit status (-1 if it had to be killed). Idempotent.
    int terminate();
    // The stats file, read after terminate(); nullopt when it is missing.
    std::optional<GuiStats> stats() const;

private:
    GuiProcessOptions options_;
    std::string home_;
    std::string stats_path_;
    std::string log_path_;
    std::vector<std::string> env_;
    pid_t pid_ = -1;
    int exit_status_ = -1;
    std::string error_;
};

}  // namespace tactus::test
