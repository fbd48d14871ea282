#include "gui_flood/xvfb_display.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gui_flood/child_processes.h"

namespace tactus::test {

XvfbDisplay::XvfbDisplay(int width, int height) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        error_ = "pipe failed";
        return;
    }
    log_path_ =
        (std::filesystem::temp_directory_path() / ("xvfb-" + std::to_string(getpid()) + ".log")).string();
    SpawnOptions options;
    options.argv = {"Xvfb",      "-displayfd", std::to_string(fds[1]),
                    "-screen",   "0",          std::to_string(width) + "x" + std::to_string(height) + "x24",
                    "-nolisten", "tcp",        "-noreset"};
    options.output_path = log_path_;
    options.death_signal = "KILL";
    options.keep_fd = fds[1];
    pid_ = spawn_process(options, &error_);
    close(fds[1]);
    if (pid_ > 0) {
        // Xvfb writes the display number once it accepts connections.
        std::string number;
        pollfd p{fds[0], POLLIN, 0};
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (number.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            if (poll(&p, 1, 100) <= 0) continue;
            char buffer[32];
            const ssize_t n = read(fds[0], buffer, sizeof buffer);
            if (n <= 0) break;
            number.append(buffer, std::size_t(n));
        }
        if (number.find('\n') == std::string::npos) {
            std::ifstream in(log_path_);
            std::ostringstream log;
            log << in.rdbuf();
            error_ = "Xvfb did not report its display; its log:\n" + log.str();
            stop();
        } else {
            name_ = ":" + number.substr(0, number.find('\n'));
        }
    }
    close(fds[0]);
}

XvfbDisplay::~XvfbDisplay() {
    stop();
    std::error_code ignored;
    if (!log_path_.empty()) std::filesystem::remove(log_path_, ignored);
}

void XvfbDisplay::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    if (!wait_for_exit(pid_, std::chrono::seconds(3))) {
        kill(pid_, SIGKILL);
        wait_for_exit(pid_, std::chrono::seconds(3));
    }
    pid_ = -1;
}

}  // namespace tactus::test
