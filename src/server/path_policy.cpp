#include "server/path_policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/file_read.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxPathBytes = 4096;

// realpath(3): every component must exist; symbolic links resolved.
std::optional<std::string> real_path(const std::string& path, int* err) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
        if (err) *err = errno;
        return std::nullopt;
    }
    std::string out(resolved);
    std::free(resolved);
    return out;
}

bool ends_with_ignoring_case(const std::string& text, const std::string& suffix) {
    if (text.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i) {
        const auto a = static_cast<unsigned char>(text[text.size() - suffix.size() + i]);
        const auto b = static_cast<unsigned char>(suffix[i]);
        if (std::tolower(a) != std::tolower(b)) return false;
    }
    return true;
}

std::string kind_of(const struct stat& st) {
    if (S_ISDIR(st.st_mode)) return "a directory";
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
    if (S_ISSOCK(st.st_mode)) return "a socket";
    return "not a regular file";
}

// What an open descriptor refers to, as the kernel names it ("" when /proc cannot say).
std::string opened_path(int fd) {
    char target[4096];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    return n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string();
}

struct Descriptor {
    explicit Descriptor(int value) : fd(value) {}
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int fd;
};

}  // namespace

std::optional<PathPolicy> PathPolicy::create(const std::vector<std::string>& dirs, std::string* error) {
    PathPolicy policy;
    std::vector<std::string> wanted = dirs;
    if (wanted.empty()) {
        const char* home = std::getenv("HOME");
        struct stat st {};
        if (home != nullptr && home[0] == '/' && ::stat(home, &st) == 0 && S_ISDIR(st.st_mode))
            wanted.emplace_back(home);
    }
    for (const std::string& dir : wanted) {
        int err = 0;
        const auto real = real_path(dir, &err);
        struct stat st {};
        if (!real || ::stat(real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (error) *error = "--allow-dir " + dir + ": " + (real ? "not a directory" : std::strerror(err));
            return std::nullopt;
        }
        policy.roots_.push_back(*real);
    }
    if (!policy.roots_.empty()) policy.base_ = policy.roots_.front();
    return policy;
}

std::optional<std::string> PathPolicy::absolute(const std::string& requested, std::string* error) const {
    if (requested.empty()) {
        *error = "an empty path";
        return std::nullopt;
    }
    if (requested.size() > kMaxPathBytes) {
        *error = "a path of " + std::to_string(requested.size()) + " bytes (the limit is " +
                 std::to_string(kMaxPathBytes) + ")";
        return std::nullopt;
    }
    fs::path path(requested);
    if (path.is_relative()) {
        if (base_.empty()) {
            *error = requested + ": a relative path, and this engine has no base directory (--allow-dir): " +
                     "give an absolute path";
            return std::nullopt;
        }
        path = fs::path(base_) / path;
    }
    std::string normal = path.lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal;
}

bool PathPolicy::inside_roots(const std::string& path, std::string* why) const {
    for (const std::string& root : roots_) {
        const bool inside = root == "/" ? path[0] == '/'
                                        : path.compare(0, root.size(), root) == 0 &&
                                              (path.size() == root.size() || path[root.size()] == '/');
        if (!inside) continue;
        const fs::path below = fs::path(path).lexically_relative(root);
        for (const auto& part : below) {
            const std::string name = part.string();
            if (!name.empty() && name[0] == '.' && name != ".") {  // "." is the directory itself
                *why = "hidden files and directories (" + name + ") are never served";
                return false;
            }
        }
        return true;
    }
    *why = roots_.empty() ? "this engine serves no files to network clients (no --allow-dir)"
                          : "outside the directories this engine serves (--allow-dir; see docs/security.md)";
    return false;
}

ResolvedPath PathPolicy::for_reading(const std::string& requested, bool confined) const {
    ResolvedPath result;
    std::string why;
    const auto path = absolute(requested, &why);
    auto refuse = [&](const std::string& reason) {
        result.error = requested + ": refused: " + reason;
        return result;
    };
    if (!path) return refuse(why);
    if (confined && !inside_roots(*path, &why)) return refuse(why);
    int err = 0;
    const auto real = real_path(*path, &err);
    if (!real) {
        result.error = requested + ": cannot open: " + std::strerror(err);
        return result;
    }
    if (confined && !inside_roots(*real, &why)) return refuse("it leads (by a symbolic link) " + why);
    struct stat st {};
    if (::stat(real->c_str(), &st) != 0) {
        result.error = requested + ": cannot open: " + std::strerror(errno);
        return result;
    }
    if (!S_ISREG(st.st_mode)) return refuse(kind_of(st) + ", not a regular file");
    result.path = *real;
    return result;
}

ResolvedPath PathPolicy::for_writing(const std::string& requested, const std::string& extension,
                                     bool confined) const {
    ResolvedPath result;
    std::string why;
    auto refuse = [&](const std::string& reason) {
        result.error = requested + ": refused: " + reason;
        return result;
    };
    const auto path = absolute(requested, &why);
    if (!path) return refuse(why);
    if (!ends_with_ignoring_case(*path, extension)) return refuse("the name must end in " + extension);
    if (confined && !inside_roots(*path, &why)) return refuse(why);

    const fs::path lexical(*path);
    int err = 0;
    auto dir = real_path(lexical.parent_path().string(), &err);
    struct stat dir_info {};
    if (dir && (::stat(dir->c_str(), &dir_info) != 0 || !S_ISDIR(dir_info.st_mode))) {
        err = ENOTDIR;
        dir.reset();
    }
    if (!dir) {
        result.error = requested + ": cannot save: its directory: " + std::strerror(err);
        return result;
    }
    std::string target = (fs::path(*dir) / lexical.filename()).string();
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
        // A link is saved through (it stays, its target gets the document), where the target may be.
        const auto linked = real_path(target, &err);
        if (!linked) return refuse("a symbolic link to nothing");
        target = *linked;
        if (!ends_with_ignoring_case(target, extension))
            return refuse("a symbolic link to a file whose name does not end in " + extension);
    }
    if (confined && !inside_roots(target, &why)) return refuse("it leads (by a symbolic link) " + why);
    if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return refuse(kind_of(st) + " is never replaced");
    result.path = target;
    return result;
}

ResolvedPath PathPolicy::read_file(const std::string& requested, bool confined, std::string* bytes) const {
    ResolvedPath result = for_reading(requested, confined);
    if (!result.ok()) return result;
    // O_NONBLOCK: a FIFO swapped in since the check must not block the open.
    Descriptor file(::open(result.path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (file.fd < 0) {
        result.error = requested + ": cannot open: " + std::strerror(errno);
        return result;
    }
    if (opened_path(file.fd) != result.path) {
        result.error = requested + ": refused: the file changed while it was opened";
        return result;
    }
    FileReadResult read = read_regular_fd(file.fd);
    if (!read.bytes) {
        result.error = requested + ": " + read.error;
        return result;
    }
    *bytes = std::move(*read.bytes);
    return result;
}

ResolvedPath PathPolicy::write_file(const std::string& requested, const std::string& extension, bool confined,
                                    std::string_view contents) const {
    ResolvedPath result = for_writing(requested, extension, confined);
    if (!result.ok()) return result;
    const fs::path target(result.path);
    const std::string dir = target.parent_path().string();
    Descriptor directory(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (directory.fd < 0) {
        result.error = requested + ": cannot save: its directory: " + std::strerror(errno);
        return result;
    }
    if (opened_path(directory.fd) != dir) {
        result.error = requested + ": refused: its directory changed while it was opened";
        return result;
    }
    std::string error;
    if (!write_file_atomically_in(directory.fd, dir, target.filename().string(), contents, &error))
        result.error = error;
    return result;
}

}  // namespace tactus
