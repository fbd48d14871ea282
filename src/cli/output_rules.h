// What the CLI's file-writing commands (render, export, import) may write over.
//
// Each of them writes a whole new file and renames it over the output path, so two outputs are
// refused before any work is done:
//   - the command's own input, however it is spelled: "./song.json", a symbolic link to it or a hard
//     link are the same file (compared by device and inode, not by text);
//   - an existing path that is not a regular file (a directory, a FIFO, a socket, a device node such
//     as /dev/null): the rename would replace that node with a regular file.
// The check happens before the command starts; a file swapped in between is not guarded against (the
// rule protects a user from a slip of the keyboard, not from another process racing the command).
//
// Threading: any thread; blocking file-system calls.
#pragma once

#include <string>
#include <string_view>

namespace tactus::cli {

struct OutputPaths {
    std::string_view command;        // "render", "export", "import": starts the message
    std::string_view input;          // the file the command reads
    std::string_view output;         // the file it will write
    std::string_view option = "-o";  // the option naming the output, for the hint
};

// "" when the output may be written; otherwise one line saying what was refused and why, e.g.
// "render: the output song.json is the input file; choose another -o".
std::string output_path_problem(const OutputPaths& paths);

// Prints "error: <problem>" on stderr and returns false when there is a problem.
bool check_output_path(const OutputPaths& paths);

}  // namespace tactus::cli
