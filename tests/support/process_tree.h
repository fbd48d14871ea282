// Looking at other processes through /proc (Linux), for tests of who ends whom: whether a process
// still runs, and which children a process has. Header-only (the GUI tests link no other support).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tactus::test {

// Field `index` (1-based, as proc(5) counts) of /proc/PID/stat; "" when the process is gone.
inline std::string proc_stat_field(pid_t pid, int index) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::ostringstream text;
    text << in.rdbuf();
    const std::string stat = text.str();
    const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos || close + 2 > stat.size()) return "";
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= index && rest >> field; ++i) {
    }
    return field;
}

// Gone, or a zombie that nobody has reaped yet (an orphan waits for init): it runs no more.
inline bool process_has_ended(pid_t pid) {
    const std::string state = proc_stat_field(pid, 3);
    return state.empty() || state == "Z" || state == "X";
}

// The children of `parent` whose command name (/proc/PID/comm) starts with `name`.
inline std::vector<pid_t> children_named(pid_t parent, const std::string& name) {
    std::vector<pid_t> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string file = entry.path().filename().string();
        if (file.empty() || file.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(file));
        if (proc_stat_field(pid, 4) != std::to_string(parent)) continue;
        std::ifstream comm(entry.path() / "comm");
        std::string command;
        std::getline(comm, command);
        if (command.rfind(name, 0) == 0) found.push_back(pid);
    }
    return found;
}

// Polls `done` every 20 ms until it holds (true) or `timeout` has passed (false).
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

}  // namespace tactus::test
