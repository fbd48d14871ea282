#include "core/private_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace tactus {
namespace {

// True when `path` is a directory of ours that only we can enter; *error says what is wrong otherwise.
bool is_private_directory(const std::string& path, std::string* error) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (error) *error = path + ": " + std::strerror(errno);
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (error)
            *error = path + ": exists but is not a directory (a symbolic link or a file is not trusted)";
        return false;
    }
    if (st.st_uid != ::geteuid()) {
        if (error) *error = path + ": owned by another user (uid " + std::to_string(st.st_uid) + ")";
        return false;
    }
    if ((st.st_mode & 077) != 0) {
        if (error)
            *error = path + ": open to other users (mode " + std::to_string((st.st_mode >> 6) & 7) +
                     std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) +
                     "); it must be 700";
        return false;
    }
    return true;
}

}  // namespace

std::optional<std::string> private_runtime_dir(std::string* error) {
    std::string dir;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime != nullptr && runtime[0] == '/')
        dir = std::string(runtime) + "/tactus";
    else
        dir = "/tmp/tactus-" + std::to_string(::geteuid());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        if (error) *error = "cannot create the private directory " + dir + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string problem;
    if (!is_private_directory(dir, &problem)) {
        if (error) *error = "refusing the private directory " + problem;
        return std::nullopt;
    }
    return dir;
}

std::optional<std::string> engine_socket_path(int port, std::string* error) {
    auto dir = private_runtime_dir(error);
    if (!dir) return std::nullopt;
    return *dir + "/tactusd-" + std::to_string(port) + ".sock";
}

}  // namespace tactus
