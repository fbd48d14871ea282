// libFuzzer target: one input is one OSC packet (a UDP datagram or a TCP frame), taken through the
// same path as in tactusd: tactus::parse_osc_packet, then ControlServer::handle_packet (or
// handle_malformed), then ControlServer::pump_engine_events. So every handler's argument validation,
// the engine host's conversions and the command queue run on fuzzed values.
//
// What is real: an EngineHost opened on the "offline" backend (no output file) and never started, so
// nothing drains its command queue: after its first 4096 accepted commands every later one takes the
// "queue is full" path, which must stay bounded (it is: a fixed ring, and the pending-reply table
// of a ControlServer holds at most one entry per queued command). An OscTransport bound to
// 127.0.0.1:0, whose replies go to a UDP socket of the harness that is drained after each input, and
// every reply must parse as an OSC message. A PositionReporter that is never started (no thread, no
// datagrams).
//
// Between inputs: the ControlServer and PositionReporter are made anew (count-in, loop, pending
// replies, subscribers, quit flag), and the host gets the baseline document and tempo scale 1 back
// when an input changed them. The command queue is deliberately left full.
//
// Side effects disabled deterministically:
//  - /quit only sets a flag, which the harness ignores;
//  - files: the server's own path rules (server/path_policy.h) confine every /load and /document
//    PATH to one allowed directory, a fresh temporary directory holding a copy of examples/ (the
//    seeds /load examples/demo.json, a relative path resolved there), so saves and edit journals
//    land only there. As a second guard a /load or /journal path that resolves into /dev, /proc or
//    /sys, or to anything but a regular file or a directory, is dropped from the packet before
//    dispatch;
//  - senders: a packet whose first message is /auth comes from 127.0.0.2, which the server is told
//    to take for another host: the rest of the packet is served only when the token is the
//    harness's (in the dictionary), so the admission rules are fuzzed too; every other input comes
//    from 127.0.0.1;
//  - getaddrinfo (reached by /subscribe and /unsubscribe with a host name) is interposed to resolve
//    numeric addresses and "localhost" only, so fuzzed host names never turn into DNS queries;
//  - standard input is /dev/null.
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "server/control_server.h"
#include "server/edit_messages.h"
#include "server/engine_host.h"
#include "server/osc_packet.h"
#include "server/osc_transport.h"
#include "server/position_reporter.h"

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints, addrinfo** res) {
    using Real = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
    static const Real real = [] {
        void* symbol = dlsym(RTLD_NEXT, "getaddrinfo");
        Real fn = nullptr;
        static_assert(sizeof fn == sizeof symbol);
        std::memcpy(&fn, &symbol, sizeof fn);
        return fn;
    }();
    addrinfo numeric{};
    if (hints != nullptr) numeric = *hints;
    if (node != nullptr && std::strcmp(node, "localhost") != 0) numeric.ai_flags |= AI_NUMERICHOST;
    numeric.ai_flags |= AI_NUMERICSERV;
    return real(node, service, &numeric, res);
}

namespace {

using namespace tactus;

// Two tracks (ids 1 and 2, as in the seed corpus), a tempo ramp and 3/4: enough for every handler to
// get past "no document" and "no track" and into its conversions.
constexpr const char* kBaselineDocument = R"({
  "format": "tactus", "version": 1,
  "tempo": [{"beat": 0, "bpm": 120}, {"beat": 4, "bpm": 120, "ramp": true}, {"beat": 8, "bpm": 90}],
  "meter": [{"bar": 0, "numerator": 3, "denominator": 4}],
  "tracks": [
    {"id": 1, "name": "Lead", "instrument": "synth", "preset": "sine",
     "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100},
               {"id": 2, "start": 2, "length": 0.5, "pitch": 64, "velocity": 90}]},
    {"id": 2, "name": "Pluck", "instrument": "synth", "preset": "pluck",
     "notes": [{"id": 3, "start": 1, "length": 2, "pitch": 48, "velocity": 70}]}
  ]
})";

// The token a sender from "another host" must give (also in osc_dispatch.dict).
constexpr const char* kToken = "fuzz-token-0123456789";

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "osc_dispatch_fuzz: %s\n", what.c_str());
    std::abort();
}

// True when /load of this path could block or read something endless (see the file comment).
bool unsafe_load_path(const std::string& path) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr) return false;  // missing: open() fails at once
    const std::string real(resolved);
    for (const char* prefix : {"/dev/", "/proc/", "/sys/"})
        if (real.rfind(prefix, 0) == 0) return true;
    struct stat info {};
    if (::stat(resolved, &info) != 0) return false;
    return !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode);
}

class Harness {
public:
    Harness() {
        std::string error;
        EngineHostOptions options;
        options.audio.kind = "offline";  // offline_path "" = no file; start_audio() is never called
        if (!host_.open(options, &error)) die("cannot open the engine host: " + error);
        load_baseline();

        OscTransportOptions net;
        net.address = "127.0.0.1";
        net.port = 0;
        if (!transport_.open(net, &error)) die("cannot open the transport: " + error);

        reply_fd_ = open_reply_socket(INADDR_LOOPBACK, from_);
        remote_reply_fd_ = open_reply_socket(INADDR_LOOPBACK + 1, remote_);  // 127.0.0.2
        reply_buffer_.resize(1 << 16);

        char dir[] = "/tmp/tactus-fuzz-files-XXXXXX";
        if (::mkdtemp(dir) == nullptr) die("cannot make the files directory");
        files_dir_ = dir;
        const std::string copy = "cp -r examples '" + files_dir_ + "/' 2>/dev/null";
        if (std::system(copy.c_str()) != 0) std::fprintf(stderr, "osc_dispatch_fuzz: no examples/ to copy\n");
        auto paths = PathPolicy::create({files_dir_}, &error);
        if (!paths) die("path policy: " + error);
        options_.paths = std::move(*paths);
        auto access = ClientAccess::create({{"127.0.0.1"}, kToken}, &error);
        if (!access) die("client access: " + error);
        options_.access = std::move(*access);
    }
    ~Harness() {
        const std::string remove = "rm -rf '" + files_dir_ + "'";
        if (std::system(remove.c_str()) != 0)
            std::fprintf(stderr, "osc_dispatch_fuzz: cannot remove %s\n", files_dir_.c_str());
    }

    void run(const std::uint8_t* data, std::size_t size) {
        control_.reset();
        reporter_.emplace(host_);
        control_.emplace(host_, transport_, &*reporter_, options_);

        std::string problem;
        bool touched_document = false;
        if (!parse_osc_packet(data, size, packet_, &problem)) {
            if (problem.empty()) die("parse_osc_packet failed without saying why");
            control_->handle_malformed(problem, from_);
        } else {
            std::erase_if(packet_.messages, [&](const OscMessage& m) {
                // Loads and edits change the document: the next input starts from the baseline again.
                if (m.address.rfind("/load", 0) == 0 || is_edit_address(m.address)) touched_document = true;
                return (m.address == "/load" || m.address == "/journal") && !m.args.empty() &&
                       (m.args[0].type == 's' || m.args[0].type == 'S') && unsafe_load_path(m.args[0].s);
            });
            const bool remote = !packet_.messages.empty() && packet_.messages.front().address == "/auth";
            control_->handle_packet(packet_, remote ? remote_ : from_, monotonic_now_ns());
        }
        control_->pump_engine_events();
        // The journal's writer thread finishes this input's work before the next: libFuzzer's leak
        // check after each input must not catch it holding a buffer mid-write.
        control_->flush_journal();
        // control_->quit_requested() is ignored: the harness never exits on an input's request.
        drain_replies(reply_fd_);
        drain_replies(remote_reply_fd_);

        if (touched_document) load_baseline();
        if (host_.tempo_scale() != 1.0) {
            std::string error;
            if (!host_.set_tempo_scale(1.0, &error)) die("cannot reset the tempo scale: " + error);
        }
    }

private:
    void load_baseline() {
        LoadResult result = parse_document(kBaselineDocument, "<baseline>");
        if (!result.errors.empty()) die("baseline document: " + result.errors.front().to_string());
        std::string error;
        if (!host_.load(std::move(*result.document), &error)) die("cannot load the baseline: " + error);
    }

    // A UDP socket on `address` (host order) for replies, and `from` naming it as a sender.
    static int open_reply_socket(std::uint32_t address, ReplyTarget& from) {
        const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(address);
        const int buffer = 4 << 20;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
            die("cannot open a reply socket");
        from.kind = ReplyTarget::Kind::Udp;
        from.addr_len = sizeof from.addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&from.addr), &from.addr_len);
        return fd;
    }

    // Every reply must be one well-formed OSC message; an /error carries two strings.
    void drain_replies(int fd) {
        for (;;) {
            const ssize_t n = ::recv(fd, reply_buffer_.data(), reply_buffer_.size(), MSG_DONTWAIT);
            if (n <= 0) return;
            std::string problem;
            if (!parse_osc_packet(reply_buffer_.data(), static_cast<std::size_t>(n), reply_, &problem))
                die("the server sent a malformed reply: " + problem);
            // A reply is one message, or a batch of edits (/edits/since): /edited revision count, then
            // exactly `count` edit messages.
            if (reply_.messages.empty()) die("an empty reply");
            const OscMessage& m = reply_.messages.front();
            if (reply_.is_bundle) {
                if (m.address != "/edited" || m.types != "hi" ||
                    std::size_t(m.args[1].i) + 1 != reply_.messages.size())
                    die("a bundle reply is not an /edited batch");
                for (std::size_t k = 1; k < reply_.messages.size(); ++k)
                    if (!is_edit_address(reply_.messages[k].address))
                        die("an /edited batch holds a non-edit");
            } else if (reply_.messages.size() != 1) {
                die("a reply is not a single message");
            }
            if (m.address == "/error" && m.types != "ss")
                die("an /error reply has type tags '" + m.types + "'");
            if (verbose_) print(m);
        }
    }

    static void print(const OscMessage& m) {
        std::string line = "reply " + m.address;
        for (const OscArg& a : m.args) {
            if (a.type == 's' || a.type == 'S')
                line += " \"" + a.s + "\"";
            else if (a.type == 'f' || a.type == 'd')
                line += " " + std::to_string(a.f);
            else
                line += " " + std::to_string(a.i);
        }
        std::fprintf(stderr, "%s\n", line.c_str());
    }

    // TACTUS_FUZZ_VERBOSE=1 prints every reply (to see what an input did, e.g. a crash reproducer).
    const bool verbose_ = std::getenv("TACTUS_FUZZ_VERBOSE") != nullptr;
    EngineHost host_;
    OscTransport transport_;
    std::optional<PositionReporter> reporter_;
    std::optional<ControlServer> control_;
    int reply_fd_ = -1;
    int remote_reply_fd_ = -1;
    ReplyTarget from_;
    ReplyTarget remote_;
    std::string files_dir_;
    ControlServerOptions options_;
    OscPacket packet_;
    OscPacket reply_;
    std::vector<std::uint8_t> reply_buffer_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd >= 0) {
        ::dup2(null_fd, STDIN_FILENO);
        ::close(null_fd);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Harness* harness = [] {  // lives until exit: sockets and engine are made once
        static Harness* made = new Harness();
        std::atexit([] { delete made; });  // removes its temporary directory
        return made;
    }();
    harness->run(data, size);
    return 0;
}
