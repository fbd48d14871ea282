#include "engine/soundfont/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tactus::sf2 {

std::string_view ByteSource::view(std::uint64_t offset, std::size_t n, std::string& scratch) {
    scratch.resize(n);
    if (n > 0 && !read(offset, scratch.data(), n)) return {};
    return scratch;
}

bool MemoryByteSource::read(std::uint64_t offset, void* dst, std::size_t n) {
    if (offset > bytes_.size() || n > bytes_.size() - offset) return false;
    if (n > 0) std::memcpy(dst, bytes_.data() + offset, n);
    return true;
}

std::string_view MemoryByteSource::view(std::uint64_t offset, std::size_t n, std::string&) {
    if (offset > bytes_.size() || n > bytes_.size() - offset) return {};
    return bytes_.substr(offset, n);
}

FileByteSource::~FileByteSource() {
    if (fd_ >= 0) ::close(fd_);
}

bool FileByteSource::open(const std::string& path, std::string* error) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        *error = std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        *error = std::strerror(errno);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = "not a regular file";
        return false;
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
    return true;
}

bool FileByteSource::read(std::uint64_t offset, void* dst, std::size_t n) {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
        const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;  // error, or the file shrank under us
        out += got;
        offset += static_cast<std::uint64_t>(got);
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

}  // namespace tactus::sf2
