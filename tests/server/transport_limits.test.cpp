// The stream-connection bounds of docs/protocol.md ("Connection limits") and the local socket, against a
// running tactusd: the attacks of issue 11 (64 idle TCP connections that each sent one byte; 20
// half-sent 16 MiB frames) must neither lock a new client out nor pin the engine's memory, and a
// client on the Unix-domain socket is answered.
//
// Each test starts the real daemon on the offline backend (no JACK needed), rendering silence to a
// FLAC file for as long as the test runs (as tests/server/bad_input.test.cpp does), listening on
// 127.0.0.1 port 0 (it names the port it took, and its local socket, on stderr). The daemon is
// launched through `setpriv --pdeathsig KILL` where available, so it dies with a crashed test.
//
// Timeouts are generous (a busy machine); durations are printed, never asserted.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/osc_packet.h"
#include "server/osc_transport.h"
#include "support/osc_tcp_client.h"
#include "support/tactusd_process.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using tactus::test::ChildProcess;
using tactus::test::OscTcpClient;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A line of /proc/PID/status in KiB ("VmRSS", "VmHWM"); 0 when it cannot be read.
long status_kib(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
    return 0;
}

// Our children whose command name is `comm` and that still run (not zombies), by pid.
std::vector<pid_t> children_named(const std::string& comm) {
    std::vector<pid_t> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = read_text(entry.path() / "stat");
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        if (stat.substr(open + 1, close - open - 1) != comm) continue;
        std::istringstream rest(stat.substr(close + 2));
        char state = 0;
        long ppid = 0;
        rest >> state >> ppid;
        if (ppid == ::getpid() && state != 'Z') found.push_back(static_cast<pid_t>(std::atol(name.c_str())));
    }
    return found;
}

std::vector<std::string> daemon_command(const fs::path& dir, const std::vector<std::string>& extra) {
    std::vector<std::string> args;
    if (fs::exists("/usr/bin/setpriv") || fs::exists("/bin/setpriv"))
        args = {"setpriv", "--pdeathsig", "KILL"};
    for (const std::string& a :
         {std::string(TACTUS_DAEMON_PATH), std::string("--audio"), std::string("offline"),
          std::string("--out"), (dir / "out.flac").string(), std::string("--seconds"), std::string("1000000"),
          std::string("--listen"), std::string("127.0.0.1:0")})
        args.push_back(a);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// tactusd on the offline backend; its ports and local socket read from its startup line
// "...; OSC on 127.0.0.1:41234 (udp) and 127.0.0.1:41234 (tcp), local socket /run/.../tactusd-41234.sock".
class Engine {
public:
    Engine(const fs::path& dir, const std::vector<std::string>& extra = {}) : log_(dir / "tactusd.log") {
        child_ = std::make_unique<ChildProcess>(daemon_command(dir, extra), log_.string());
        if (!child_->running()) {
            error_ = "cannot launch tactusd: " + child_->error();
            return;
        }
        const auto deadline = Clock::now() + 20s;
        while (Clock::now() < deadline) {
            if (parse(read_text(log_))) {
                const auto pids = children_named("tactusd");
                if (pids.size() == 1) pid_ = pids[0];  // ChildProcess does not tell it
                return;
            }
            std::this_thread::sleep_for(20ms);
        }
        error_ = "tactusd did not start; its log:\n" + read_text(log_);
    }

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }
    int tcp_port() const { return tcp_port_; }
    const std::string& socket_path() const { return socket_path_; }
    pid_t pid() const { return pid_; }
    std::string log() const { return read_text(log_); }
    // SIGTERM (tactusd ends cleanly on it); the exit status.
    int stop() { return child_->stop(); }

private:
    bool parse(const std::string& log) {
        const auto tcp = log.find(" (tcp)");
        if (tcp == std::string::npos) return false;
        const auto colon = log.rfind(':', tcp);
        tcp_port_ = std::atoi(log.substr(colon + 1, tcp - colon - 1).c_str());
        const std::string marker = ", local socket ";
        const auto line_end = log.find('\n', tcp);
        const auto at = log.find(marker, tcp);
        if (at != std::string::npos && at < line_end)
            socket_path_ = log.substr(at + marker.size(), line_end - at - marker.size());
        return tcp_port_ > 0;
    }

    fs::path log_;
    std::unique_ptr<ChildProcess> child_;
    int tcp_port_ = 0;
    std::string socket_path_;
    pid_t pid_ = -1;
    std::string error_;
};

Bytes framed(const Bytes& content, std::uint32_t length) {
    Bytes out;
    out.reserve(4 + content.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(length >> shift));
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

int connect_tcp(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Whether the engine has closed this connection (EOF or reset), without waiting.
bool closed_by_peer(int fd) {
    std::uint8_t buf[256];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return true;
        if (n < 0) return errno == ECONNRESET || errno == EPIPE;
    }
}

// A new TCP client's /ping: whether it was answered within 10 s, and how long it took.
bool new_client_is_served(int port, double* ms) {
    const auto start = Clock::now();
    OscTcpClient client;
    std::string error;
    if (!client.connect(port, &error)) {
        ADD_FAILURE() << error;
        return false;
    }
    const auto reply = client.call("/ping", tactus::test::osc(), 10s);
    *ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return reply && reply->address == "/reply" && reply->string(0) == "/ping";
}

class TransportLimits : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tactus-transport-limits-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    fs::path dir_;
};

TEST_F(TransportLimits, sixty_four_idle_connections_that_each_sent_one_byte_do_not_lock_out_a_new_client) {
    Engine engine(dir_);
    ASSERT_TRUE(engine.ok()) << engine.error();
    std::vector<int> idle;
    for (int n = 0; n < 64; ++n) {
        const int fd = connect_tcp(engine.tcp_port());
        ASSERT_GE(fd, 0) << "connection " << n;
        const std::uint8_t one = 0;
        ASSERT_EQ(::send(fd, &one, 1, MSG_NOSIGNAL), 1);
        idle.push_back(fd);
    }
    std::this_thread::sleep_for(300ms);  // let the engine take all 64 on

    double ms = 0;
    EXPECT_TRUE(new_client_is_served(engine.tcp_port(), &ms)) << engine.log();
    int evicted = 0;
    for (int fd : idle) evicted += closed_by_peer(fd) ? 1 : 0;
    EXPECT_GE(evicted, 1) << "the connection idle longest makes room for the new client";
    RecordProperty("serve_ms_after_64_idle", static_cast<int>(ms));
    std::cout << "[ figures  ] 64 idle one-byte connections: a new TCP client's /ping answered in " << ms
              << " ms; " << evicted << " of the 64 closed by then\n";
    // And again: a second newcomer too.
    EXPECT_TRUE(new_client_is_served(engine.tcp_port(), &ms));
    for (int fd : idle) ::close(fd);
    EXPECT_EQ(engine.stop(), 0) << engine.log();
}

TEST_F(TransportLimits, twenty_half_sent_16_mib_frames_leave_memory_bounded_and_a_new_client_served) {
    Engine engine(dir_);
    ASSERT_TRUE(engine.ok()) << engine.error();
    ASSERT_GT(engine.pid(), 0);
    double ms = 0;
    ASSERT_TRUE(new_client_is_served(engine.tcp_port(), &ms));  // warm: the first replies' allocations
    const long before_kib = status_kib(engine.pid(), "VmRSS");
    ASSERT_GT(before_kib, 0);

    // Each declares a 16 MiB frame (the largest allowed) and sends half of it: 160 MiB unbounded.
    constexpr std::size_t kFrame = 16u << 20;
    const Bytes half = framed(Bytes(kFrame / 2, 0x5a), static_cast<std::uint32_t>(kFrame));
    struct Sender {
        int fd = -1;
        std::size_t sent = 0;
        bool closed = false;
    };
    std::vector<Sender> senders(20);
    for (Sender& s : senders) {
        s.fd = connect_tcp(engine.tcp_port());
        ASSERT_GE(s.fd, 0);
        ::fcntl(s.fd, F_SETFL, ::fcntl(s.fd, F_GETFL) | O_NONBLOCK);
    }
    long peak_kib = before_kib;
    const auto deadline = Clock::now() + 120s;
    for (;;) {
        bool busy = false;
        for (Sender& s : senders) {
            while (!s.closed && s.sent < half.size()) {
                const ssize_t n = ::send(s.fd, half.data() + s.sent, half.size() - s.sent, MSG_NOSIGNAL);
                if (n > 0) {
                    s.sent += static_cast<std::size_t>(n);
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                s.closed = true;  // the engine closed it (EPIPE / ECONNRESET)
            }
            busy = busy || (!s.closed && s.sent < half.size());
        }
        peak_kib = std::max(peak_kib, status_kib(engine.pid(), "VmRSS"));
        if (!busy || Clock::now() > deadline) break;
        std::this_thread::sleep_for(2ms);
    }
    std::this_thread::sleep_for(500ms);  // the engine reads what the kernel still holds
    const long after_kib = status_kib(engine.pid(), "VmRSS");
    // The kernel's high-water mark catches a peak between samples (it includes start-up, so it can
    // only overstate the growth).
    peak_kib = std::max({peak_kib, after_kib, status_kib(engine.pid(), "VmHWM")});
    int closed = 0;
    std::size_t delivered = 0;
    for (Sender& s : senders) {
        closed += (s.closed || closed_by_peer(s.fd)) ? 1 : 0;
        delivered += s.sent;
    }

    const bool served = new_client_is_served(engine.tcp_port(), &ms);
    const long growth_kib = peak_kib - before_kib;
    RecordProperty("rss_before_kib", static_cast<int>(before_kib));
    RecordProperty("rss_peak_growth_kib", static_cast<int>(growth_kib));
    RecordProperty("rss_after_growth_kib", static_cast<int>(after_kib - before_kib));
    std::cout << "[ figures  ] 20 half-sent 16 MiB frames (" << delivered / (1 << 20)
              << " MiB written): tactusd RSS " << before_kib / 1024 << " MiB before, peak +"
              << growth_kib / 1024 << " MiB, +" << (after_kib - before_kib) / 1024 << " MiB after; " << closed
              << " of 20 connections closed; a new client's /ping answered in " << ms << " ms\n";
    EXPECT_LT(growth_kib, 100 * 1024) << "tactusd's RSS grew by more than 100 MiB";
    EXPECT_GE(closed, 1) << "64 MiB of partial frames in total: some of the 20 must have been closed";
    EXPECT_TRUE(served);
    for (Sender& s : senders) ::close(s.fd);
    EXPECT_EQ(engine.stop(), 0) << engine.log();
}

TEST_F(TransportLimits, local_socket_client_is_answered_and_the_socket_goes_with_the_engine) {
    Engine engine(dir_);
    ASSERT_TRUE(engine.ok()) << engine.error();
    const std::string path = engine.socket_path();
    ASSERT_FALSE(path.empty()) << "no local socket in the startup line:\n" << engine.log();
    EXPECT_EQ(fs::path(path).filename().string(), "tactusd-" + std::to_string(engine.tcp_port()) + ".sock");
    struct stat st {};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::lstat(fs::path(path).parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << "the socket's directory is private";

    std::string error;
    const int fd = tactus::connect_unix_stream(path, false, &error);
    ASSERT_GE(fd, 0) << error;
    const Bytes ping = tactus::test::osc_message_bytes("/ping");
    const Bytes frame = framed(ping, static_cast<std::uint32_t>(ping.size()));
    ASSERT_EQ(::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL), static_cast<ssize_t>(frame.size()));
    // Read one reply frame (10 s at most).
    Bytes stream;
    std::optional<tactus::OscPacket> reply;
    const auto deadline = Clock::now() + 10s;
    while (!reply && Clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        std::uint8_t buf[4096];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        stream.insert(stream.end(), buf, buf + n);
        if (stream.size() < 4) continue;
        const std::uint32_t length = (std::uint32_t{stream[0]} << 24) | (std::uint32_t{stream[1]} << 16) |
                                     (std::uint32_t{stream[2]} << 8) | stream[3];
        if (stream.size() < 4 + length) continue;
        tactus::OscPacket packet;
        ASSERT_TRUE(tactus::parse_osc_packet(stream.data() + 4, length, packet, &error)) << error;
        reply = std::move(packet);
    }
    ::close(fd);
    ASSERT_TRUE(reply) << "no reply on the local socket; log:\n" << engine.log();
    const auto answer = tactus::test::to_incoming(reply->messages.at(0));
    EXPECT_EQ(answer.address, "/reply") << answer.to_string();
    EXPECT_EQ(answer.string(0), "/ping");

    // A second engine on the same socket is refused and leaves it to the first.
    const fs::path second_dir = dir_ / "second";
    fs::create_directories(second_dir);
    {
        ChildProcess second(daemon_command(second_dir, {"--socket", path}), (second_dir / "log").string());
        const auto until = Clock::now() + 20s;
        while (read_text(second_dir / "log").find("another engine") == std::string::npos &&
               Clock::now() < until)
            std::this_thread::sleep_for(20ms);
        EXPECT_EQ(read_text(second_dir / "log"),
                  "tactusd: another engine listens on " + path + " (--no-socket to run without one)\n");
        // It exits by itself; stop() would send SIGTERM to one still on its way out.
        while (children_named("tactusd").size() > 1 && Clock::now() < until)
            std::this_thread::sleep_for(20ms);
        EXPECT_EQ(second.stop(), 1);
    }
    EXPECT_TRUE(fs::exists(path));

    EXPECT_EQ(engine.stop(), 0) << engine.log();
    EXPECT_FALSE(fs::exists(path)) << "tactusd removes its socket when it ends";
}

}  // namespace
