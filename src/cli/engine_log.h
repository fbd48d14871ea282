// The log of an engine that the CLI starts (`tactus play`): where tactusd's stderr goes.
//
// A fresh file in the user's private directory (core/private_dir.h: $XDG_RUNTIME_DIR/tactus or
// /tmp/tactus-<uid>, mode 0700), named tactusd-XXXXXX.log with random letters, created with
// O_CREAT|O_EXCL|O_NOFOLLOW and mode 0600: another local user can neither predict the name, plant a
// link there, nor read what the engine wrote. The open descriptor is handed to the child
// (EngineProcess::spawn), so the path is never opened a second time.
//
// The owner decides what becomes of the file: remove() once the engine has ended normally; otherwise
// it stays (the destructor only closes it) so that its path can be shown to the user.
//
// Threading: one thread; blocking file-system calls.
#pragma once

#include <memory>
#include <string>

namespace tactus::cli {

class EngineLog {
public:
    // The new, empty log; nullptr with *error set (naming the path) when the private directory cannot
    // be had or the file cannot be created.
    static std::unique_ptr<EngineLog> create(std::string* error);
    ~EngineLog();

    EngineLog(const EngineLog&) = delete;
    EngineLog& operator=(const EngineLog&) = delete;

    // Open for writing (close-on-exec; a spawned child gets it through dup2).
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    // Closes and deletes the file. Idempotent.
    void remove();

private:
    EngineLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

    int fd_ = -1;
    std::string path_;
    bool removed_ = false;
};

}  // namespace tactus::cli
