#include "cli/output_rules.h"

#include <sys/stat.h>

#include <cerrno>
#include <iostream>

namespace tactus::cli {

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return "a special file";
}

}  // namespace

std::string output_path_problem(const OutputPaths& paths) {
    const std::string command(paths.command), input(paths.input), output(paths.output);
    const std::string hint = "; choose another " + std::string(paths.option);
    struct stat out {};
    // stat follows symbolic links: a link to the input, or to a device, is judged by what it names.
    // A missing output (or one we cannot look at) is left to the writer, which reports its own error.
    if (::stat(output.c_str(), &out) != 0) return {};
    if (!S_ISREG(out.st_mode))
        return command + ": the output " + output + " is " + kind_of(out.st_mode) +
               ", not a regular file (writing would replace it with one)" + hint;
    struct stat in {};
    if (::stat(input.c_str(), &in) != 0) return {};  // the reader reports a missing input
    if (in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
        if (input == output) return command + ": the output " + output + " is the input file" + hint;
        return command + ": the output " + output + " is the input file " + input +
               " (the same file by another name)" + hint;
    }
    return {};
}

bool check_output_path(const OutputPaths& paths) {
    const std::string problem = output_path_problem(paths);
    if (problem.empty()) return true;
    std::cerr << "error: " << problem << "\n";
    return false;
}

}  // namespace tactus::cli
