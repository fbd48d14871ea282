// Where the reader takes a font's bytes from: a buffer already in memory, or a file read piecewise
// (so that the 100+ MB sample chunk can be skipped with a seek, or read straight into its final
// vector). Offsets are absolute file offsets; every read is bounds-checked by the caller first.
//
// Threading: one reader thread at a time per instance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tactus::sf2 {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual std::uint64_t size() const = 0;
    // Copies [offset, offset + n) to dst; false on an I/O error (the range is within size()).
    virtual bool read(std::uint64_t offset, void* dst, std::size_t n) = 0;
    // The bytes [offset, offset + n): a view into the buffer, or into `scratch` filled by read().
    // Empty view with n > 0 on an I/O error.
    virtual std::string_view view(std::uint64_t offset, std::size_t n, std::string& scratch);
};

class MemoryByteSource final : public ByteSource {
public:
    explicit MemoryByteSource(std::string_view bytes) : bytes_(bytes) {}
    std::uint64_t size() const override { return bytes_.size(); }
    bool read(std::uint64_t offset, void* dst, std::size_t n) override;
    std::string_view view(std::uint64_t offset, std::size_t n, std::string& scratch) override;

private:
    std::string_view bytes_;
};

// POSIX file descriptor, pread() at absolute offsets (no shared file position).
class FileByteSource final : public ByteSource {
public:
    FileByteSource() = default;
    ~FileByteSource() override;
    FileByteSource(const FileByteSource&) = delete;
    FileByteSource& operator=(const FileByteSource&) = delete;
    // False with *error set (strerror text) when the file cannot be opened or is not a regular file.
    bool open(const std::string& path, std::string* error);
    std::uint64_t size() const override { return size_; }
    bool read(std::uint64_t offset, void* dst, std::size_t n) override;

private:
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace tactus::sf2
