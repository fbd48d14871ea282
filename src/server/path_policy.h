// Which files a client may make the engine read or write (docs/security.md, "Files").
//
// Every command that names a path (/load, /document PATH, and the instrument files to come) goes
// through here first. The rules:
//   - A relative path is resolved against the base directory (the first allowed directory), never
//     against the engine's working directory.
//   - Only regular files are read; only regular files are replaced, and a save's name must end in
//     the extension its kind requires (".json" for documents), so no command can clobber a device
//     node, a FIFO, ~/.bashrc or ~/.ssh/authorized_keys.
//   - For a confined client (any client but the engine's owner on the private local socket) the
//     path must lie inside an allowed directory (--allow-dir; default $HOME) both as written
//     (checked before the file system is touched, so a refusal does not tell whether a file
//     exists) and once symbolic links are resolved, and no component below the allowed directory
//     may be hidden (".ssh", ".config", ".bashrc").
// Refusals name the path and the rule, never anything the file holds.
//
// Threading: immutable after create(); any thread (blocking file-system calls, never the audio thread).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tactus {

struct ResolvedPath {
    std::string path;   // absolute, symbolic links resolved: what to open
    std::string error;  // otherwise why it was refused, naming the path as requested
    bool ok() const { return error.empty(); }
};

class PathPolicy {
public:
    // No allowed directory: only the owner can name files, by absolute path.
    PathPolicy() = default;
    // `dirs`: the --allow-dir values (relative ones against the working directory at start); each
    // must be an existing directory. Empty: $HOME when it is set and exists, else no directory at
    // all (only the owner can name files). nullopt with *error naming the bad directory.
    static std::optional<PathPolicy> create(const std::vector<std::string>& dirs, std::string* error);

    const std::vector<std::string>& allowed_dirs() const { return roots_; }
    // Where relative paths are resolved ("" when there is no allowed directory).
    const std::string& base_dir() const { return base_; }

    // A file to read. `confined`: hold it to the allowed directories.
    ResolvedPath for_reading(const std::string& requested, bool confined) const;
    // A file to create or replace, whose name must end in `extension` (e.g. ".json").
    ResolvedPath for_writing(const std::string& requested, const std::string& extension, bool confined) const;

    // The two above with the I/O done safely: the file (or the directory of a save) is opened
    // without following a final symbolic link, and what was opened is checked to be what the rules
    // allowed (its path as the kernel sees it), so swapping a link in after the check gains nothing.
    // read_file: *bytes gets the contents; write_file: the returned path is where it went.
    ResolvedPath read_file(const std::string& requested, bool confined, std::string* bytes) const;
    ResolvedPath write_file(const std::string& requested, const std::string& extension, bool confined,
                            std::string_view contents) const;

private:
    // The requested path made absolute and lexically normal, or *error set.
    std::optional<std::string> absolute(const std::string& requested, std::string* error) const;
    // True when `path` (absolute, normal) lies in an allowed directory with no hidden component
    // below it; *why says which rule it breaks otherwise.
    bool inside_roots(const std::string& path, std::string* why) const;

    std::vector<std::string> roots_;
    std::string base_;
};

}  // namespace tactus
