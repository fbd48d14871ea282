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

    // Spawns `program` with `args`; its stderr goes to `log_path` (or is inherited when empty).
    bool spawn(const std::string& program, const std::vector<std::string>& args, const std::string& log_path,
               std::string* error);
    // True while the child has not exited.
    bool alive();
    // Waits up to `timeout` for the child to exit; kills it (SIGKILL) if it does not.
    void wait_or_kill(std::chrono::milliseconds timeout);
    int exit_status() const { return exit_status_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int exit_status_ = -1;
};

}  // namespace tactus::cli
