// Starting tactusd from a client, as a client boots its server: finds the tactusd binary next to
// the running executable and spawns it. (Platform layer of the CLI: POSIX spawn, /proc/self/exe.)
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace tactus::cli {

// The directory holding the running executable ("" when unknown).
std::string executable_directory();

class EngineProcess {
public:
    ~EngineProcess();

    // Spawns `program` with `args`. With `log_fd` >= 0 the child's stderr is that open descriptor
    // (duplicated onto fd 2, never reopened by path; see EngineLog) and its stdout is /dev/null;
    // with -1 both are inherited. `own_session`: the child starts a session of its own (setsid), so
    // that the terminal's signals (Ctrl-C) and its hangup do not reach it.
    bool spawn(const std::string& program, const std::vector<std::string>& args, int log_fd,
               std::string* error, bool own_session = false);
    // Lets the child go: it is no longer waited for, killed or reaped by this object (a detached engine).
    void release() { pid_ = -1; }
    // True while the child has not exited.
    bool alive();
    // Waits up to `timeout` for the child to exit; kills it (SIGKILL) if it does not.
    void wait_or_kill(std::chrono::milliseconds timeout);
    // After the child ended: its exit code, or 128 + the signal that ended it; -1 before.
    int exit_status() const { return exit_status_; }
    // Whether wait_or_kill had to kill the child (it did not exit in time).
    bool was_killed() const { return killed_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int exit_status_ = -1;
    bool killed_ = false;
};

}  // namespace tactus::cli
