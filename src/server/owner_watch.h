// Ties tactusd to the program that started it (tactusd --owner-pid PID): reports when process PID has
// ended, however it ended (a SIGKILL too: the kernel tells, not the owner). A GUI or `tactus play`
// passes its own pid, so that an engine it started does not play on, windowless, after it died.
//
// Linux: a pidfd (pidfd_open, Linux 5.3+), readable once the process has exited (a zombie counts),
// waited on with poll() by a thread of its own; where pidfd_open is missing, the thread asks
// kill(pid, 0) every 100 ms instead. (PR_SET_PDEATHSIG is not used: it follows the death of the
// parent *thread* that forked, and the owner need not be the parent.)
//
// Threading: start(), ended() and destruction on one thread (tactusd's control thread); the watch
// thread only sets an atomic flag.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <string>
#include <thread>

namespace tactus {

class OwnerWatch {
public:
    OwnerWatch() = default;
    ~OwnerWatch();  // stops the watch thread

    OwnerWatch(const OwnerWatch&) = delete;
    OwnerWatch& operator=(const OwnerWatch&) = delete;

    // Starts watching process `pid`. False with *error set (naming the pid) when there is no such
    // process: it has already ended, or the number is not a process id.
    bool start(pid_t pid, std::string* error);
    // True once the owner has ended (false when not watching).
    bool ended() const { return ended_.load(std::memory_order_acquire); }
    pid_t pid() const { return pid_; }

private:
    void run();

    pid_t pid_ = 0;
    int pidfd_ = -1;      // -1: polling with kill(pid, 0)
    int wake_read_ = -1;  // the destructor writes to wake_write_ to end the thread
    int wake_write_ = -1;
    std::atomic<bool> ended_{false};
    std::thread thread_;
};

}  // namespace tactus
