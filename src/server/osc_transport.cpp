#include "server/osc_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <tuple>
#include <utility>

#include "server/osc_packet.h"

namespace tactus {
namespace {

constexpr std::size_t kDatagramBuffer = 65536;  // > 65507, the largest IPv4 UDP payload
constexpr std::size_t kTcpReadChunk = 65536;
constexpr int kMaxDatagramsPerPoll = 256;  // then the TCP side gets its turn
constexpr std::size_t kMaxTcpBytesPerPoll = 1u << 20;
constexpr int kMaxAcceptsPerPoll = 64;
constexpr std::int64_t kDrainTimeoutNs = 1'000'000'000;  // a closing connection's last chance to flush
constexpr std::int64_t kMaxTimestampAgeNs = 1'000'000'000;
constexpr std::size_t kMinInbox = 4096;    // the first allocation for a frame's bytes
constexpr std::size_t kKeptInbox = 65536;  // a bigger inbox is freed once its frame is complete

std::int64_t ms_to_ns(int ms) {
    return static_cast<std::int64_t>(ms) * 1'000'000;
}

// `bytes` rounded up to whole pages (what an inbox of that capacity really holds).
std::size_t whole_pages(std::size_t bytes) {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return (bytes + page - 1) / page * page;
}

std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::string errno_text(int err) {
    return std::strerror(err);
}

int port_of(const sockaddr_storage& addr) {
    if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
    if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
    return 0;
}

void set_port(sockaddr_storage& addr, int port) {
    const auto p = htons(static_cast<std::uint16_t>(port));
    if (addr.ss_family == AF_INET) reinterpret_cast<sockaddr_in&>(addr).sin_port = p;
    if (addr.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6&>(addr).sin6_port = p;
}

// Resolves a listen/bind address (port left 0). Prefers an IPv4 result for host names such as
// "localhost", since most OSC clients send over IPv4.
bool resolve(const std::string& host, sockaddr_storage& out, socklen_t& out_len, std::string* error) {
    const std::string name = host.empty() ? "127.0.0.1" : host;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* list = nullptr;
    const int rc = getaddrinfo(name.c_str(), nullptr, &hints, &list);
    if (rc != 0 || list == nullptr) {
        if (error) *error = "cannot resolve listen address '" + name + "': " + gai_strerror(rc);
        return false;
    }
    const addrinfo* pick = nullptr;
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        if (pick == nullptr || (pick->ai_family != AF_INET && ai->ai_family == AF_INET)) pick = ai;
    }
    if (pick == nullptr) {
        freeaddrinfo(list);
        if (error) *error = "listen address '" + name + "' is neither IPv4 nor IPv6";
        return false;
    }
    out = {};
    std::memcpy(&out, pick->ai_addr, pick->ai_addrlen);
    out_len = static_cast<socklen_t>(pick->ai_addrlen);
    freeaddrinfo(list);
    return true;
}

// A bound (and for TCP, listening) non-blocking socket, or -1 with *error naming address and
// protocol. *err receives errno so that the port-0 search can tell "in use" from other failures.
int bind_socket(int type, const sockaddr_storage& addr, socklen_t len, std::string* error, int* err) {
    const char* proto = type == SOCK_STREAM ? "tcp" : "udp";
    const int fd = ::socket(addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    auto fail = [&](int e) {
        if (err) *err = e;
        if (error)
            *error = "cannot listen on " +
                     describe_socket_address(reinterpret_cast<const sockaddr*>(&addr), len) + "/" + proto +
                     ": " + errno_text(e);
        if (fd >= 0) ::close(fd);
        return -1;
    };
    if (fd < 0) return fail(errno);
    if (type == SOCK_STREAM) {
        // Lets a restarted server bind while old connections sit in TIME_WAIT. Deliberately not set on
        // UDP: there Linux would let a second server bind the same port and silently share datagrams.
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) return fail(errno);
    if (type == SOCK_STREAM && ::listen(fd, SOMAXCONN) != 0) return fail(errno);
    return fd;
}

int local_port(int fd) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    return port_of(addr);
}

std::string local_address(int fd) {
    if (fd < 0) return "";
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
    return describe_socket_address(reinterpret_cast<const sockaddr*>(&addr), len);
}

bool would_block(int err) {
    return err == EAGAIN || err == EWOULDBLOCK;
}

// A Unix-domain socket address for a path of any length: one longer than sun_path holds (107 bytes)
// is reached through its directory, opened here, as /proc/self/fd/N/NAME (Linux resolves that for
// bind() and connect() as for open()). Keep the object alive until bind()/connect() returns.
struct UnixAddress {
    sockaddr_un addr{};
    socklen_t len = 0;
    int dir_fd = -1;

    UnixAddress() = default;
    UnixAddress(const UnixAddress&) = delete;
    UnixAddress& operator=(const UnixAddress&) = delete;
    ~UnixAddress() {
        if (dir_fd >= 0) ::close(dir_fd);
    }

    // False with *why set (without the path) when it cannot be had.
    bool set(const std::string& path, std::string* why) {
        std::string name = path;
        if (path.empty()) {
            *why = "the path is empty";
            return false;
        }
        if (path.size() >= sizeof addr.sun_path) {
            const auto slash = path.rfind('/');
            const std::string dir = slash == std::string::npos ? "."
                                    : slash == 0               ? "/"
                                                               : path.substr(0, slash);
            const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
            dir_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (dir_fd < 0) {
                *why = "cannot open its directory: " + errno_text(errno);
                return false;
            }
            name = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + base;
            if (base.empty() || name.size() >= sizeof addr.sun_path) {
                *why = "the file name is too long for a socket";
                return false;
            }
        }
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, name.c_str(), name.size() + 1);
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
        return true;
    }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&addr); }
};

}  // namespace

std::string describe_socket_address(const sockaddr* addr, socklen_t len) {
    char host[INET6_ADDRSTRLEN] = {};
    if (addr != nullptr && addr->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
        ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    if (addr != nullptr && addr->sa_family == AF_INET6 &&
        len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    return "(unknown address)";
}

std::string ReplyTarget::describe() const {
    if (kind == Kind::Local) return "local #" + std::to_string(connection);
    const std::string where = describe_socket_address(reinterpret_cast<const sockaddr*>(&addr), addr_len);
    if (kind == Kind::Udp) return "udp " + where;
    return "tcp " + where + " #" + std::to_string(connection);
}

bool parse_listen_address(const std::string& text, std::string& address, int& port, std::string* error) {
    auto fail = [&](const std::string& why) {
        if (error)
            *error =
                "bad listen address '" + text + "': " + why + " (expected ADDR:PORT, e.g. 127.0.0.1:7770)";
        return false;
    };
    std::string host;
    std::string port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) return fail("missing ']'");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') return fail("missing ':PORT' after ']'");
        port_text = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos) {
            port_text = text;
        } else {
            host = text.substr(0, colon);
            if (host.find(':') != std::string::npos)
                return fail("an IPv6 address needs brackets, e.g. [::1]:7770");
            port_text = text.substr(colon + 1);
        }
    }
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string::npos)
        return fail("the port must be a number 0..65535");
    const int value = std::stoi(port_text);
    if (value > 65535) return fail("the port must be a number 0..65535");
    address = host.empty() ? "127.0.0.1" : host;
    port = value;
    return true;
}

// ---------------------------------------------------------------------------------------------------
// OscTransport

namespace {

// The bytes of one frame in progress, in pages mapped for it alone (mmap, grown with mremap): what a
// completed or abandoned frame held goes back to the system at once instead of staying in the heap
// (with vectors, 20 half-sent 16 MiB frames left tactusd's RSS 104 MB up although the limit held 64
// MiB at most; in pages, 39 MB), and growing a big frame moves no bytes. Capacity is whole pages.
class FrameInbox {
public:
    FrameInbox() = default;
    ~FrameInbox() { release(); }
    FrameInbox(const FrameInbox&) = delete;
    FrameInbox& operator=(const FrameInbox&) = delete;

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    const std::uint8_t* data() const { return data_; }

    // Capacity for at least `bytes` (rounded up to pages); false (unchanged) when the system has none.
    bool reserve(std::size_t bytes) {
        if (bytes <= capacity_) return true;
        const std::size_t rounded = whole_pages(bytes);
        void* p = capacity_ == 0
                      ? ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                      : ::mremap(data_, capacity_, rounded, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) return false;
        data_ = static_cast<std::uint8_t*>(p);
        capacity_ = rounded;
        return true;
    }
    // Within the capacity reserved.
    void append(const std::uint8_t* bytes, std::size_t n) {
        std::memcpy(data_ + size_, bytes, n);
        size_ += n;
    }
    void clear() { size_ = 0; }
    void release() {
        if (data_ != nullptr) ::munmap(data_, capacity_);
        data_ = nullptr;
        size_ = capacity_ = 0;
    }

private:
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace

struct OscTransport::Connection {
    std::uint64_t id = 0;
    int fd = -1;
    ReplyTarget target;
    // The start of the one frame in progress (never more: complete frames are delivered at once).
    // Its capacity is what counts against max_pending_frame_bytes_total.
    FrameInbox inbox;
    std::vector<std::uint8_t> outbox;  // framed replies; [outbox_sent, size) still to write
    std::size_t outbox_sent = 0;
    std::size_t outbox_counted = 0;      // outbox.capacity() as counted in outbox_bytes_total_
    bool reading = true;                 // false once the peer shut down its side or a frame was refused
    bool closing = false;                // close at the end of this poll_once
    std::int64_t drain_deadline_ns = 0;  // when !reading: close by then even if replies remain
    std::int64_t last_active_ns = 0;     // accepted, a frame completed or bytes written: for idleness
    bool vouched = false;                // the server admitted its client (vouch_for): evicted last
    std::int64_t frame_started_ns = 0;   // the frame in progress's first byte
    std::int64_t last_byte_ns = 0;       // the latest byte received

    std::size_t pending() const { return outbox.size() - outbox_sent; }
};

OscTransport::OscTransport() : datagram_(kDatagramBuffer), scratch_(kTcpReadChunk) {}

OscTransport::~OscTransport() {
    close();
}

bool OscTransport::open(const OscTransportOptions& options, std::string* error) {
    close();
    options_ = options;
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!resolve(options.address, addr, len, error)) return false;
    if (options.port < 0 || options.port > 65535) {
        if (error) *error = "cannot listen on port " + std::to_string(options.port) + ": not in 0..65535";
        return false;
    }

    if (options.port != 0) {
        set_port(addr, options.port);
        udp_fd_ = bind_socket(SOCK_DGRAM, addr, len, error, nullptr);
        if (udp_fd_ < 0) return false;
        tcp_fd_ = bind_socket(SOCK_STREAM, addr, len, error, nullptr);
        if (tcp_fd_ < 0) {
            close();
            return false;
        }
    } else {
        // Port 0: let the kernel pick the UDP port, then try the same number for TCP; a few retries
        // when that TCP port is taken, then two independent ports.
        for (int attempt = 0; attempt < 16 && tcp_fd_ < 0; ++attempt) {
            set_port(addr, 0);
            udp_fd_ = bind_socket(SOCK_DGRAM, addr, len, error, nullptr);
            if (udp_fd_ < 0) return false;
            set_port(addr, local_port(udp_fd_));
            int err = 0;
            tcp_fd_ = bind_socket(SOCK_STREAM, addr, len, error, &err);
            if (tcp_fd_ >= 0) break;
            ::close(udp_fd_);
            udp_fd_ = -1;
            if (err != EADDRINUSE) return false;
        }
        if (tcp_fd_ < 0) {
            set_port(addr, 0);
            udp_fd_ = bind_socket(SOCK_DGRAM, addr, len, error, nullptr);
            if (udp_fd_ < 0) return false;
            tcp_fd_ = bind_socket(SOCK_STREAM, addr, len, error, nullptr);
            if (tcp_fd_ < 0) {
                close();
                return false;
            }
        }
    }
    udp_port_ = local_port(udp_fd_);
    tcp_port_ = local_port(tcp_fd_);

    // Best effort: kernels (or sandboxes) without these options still work, with arrival times taken
    // after the read and no kernel drop count.
    const int one = 1;
    ::setsockopt(udp_fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    ::setsockopt(udp_fd_, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (options.udp_receive_buffer_bytes > 0)
        ::setsockopt(udp_fd_, SOL_SOCKET, SO_RCVBUF, &options.udp_receive_buffer_bytes,
                     sizeof options.udp_receive_buffer_bytes);
    spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (!options.local_socket_path.empty() && !open_local_socket(options.local_socket_path, error)) {
        close();
        return false;
    }
    return true;
}

bool OscTransport::open_local_socket(const std::string& path, std::string* error) {
    auto fail = [&](const std::string& why) {
        if (error) *error = why;
        return false;
    };
    if (udp_fd_ < 0) return fail("cannot create the local socket " + path + ": the transport is not open");
    if (local_fd_ >= 0) return fail("cannot create the local socket " + path + ": one is open already");
    UnixAddress addr;
    std::string why;
    if (!addr.set(path, &why)) return fail("cannot create the local socket '" + path + "': " + why);

    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail("cannot create the local socket " + path +
                        ": the path exists and is not a socket (left as it is)");
        // A socket file: an engine that answers on it is alive; one that refuses is a crashed
        // engine's leftover, replaced.
        const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (probe < 0) return fail("cannot create the local socket " + path + ": " + errno_text(errno));
        const int rc = ::connect(probe, addr.get(), addr.len);
        const int err = rc == 0 ? 0 : errno;
        ::close(probe);
        if (err == 0 || err == EAGAIN || err == EINPROGRESS) return fail("another engine listens on " + path);
        if (err != ECONNREFUSED && err != ENOENT)
            return fail("cannot create the local socket " + path +
                        ": cannot check the existing one: " + errno_text(err));
        if (err == ECONNREFUSED && ::unlink(path.c_str()) != 0 && errno != ENOENT)
            return fail("cannot remove the stale local socket " + path + ": " + errno_text(errno));
    }

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("cannot create the local socket " + path + ": " + errno_text(errno));
    // The file bind() creates takes its mode from the umask: user-only from the start, never a moment
    // open to others. (umask is per process; other threads creating files meanwhile only get stricter
    // modes.)
    const mode_t old_mask = ::umask(0177);
    const int bound = ::bind(fd, addr.get(), addr.len);
    const int bind_err = errno;
    ::umask(old_mask);
    if (bound != 0) {
        ::close(fd);
        return fail("cannot create the local socket " + path + ": " + errno_text(bind_err));
    }
    if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode) || (st.st_mode & 077) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(path.c_str());
        return fail("cannot create the local socket " + path + ": " + errno_text(err));
    }
    local_fd_ = fd;
    local_path_ = path;
    local_dev_ = st.st_dev;
    local_ino_ = st.st_ino;
    return true;
}

void OscTransport::close() {
    for (auto& [id, c] : connections_) {
        ::close(c->fd);
        counters_.connections_closed.fetch_add(1, std::memory_order_relaxed);
    }
    connections_.clear();
    pending_frame_bytes_ = 0;
    local_frame_bytes_ = 0;
    counters_.pending_frame_bytes.store(0, std::memory_order_relaxed);
    outbox_bytes_total_ = 0;
    counters_.outbox_bytes.store(0, std::memory_order_relaxed);
    if (local_fd_ >= 0) {
        // Only the file this transport created: another engine may have replaced it since.
        struct stat st {};
        if (::lstat(local_path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == local_dev_ &&
            st.st_ino == local_ino_)
            ::unlink(local_path_.c_str());
    }
    local_path_.clear();
    for (int* fd : {&udp_fd_, &tcp_fd_, &local_fd_, &spare_fd_}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
    udp_port_ = tcp_port_ = 0;
}

std::string OscTransport::udp_local_address() const {
    return local_address(udp_fd_);
}
std::string OscTransport::tcp_local_address() const {
    return local_address(tcp_fd_);
}

OscTransportStats OscTransport::stats() const {
    constexpr auto r = std::memory_order_relaxed;
    OscTransportStats s;
    s.udp_packets = counters_.udp_packets.load(r);
    s.tcp_packets = counters_.tcp_packets.load(r);
    s.malformed_packets = counters_.malformed_packets.load(r);
    s.replies_sent = counters_.replies_sent.load(r);
    s.replies_dropped = counters_.replies_dropped.load(r);
    s.connections_accepted = counters_.connections_accepted.load(r);
    s.local_connections_accepted = counters_.local_connections_accepted.load(r);
    s.connections_refused = counters_.connections_refused.load(r);
    s.connections_closed = counters_.connections_closed.load(r);
    s.connections_evicted = counters_.connections_evicted.load(r);
    s.connections_timed_out = counters_.connections_timed_out.load(r);
    s.connections_idle_closed = counters_.connections_idle_closed.load(r);
    s.connections_over_memory = counters_.connections_over_memory.load(r);
    s.pending_frame_bytes = counters_.pending_frame_bytes.load(r);
    s.outbox_bytes = counters_.outbox_bytes.load(r);
    s.kernel_udp_drops = counters_.kernel_udp_drops.load(r);
    return s;
}

void OscTransport::poll_once(int timeout_ms, const PacketHandler& handler, const ErrorHandler& on_error) {
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> ids;
    fds.reserve(3 + connections_.size());
    ids.reserve(connections_.size());
    fds.push_back({udp_fd_, POLLIN, 0});
    fds.push_back({tcp_fd_, POLLIN, 0});
    fds.push_back({local_fd_, POLLIN, 0});  // poll() ignores a negative fd
    // The earliest moment a connection must be looked at even if nothing happens: a drain deadline,
    // or a partial frame's or an idle connection's timeout.
    std::int64_t earliest_deadline = 0;
    const auto consider = [&](std::int64_t deadline) {
        if (earliest_deadline == 0 || deadline < earliest_deadline) earliest_deadline = deadline;
    };
    for (const auto& [id, c] : connections_) {
        short events = 0;
        if (c->reading) events |= POLLIN;
        if (c->pending() > 0) events |= POLLOUT;
        fds.push_back({c->fd, events, 0});
        ids.push_back(id);
        if (!c->reading) {
            consider(c->drain_deadline_ns);
        } else if (!c->inbox.empty()) {
            if (options_.frame_stall_timeout_ms > 0)
                consider(c->last_byte_ns + ms_to_ns(options_.frame_stall_timeout_ms));
            if (options_.frame_timeout_ms > 0)
                consider(c->frame_started_ns + ms_to_ns(options_.frame_timeout_ms));
        } else if (options_.idle_timeout_ms > 0) {
            consider(c->last_active_ns + ms_to_ns(options_.idle_timeout_ms));
        }
    }
    if (earliest_deadline != 0) {
        const std::int64_t wait_ms = (earliest_deadline - monotonic_ns()) / 1'000'000 + 1;
        const int cap = wait_ms < 0 ? 0 : static_cast<int>(std::min<std::int64_t>(wait_ms, 60'000));
        if (timeout_ms < 0 || timeout_ms > cap) timeout_ms = cap;
    }

    const int ready = ::poll(fds.data(), fds.size(), timeout_ms);
    if (ready < 0) return;  // EINTR: the caller loops

    if (ready > 0 && fds[0].revents != 0) read_udp(handler, on_error, realtime_minus_monotonic_ns());
    for (std::size_t n = 0; ready > 0 && n < ids.size(); ++n) {
        const short revents = fds[n + 3].revents;
        if (revents == 0) continue;
        const auto it = connections_.find(ids[n]);
        if (it == connections_.end()) continue;
        Connection& c = *it->second;
        if (c.closing) continue;
        if (c.reading && (revents & (POLLIN | POLLHUP | POLLERR))) read_stream(c, handler, on_error);
        if (!c.closing && c.pending() > 0 && (revents & (POLLOUT | POLLERR | POLLHUP))) flush(c);
        if (!c.reading && (revents & (POLLERR | POLLHUP)) && c.pending() > 0 && !c.closing) c.closing = true;
    }
    if (ready > 0 && fds[1].revents != 0) accept_connections(tcp_fd_, ReplyTarget::Kind::Tcp);
    if (ready > 0 && fds[2].revents != 0) accept_connections(local_fd_, ReplyTarget::Kind::Local);

    const std::int64_t now = monotonic_ns();
    for (auto& [id, c] : connections_) check_timeouts(*c, now, on_error);
    for (auto it = connections_.begin(); it != connections_.end();) {
        Connection& c = *it->second;
        const bool done = c.closing || (!c.reading && (c.pending() == 0 || now >= c.drain_deadline_ns));
        if (done) {
            close_connection(c);
            it = connections_.erase(it);
        } else {
            ++it;
        }
    }
}

void OscTransport::check_timeouts(Connection& c, std::int64_t now, const ErrorHandler& on_error) {
    if (!c.reading || c.closing) return;
    if (c.inbox.empty()) {
        if (options_.idle_timeout_ms > 0 && now - c.last_active_ns >= ms_to_ns(options_.idle_timeout_ms)) {
            // Quietly: an idle client is not at fault, it simply gives its place back.
            counters_.connections_idle_closed.fetch_add(1, std::memory_order_relaxed);
            c.closing = true;
        }
        return;
    }
    std::string why;
    if (options_.frame_stall_timeout_ms > 0 &&
        now - c.last_byte_ns >= ms_to_ns(options_.frame_stall_timeout_ms))
        why = "no byte of it for " + std::to_string(options_.frame_stall_timeout_ms) + " ms";
    else if (options_.frame_timeout_ms > 0 && now - c.frame_started_ns >= ms_to_ns(options_.frame_timeout_ms))
        why = "not complete " + std::to_string(options_.frame_timeout_ms) + " ms after its first byte";
    if (why.empty()) return;
    counters_.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
    const std::size_t have = c.inbox.size();
    stop_reading(c);  // the error reply (if the handler sends one) gets a short chance to leave
    if (on_error)
        on_error("incomplete frame (" + std::to_string(have) + " bytes received): " + why +
                     "; closing the connection",
                 c.target);
}

void OscTransport::read_udp(const PacketHandler& handler, const ErrorHandler& on_error,
                            std::int64_t clock_offset_ns) {
    for (int count = 0; count < kMaxDatagramsPerPoll; ++count) {
        ReplyTarget from;
        from.kind = ReplyTarget::Kind::Udp;
        iovec iov{datagram_.data(), datagram_.size()};
        alignas(cmsghdr) unsigned char
            control[CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(std::uint32_t)) + 64];
        msghdr msg{};
        msg.msg_name = &from.addr;
        msg.msg_namelen = sizeof from.addr;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(udp_fd_, &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // EAGAIN, or an error the next poll will show again
        }
        const std::int64_t now = monotonic_ns();
        from.addr_len = msg.msg_namelen;

        std::int64_t arrival_ns = now;
        for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level != SOL_SOCKET) continue;
            if (cm->cmsg_type == SCM_TIMESTAMPNS && cm->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                const std::int64_t kernel_ns =
                    static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec - clock_offset_ns;
                if (kernel_ns <= now && now - kernel_ns <= kMaxTimestampAgeNs) arrival_ns = kernel_ns;
            } else if (cm->cmsg_type == SO_RXQ_OVFL && cm->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
                std::uint32_t drops = 0;
                std::memcpy(&drops, CMSG_DATA(cm), sizeof drops);
                counters_.kernel_udp_drops.store(drops, std::memory_order_relaxed);
            }
        }

        counters_.udp_packets.fetch_add(1, std::memory_order_relaxed);
        if (msg.msg_flags & MSG_TRUNC) {
            counters_.malformed_packets.fetch_add(1, std::memory_order_relaxed);
            if (on_error)
                on_error("datagram larger than " + std::to_string(datagram_.size()) + " bytes (truncated)",
                         from);
            continue;
        }
        deliver(datagram_.data(), static_cast<std::size_t>(n), from, arrival_ns, handler, on_error);
    }
}

void OscTransport::deliver(const std::uint8_t* data, std::size_t size, const ReplyTarget& from,
                           std::int64_t arrival_ns, const PacketHandler& handler,
                           const ErrorHandler& on_error) {
    OscPacket packet;
    std::string problem;
    if (!parse_osc_packet(data, size, packet, &problem)) {
        counters_.malformed_packets.fetch_add(1, std::memory_order_relaxed);
        if (on_error) on_error(problem, from);
        return;
    }
    if (handler) handler(packet, from, arrival_ns);
}

void OscTransport::read_stream(Connection& c, const PacketHandler& handler, const ErrorHandler& on_error) {
    std::size_t budget = kMaxTcpBytesPerPoll;
    while (budget > 0 && c.reading && !c.closing) {
        const ssize_t n = ::recv(c.fd, scratch_.data(), scratch_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!would_block(errno)) c.closing = true;  // reset by peer, ...
            return;
        }
        if (n == 0) {
            // The peer shut down its side; replies still queued go out before the connection closes.
            stop_reading(c);
            return;
        }
        const std::int64_t arrival_ns = monotonic_ns();
        c.last_byte_ns = arrival_ns;
        budget -= std::min(budget, static_cast<std::size_t>(n));

        // OSC 1.0 stream framing: int32 big-endian length, then that many bytes. Frames that arrive
        // whole are delivered from the read buffer; only a frame in progress is copied to the inbox.
        const std::uint8_t* data = scratch_.data();
        std::size_t size = static_cast<std::size_t>(n);
        while (size > 0 && c.reading && !c.closing) {
            if (c.inbox.empty()) {
                if (size >= 4) {
                    const std::uint32_t length = read_be32(data);
                    if (length > frame_limit(c)) return refuse_frame(c, length, on_error);
                    if (size - 4 >= length) {
                        counters_.tcp_packets.fetch_add(1, std::memory_order_relaxed);
                        c.last_active_ns = arrival_ns;
                        deliver(data + 4, length, c.target, arrival_ns, handler, on_error);
                        data += 4 + length;
                        size -= 4 + length;
                        continue;
                    }
                }
                c.frame_started_ns = arrival_ns;
            }
            // The inbox holds the start of a frame: add what belongs to that frame, its length first.
            std::size_t frame_total = 0;  // 0: the length is not known yet
            std::size_t take = 0;
            if (c.inbox.size() >= 4) {
                frame_total = 4 + std::size_t{read_be32(c.inbox.data())};
                take = std::min(size, frame_total - c.inbox.size());
            } else if (c.inbox.size() + size >= 4) {
                std::uint8_t head[4];
                const std::size_t have = c.inbox.size();
                if (have > 0) std::memcpy(head, c.inbox.data(), have);
                std::memcpy(head + have, data, 4 - have);
                const std::uint32_t length = read_be32(head);
                if (length > frame_limit(c)) return refuse_frame(c, length, on_error);
                frame_total = 4 + std::size_t{length};
                take = std::min(size, frame_total - have);
            } else {
                take = size;
            }
            if (!grow_inbox(c, c.inbox.size() + take, frame_total, on_error)) return;
            c.inbox.append(data, take);
            data += take;
            size -= take;
            if (frame_total != 0 && c.inbox.size() == frame_total) {
                counters_.tcp_packets.fetch_add(1, std::memory_order_relaxed);
                c.last_active_ns = arrival_ns;
                deliver(c.inbox.data() + 4, frame_total - 4, c.target, arrival_ns, handler, on_error);
                if (c.inbox.capacity() > kKeptInbox)
                    release_inbox(c);
                else
                    c.inbox.clear();
            }
        }
    }
}

void OscTransport::refuse_frame(Connection& c, std::uint32_t length, const ErrorHandler& on_error) {
    counters_.tcp_packets.fetch_add(1, std::memory_order_relaxed);
    counters_.malformed_packets.fetch_add(1, std::memory_order_relaxed);
    // Stop reading; the error reply (if the handler sends one) gets a short chance to leave.
    stop_reading(c);
    if (on_error)
        on_error("TCP frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                     std::to_string(frame_limit(c)) + " bytes; closing the connection",
                 c.target);
}

// Room in c's inbox for `needed` bytes of the frame in progress, whose whole size is frame_total
// (0: unknown yet). Grows by doubling, never beyond the frame (so a frame's buffer is at most its
// size, and a peer that sends slowly holds at most twice what it sent), within the total bound: past
// it, the connection with the largest partial frame is closed, c itself when its frame is the
// largest (then false).
bool OscTransport::grow_inbox(Connection& c, std::size_t needed, std::size_t frame_total,
                              const ErrorHandler& on_error) {
    const std::size_t capacity = c.inbox.capacity();
    if (needed <= capacity) return true;
    // Doubling, but never beyond the frame; the frame's length unknown yet: just its first bytes.
    const std::size_t at_least = whole_pages(needed);
    std::size_t wanted = at_least;
    if (frame_total != 0)
        wanted = std::max(at_least, whole_pages(std::min(std::max(2 * capacity, kMinInbox), frame_total)));
    // TCP and local connections are bounded apart: a TCP client cannot crowd out the owner's frames.
    const bool local = c.target.kind == ReplyTarget::Kind::Local;
    const std::size_t limit =
        local ? options_.max_local_pending_frame_bytes_total : options_.max_pending_frame_bytes_total;
    const auto held_by_kind = [&] {
        return local ? local_frame_bytes_ : pending_frame_bytes_ - local_frame_bytes_;
    };
    for (;;) {
        if (held_by_kind() - capacity + wanted <= limit) break;
        if (held_by_kind() - capacity + at_least <= limit) {
            wanted = at_least;
            break;
        }
        Connection* largest = nullptr;
        for (auto& [id, other] : connections_)
            if (other.get() != &c && other->target.kind == c.target.kind && other->reading &&
                !other->closing && other->inbox.capacity() > 0 &&
                (largest == nullptr || other->inbox.capacity() > largest->inbox.capacity()))
                largest = other.get();
        Connection& victim = largest != nullptr && largest->inbox.capacity() > at_least ? *largest : c;
        const std::size_t held = &victim == &c ? at_least : victim.inbox.capacity();
        counters_.connections_over_memory.fetch_add(1, std::memory_order_relaxed);
        stop_reading(victim);
        if (on_error)
            on_error("partial frames would hold more than " + std::to_string(limit) + " bytes in total (" +
                         (local ? "max_local_pending_frame_bytes_total" : "max_pending_frame_bytes_total") +
                         "); closing the connection with the largest (" + std::to_string(held) + " bytes)",
                     victim.target);
        if (&victim == &c) return false;
    }
    if (!c.inbox.reserve(wanted) && !c.inbox.reserve(at_least)) {
        counters_.connections_over_memory.fetch_add(1, std::memory_order_relaxed);
        stop_reading(c);
        if (on_error)
            on_error("out of memory for a partial frame of " + std::to_string(needed) +
                         " bytes; closing the connection",
                     c.target);
        return false;
    }
    count_inbox(c, capacity);
    return true;
}

void OscTransport::release_inbox(Connection& c) {
    const std::size_t capacity = c.inbox.capacity();
    c.inbox.release();
    count_inbox(c, capacity);
}

std::size_t OscTransport::frame_limit(const Connection& c) const {
    return c.target.kind == ReplyTarget::Kind::Local ? options_.max_local_message : options_.max_tcp_message;
}

// After c's inbox went from old_capacity to its capacity now.
void OscTransport::count_inbox(const Connection& c, std::size_t old_capacity) {
    pending_frame_bytes_ = pending_frame_bytes_ - old_capacity + c.inbox.capacity();
    if (c.target.kind == ReplyTarget::Kind::Local)
        local_frame_bytes_ = local_frame_bytes_ - old_capacity + c.inbox.capacity();
    counters_.pending_frame_bytes.store(pending_frame_bytes_, std::memory_order_relaxed);
}

void OscTransport::stop_reading(Connection& c) {
    c.reading = false;
    c.drain_deadline_ns = monotonic_ns() + kDrainTimeoutNs;
    release_inbox(c);
}

void OscTransport::vouch_for(std::uint64_t connection_id) {
    const auto it = connections_.find(connection_id);
    if (it != connections_.end()) it->second->vouched = true;
}

void OscTransport::disconnect(std::uint64_t connection_id) {
    const auto it = connections_.find(connection_id);
    if (it == connections_.end() || !it->second->reading) return;
    stop_reading(*it->second);
}

void OscTransport::accept_connections(int listen_fd, ReplyTarget::Kind kind) {
    for (int count = 0; count < kMaxAcceptsPerPoll; ++count) {
        ReplyTarget from;
        from.kind = kind;
        socklen_t len = sizeof from.addr;
        const int fd =
            ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&from.addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if ((errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
                // Out of descriptors: free the spare to take the connection off the queue and shed it,
                // so that the listener does not stay readable forever.
                ::close(spare_fd_);
                const int shed = ::accept(listen_fd, nullptr, nullptr);
                if (shed >= 0) {
                    ::close(shed);
                    counters_.connections_refused.fetch_add(1, std::memory_order_relaxed);
                }
                spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
            }
            return;
        }
        if (kind == ReplyTarget::Kind::Local) {
            // The socket file is user-only; this is the second lock: only our own uid is served.
            ucred cred{};
            socklen_t cred_len = sizeof cred;
            if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) != 0 || cred.uid != ::geteuid()) {
                ::close(fd);
                counters_.connections_refused.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            from.addr_len = 0;
        } else {
            from.addr_len = len;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
                         sizeof one);  // replies are small and latency matters
        }
        make_room(kind);
        auto c = std::make_unique<Connection>();
        c->id = next_connection_id_++;
        c->fd = fd;
        c->target = from;
        c->target.connection = c->id;
        c->last_active_ns = c->last_byte_ns = monotonic_ns();
        connections_.emplace(c->id, std::move(c));
        counters_.connections_accepted.fetch_add(1, std::memory_order_relaxed);
        if (kind == ReplyTarget::Kind::Local)
            counters_.local_connections_accepted.fetch_add(1, std::memory_order_relaxed);
    }
}

// At max_connections of this kind: closes the one that is on its way out already, else the one idle
// longest, so that a new client is never locked out.
void OscTransport::make_room(ReplyTarget::Kind kind) {
    for (;;) {
        std::size_t count = 0;
        auto victim = connections_.end();
        for (auto it = connections_.begin(); it != connections_.end(); ++it) {
            const Connection& c = *it->second;
            if (c.target.kind != kind) continue;
            ++count;
            if (victim == connections_.end()) {
                victim = it;
                continue;
            }
            // Leaving ones first, then those the server has not vouched for, then the idlest.
            const Connection& v = *victim->second;
            const auto rank = [](const Connection& x) {
                return std::make_tuple(!(x.closing || !x.reading), x.vouched, x.last_active_ns);
            };
            if (rank(c) < rank(v)) victim = it;
        }
        if (count < std::max<std::size_t>(options_.max_connections, 1) || victim == connections_.end())
            return;
        counters_.connections_evicted.fetch_add(1, std::memory_order_relaxed);
        close_connection(*victim->second);
        connections_.erase(victim);
    }
}

void OscTransport::flush(Connection& c) {
    while (c.pending() > 0) {
        const ssize_t n =
            ::send(c.fd, c.outbox.data() + c.outbox_sent, c.pending(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (!would_block(errno)) c.closing = true;
            break;
        }
        c.outbox_sent += static_cast<std::size_t>(n);
        if (n > 0) c.last_active_ns = monotonic_ns();
    }
    if (c.pending() == 0) {
        // Memory a large reply needed goes back once it has left; the usual small outbox stays.
        if (c.outbox.capacity() > options_.max_outbox_bytes)
            std::vector<std::uint8_t>().swap(c.outbox);
        else
            c.outbox.clear();
        c.outbox_sent = 0;
    } else if (c.outbox_sent > 65536 && c.outbox_sent > c.outbox.size() / 2) {
        c.outbox.erase(c.outbox.begin(), c.outbox.begin() + static_cast<std::ptrdiff_t>(c.outbox_sent));
        c.outbox_sent = 0;
    }
    count_outbox(c);
}

void OscTransport::count_outbox(Connection& c) {
    outbox_bytes_total_ = outbox_bytes_total_ - c.outbox_counted + c.outbox.capacity();
    c.outbox_counted = c.outbox.capacity();
    counters_.outbox_bytes.store(outbox_bytes_total_, std::memory_order_relaxed);
}

void OscTransport::close_connection(Connection& c) {
    release_inbox(c);
    std::vector<std::uint8_t>().swap(c.outbox);
    c.outbox_sent = 0;
    count_outbox(c);
    ::close(c.fd);
    c.fd = -1;
    counters_.connections_closed.fetch_add(1, std::memory_order_relaxed);
}

std::string OscTransport::queue_replies(Connection& c, const std::vector<std::uint8_t>* const* packets,
                                        std::size_t count, bool requested) {
    std::size_t payload = 0;
    for (std::size_t i = 0; i < count; ++i) payload += packets[i]->size();
    if (payload > options_.max_reply_bytes)
        return "the reply is " + std::to_string(payload) + " bytes, more than one reply may take (" +
               std::to_string(options_.max_reply_bytes) + " bytes)";
    const std::size_t total = payload + 4 * count;  // framed
    // The outbox bounds what waits for a slow client. Past that bound go only a requested reply
    // (whole, when what waits is within the bound) or a single large one when nothing waits, and
    // only while all outboxes together stay within max_outbox_bytes_total.
    if (c.pending() + total > options_.max_outbox_bytes) {
        if (requested ? c.pending() > options_.max_outbox_bytes : c.pending() > 0)
            return std::to_string(c.pending()) +
                   " bytes of earlier replies still wait for this client to read them";
        const std::size_t needed = c.pending() + total;
        const std::size_t growth = needed > c.outbox.capacity() ? needed - c.outbox.capacity() : 0;
        if (outbox_bytes_total_ + growth > options_.max_outbox_bytes_total)
            return "replies waiting for slow clients already hold " + std::to_string(outbox_bytes_total_) +
                   " bytes (at most " + std::to_string(options_.max_outbox_bytes_total) +
                   " in all): try again later";
    }
    if (c.outbox.size() + total > c.outbox.capacity()) {
        // Room for exactly this (no doubling): drop what has left, then grow once.
        c.outbox.erase(c.outbox.begin(), c.outbox.begin() + static_cast<std::ptrdiff_t>(c.outbox_sent));
        c.outbox_sent = 0;
        c.outbox.reserve(std::max(c.outbox.size() + total,
                                  std::min<std::size_t>(2 * c.outbox.capacity(), options_.max_outbox_bytes)));
    }
    for (std::size_t i = 0; i < count; ++i) {
        const auto length = static_cast<std::uint32_t>(packets[i]->size());
        const std::uint8_t prefix[4] = {
            static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
            static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
        c.outbox.insert(c.outbox.end(), prefix, prefix + 4);
        c.outbox.insert(c.outbox.end(), packets[i]->begin(), packets[i]->end());
    }
    counters_.replies_sent.fetch_add(count, std::memory_order_relaxed);
    count_outbox(c);
    flush(c);  // usually leaves at once; what the socket does not take waits for POLLOUT
    return {};
}

bool OscTransport::send(const ReplyTarget& to, const std::vector<std::uint8_t>& bytes, std::string* why) {
    const std::vector<std::uint8_t>* one = &bytes;
    return send_packets(to, &one, 1, false, why);
}

bool OscTransport::send_requested(const ReplyTarget& to,
                                  const std::vector<std::vector<std::uint8_t>>& packets, std::string* why) {
    std::vector<const std::vector<std::uint8_t>*> list;
    list.reserve(packets.size());
    for (const auto& p : packets) list.push_back(&p);
    return send_packets(to, list.data(), list.size(), true, why);
}

bool OscTransport::send_requested(const ReplyTarget& to, const std::vector<std::uint8_t>& packet,
                                  std::string* why) {
    const std::vector<std::uint8_t>* one = &packet;
    return send_packets(to, &one, 1, true, why);
}

bool OscTransport::send_packets(const ReplyTarget& to, const std::vector<std::uint8_t>* const* packets,
                                std::size_t count, bool requested, std::string* why) {
    auto drop = [&](std::string reason) {
        counters_.replies_dropped.fetch_add(count, std::memory_order_relaxed);
        if (why) *why = std::move(reason);
        return false;
    };
    if (to.kind == ReplyTarget::Kind::Udp) {
        if (udp_fd_ < 0) return drop("the UDP socket is closed");
        for (std::size_t i = 0; i < count; ++i) {
            const auto& bytes = *packets[i];
            const ssize_t n = ::sendto(udp_fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                                       reinterpret_cast<const sockaddr*>(&to.addr), to.addr_len);
            if (n != static_cast<ssize_t>(bytes.size())) {
                counters_.replies_dropped.fetch_add(1, std::memory_order_relaxed);
                if (why) *why = "a datagram of " + std::to_string(bytes.size()) + " bytes was not sent";
                continue;
            }
            counters_.replies_sent.fetch_add(1, std::memory_order_relaxed);
        }
        return true;
    }
    const auto it = connections_.find(to.connection);
    if (it == connections_.end() || it->second->closing) return drop("the connection is closed");
    std::string refused = queue_replies(*it->second, packets, count, requested);
    if (refused.empty()) return true;
    return drop(std::move(refused));
}

int connect_unix_stream(const std::string& path, bool nonblocking, std::string* error) {
    UnixAddress addr;
    std::string why;
    if (!addr.set(path, &why)) {
        if (error) *error = "cannot connect to " + path + ": " + why;
        return -1;
    }
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0 || ::connect(fd, addr.get(), addr.len) != 0) {
        const int err = errno;
        if (fd >= 0) ::close(fd);
        if (error) *error = "cannot connect to " + path + ": " + errno_text(err);
        return -1;
    }
    return fd;
}

// ---------------------------------------------------------------------------------------------------
// OscSender

OscSender::~OscSender() {
    close();
}

bool OscSender::open(const std::string& bind_address, std::string* error) {
    close();
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (!resolve(bind_address, addr, len, error)) return false;
    fd_ = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
        const int err = errno;
        if (error)
            *error = "cannot open a UDP sender on " +
                     describe_socket_address(reinterpret_cast<const sockaddr*>(&addr), len) + ": " +
                     errno_text(err);
        close();
        return false;
    }
    family_ = addr.ss_family;
    port_ = local_port(fd_);
    return true;
}

void OscSender::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    family_ = AF_UNSPEC;
    port_ = 0;
}

bool OscSender::send(const sockaddr_storage& to, socklen_t to_len, const std::vector<std::uint8_t>& bytes) {
    if (fd_ < 0 || to.ss_family != family_) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    const ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                               reinterpret_cast<const sockaddr*>(&to), to_len);
    if (n != static_cast<ssize_t>(bytes.size())) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    sent_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

}  // namespace tactus
