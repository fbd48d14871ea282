// Replacing a file atomically: readers (and a crash at any moment) see either the old contents or
// the new ones, never a mix or a truncated file. Blocking file I/O: never call from the audio thread.
#pragma once

#include <string>
#include <string_view>

namespace tactus {

// Writes `contents` to a fresh temporary file beside `path` ("<path>.tmp-XXXXXX"), flushes it to
// disk (fsync), renames it over `path` and fsyncs the directory. An existing file keeps its
// permission bits; a symbolic link is followed (its target is replaced, the link stays). Anything
// but a regular file (a device, FIFO, socket or directory) is refused and left as it is.
// On failure returns false, removes the temporary file, leaves `path` as it was and, when `error` is
// not null, stores a message naming the path, the step that failed and strerror.
bool write_file_atomically(const std::string& path, std::string_view contents, std::string* error);

// The same inside the open directory `dir_fd` (named `dir_name` in messages), for a caller that has
// checked the directory it opened: nothing is resolved by path again, so a component swapped for a
// symbolic link after the check changes nothing. `name` must be a plain file name; an entry that is
// not a regular file (a symbolic link included) is refused, never written through.
bool write_file_atomically_in(int dir_fd, const std::string& dir_name, const std::string& name,
                              std::string_view contents, std::string* error);

}  // namespace tactus
