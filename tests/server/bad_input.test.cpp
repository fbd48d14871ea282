// Bad input against a running tactusd: each test starts the real daemon (offline backend, so no JACK
// is needed), sends it something wrong over UDP or TCP, checks the exact /error it answers (address
// and message, docs/protocol.md), and checks that the engine still answers /ping afterwards. Ends with
// a command flood from a separate process (osc_flood) while the daemon's memory is sampled.
//
// The daemon renders to a FLAC file: with --audio offline the engine renders as fast as it can (about
// 500x realtime here), so a WAV of 600 s would be written (230 MB) within a second and the render
// thread would then stop taking commands; silence in FLAC costs a few hundred bytes per second of
// wall time instead, and --seconds 1e6 keeps the render going for the whole test.
//
// Every daemon is a child with PR_SET_PDEATHSIG=SIGKILL (it dies with the test process), is sent
// /quit at the end of its test and is killed if it has not exited 3 s later.
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
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/osc_message.h"
#include "server/osc_packet.h"

#if defined(__SANITIZE_ADDRESS__)
#define BAD_INPUT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BAD_INPUT_SANITIZED 1
#endif
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using tactus::OscMessage;

#if defined(BAD_INPUT_SANITIZED)
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

Bytes raw(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

void put_be32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_osc_string(Bytes& out, const std::string& s) {
    out.insert(out.end(), s.begin(), s.end());
    do out.push_back(0);
    while (out.size() % 4 != 0);
}

// Large messages are encoded here, not with liblo: liblo 0.31's lo_message_add_string/blob undersize
// their buffer for data just above 2^15 (and larger powers of two) times its initial 8 bytes, and
// write past it (its lo_pow2_over macro takes log2 as log(x)/0.69315, a little too small).
Bytes string_message(const std::string& address, const std::string& text) {
    Bytes out;
    put_osc_string(out, address);
    put_osc_string(out, ",s");
    put_osc_string(out, text);
    return out;
}
Bytes blob_message(const std::string& address, const Bytes& blob) {
    Bytes out;
    put_osc_string(out, address);
    put_osc_string(out, ",b");
    put_be32(out, static_cast<std::uint32_t>(blob.size()));
    out.insert(out.end(), blob.begin(), blob.end());
    while (out.size() % 4 != 0) out.push_back(0);
    return out;
}

std::string describe(const OscMessage& m) {
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
std::string answered(const OscMessage& m) {
    if ((m.address == "/reply" || m.address == "/error") && !m.args.empty() && m.args[0].type == 's')
        return m.args[0].s;
    return m.address;
}

// ------------------------------------------------------------------------------------------------
// Clients

// A UDP socket connected to the daemon: it sends from the port it reads on, so replies come back.
class UdpClient {
public:
    explicit UdpClient(int port) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
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
    explicit TcpClient(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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

std::string read_file(const fs::path& path) {
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

std::string describe_status(int status) {
    if (status < 0) return "still running";
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// tactusd on the offline backend, listening on a free port of 127.0.0.1 (port 0: it picks one and
// says which on stderr, so there is no race for the port).
class Daemon {
public:
    explicit Daemon(const fs::path& dir, const std::string& seconds = "1000000") : log_(dir / "tactusd.log") {
        const std::vector<std::string> args = {
            TACTUS_DAEMON_PATH, "--audio", "offline",  "--out",      (dir / "out.flac").string(),
            "--seconds",        seconds,   "--listen", "127.0.0.1:0"};
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
        return udp_port_ > 0 && tcp_port_ > 0;
    }

    fs::path log_;
    std::optional<Child> child_;
    int udp_port_ = 0;
    int tcp_port_ = 0;
    std::string error_;
};

// VmRSS of a process in KiB (0 when it cannot be read).
long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

// ------------------------------------------------------------------------------------------------
// The fixture: a fresh daemon per test, a UDP client, and documents in a temporary directory.

constexpr auto kReplyTimeout = 3000ms;

// One track (id 1) playing a sine: enough for the note and mixer commands.
std::string one_track_document(const std::string& preset = "sine") {
    return R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [)"
           R"({"id": 1, "name": "Lead", "instrument": "synth", "preset": ")" +
           preset + R"(", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100}]}]})";
}

class TactusdBadInput : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tactus-bad-input-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        daemon_.emplace(dir_);
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
        udp_.emplace(daemon_->udp_port());
        ASSERT_TRUE(answers_ping()) << "tactusd does not answer /ping after starting; log:\n"
                                    << daemon_->log();
    }
    void TearDown() override {
        udp_.reset();
        if (daemon_) {
            const std::string how = daemon_->stop();
            EXPECT_EQ(how, "exit 0") << "tactusd did not end cleanly; log:\n" << daemon_->log();
        }
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string write(const std::string& name, const std::string& text) {
        const fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    }

    bool answers_ping(std::chrono::milliseconds timeout = kReplyTimeout) {
        udp_->drain();
        udp_->send(Osc("/ping").bytes());
        return udp_
            ->wait_for([](const OscMessage& m) { return m.address == "/reply" && answered(m) == "/ping"; },
                       timeout)
            .has_value();
    }

    // Sends `packet` and returns the /reply or /error that answers `address` (or the message named
    // `address`, e.g. "/status").
    std::optional<OscMessage> call(const Bytes& packet, const std::string& address) {
        udp_->drain();
        EXPECT_TRUE(udp_->send(packet));
        return udp_->wait_for([&](const OscMessage& m) { return answered(m) == address; }, kReplyTimeout);
    }

    // The packet is refused with exactly /error ,ss "address" "message", and the engine goes on.
    void expect_error(const Bytes& packet, const std::string& address, const std::string& message) {
        const auto reply = call(packet, address);
        ASSERT_TRUE(reply.has_value())
            << "no reply for " << (address.empty() ? "a malformed packet" : address);
        EXPECT_EQ(reply->address, "/error") << describe(*reply);
        EXPECT_EQ(reply->types, "ss") << describe(*reply);
        if (reply->args.size() == 2) {
            EXPECT_EQ(reply->args[1].s, message) << describe(*reply);
        }
        expect_alive();
    }
    // As expect_error, for a message that must start with `prefix` (e.g. an error text from a library).
    OscMessage expect_error_prefix(const Bytes& packet, const std::string& address,
                                   const std::string& prefix) {
        const auto reply = call(packet, address);
        EXPECT_TRUE(reply.has_value()) << "no reply for " << address;
        if (!reply) return {};
        EXPECT_EQ(reply->address, "/error") << describe(*reply);
        EXPECT_EQ(reply->types, "ss") << describe(*reply);
        if (reply->args.size() == 2) {
            EXPECT_EQ(reply->args[1].s.substr(0, prefix.size()), prefix) << describe(*reply);
        }
        expect_alive();
        return *reply;
    }
    void expect_alive() {
        EXPECT_TRUE(answers_ping()) << "tactusd stopped answering /ping; log:\n" << daemon_->log();
    }

    // Loads the one-track document from a file; the reply is /reply "/load" 1 1 0.
    void load_document() {
        const auto reply = call(Osc("/load").s(write("doc.json", one_track_document())).bytes(), "/load");
        ASSERT_TRUE(reply.has_value());
        ASSERT_EQ(reply->address, "/reply") << describe(*reply);
    }

    // The /status reply's fields by name (docs/protocol.md, in order).
    std::optional<OscMessage> status() { return call(Osc("/status").bytes(), "/status"); }

    fs::path dir_;
    std::optional<Daemon> daemon_;
    std::optional<UdpClient> udp_;
};

// /status field positions (docs/protocol.md).
enum StatusField : std::size_t {
    kRate = 0,
    kRejected = 10,
    kRepliesDropped = 11,
    kMalformed = 12,
    kKernelDrops = 13,
    kBackend = 20,
};

// ------------------------------------------------------------------------------------------------
// Malformed packets: /error "" "malformed packet: ..." naming the byte.

TEST_F(TactusdBadInput, packet_that_is_not_osc_is_refused_naming_byte_0) {
    expect_error(raw("hello tactusd"), "",
                 "malformed packet: not an OSC packet: byte 0 is 'h', expected '/' (a message) or '#bundle'");
}

TEST_F(TactusdBadInput, truncated_message_is_refused_naming_the_argument_and_its_byte) {
    Bytes packet = Osc("/track/level").i(1).d(0.5).bytes();  // "/track/level" 16, ",id" 4, i 4, d 8
    packet.resize(packet.size() - 4);
    expect_error(packet, "",
                 "malformed packet: argument 2 ('d') at byte 24 is truncated: needs 8 bytes, 4 left");
}

TEST_F(TactusdBadInput, message_cut_inside_its_address_is_refused) {
    expect_error(
        raw("/ping"), "",
        "malformed packet: address at byte 0 is truncated: no terminating NUL before the end of the data");
}

TEST_F(TactusdBadInput, type_tag_string_without_comma_is_refused_naming_its_byte) {
    Bytes packet = raw(std::string("/ping\0\0\0xi\0\0", 12));
    put_be32(packet, 7);
    expect_error(packet, "", "malformed packet: bad type tag string at byte 8: does not start with ','");
}

TEST_F(TactusdBadInput, unknown_type_tag_is_refused_naming_its_byte) {
    Bytes packet = raw(std::string("/ping\0\0\0,iQ\0", 12));
    put_be32(packet, 7);
    put_be32(packet, 7);
    expect_error(packet, "", "malformed packet: unknown type tag 'Q' at byte 10");
}

TEST_F(TactusdBadInput, bundle_whose_element_size_lies_is_refused_whole) {
    // "#bundle", an immediate timetag, then an element claiming 100 bytes with only 12 behind it.
    Bytes packet = raw(std::string("#bundle\0", 8));
    put_be32(packet, 0);
    put_be32(packet, 1);
    put_be32(packet, 100);
    const Bytes ping = Osc("/ping").bytes();
    packet.insert(packet.end(), ping.begin(), ping.end());
    expect_error(packet, "",
                 "malformed packet: bundle element at byte 16 has size 100 but only 12 bytes remain");
    // All or nothing: the /ping inside was not answered either.
    EXPECT_FALSE(udp_->wait_for([](const OscMessage& m) { return answered(m) == "/ping"; }, 200ms));
}

TEST_F(TactusdBadInput, bundle_element_with_a_bad_second_message_answers_nothing_but_the_error) {
    const Bytes good = Osc("/ping").bytes();
    Bytes bad = Osc("/ping").i(1).bytes();
    bad.resize(bad.size() - 4);  // ",i" with no int: the element is 12 bytes
    Bytes packet = raw(std::string("#bundle\0", 8));
    put_be32(packet, 0);
    put_be32(packet, 1);
    put_be32(packet, static_cast<std::uint32_t>(good.size()));
    packet.insert(packet.end(), good.begin(), good.end());
    put_be32(packet, static_cast<std::uint32_t>(bad.size()));
    packet.insert(packet.end(), bad.begin(), bad.end());
    expect_error(packet, "",
                 "malformed packet: argument 1 ('i') at byte 48 is truncated: needs 4 bytes, 0 left");
}

TEST_F(TactusdBadInput, bundle_nested_too_deep_is_refused) {
    Bytes packet = Osc("/ping").bytes();
    for (int level = 0; level < 9; ++level) {
        Bytes outer = raw(std::string("#bundle\0", 8));
        put_be32(outer, 0);
        put_be32(outer, 1);
        put_be32(outer, static_cast<std::uint32_t>(packet.size()));
        outer.insert(outer.end(), packet.begin(), packet.end());
        packet = std::move(outer);
    }
    expect_error(packet, "", "malformed packet: bundle at byte 160 is nested deeper than 8 levels");
}

TEST_F(TactusdBadInput, empty_datagram_is_refused) {
    expect_error(Bytes{}, "", "malformed packet: empty packet");
}

TEST_F(TactusdBadInput, malformed_packets_are_counted_in_status) {
    for (int n = 0; n < 5; ++n) udp_->send(raw("garbage"));
    const auto s = status();
    ASSERT_TRUE(s.has_value());
    ASSERT_GT(s->args.size(), std::size_t{kMalformed});
    EXPECT_EQ(s->args[kMalformed].i, 5) << describe(*s);
}

// ------------------------------------------------------------------------------------------------
// Wrong type tags, missing and extra arguments: the argument is named.

TEST_F(TactusdBadInput, track_level_with_a_string_level_names_the_argument) {
    load_document();
    expect_error(Osc("/track/level").i(1).s("loud").bytes(), "/track/level",
                 "argument 2 (level) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, play_with_a_string_names_the_beat) {
    expect_error(Osc("/play").s("now").bytes(), "/play", "argument 1 (beat) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, missing_arguments_are_named) {
    load_document();
    expect_error(Osc("/track/level").i(1).bytes(), "/track/level", "argument 2 (level) is missing");
    expect_error(Osc("/note/on").bytes(), "/note/on", "argument 1 (track id) is missing");
    expect_error(Osc("/locate/beat").bytes(), "/locate/beat", "argument 1 (beat) is missing");
    expect_error(Osc("/load").bytes(), "/load", "argument 1 (path) is missing");
    expect_error(Osc("/tempo/scale").bytes(), "/tempo/scale", "argument 1 (scale) is missing");
}

TEST_F(TactusdBadInput, too_many_arguments_are_refused_with_the_type_tags) {
    load_document();
    expect_error(Osc("/track/level").i(1).d(0.5).i(3).bytes(), "/track/level",
                 "takes at most 2 arguments (got 3, type tags 'idi')");
    expect_error(Osc("/stop").i(1).bytes(), "/stop", "takes at most 0 arguments (got 1, type tags 'i')");
    expect_error(Osc("/play").d(1).d(2).bytes(), "/play", "takes at most 1 argument (got 2, type tags 'dd')");
}

// docs/protocol.md: "Extra arguments are refused." /ping is a command like the others.
TEST_F(TactusdBadInput, ping_with_an_argument_is_refused_like_every_command) {
    expect_error(Osc("/ping").i(1).bytes(), "/ping", "takes at most 0 arguments (got 1, type tags 'i')");
}

TEST_F(TactusdBadInput, integer_argument_given_a_fraction_or_a_string_is_refused) {
    load_document();
    expect_error(Osc("/note/on").i(1).d(60.5).bytes(), "/note/on",
                 "argument 2 (pitch) must be an integer (i or h)");
    expect_error(Osc("/note/on").s("1").i(60).bytes(), "/note/on",
                 "argument 1 (track id) must be an integer (i or h)");
    expect_error(Osc("/countin").s("two").bytes(), "/countin",
                 "argument 1 (bars) must be an integer (i or h)");
}

TEST_F(TactusdBadInput, load_path_given_a_number_is_refused) {
    expect_error(Osc("/load").i(5).bytes(), "/load", "argument 1 (path) must be a string (s)");
}

// ------------------------------------------------------------------------------------------------
// Unknown addresses

TEST_F(TactusdBadInput, unknown_address_is_refused_by_name) {
    expect_error(Osc("/nope").bytes(), "/nope", "unknown address (see docs/protocol.md; /ping answers)");
    expect_error(Osc("/track/level/extra").i(1).bytes(), "/track/level/extra",
                 "unknown address (see docs/protocol.md; /ping answers)");
    expect_error(Osc("/PING").bytes(), "/PING", "unknown address (see docs/protocol.md; /ping answers)");
}

// OSC address patterns are not expanded: "/*" is just an unknown address.
TEST_F(TactusdBadInput, address_pattern_is_not_expanded) {
    expect_error(Osc("/*").bytes(), "/*", "unknown address (see docs/protocol.md; /ping answers)");
}

// ------------------------------------------------------------------------------------------------
// Oversized input

TEST_F(TactusdBadInput, load_json_with_a_60_kb_blob_over_udp_is_refused_as_not_a_string) {
    expect_error(blob_message("/load/json", Bytes(60 * 1024, '{')), "/load/json",
                 "argument 1 (document) must be a string (s)");
}

TEST_F(TactusdBadInput, load_json_over_the_udp_limit_is_refused_with_the_sizes) {
    const std::string text = "{" + std::string(61 * 1024, ' ') + "}";
    expect_error(
        string_message("/load/json", text), "/load/json",
        "inline document of 62466 bytes is over the UDP limit of 61440; send it over TCP or /load a path");
}

TEST_F(TactusdBadInput, one_megabyte_of_invalid_json_over_tcp_names_line_and_column) {
    // Line 1: '{"format": "tactus",'; line 2: a 1 MiB string value; line 3: two spaces, then '!'.
    const std::string text =
        "{\"format\": \"tactus\",\n\"pad\": \"" + std::string(1 << 20, 'a') + "\",\n  !}";
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    ASSERT_TRUE(tcp.send_frame(string_message("/load/json", text)));
    const auto reply = tcp.receive(kReplyTimeout * 3);
    ASSERT_TRUE(reply.has_value()) << "no reply over TCP";
    EXPECT_EQ(reply->address, "/error") << describe(*reply);
    ASSERT_EQ(reply->types, "ss") << describe(*reply);
    EXPECT_EQ(reply->args[0].s, "/load/json");
    EXPECT_EQ(reply->args[1].s.substr(0, 28), "<inline>:3:3: invalid JSON: ") << describe(*reply);
    // The same connection still works.
    ASSERT_TRUE(tcp.send_frame(Osc("/ping").bytes()));
    const auto pong = tcp.receive(kReplyTimeout);
    ASSERT_TRUE(pong.has_value());
    EXPECT_EQ(answered(*pong), "/ping");
    expect_alive();
}

// A client that reconnects subscribes again on a new connection: the closed ones must not use up the
// 64 subscriber places (a GUI reconnecting 70 times would otherwise lose its pushes).
TEST_F(TactusdBadInput, edit_subscribers_whose_connection_closed_do_not_use_up_the_places) {
    for (int i = 0; i < 70; ++i) {
        TcpClient tcp(daemon_->tcp_port());
        ASSERT_TRUE(tcp.connected());
        ASSERT_TRUE(tcp.send_frame(Osc("/edits/subscribe").bytes()));
        const auto reply = tcp.receive(kReplyTimeout);
        ASSERT_TRUE(reply.has_value()) << "subscription " << i + 1;
        ASSERT_EQ(reply->address, "/reply") << "subscription " << i + 1 << ": " << describe(*reply);
    }
    expect_alive();
}

TEST_F(TactusdBadInput, tcp_frame_of_20_mb_closes_that_connection_and_the_engine_goes_on) {
    TcpClient other(daemon_->tcp_port());  // a bystander connection that must keep working
    ASSERT_TRUE(other.connected());
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    const std::uint32_t length = 20u << 20;
    Bytes frame;
    put_be32(frame, length);
    frame.resize(4 + length, 0);
    const Bytes ping = Osc("/ping").bytes();
    std::copy(ping.begin(), ping.end(), frame.begin() + 4);
    tcp.send_all(frame.data(), frame.size(), 5s);  // the daemon stops reading after the length
    std::vector<OscMessage> received;
    EXPECT_TRUE(tcp.wait_closed(5s, &received)) << "the connection was not closed";
    // The error is sent before the close; a reset (unread data at close) may overtake it.
    for (const OscMessage& m : received) {
        EXPECT_EQ(m.address, "/error") << describe(m);
        if (m.args.size() == 2) {
            EXPECT_EQ(
                m.args[1].s,
                "malformed packet: TCP frame of 20971520 bytes exceeds the limit of 16777216 bytes; closing "
                "the connection");
        }
    }
    expect_alive();
    ASSERT_TRUE(other.send_frame(ping));
    const auto pong = other.receive(kReplyTimeout);
    ASSERT_TRUE(pong.has_value()) << "another TCP connection stopped being answered";
    EXPECT_EQ(answered(*pong), "/ping");
    TcpClient fresh(daemon_->tcp_port());
    ASSERT_TRUE(fresh.connected());
    ASSERT_TRUE(fresh.send_frame(ping));
    EXPECT_TRUE(fresh.receive(kReplyTimeout).has_value()) << "a new TCP connection is not answered";
}

// Replies echo client strings (the address in every /error, paths in /load errors). A 262,144-byte
// address makes the /error's data 262,148 bytes: liblo 0.31's buffer growth (see string_message)
// allocates 262,144 and writes 4 bytes past it (ASan: heap-buffer-overflow in lo_message_add_string
// from OscOut::s in ControlServer::reply_error). Only TCP frames are large enough to reach it.
// liblo 0.31 overflows its buffer on very long strings, so replies cap echoed text at 4 KiB + "...".
TEST_F(TactusdBadInput, unknown_address_of_256_kib_over_tcp_is_refused_with_the_address_cut_short) {
    const std::string address = "/" + std::string(262143, 'x');
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    Bytes packet;
    put_osc_string(packet, address);
    put_osc_string(packet, ",");
    ASSERT_TRUE(tcp.send_frame(packet));
    const auto reply = tcp.receive(kReplyTimeout);
    ASSERT_TRUE(reply.has_value()) << "no reply; tactusd " << (daemon_->child().alive() ? "runs" : "died")
                                   << "; log:\n"
                                   << daemon_->log().substr(0, 4000);
    EXPECT_EQ(reply->address, "/error");
    ASSERT_EQ(reply->types, "ss");
    EXPECT_EQ(reply->args[0].s, address.substr(0, 4096) + "...");
    EXPECT_EQ(reply->args[1].s, "unknown address (see docs/protocol.md; /ping answers)");
    expect_alive();
}

// ------------------------------------------------------------------------------------------------
// Out-of-range values

TEST_F(TactusdBadInput, note_velocity_0_and_128_are_out_of_range) {
    load_document();
    expect_error(Osc("/note/on").i(1).i(60).i(0).bytes(), "/note/on",
                 "argument 3 (velocity) must be within 1..127 (got 0)");
    expect_error(Osc("/note/on").i(1).i(60).i(128).bytes(), "/note/on",
                 "argument 3 (velocity) must be within 1..127 (got 128)");
}

TEST_F(TactusdBadInput, pitch_200_is_out_of_range) {
    load_document();
    expect_error(Osc("/note/on").i(1).i(200).bytes(), "/note/on",
                 "argument 2 (pitch) must be within 0..127 (got 200)");
    expect_error(Osc("/note/off").i(1).i(-1).bytes(), "/note/off",
                 "argument 2 (pitch) must be within 0..127 (got -1)");
}

TEST_F(TactusdBadInput, level_5_pan_2_and_tempo_scale_0_are_out_of_range) {
    load_document();
    expect_error(Osc("/track/level").i(1).d(5).bytes(), "/track/level",
                 "argument 2 (level) must be within 0..4 (got 5)");
    expect_error(Osc("/track/pan").i(1).d(2).bytes(), "/track/pan",
                 "argument 2 (pan) must be within -1..1 (got 2)");
    expect_error(Osc("/master/level").d(-0.5).bytes(), "/master/level",
                 "argument 1 (level) must be within 0..4 (got -0.5)");
    expect_error(Osc("/tempo/scale").d(0).bytes(), "/tempo/scale",
                 "argument 1 (scale) must be within 0.1..10 (got 0)");
    expect_error(Osc("/countin").i(9).bytes(), "/countin", "argument 1 (bars) must be within 0..8 (got 9)");
    expect_error(Osc("/subscribe").d(500).bytes(), "/subscribe",
                 "argument 1 (rate) must be within 1..120 (got 500)");
}

TEST_F(TactusdBadInput, nan_and_infinite_numbers_are_refused) {
    load_document();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    expect_error(Osc("/track/level").i(1).d(nan).bytes(), "/track/level",
                 "argument 2 (level) must be a finite number");
    expect_error(Osc("/track/level").i(1).d(inf).bytes(), "/track/level",
                 "argument 2 (level) must be a finite number");
    expect_error(Osc("/track/pan").i(1).f(-std::numeric_limits<float>::infinity()).bytes(), "/track/pan",
                 "argument 2 (pan) must be a finite number");
    expect_error(Osc("/play").d(nan).bytes(), "/play", "argument 1 (beat) must be a finite number");
    expect_error(Osc("/locate/seconds").d(inf).bytes(), "/locate/seconds",
                 "argument 1 (seconds) must be a finite number");
    expect_error(Osc("/tempo/scale").f(std::numeric_limits<float>::quiet_NaN()).bytes(), "/tempo/scale",
                 "argument 1 (scale) must be a finite number");
    expect_error(Osc("/loop").i(1).d(0).d(inf).bytes(), "/loop",
                 "argument 3 (end beat) must be a finite number");
    expect_error(Osc("/note/on").i(1).d(nan).bytes(), "/note/on",
                 "argument 2 (pitch) must be an integer (i or h)");
    // 'I' (infinitum) is not a number either.
    expect_error(Osc("/master/level").infinitum().bytes(), "/master/level",
                 "argument 1 (level) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, loop_that_ends_before_it_begins_is_refused) {
    expect_error(Osc("/loop").i(1).d(8).d(4).bytes(), "/loop",
                 "argument 3 (end beat) must be after the begin beat");
    expect_error(Osc("/loop").i(1).bytes(), "/loop", "no loop range set yet: send /loop 1 BEGIN END");
}

// ------------------------------------------------------------------------------------------------
// Tracks and documents

TEST_F(TactusdBadInput, unknown_track_id_is_refused) {
    load_document();
    expect_error(Osc("/track/level").i(99).d(0.5).bytes(), "/track/level",
                 "no track with id 99 in the loaded document");
    expect_error(Osc("/note/on").i(0).i(60).bytes(), "/note/on", "no track with id 0 in the loaded document");
    expect_error(Osc("/track/mute").i(-1).i(1).bytes(), "/track/mute",
                 "no track with id -1 in the loaded document");
    expect_error(Osc("/track/solo").h(std::int64_t{1} << 40).i(1).bytes(), "/track/solo",
                 "no track with id 1099511627776 in the loaded document");
}

TEST_F(TactusdBadInput, note_on_before_any_load_is_refused) {
    expect_error(Osc("/note/on").i(1).i(60).bytes(), "/note/on", "no document loaded (send /load first)");
    expect_error(Osc("/track/level").i(1).d(0.5).bytes(), "/track/level",
                 "no document loaded (send /load first)");
}

TEST_F(TactusdBadInput, load_of_a_missing_file_names_it) {
    const std::string path = (dir_ / "missing.json").string();
    expect_error(Osc("/load").s(path).bytes(), "/load", path + ": cannot open: No such file or directory");
}

TEST_F(TactusdBadInput, load_of_a_directory_names_it) {
    expect_error(Osc("/load").s(dir_.string()).bytes(), "/load",
                 dir_.string() + ": cannot read: Is a directory");
}

TEST_F(TactusdBadInput, load_of_malformed_json_names_file_line_and_column) {
    const std::string path = write("broken.json", "{\"format\": \"tactus\",\n  \"version\": 1,,\n}");
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load", path + ":2:16: invalid JSON: ");
}

TEST_F(TactusdBadInput, load_of_an_invalid_document_names_file_and_json_path) {
    std::string text = one_track_document();
    text.replace(text.find("\"start\": 0"), 10, "\"start\": -1");
    const std::string path = write("negative.json", text);
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load", path + ": /tracks/0/notes/0/start: ");
}

TEST_F(TactusdBadInput, load_of_a_document_with_an_unknown_preset_names_its_json_path) {
    const std::string path = write("preset.json", one_track_document("kazoo"));
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load",
                        "/tracks/0/preset: unknown preset 'kazoo' for instrument 'synth' (available: ");
    // Nothing was loaded.
    expect_error(Osc("/note/on").i(1).i(60).bytes(), "/note/on", "no document loaded (send /load first)");
}

TEST_F(TactusdBadInput, load_json_that_is_not_an_object_is_refused) {
    expect_error(Osc("/load/json").s("[1, 2]").bytes(), "/load/json",
                 "<inline>: the top level must be a JSON object (got an array)");
}

// A FIFO (or /dev/stdin, /proc/kmsg, ...) given to /load must not block the control thread: open()
// of a FIFO without a writer waits forever, and read() of a terminal or an endless device waits for
// input. Expected: an error naming the file ("not a regular file"), and /ping still answered.
TEST_F(TactusdBadInput, load_of_a_fifo_does_not_block_the_engine) {
    const fs::path fifo = dir_ / "pipe.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    udp_->drain();
    udp_->send(Osc("/load").s(fifo.string()).bytes());
    udp_->send(Osc("/ping").bytes());
    std::optional<OscMessage> load_reply;
    const auto pong = udp_->wait_for(
        [&](const OscMessage& m) {
            if (answered(m) == "/load") load_reply = m;
            return answered(m) == "/ping";
        },
        1000ms);
    EXPECT_TRUE(pong.has_value())
        << "/load of a FIFO blocks tactusd's control thread (it no longer answers /ping)";
    if (!load_reply) {
        // Unblock it: a writer that closes at once gives the blocked reader an empty file.
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
        load_reply =
            udp_->wait_for([](const OscMessage& m) { return answered(m) == "/load"; }, kReplyTimeout);
    }
    ASSERT_TRUE(load_reply.has_value());
    EXPECT_EQ(load_reply->address, "/error") << describe(*load_reply);
    expect_alive();
}

// ------------------------------------------------------------------------------------------------
// Lifetime

// AudioBackend::ended(): "true once the stream has ended by itself (an offline render reached its
// length ...): the engine process should shut down"; tactusd's loop ends on !host.running().
TEST(TactusdOffline, exits_by_itself_when_its_render_reaches_its_length) {
    const fs::path dir =
        fs::temp_directory_path() / ("tactus-bad-input-" + std::to_string(::getpid()) + "-ends");
    fs::create_directories(dir);
    struct RemoveDir {
        fs::path path;
        ~RemoveDir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } remove_dir{dir};
    Daemon daemon(dir, "0.5");
    ASSERT_TRUE(daemon.ok()) << daemon.error();
    const bool exited = daemon.child().wait_exit(10s);
    EXPECT_TRUE(exited) << "tactusd --audio offline --seconds 0.5 still runs 10 s after its render ended";
    EXPECT_EQ(daemon.stop(), "exit 0") << daemon.log();
    EXPECT_TRUE(fs::exists(dir / "out.flac"));
}

// ------------------------------------------------------------------------------------------------
// Command flood: 100,000 messages per second for 10 s from a separate process (osc_flood).

TEST_F(TactusdBadInput, command_flood_is_bounded_counted_and_the_engine_still_answers) {
    load_document();
    const auto before = status();
    ASSERT_TRUE(before.has_value());
    ASSERT_EQ(before->args.size(), 22u) << describe(*before);

    const fs::path flood_log = dir_ / "osc_flood.log";
    Child flood({TACTUS_FLOOD_PATH, "--port", std::to_string(daemon_->udp_port()), "--rate", "100000",
                 "--seconds", "10", "--message", "track-level", "--track", "1"},
                flood_log);
    ASSERT_GT(flood.pid(), 0);

    // RSS of tactusd every 100 ms while the flood runs.
    struct Sample {
        double t;
        long kib;
    };
    std::vector<Sample> samples;
    const auto start = Clock::now();
    while (flood.alive() && Clock::now() - start < 40s) {
        samples.push_back(
            {std::chrono::duration<double>(Clock::now() - start).count(), rss_kib(daemon_->pid())});
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(flood.alive()) << "osc_flood did not finish";
    ASSERT_TRUE(WIFEXITED(flood.status()) && WEXITSTATUS(flood.status()) == 0) << read_file(flood_log);
    const std::string flood_output = read_file(flood_log);
    ASSERT_NE(flood_output.find("sent "), std::string::npos) << flood_output;
    const unsigned long long sent =
        std::strtoull(flood_output.c_str() + flood_output.find("sent ") + 5, nullptr, 10);

    // Right after the flood: /ping within 100 ms.
    udp_->drain();
    const auto ping_sent = Clock::now();
    udp_->send(Osc("/ping").bytes());
    const auto pong =
        udp_->wait_for([](const OscMessage& m) { return answered(m) == "/ping"; }, kReplyTimeout);
    const auto ping_ms = std::chrono::duration<double, std::milli>(Clock::now() - ping_sent).count();
    ASSERT_TRUE(pong.has_value()) << "no /ping reply after the flood";
    EXPECT_LT(ping_ms, 100.0) << "/ping took " << ping_ms << " ms after the flood";

    const auto after = status();
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ(after->args.size(), 22u) << describe(*after);
    const auto delta = [&](StatusField f) { return after->args[f].i - before->args[f].i; };
    const long peak =
        std::max_element(samples.begin(), samples.end(), [](auto a, auto b) { return a.kib < b.kib; })->kib;
    // Growth after the first 2 s: the largest sample from then on against the first one at or after 2 s.
    long settled = 0, late_peak = 0;
    for (const Sample& s : samples) {
        if (s.t < 2.0) continue;
        if (settled == 0) settled = s.kib;
        late_peak = std::max(late_peak, s.kib);
    }
    std::cout << "[ flood    ] " << flood_output << "[ flood    ] tactusd: rejected " << delta(kRejected)
              << ", kernel drops " << after->args[kKernelDrops].i << ", replies dropped "
              << delta(kRepliesDropped) << ", malformed " << delta(kMalformed) << "; RSS peak " << peak / 1024
              << " MiB, at 2 s " << settled / 1024 << " MiB, after 2 s at most " << late_peak / 1024
              << " MiB; /ping after " << ping_ms << " ms\n";
    RecordProperty("sent", std::to_string(sent));
    RecordProperty("rejected", std::to_string(delta(kRejected)));
    RecordProperty("kernel_drops", std::to_string(after->args[kKernelDrops].i));
    RecordProperty("rss_peak_kib", std::to_string(peak));

    EXPECT_GT(sent, 200'000u) << "osc_flood could not send at a useful rate: " << flood_output;
    // Queue-full rejections and kernel drops are counted apart, and neither exceeds what was sent.
    EXPECT_GE(delta(kRejected), 0);
    EXPECT_LE(static_cast<unsigned long long>(delta(kRejected)), sent);
    EXPECT_LE(static_cast<unsigned long long>(after->args[kKernelDrops].i), sent);
    EXPECT_EQ(delta(kMalformed), 0);
    // Memory: bounded, and flat once the queues are full.
    const long bound_kib = (kSanitized ? 400 : 200) * 1024;
    const long growth_kib = (kSanitized ? 32 : 8) * 1024;
    EXPECT_LT(peak, bound_kib) << "tactusd's RSS reached " << peak / 1024 << " MiB during the flood";
    ASSERT_GT(settled, 0) << "no RSS sample after 2 s";
    EXPECT_LT(late_peak - settled, growth_kib) << "tactusd's RSS grew from " << settled / 1024 << " MiB to "
                                               << late_peak / 1024 << " MiB during the flood";

    // And it applies commands again once the backlog already in its socket buffer is worked off: a level
    // change is answered with the frame it took effect on. Until then the only refusal allowed is
    // "queue full" (a slow sanitizer build may still be draining when the flood ends).
    const auto recovery_start = Clock::now();
    std::optional<OscMessage> applied;
    while (Clock::now() - recovery_start < 20s) {
        applied = call(Osc("/track/level").i(1).d(0.25).bytes(), "/track/level");
        ASSERT_TRUE(applied.has_value()) << "no reply to /track/level after the flood";
        if (applied->address != "/error") break;
        ASSERT_NE(describe(*applied).find("queue is full"), std::string::npos) << describe(*applied);
        std::this_thread::sleep_for(50ms);
    }
    const auto recovery_ms = std::chrono::duration<double, std::milli>(Clock::now() - recovery_start).count();
    std::cout << "[ flood    ] commands applied again " << recovery_ms << " ms after the flood ended\n";
    EXPECT_EQ(applied->address, "/reply") << describe(*applied) << " (still refused 20 s after the flood)";
    EXPECT_EQ(applied->types, "shi") << describe(*applied);
}

}  // namespace
