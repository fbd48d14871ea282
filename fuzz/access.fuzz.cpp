// libFuzzer target: the engine's access rules, with oracles (docs/security.md).
//
// The first byte picks the rule, the rest is the fuzzed text:
//   0  PathPolicy::for_reading(text, confined): a path it accepts must be a regular file inside the
//      allowed directory, with no hidden component below it;
//   1  PathPolicy::for_writing(text, ".json", confined): a path it accepts must lie inside the allowed
//      directory, end in .json, have an existing directory and be a regular file if it exists;
//   2  ClientAccess::authenticate(another host's TCP connection, text): true exactly when text is the
//      token, and the connection is admitted afterwards exactly then (a UDP peer never is); an
//      address made of the text's bytes is classified without crashing.
// The allowed directory is a fresh temporary tree with the traps of the security tests: a hidden
// directory, symbolic links out of it and back in, a FIFO, a sibling directory that is not allowed.
// Nothing is written: the policy only resolves.
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "server/client_access.h"
#include "server/path_policy.h"

namespace {

using namespace tactus;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "access_fuzz: %s\n", what.c_str());
    std::abort();
}

constexpr const char* kToken = "fuzz-token-0123456789";

struct Tree {
    Tree() {
        char dir[] = "/tmp/tactus-access-fuzz-XXXXXX";
        if (::mkdtemp(dir) == nullptr) die("mkdtemp");
        top = dir;
        root = top + "/music";
        const std::string outside = top + "/elsewhere";
        for (const std::string& d : {root, outside, root + "/sub", root + "/.hidden"})
            if (::mkdir(d.c_str(), 0700) != 0) die("mkdir " + d);
        for (const std::string& f : {root + "/song.json", root + "/sub/a.json", root + "/.hidden/x.json",
                                     outside + "/b.json", root + "/notes.txt"})
            std::ofstream(f) << "{}";
        if (::symlink((outside + "/b.json").c_str(), (root + "/out.json").c_str()) != 0 ||
            ::symlink("song.json", (root + "/in.json").c_str()) != 0 ||
            ::symlink(outside.c_str(), (root + "/away").c_str()) != 0 ||
            ::symlink("/etc", (root + "/etc").c_str()) != 0 ||
            ::mkfifo((root + "/pipe.json").c_str(), 0600) != 0)
            die("cannot build the tree");
        std::string error;
        auto made = PathPolicy::create({root}, &error);
        if (!made) die(error);
        policy = std::move(*made);
        real_root = policy.allowed_dirs().front();
    }
    ~Tree() {
        const std::string remove = "rm -rf '" + top + "'";
        if (std::system(remove.c_str()) != 0)
            std::fprintf(stderr, "access_fuzz: cannot remove %s\n", top.c_str());
    }

    // Inside the allowed directory, no hidden component below it.
    bool inside(const std::string& path) const {
        if (path.compare(0, real_root.size() + 1, real_root + "/") != 0) return false;
        return path.find("/.", real_root.size()) == std::string::npos;
    }

    std::string top, root, real_root;
    PathPolicy policy;
};

bool ends_with_json(const std::string& path) {
    if (path.size() < 5) return false;
    std::string tail = path.substr(path.size() - 5);
    for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return tail == ".json";
}

void check_reading(const Tree& tree, const std::string& text) {
    const ResolvedPath r = tree.policy.for_reading(text, true);
    if (!r.ok()) {
        if (r.error.compare(0, text.size(), text) != 0)
            die("a refusal does not start with the path: " + r.error);
        return;
    }
    if (!tree.inside(r.path)) die("read outside the allowed directory: '" + text + "' -> " + r.path);
    struct stat st {};
    if (::lstat(r.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        die("read of something not a regular file: '" + text + "' -> " + r.path);
}

void check_writing(const Tree& tree, const std::string& text) {
    const ResolvedPath r = tree.policy.for_writing(text, ".json", true);
    if (!r.ok()) return;
    if (!tree.inside(r.path)) die("write outside the allowed directory: '" + text + "' -> " + r.path);
    if (!ends_with_json(r.path)) die("write of a name not ending in .json: " + r.path);
    struct stat st {};
    if (::lstat(r.path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        die("write over something not a regular file: " + r.path);
    const std::string dir = r.path.substr(0, r.path.rfind('/'));
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        die("write into a missing directory: " + r.path);
}

void check_token(const std::string& text, const std::uint8_t* bytes, std::size_t size) {
    std::string error;
    auto access = ClientAccess::create({{"127.0.0.1"}, kToken}, &error);
    if (!access) die(error);
    ReplyTarget remote;
    remote.kind = ReplyTarget::Kind::Tcp;
    remote.connection = 7;
    auto& in = reinterpret_cast<sockaddr_in&>(remote.addr);
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(0x0A000001);  // 10.0.0.1
    in.sin_port = htons(9000);
    remote.addr_len = sizeof in;
    if (access->admitted(remote)) die("another host admitted without a token");
    const bool right = text == kToken;
    if (access->authenticate(remote, text) != right) die("the token check is wrong for '" + text + "'");
    if (access->admitted(remote) != right) die("admission does not follow the token check");
    ReplyTarget datagram = remote;  // a UDP datagram is never admitted by itself, token or not
    datagram.kind = ReplyTarget::Kind::Udp;
    if (access->admitted(datagram)) die("a UDP peer admitted for good");

    ReplyTarget any;
    any.kind = ReplyTarget::Kind::Tcp;
    std::memcpy(&any.addr, bytes, std::min(size, sizeof any.addr));
    any.addr_len = sizeof any.addr;
    (void)access->classify(any);
    (void)ClientAccess::same_host(any.addr, remote.addr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Tree* tree = [] {  // lives until exit, then removes its directory
        static Tree* made = new Tree();
        std::atexit([] { delete made; });
        return made;
    }();
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (text.find('\0') != std::string::npos) return 0;  // OSC strings end at the first NUL
    switch (data[0] % 3) {
        case 0:
            check_reading(*tree, text);
            break;
        case 1:
            check_writing(*tree, text);
            break;
        default:
            check_token(text, data + 1, size - 1);
            break;
    }
    return 0;
}
