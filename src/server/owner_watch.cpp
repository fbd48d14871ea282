#include "server/owner_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tactus {

namespace {

// pidfd_open(2) by number: glibc only wraps it from 2.36.
int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

OwnerWatch::~OwnerWatch() {
    if (thread_.joinable()) {
        const char byte = 0;
        [[maybe_unused]] const ssize_t written = write(wake_write_, &byte, 1);
        thread_.join();
    }
    for (int fd : {pidfd_, wake_read_, wake_write_})
        if (fd >= 0) close(fd);
}

bool OwnerWatch::start(pid_t pid, std::string* error) {
    const std::string which = "--owner-pid " + std::to_string(pid);
    if (pid <= 0) {
        if (error) *error = which + ": not a process id";
        return false;
    }
    pidfd_ = open_pidfd(pid);
    if (pidfd_ < 0 && errno != ENOSYS && errno != EPERM) {
        if (error)
            *error = which + ": " +
                     (errno == ESRCH ? std::string("no such process (it has ended)") : std::strerror(errno));
        return false;
    }
    if (pidfd_ < 0 && kill(pid, 0) != 0 && errno == ESRCH) {
        if (error) *error = which + ": no such process (it has ended)";
        return false;
    }
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0 || fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        if (error) *error = which + ": cannot make a pipe: " + std::strerror(errno);
        return false;
    }
    wake_read_ = pipe_fds[0];
    wake_write_ = pipe_fds[1];
    pid_ = pid;
    thread_ = std::thread([this] { run(); });
    return true;
}

void OwnerWatch::run() {
    pollfd fds[2] = {{wake_read_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    const nfds_t count = pidfd_ >= 0 ? 2 : 1;
    const int timeout_ms = pidfd_ >= 0 ? -1 : 100;
    for (;;) {
        const int ready = poll(fds, count, timeout_ms);
        if (ready < 0) {
            if (errno == EINTR) continue;
            return;  // cannot happen with valid descriptors; never spin
        }
        if (fds[0].revents != 0) return;  // the destructor
        const bool gone =
            pidfd_ >= 0 ? (ready > 0 && fds[1].revents != 0) : (kill(pid_, 0) != 0 && errno == ESRCH);
        if (gone) {
            ended_.store(true, std::memory_order_release);
            return;
        }
    }
}

}  // namespace tactus
