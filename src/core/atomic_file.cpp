#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace tactus {

namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

// The directory holding `path` ("." for a bare file name).
std::string directory_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Owns an open file descriptor.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    // Closes now and reports the result (close can report a deferred write error).
    int close() {
        const int result = ::close(fd_);
        fd_ = -1;
        return result;
    }

private:
    int fd_;
};

// The process umask. umask() can only be read by setting it, which would race with other threads
// creating files, so read it from /proc when possible.
mode_t current_umask() {
    if (std::FILE* status = std::fopen("/proc/self/status", "re")) {
        char line[256];
        unsigned mask = 0;
        bool found = false;
        while (!found && std::fgets(line, sizeof line, status) != nullptr)
            found = std::sscanf(line, "Umask: %o", &mask) == 1;
        std::fclose(status);
        if (found) return static_cast<mode_t>(mask);
    }
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return mask;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

bool write_file_atomically(const std::string& path, std::string_view contents, std::string* error) {
    auto fail = [&](const std::string& step, int err) {
        if (error) *error = "cannot save " + path + ": " + step + ": " + errno_text(err);
        return false;
    };

    // Follow a symbolic link so that the link survives and its target gets the new contents.
    std::string target = path;
    struct stat link_info {};
    if (::lstat(path.c_str(), &link_info) == 0 && S_ISLNK(link_info.st_mode)) {
        char* resolved = ::realpath(path.c_str(), nullptr);
        if (resolved == nullptr) return fail("resolving symbolic link", errno);
        target = resolved;
        std::free(resolved);
    }

    struct stat existing {};
    const bool target_exists = ::stat(target.c_str(), &existing) == 0;
    if (target_exists && S_ISDIR(existing.st_mode)) return fail("checking target", EISDIR);
    // A device node, FIFO or socket is never replaced by a regular file (renaming over /dev/null
    // would turn the device into a file).
    if (target_exists && !S_ISREG(existing.st_mode)) {
        if (error)
            *error =
                "cannot save " + path + ": not a regular file (a device, FIFO or socket is never replaced)";
        return false;
    }

    // mkstemp creates the file with mode 0600; an existing file keeps its mode, a new one gets
    // 0666 minus the umask like any other file we would create.
    std::string temp = target + ".tmp-XXXXXX";
    Fd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) return fail("creating temporary file " + temp, errno);
    auto fail_and_remove = [&](const std::string& step, int err) {
        ::unlink(temp.c_str());
        return fail(step, err);
    };

    mode_t mode = 0;
    if (target_exists) {
        mode = existing.st_mode & 07777;
    } else {
        mode = 0666 & ~current_umask();
    }
    if (::fchmod(fd.get(), mode) != 0) return fail_and_remove("setting permissions of " + temp, errno);
    if (!write_all(fd.get(), contents)) return fail_and_remove("writing " + temp, errno);
    if (::fsync(fd.get()) != 0) return fail_and_remove("flushing " + temp, errno);
    if (fd.close() != 0) return fail_and_remove("closing " + temp, errno);
    if (::rename(temp.c_str(), target.c_str()) != 0) return fail_and_remove("renaming " + temp, errno);

    // Make the rename itself durable. The new contents are in place by now, so a failure here is
    // reported but cannot be undone; EINVAL means the file system does not sync directories.
    const std::string dir = directory_of(target);
    Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0) return fail("opening directory " + dir + " to flush it", errno);
    if (::fsync(dir_fd.get()) != 0 && errno != EINVAL) return fail("flushing directory " + dir, errno);
    return true;
}

bool write_file_atomically_in(int dir_fd, const std::string& dir_name, const std::string& name,
                              std::string_view contents, std::string* error) {
    const std::string shown = dir_name + "/" + name;
    auto fail = [&](const std::string& step, int err) {
        if (error) *error = "cannot save " + shown + ": " + step + ": " + errno_text(err);
        return false;
    };
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        return fail("checking the name", EINVAL);

    // The entry as it is now, not followed: a symbolic link (or anything not a regular file) that
    // appeared since the caller checked is refused, never written through.
    struct stat existing {};
    const bool target_exists = ::fstatat(dir_fd, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (target_exists && !S_ISREG(existing.st_mode)) {
        if (error) *error = "cannot save " + shown + ": not a regular file (it changed while saving)";
        return false;
    }

    std::string temp;
    int raw = -1;
    for (int attempt = 0; attempt < 100 && raw < 0; ++attempt) {
        unsigned char random[6];
        if (::getentropy(random, sizeof random) != 0) return fail("choosing a temporary name", errno);
        static const char* letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        temp = name + ".tmp-";
        for (unsigned char r : random) temp += letters[r % 62];
        raw = ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (raw < 0 && errno != EEXIST) return fail("creating temporary file " + temp, errno);
    }
    if (raw < 0) return fail("creating temporary file " + temp, EEXIST);
    Fd fd(raw);
    auto fail_and_remove = [&](const std::string& step, int err) {
        ::unlinkat(dir_fd, temp.c_str(), 0);
        return fail(step, err);
    };
    const mode_t mode = target_exists ? (existing.st_mode & 07777) : (0666 & ~current_umask());
    if (::fchmod(fd.get(), mode) != 0) return fail_and_remove("setting permissions of " + temp, errno);
    if (!write_all(fd.get(), contents)) return fail_and_remove("writing " + temp, errno);
    if (::fsync(fd.get()) != 0) return fail_and_remove("flushing " + temp, errno);
    if (fd.close() != 0) return fail_and_remove("closing " + temp, errno);
    // renameat replaces the entry itself: if a link took the name meanwhile, the link is replaced.
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0)
        return fail_and_remove("renaming " + temp, errno);
    if (::fsync(dir_fd) != 0 && errno != EINVAL) return fail("flushing directory " + dir_name, errno);
    return true;
}

}  // namespace tactus
