#include "gui_flood/child_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace tactus::test {

namespace {

using Clock = std::chrono::steady_clock;

bool setpriv_installed() {
    return access("/usr/bin/setpriv", X_OK) == 0 || access("/bin/setpriv", X_OK) == 0;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (std::string& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (!overrides.count(name)) env.push_back(entry);
    }
    for (const auto& [name, value] : overrides) env.push_back(name + "=" + value);
    return env;
}

pid_t spawn_process(const SpawnOptions& options, std::string* error) {
    std::vector<std::string> args;
    if (!options.death_signal.empty() && setpriv_installed())
        args = {"setpriv", "--pdeathsig", options.death_signal};
    args.insert(args.end(), options.argv.begin(), options.argv.end());
    std::vector<std::string> env = options.env.empty() ? environment_with({}) : options.env;
    std::vector<char*> argv = pointers(args), envp = pointers(env);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    const std::string out = options.output_path.empty() ? "/dev/null" : options.output_path;
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    if (options.own_process_group) {
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
    }
    if (options.keep_fd >= 0) fcntl(options.keep_fd, F_SETFD, 0);  // survives the exec
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
    if (options.keep_fd >= 0) fcntl(options.keep_fd, F_SETFD, FD_CLOEXEC);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        if (error) *error = "cannot launch " + args.front() + ": " + std::strerror(spawned);
        return -1;
    }
    return pid;
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0) return 0;  // not ours any more
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void adopt_orphans() {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
}

bool wait_for_group_gone(pid_t pgid, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        while (waitpid(-pgid, nullptr, WNOHANG) > 0) {  // orphans we adopted (see the header)
        }
        if (kill(-pgid, 0) != 0 && errno == ESRCH) break;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          std::chrono::milliseconds timeout) {
    static std::atomic<int> counter{0};  // the flood thread runs commands too
    const std::string out = (std::filesystem::temp_directory_path() /
                             ("gui-flood-cmd-" + std::to_string(getpid()) + "-" + std::to_string(counter++)))
                                .string();
    CommandResult result;
    SpawnOptions options;
    options.argv = argv;
    options.env = env;
    options.output_path = out;
    std::string error;
    const pid_t pid = spawn_process(options, &error);
    if (pid < 0) {
        result.output = error;
        return result;
    }
    std::optional<int> status = wait_for_exit(pid, timeout);
    if (!status) {
        kill(pid, SIGKILL);
        status = wait_for_exit(pid, std::chrono::seconds(5));
    }
    if (status && WIFEXITED(*status)) result.status = WEXITSTATUS(*status);
    std::ifstream in(out);
    std::ostringstream text;
    text << in.rdbuf();
    result.output = text.str();
    std::filesystem::remove(out);
    return result;
}

}  // namespace tactus::test
