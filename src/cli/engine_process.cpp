#include "cli/engine_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

namespace tactus::cli {

std::string executable_directory() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : self.parent_path().string();
}

EngineProcess::~EngineProcess() {
    if (pid_ > 0 && alive()) wait_or_kill(std::chrono::milliseconds(2000));
}

bool EngineProcess::spawn(const std::string& program, const std::vector<std::string>& args, int log_fd,
                          std::string* error, bool own_session) {
    std::vector<std::string> argv_text{program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    exit_status_ = -1;
    killed_ = false;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (log_fd >= 0) {
        // dup2 clears close-on-exec on the copy: the child keeps exactly stdin, stdout and stderr.
        posix_spawn_file_actions_adddup2(&actions, log_fd, STDERR_FILENO);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    if (own_session) posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    const int rc = posix_spawn(&pid_, program.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        if (error) *error = "cannot start " + program + ": " + std::strerror(rc);
        return false;
    }
    return true;
}

bool EngineProcess::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == 0) return true;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    pid_ = -1;
    return false;
}

void EngineProcess::wait_or_kill(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (alive() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (alive()) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        exit_status_ = 128 + SIGKILL;
        killed_ = true;
        pid_ = -1;
    }
}

}  // namespace tactus::cli
