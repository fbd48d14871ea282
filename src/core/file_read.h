// Reading a whole input file (a document, a MIDI file) without trusting what the path names: only a
// regular file is read. A FIFO would block the reader until a writer came (forever, for a server
// thread or `tactus import`), a device would never end; both are refused with a clear message. The
// file is opened with O_NONBLOCK so that even the open() of a FIFO returns at once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace tactus {

// Larger inputs are refused rather than read into memory.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{256} << 20;

struct FileReadResult {
    std::optional<std::string> bytes;  // the file's contents, when it could be read
    std::string error;                 // otherwise why, without the path: "cannot open: No such file..."
};

FileReadResult read_regular_file(const std::string& path, std::size_t max_bytes = kMaxInputFileBytes);
// The same for a file already open (the caller keeps and closes `fd`).
FileReadResult read_regular_fd(int fd, std::size_t max_bytes = kMaxInputFileBytes);

}  // namespace tactus
