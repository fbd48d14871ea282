#include "core/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace tactus {

FileReadResult read_regular_file(const std::string& path, std::size_t max_bytes) {
    auto fail = [](std::string message) {
        FileReadResult result;
        result.error = std::move(message);
        return result;
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return fail(std::string("cannot open: ") + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    return read_regular_fd(fd, max_bytes);
}

FileReadResult read_regular_fd(int fd, std::size_t max_bytes) {
    auto fail = [](std::string message) {
        FileReadResult result;
        result.error = std::move(message);
        return result;
    };
    struct stat info {};
    if (::fstat(fd, &info) != 0) return fail(std::string("cannot read: ") + std::strerror(errno));
    if (S_ISDIR(info.st_mode)) return fail(std::string("cannot read: ") + std::strerror(EISDIR));
    if (!S_ISREG(info.st_mode)) return fail("not a regular file (a FIFO, device or socket cannot be loaded)");
    if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
        return fail("the file is too large (" + std::to_string(info.st_size) + " bytes; the limit is " +
                    std::to_string(max_bytes) + ")");
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(info.st_size));
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(std::string("cannot read: ") + std::strerror(errno));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        // A file that grows while it is read is still held to the limit.
        if (text.size() > max_bytes)
            return fail("the file is too large (the limit is " + std::to_string(max_bytes) + " bytes)");
    }
    FileReadResult result;
    result.bytes = std::move(text);
    return result;
}

}  // namespace tactus
