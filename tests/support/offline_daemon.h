// tactusd as a child process on the offline backend, and raw OSC clients to drive it, for end-to-end
// tests that need no JACK server (tests/server/*): Daemon starts it on a free port of 127.0.0.1 and
// reads the ports from its log; UdpClient, TcpClient and LocalClient (its private Unix-domain socket)
// send what a test builds, well-formed (Osc, built with liblo) or not (raw bytes).
//
// Header-only, its definitions in an unnamed namespace: each test file gets its own copy.
// Threading: each object from one thread.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/osc_message.h"
#include "server/osc_packet.h"

#if defined(__SANITIZE_ADDRESS__)
#define OFFLINE_DAEMON_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OFFLINE_DAEMON_SANITIZED 1
#endif
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using tactus::OscMessage;

#if defined(OFFLINE_DAEMON_SANITIZED)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// ------------------------------------------------------------------------------------------------
// Building packets

// An OSC message built with liblo, as a client library sends it: Osc("/track/level").i(1).d(0.5).
class Osc {
public:
    explicit Osc(std::string address) : address_(std::move(address)), m_(lo_message_new()) {}
    ~Osc() { lo_message_free(m_); }
    Osc(const Osc&) = delete;
    Osc& operator=(const Osc&) = delete;

    Osc& i(std::int32_t v) { return lo_message_add_int32(m_, v), *this; }
    Osc& h(std::int64_t v) { return lo_message_add_int64(m_, v), *this; }
    Osc& f(float v) { return lo_message_add_float(m_, v), *this; }
    Osc& d(double v) { return lo_message_add_double(m_, v), *this; }
    Osc& s(const std::string& v) { return lo_message_add_string(m_, v.c_str()), *this; }
    Osc& infinitum() { return lo_message_add_infinitum(m_), *this; }
    Bytes bytes() const {
        std::size_t size = 0;
        void* data = lo_message_serialise(m_, address_.c_str(), nullptr, &size);
        Bytes out(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
        std::free(data);
        return out;
    }

private:
    std::string address_;
    lo_message m_;
};

inline Bytes raw(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

void put_be32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

inline void put_osc_string(Bytes& out, const std::string& s) {
    out.insert(out.end(), s.begin(), s.end());
    do out.push_back(0);
    while (out.size() % 4 != 0);
}

// Large messages are encoded here, not with liblo: liblo 0.31's lo_message_add_string/blob undersize
// their buffer for data just above 2^15 (and larger powers of two) times its initial 8 bytes, and
// write past it (its lo_pow2_over macro takes log2 as log(x)/0.69315, a little too small).
inline Bytes string_message(const std::string& address, const std::string& text) {
    Bytes out;
    put_osc_string(out, address);
    put_osc_string(out, ",s");
    put_osc_string(out, text);
    return out;
}
inline Bytes blob_message(const std::string& address, const Bytes& blob) {
    Bytes out;
    put_osc_string(out, address);
    put_osc_string(out, ",b");
    put_be32(out, static_cast<std::uint32_t>(blob.size()));
    out.insert(out.end(), blob.begin(), blob.end());
    while (out.size() % 4 != 0) out.push_back(0);
    return out;
}

inline std::string describe(const OscMessage& m) {
    std::string text = m.address + " ," + m.types;
    for (const tactus::OscArg& a : m.args) {
        if (a.type == 's' || a.type == 'S')
            text += " \"" + (a.s.size() > 200 ? a.s.substr(0, 200) + "..." : a.s) + "\"";
        else if (a.type == 'f' || a.type == 'd')
            text += " " + std::to_string(a.f);
        else
            text += " " + std::to_string(a.i);
    }
    return text;
}

// The first argument of a /reply or /error: the address it answers.
inline std::string answered(const OscMessage& m) {
    if ((m.address == "/reply" || m.address == "/error") && !m.args.empty() && m.args[0].type == 's')
        return m.args[0].s;
    return m.address;
}

// ------------------------------------------------------------------------------------------------
// Clients

// Binds `fd` to the IPv4 address `from` (nothing when it is empty).
inline void bind_to(int fd, const std::string& from) {
    if (from.empty()) return;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local);
}

// A UDP socket connected to the daemon: it sends from the port it reads on, so replies come back.
class UdpClient {
public:
    // `from`: the local address to send from (e.g. "127.0.0.2", which an engine told to trust only
    // 127.0.0.1 takes for another host); "" lets the kernel pick. `to_host`: the engine's address.
    explicit UdpClient(int port, const std::string& from = "", const std::string& to_host = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bind_to(fd_, from);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, to_host.c_str(), &to.sin_addr);
        const int buffer = 1 << 20;
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    }
    ~UdpClient() { ::close(fd_); }
    UdpClient(const UdpClient&) = delete;
    UdpClient& operator=(const UdpClient&) = delete;

    bool send(const Bytes& bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    // The next datagram as an OSC message (an unparsable one fails the test and is skipped).
    std::optional<OscMessage> receive(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count()))) <= 0)
                return std::nullopt;
            Bytes buffer(1 << 16);
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
            if (n <= 0) {
                if (Clock::now() >= deadline) return std::nullopt;
                continue;  // e.g. ECONNREFUSED from an ICMP error: keep waiting for a real reply
            }
            tactus::OscPacket packet;
            std::string error;
            if (!tactus::parse_osc_packet(buffer.data(), static_cast<std::size_t>(n), packet, &error) ||
                packet.messages.size() != 1) {
                ADD_FAILURE() << "tactusd sent a malformed reply: " << error;
                continue;
            }
            return packet.messages.front();
        }
    }
    // The first message for which `match` holds; others are dropped.
    std::optional<OscMessage> wait_for(const std::function<bool(const OscMessage&)>& match,
                                       std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            auto m = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (m && match(*m)) return m;
        }
        return std::nullopt;
    }
    void drain() {
        while (receive(0ms)) {
        }
    }

private:
    int fd_ = -1;
};

// A TCP connection with OSC 1.0 stream framing (int32 big-endian length, then the packet).
class TcpClient {
public:
    explicit TcpClient(int port, const std::string& from = "", const std::string& to_host = "127.0.0.1") {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bind_to(fd_, from);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, to_host.c_str(), &to.sin_addr);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    // A connection to the engine's Unix-domain socket at `path` (the same framing).
    explicit TcpClient(const fs::path& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un to{};
        to.sun_family = AF_UNIX;
        std::strncpy(to.sun_path, path.c_str(), sizeof to.sun_path - 1);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
    }
    ~TcpClient() { ::close(fd_); }
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    bool connected() const { return connected_; }
    bool send_frame(const Bytes& packet) {
        Bytes frame;
        put_be32(frame, static_cast<std::uint32_t>(packet.size()));
        frame.insert(frame.end(), packet.begin(), packet.end());
        return send_all(frame.data(), frame.size(), 10s) == frame.size();
    }
    // Sends as much of [data, data+size) as the peer takes before `timeout`; returns how much.
    std::size_t send_all(const std::uint8_t* data, std::size_t size, std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        std::size_t sent = 0;
        while (sent < size && Clock::now() < deadline) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::send(fd_, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) continue;
                break;  // EPIPE, ECONNRESET: the peer closed
            }
            sent += static_cast<std::size_t>(n);
        }
        return sent;
    }
    // The next frame as an OSC message; nullopt on timeout, or when the connection ended (then
    // closed() is true).
    std::optional<OscMessage> receive(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (inbox_.size() >= 4) {
                const std::uint32_t length = (std::uint32_t{inbox_[0]} << 24) |
                                             (std::uint32_t{inbox_[1]} << 16) |
                                             (std::uint32_t{inbox_[2]} << 8) | inbox_[3];
                if (inbox_.size() >= 4 + std::size_t{length}) {
                    tactus::OscPacket packet;
                    std::string error;
                    const bool ok = tactus::parse_osc_packet(inbox_.data() + 4, length, packet, &error);
                    inbox_.erase(inbox_.begin(), inbox_.begin() + 4 + length);
                    if (ok && packet.messages.size() == 1) return packet.messages.front();
                    ADD_FAILURE() << "tactusd sent a malformed TCP reply: " << error;
                    continue;
                }
            }
            if (closed_) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
            std::uint8_t buffer[65536];
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                closed_ = true;
            } else if (n > 0) {
                inbox_.insert(inbox_.end(), buffer, buffer + n);
            }
        }
    }
    // Reads until the peer closes the connection or `timeout` passes; true when it closed.
    bool wait_closed(std::chrono::milliseconds timeout, std::vector<OscMessage>* received = nullptr) {
        const auto deadline = Clock::now() + timeout;
        while (!closed_ && Clock::now() < deadline) {
            auto m = receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            if (m && received) received->push_back(*m);
        }
        return closed_;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    bool closed_ = false;
    Bytes inbox_;
};

// ------------------------------------------------------------------------------------------------
// Processes

inline std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A child process with stdout and stderr in `log`, killed (SIGKILL) when the test process dies.
class Child {
public:
    Child(const std::vector<std::string>& args, const fs::path& log,
          const std::vector<std::string>& extra_env = {}) {
        std::vector<std::string> argv_text = args;
        std::vector<char*> argv;
        for (std::string& a : argv_text) argv.push_back(a.data());
        argv.push_back(nullptr);
        std::vector<std::string> env_text;
        for (char** e = environ; *e != nullptr; ++e) env_text.emplace_back(*e);
        for (const std::string& e : extra_env) {
            const std::string key = e.substr(0, e.find('=') + 1);
            std::erase_if(env_text, [&](const std::string& x) { return x.rfind(key, 0) == 0; });
            env_text.push_back(e);
        }
        std::vector<char*> envp;
        for (std::string& e : env_text) envp.push_back(e.data());
        envp.push_back(nullptr);
        const std::string log_path = log.string();
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ == 0) {
            // Only async-signal-safe calls from here to exec.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(127);
            const int in = ::open("/dev/null", O_RDONLY);
            const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0) ::_exit(127);
            ::dup2(in, STDIN_FILENO);
            ::dup2(out, STDOUT_FILENO);
            ::dup2(out, STDERR_FILENO);
            ::execve(argv[0], argv.data(), envp.data());
            ::_exit(127);
        }
    }
    ~Child() { kill_and_reap(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    // True while it runs; once it has exited, status() is its wait status.
    bool alive() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
        status_ = status;
        pid_ = -1;
        return false;
    }
    bool wait_exit(std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (alive() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
        return !alive();
    }
    void kill_and_reap() {
        if (!alive()) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        pid_ = -1;
    }
    int status() const { return status_; }

private:
    pid_t pid_ = -1;
    int status_ = -1;
};

inline std::string describe_status(int status) {
    if (status < 0) return "still running";
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// tactusd on the offline backend, listening on a free port of 127.0.0.1 (port 0: it picks one and
// says which on stderr, so there is no race for the port).
class Daemon {
public:
    // The daemon serves files from `dir` to its (loopback) clients; `extra` is appended to its
    // arguments (a later --listen wins over the default one).
    explicit Daemon(const fs::path& dir, const std::string& seconds = "1000000",
                    const std::vector<std::string>& extra = {})
        : log_(dir / "tactusd.log") {
        std::vector<std::string> args = {
            TACTUS_DAEMON_PATH, "--audio", "offline",     "--out",     (dir / "out.flac").string(),
            "--seconds",        seconds,   "--allow-dir", dir.string()};
        if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
            args.push_back("--listen");
            args.push_back("127.0.0.1:0");
        }
        args.insert(args.end(), extra.begin(), extra.end());
        // Sanitized builds: a small ASan quarantine, so that RSS measures the daemon, not the quarantine.
        child_.emplace(args, log_, std::vector<std::string>{"ASAN_OPTIONS=" + asan_options()});
        const auto deadline = Clock::now() + 20s;
        for (;;) {
            // The log first: a short render may end (and tactusd exit) right after it announced its ports.
            if (parse_ports(read_file(log_))) return;
            if (Clock::now() >= deadline || !child_->alive()) break;
            std::this_thread::sleep_for(20ms);
        }
        error_ =
            "tactusd did not start (" + describe_status(child_->status()) + "); its log:\n" + read_file(log_);
    }
    ~Daemon() { stop(); }

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    int udp_port() const { return udp_port_; }
    int tcp_port() const { return tcp_port_; }
    // Its private Unix-domain socket ("" when it has none).
    const std::string& socket_path() const { return socket_path_; }
    pid_t pid() const { return child_->pid(); }
    std::string log() const { return read_file(log_); }
    Child& child() { return *child_; }

    // /quit, then SIGKILL if it has not exited within 3 s. The exit status as text.
    std::string stop() {
        if (!child_) return "never started";
        if (child_->alive()) {
            UdpClient(udp_port_).send(Osc("/quit").bytes());
            if (!child_->wait_exit(3s)) {
                child_->kill_and_reap();
                return "did not exit after /quit: killed";
            }
        }
        return describe_status(child_->status());
    }

private:
    static std::string asan_options() {
        const char* existing = std::getenv("ASAN_OPTIONS");
        return std::string(existing ? existing : "") + (existing && *existing ? ":" : "") +
               "quarantine_size_mb=16";
    }
    // "...; OSC on 127.0.0.1:41234 (udp) and 127.0.0.1:41234 (tcp)"
    bool parse_ports(const std::string& log) {
        const auto udp = log.find(" (udp)");
        const auto tcp = log.find(" (tcp)");
        if (udp == std::string::npos || tcp == std::string::npos) return false;
        const auto port_before = [&](std::size_t end) {
            const auto colon = log.rfind(':', end);
            return std::atoi(log.substr(colon + 1, end - colon - 1).c_str());
        };
        udp_port_ = port_before(udp);
        tcp_port_ = port_before(tcp);
        if (const auto local = log.find("local socket "); local != std::string::npos)
            socket_path_ = log.substr(local + 13, log.find('\n', local) - local - 13);
        return udp_port_ > 0 && tcp_port_ > 0;
    }

    fs::path log_;
    std::optional<Child> child_;
    int udp_port_ = 0;
    int tcp_port_ = 0;
    std::string socket_path_;
    std::string error_;
};

// VmRSS of a process in KiB (0 when it cannot be read).
inline long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

}  // namespace
