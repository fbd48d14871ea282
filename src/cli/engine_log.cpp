#include "cli/engine_log.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/private_dir.h"

namespace tactus::cli {

std::unique_ptr<EngineLog> EngineLog::create(std::string* error) {
    const auto dir = private_runtime_dir(error);
    if (!dir) return nullptr;
    std::string path = *dir + "/tactusd-XXXXXX.log";
    // mkostemps opens with O_RDWR|O_CREAT|O_EXCL and mode 0600, retrying names that are taken.
    const int fd = ::mkostemps(path.data(), 4, O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (error) *error = "cannot create the engine log in " + *dir + ": " + std::strerror(errno);
        return nullptr;
    }
    return std::unique_ptr<EngineLog>(new EngineLog(fd, std::move(path)));
}

EngineLog::~EngineLog() {
    if (fd_ >= 0) ::close(fd_);
}

void EngineLog::remove() {
    if (removed_) return;
    removed_ = true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    ::unlink(path_.c_str());
}

}  // namespace tactus::cli
