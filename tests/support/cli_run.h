// Running the real `tactus` binary (TACTUS_CLI_PATH) from a test: its exit status, whether it
// crashed, and what it printed (stdout and stderr together).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace tactus::test {

struct CliRun {
    int exit_code = -1;
    bool crashed = false;
    std::string output;  // stdout and stderr together
};

// Reads the rest of a popen'ed command's output and reaps it.
inline CliRun finish_run(FILE* pipe) {
    CliRun run;
    std::array<char, 4096> buffer{};
    while (std::size_t n = fread(buffer.data(), 1, buffer.size(), pipe)) run.output.append(buffer.data(), n);
    const int status = pclose(pipe);
    run.crashed = WIFSIGNALED(status);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

// `tactus ARGS`, run by the shell (so ARGS may quote).
inline CliRun run_tactus(const std::string& args) {
    FILE* pipe = popen((std::string(TACTUS_CLI_PATH) + " " + args + " 2>&1").c_str(), "r");
    if (pipe == nullptr) return CliRun{};
    return finish_run(pipe);
}

}  // namespace tactus::test
