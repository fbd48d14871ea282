// Spawning what the GUI flood test needs beside the engine: programs with an environment of their
// own (DISPLAY, HOME), optionally in a process group of their own so that everything they start
// (tactus-gui starts tactusd) can be taken down together, and short commands (xdotool) whose output
// is wanted, with a time limit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tactus::test {

// The environment of this process with `overrides` set.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides);

struct SpawnOptions {
    std::vector<std::string> argv;  // argv[0] searched in PATH
    std::vector<std::string> env;   // "" entries not allowed; empty = this process's environment
    std::string output_path;        // stdout + stderr ("" = /dev/null)
    bool own_process_group = false;
    // Launch through `setpriv --pdeathsig SIGNAL` (when installed), so the child is signalled if the
    // test dies. "" = not.
    std::string death_signal;
    int keep_fd = -1;  // a descriptor the child keeps open (e.g. Xvfb's -displayfd)
};

// The pid, or -1 with *error set.
pid_t spawn_process(const SpawnOptions& options, std::string* error);

// Waits up to `timeout` for `pid` (our child) to exit; its wait status, or nullopt if it still runs.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// Makes this process the reaper of its descendants' orphans (PR_SET_CHILD_SUBREAPER): the tactusd a
// GUI started is re-parented to the test when the GUI exits, so the test can reap it and see it gone.
void adopt_orphans();

// Waits until no process of group `pgid` is left, up to `timeout`, reaping those that are our
// children (adopted orphans included).
bool wait_for_group_gone(pid_t pgid, std::chrono::milliseconds timeout);

struct CommandResult {
    int status = -1;  // exit status; -1 when it was killed (time limit) or could not start
    std::string output;
};
// Runs a command to completion (SIGKILL after `timeout`), stdout and stderr captured.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout);

}  // namespace tactus::test
