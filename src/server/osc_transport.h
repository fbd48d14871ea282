// The OSC server's sockets: one UDP socket and one TCP listener on the same address and port, an
// optional Unix-domain stream socket for local clients, plus the accepted stream connections (TCP and
// local), all non-blocking and driven by poll_once() on one thread. liblo's servers always bind
// 0.0.0.0, so Tactus owns its sockets and uses liblo only for (de)serialising.
//
//   UDP datagram (<= 65507 bytes) --+
//                                   +--> parse_osc_packet --> PacketHandler(packet, from, arrival_ns)
//   TCP / local frame (int32 BE   --+                    \--> ErrorHandler(problem, from)  (malformed)
//   length + packet)
//   send(to, bytes) --> UDP: sendto(MSG_DONTWAIT) from the server socket (replies come from its port)
//                   --> TCP / local: the connection's bounded outbox, flushed when the socket is writable
//
// Never blocks on a client: a reply that finds the UDP socket buffer full, or the connection's outbox
// full, is dropped and counted. A client that never reads therefore costs at most max_outbox_bytes of
// memory, plus one large reply of up to max_reply_bytes (a whole /document: send_requested, or one
// large pushed batch that found the outbox empty), and nothing else. Large replies of all connections
// together are bounded by max_outbox_bytes_total; the memory of one goes back once it has left.
//
// The local socket (local_socket_path) is created with mode 0600 in a directory the caller keeps
// private; a peer whose uid (SO_PEERCRED) differs from ours is closed at once all the same. A stale
// socket file of a crashed engine (nobody answers on it) is replaced; a live one, or anything that
// is not a socket, is an error and left alone. close() removes the file it created.
//
// Stream connections are bounded so that no client can lock others out or pin memory:
// - a frame in progress must keep arriving (frame_stall_timeout_ms without a byte) and complete
//   (frame_timeout_ms), else the connection is closed (connections_timed_out);
// - a connection with no complete frame received and no byte written for idle_timeout_ms is closed
//   (connections_idle_closed);
// - at max_connections (TCP and local counted apart), a new connection evicts the one of its kind idle
//   longest (oldest accept / complete frame / write) instead of being refused (connections_evicted);
// - partial frames' buffers are bounded per connection (max_tcp_message; local: max_local_message)
//   and in total (max_pending_frame_bytes_total; local ones apart, max_local_pending_frame_bytes_total;
//   counting allocated capacity, which grows at most to the frame's declared length); beyond, the
//   connection of that kind with the largest partial frame is closed (connections_over_memory), the
//   newcomer itself when its frame is the largest.
//
// Arrival time: for UDP, the kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME) moved to
// CLOCK_MONOTONIC by the realtime - monotonic offset sampled once per poll_once(); this excludes the
// time the packet waited for this thread to wake up. A converted time that lies in the future or more
// than a second in the past (a wall-clock step) falls back to the monotonic time right after the read.
// For TCP and local connections, the monotonic time right after the read that completed the frame.
//
// Threading: open(), open_local_socket(), poll_once(), send(), disconnect() and close() on one thread
// (the owner; handlers run on it and may call send() and disconnect()). stats() from any thread.
// OscSender is a separate UDP socket for another thread (e.g. the position reporter).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/osc_message.h"

namespace tactus {

struct OscTransportOptions {
    std::string address = "127.0.0.1";  // numeric IPv4/IPv6 or a host name (its first IPv4 address wins)
    int port = 7770;                    // 0 = any free port (the same one for UDP and TCP when possible)
    // A bigger frame is an error and closes the connection: on TCP, and on the local socket (the
    // owner, our own uid) apart, where a frame may be as large as a reply (the GUI gives back with
    // /load/json the document it got with /document).
    std::size_t max_tcp_message = kMaxRequestFrame;
    std::size_t max_local_message = kMaxReplyFrame;
    // TCP connections, and local ones apart; a new one beyond evicts the one of its kind idle longest.
    std::size_t max_connections = 64;
    std::size_t max_outbox_bytes = 1u << 20;  // per stream connection; replies beyond are dropped
    // One reply past max_outbox_bytes (send_requested's packets together, or one large packet sent to an
    // empty outbox): at most this many bytes (kMaxReplyFrame, what clients accept), and only while the
    // outboxes of all connections together stay within max_outbox_bytes_total.
    std::size_t max_reply_bytes = kMaxReplyFrame;
    std::size_t max_outbox_bytes_total = 256u << 20;
    int udp_receive_buffer_bytes = 1 << 20;  // SO_RCVBUF request (the kernel caps it at rmem_max)
    // A Unix-domain stream socket to create (mode 0600) for local clients; "" = none. The directory
    // must exist and should be private to the user (core/private_dir.h).
    std::string local_socket_path;

    // Stream connections (TCP and local); 0 disables a timeout.
    int frame_stall_timeout_ms = 10'000;  // a frame in progress that receives no byte for this long
    int frame_timeout_ms = 60'000;        // a frame not complete this long after its first byte
    int idle_timeout_ms = 600'000;        // no complete frame received and no byte written for this long
    // The partial frames' buffers of all TCP connections together (allocated bytes), and of all local
    // ones apart. Keep each at least its frame limit + 4 rounded up to a page, or the biggest frames
    // can never complete.
    std::size_t max_pending_frame_bytes_total = 64u << 20;
    std::size_t max_local_pending_frame_bytes_total = kMaxReplyFrame + (1u << 20);
};

// Where a packet came from, and so where its replies go.
struct ReplyTarget {
    enum class Kind { Udp, Tcp, Local };
    Kind kind = Kind::Udp;
    sockaddr_storage addr{};  // UDP, TCP: the peer's address (local: unused)
    socklen_t addr_len = 0;
    std::uint64_t connection = 0;  // TCP, local: the transport's id of the connection (never reused)

    // A connection (TCP or local): replies go on it, framed, and may be large.
    bool is_stream() const { return kind != Kind::Udp; }
    // "udp 127.0.0.1:50123", "tcp [::1]:50123 #4" or "local #4".
    std::string describe() const;
};

// "127.0.0.1:7770" / "[::1]:7770" for an IPv4/IPv6 socket address.
std::string describe_socket_address(const sockaddr* addr, socklen_t len);
// Splits "ADDR:PORT" (IPv6 in brackets: "[::1]:7770"); also accepts ":PORT" and "PORT" (address
// 127.0.0.1). False with *error set when the text is not of that form or the port is not 0..65535.
bool parse_listen_address(const std::string& text, std::string& address, int& port, std::string* error);

// A stream socket connected to the Unix-domain socket at `path` (e.g. an engine's local socket), of
// any length: a path longer than sockaddr_un holds (107 bytes) is reached through its directory
// (/proc/self/fd/N/NAME), as open_local_socket() binds it. The fd (blocking unless `nonblocking`),
// or -1 with *error set ("cannot connect to PATH: Connection refused").
int connect_unix_stream(const std::string& path, bool nonblocking, std::string* error);

struct OscTransportStats {
    std::uint64_t udp_packets = 0;           // datagrams read (malformed ones included)
    std::uint64_t tcp_packets = 0;           // stream frames read, TCP and local (malformed ones included)
    std::uint64_t malformed_packets = 0;     // failed to parse, oversized TCP frames, truncated datagrams
    std::uint64_t replies_sent = 0;          // UDP: handed to the kernel; TCP: queued in the outbox
    std::uint64_t replies_dropped = 0;       // socket buffer / outbox full, unknown or closed connection
    std::uint64_t connections_accepted = 0;  // stream connections taken on (TCP and local)
    std::uint64_t local_connections_accepted = 0;  // of which over the local socket
    std::uint64_t connections_refused = 0;      // closed at once: another uid on the local socket, out of fds
    std::uint64_t connections_closed = 0;       // taken-on connections that ended (for any reason)
    std::uint64_t connections_evicted = 0;      // closed to make room for a new one at max_connections
    std::uint64_t connections_timed_out = 0;    // a partial frame stalled or took too long
    std::uint64_t connections_idle_closed = 0;  // idle for idle_timeout_ms
    std::uint64_t connections_over_memory = 0;  // closed for max_pending_frame_bytes_total
    std::uint64_t pending_frame_bytes = 0;      // now: partial frames' buffers (allocated bytes)
    std::uint64_t outbox_bytes = 0;             // now: replies' buffers of every connection (allocated bytes)
    // Datagrams the kernel dropped for want of buffer space: the latest SO_RXQ_OVFL count, which the
    // kernel attaches to datagrams queued after a drop (so it shows once the next datagram is read).
    std::uint64_t kernel_udp_drops = 0;
};

class OscTransport {
public:
    using PacketHandler =
        std::function<void(OscPacket& packet, const ReplyTarget& from, std::int64_t arrival_ns)>;
    using ErrorHandler = std::function<void(const std::string& message, const ReplyTarget& from)>;

    OscTransport();
    ~OscTransport();
    OscTransport(const OscTransport&) = delete;
    OscTransport& operator=(const OscTransport&) = delete;

    // Binds UDP and TCP on options.address:options.port, and the local socket when
    // options.local_socket_path is set. False with *error set naming the address ("cannot listen on
    // 127.0.0.1:7770/udp: Address already in use") or the path; nothing stays open then.
    bool open(const OscTransportOptions& options, std::string* error);
    // After open(): creates the local socket at `path` (e.g. once the port picked for port 0 is known).
    // False with *error set ("another engine listens on PATH", "PATH exists and is not a socket...");
    // UDP and TCP stay open then.
    bool open_local_socket(const std::string& path, std::string* error);
    // Closes every socket; removes the local socket's file if it is still the one created.
    void close();
    bool is_open() const { return udp_fd_ >= 0; }

    // One poll() over every socket, waiting at most timeout_ms (0 = don't wait, -1 = until
    // something happens); then reads what is ready, calls the handlers, accepts new connections,
    // flushes outboxes and closes finished connections. Never blocks beyond the poll().
    void poll_once(int timeout_ms, const PacketHandler& handler, const ErrorHandler& on_error = {});

    // Never blocks. False when the reply was dropped (counted), with *why saying why: UDP socket buffer
    // full or send error, TCP outbox full, or the connection is gone. A TCP reply is queued whole or
    // not at all; one larger than max_outbox_bytes only when nothing else waits.
    bool send(const ReplyTarget& to, const std::vector<std::uint8_t>& bytes, std::string* why = nullptr);
    // The answer to a request that asked for it (a /document, an /edits/since): on a stream
    // connection, its packets are queued all or none, past max_outbox_bytes when need be (up to
    // max_reply_bytes, while what already waits is within max_outbox_bytes and all outboxes stay
    // within max_outbox_bytes_total); false with *why saying which limit refused it. Over UDP each
    // packet is sent as a datagram (the caller keeps them small enough). The one-packet form also
    // serves an edit batch pushed to a subscriber: whole to a client that reads, however large.
    bool send_requested(const ReplyTarget& to, const std::vector<std::vector<std::uint8_t>>& packets,
                        std::string* why);
    bool send_requested(const ReplyTarget& to, const std::vector<std::uint8_t>& packet, std::string* why);

    // Stops reading from a stream connection (what it sends next is ignored), lets the replies already
    // queued leave (for at most a second), then closes it. Unknown ids are ignored.
    void disconnect(std::uint64_t connection_id);
    // The server has admitted this connection's client (an authenticated or trusted one): when the
    // connections are full, every connection not vouched for is evicted before it, so a flood of
    // unauthenticated connections cannot push an admitted client out.
    void vouch_for(std::uint64_t connection_id);

    int udp_port() const { return udp_port_; }
    int tcp_port() const { return tcp_port_; }
    // The sockets' own addresses (getsockname), e.g. "127.0.0.1:7770"; "" when not open.
    std::string udp_local_address() const;
    std::string tcp_local_address() const;
    // The local socket's path; "" when there is none.
    std::string local_socket_path() const { return local_path_; }
    std::size_t connection_count() const { return connections_.size(); }
    // Bytes allocated for partial frames, all connections together (bounded by
    // max_pending_frame_bytes_total).
    std::size_t pending_frame_bytes() const { return pending_frame_bytes_; }
    bool has_connection(std::uint64_t id) const { return connections_.count(id) != 0; }

    OscTransportStats stats() const;

private:
    struct Connection;
    struct Counters {
        std::atomic<std::uint64_t> udp_packets{0}, tcp_packets{0}, malformed_packets{0}, replies_sent{0},
            replies_dropped{0}, connections_accepted{0}, local_connections_accepted{0},
            connections_refused{0}, connections_closed{0}, connections_evicted{0}, connections_timed_out{0},
            connections_idle_closed{0}, connections_over_memory{0}, kernel_udp_drops{0},
            pending_frame_bytes{0}, outbox_bytes{0};
    };

    void read_udp(const PacketHandler& handler, const ErrorHandler& on_error, std::int64_t clock_offset_ns);
    void read_stream(Connection& c, const PacketHandler& handler, const ErrorHandler& on_error);
    void refuse_frame(Connection& c, std::uint32_t length, const ErrorHandler& on_error);
    bool grow_inbox(Connection& c, std::size_t needed, std::size_t frame_total, const ErrorHandler& on_error);
    void set_inbox_capacity(Connection& c, std::size_t capacity);
    std::size_t frame_limit(const Connection& c) const;
    void count_inbox(const Connection& c, std::size_t old_capacity);
    void release_inbox(Connection& c);
    void stop_reading(Connection& c);
    void check_timeouts(Connection& c, std::int64_t now, const ErrorHandler& on_error);
    void accept_connections(int listen_fd, ReplyTarget::Kind kind);
    void make_room(ReplyTarget::Kind kind);
    void flush(Connection& c);
    void count_outbox(Connection& c);
    bool send_packets(const ReplyTarget& to, const std::vector<std::uint8_t>* const* packets,
                      std::size_t count, bool requested, std::string* why);
    // Queues the packets, framed, on the connection: "" or why they were refused.
    std::string queue_replies(Connection& c, const std::vector<std::uint8_t>* const* packets,
                              std::size_t count, bool requested);
    void close_connection(Connection& c);
    void deliver(const std::uint8_t* data, std::size_t size, const ReplyTarget& from, std::int64_t arrival_ns,
                 const PacketHandler& handler, const ErrorHandler& on_error);

    OscTransportOptions options_;
    int udp_fd_ = -1;
    int tcp_fd_ = -1;
    int local_fd_ = -1;
    std::string local_path_;       // the local socket's file, while local_fd_ is open
    std::uint64_t local_dev_ = 0;  // its device and inode: close() removes only that file
    std::uint64_t local_ino_ = 0;
    int spare_fd_ = -1;  // held open so that accept() can still shed a connection when out of fds
    int udp_port_ = 0;
    int tcp_port_ = 0;
    std::uint64_t next_connection_id_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::vector<std::uint8_t> datagram_;   // receive buffer, 64 KiB
    std::vector<std::uint8_t> scratch_;    // stream read buffer, 64 KiB
    std::size_t pending_frame_bytes_ = 0;  // sum of the connections' inbox capacities
    std::size_t local_frame_bytes_ = 0;    // the part of it local connections hold
    std::size_t outbox_bytes_total_ = 0;   // sum of the connections' outbox capacities
    Counters counters_;
};

// A UDP socket of its own for a thread other than the transport's owner, sending non-blockingly.
// send() from one thread at a time; sent()/dropped() from any thread.
class OscSender {
public:
    OscSender() = default;
    ~OscSender();
    OscSender(const OscSender&) = delete;
    OscSender& operator=(const OscSender&) = delete;

    // Binds an ephemeral port on bind_address (e.g. the server's listen address, so datagrams leave
    // from the same interface). False with *error set on failure.
    bool open(const std::string& bind_address, std::string* error);
    void close();

    // False (counted in dropped()) when the socket buffer is full, the family does not match, or the
    // kernel refuses; never blocks.
    bool send(const sockaddr_storage& to, socklen_t to_len, const std::vector<std::uint8_t>& bytes);
    // A stream target cannot be reached from here (its connection belongs to the transport): dropped.
    bool send(const ReplyTarget& to, const std::vector<std::uint8_t>& bytes) {
        if (to.kind == ReplyTarget::Kind::Udp) return send(to.addr, to.addr_len, bytes);
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return false;
    }

    std::uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    int port() const { return port_; }

private:
    int fd_ = -1;
    int family_ = AF_UNSPEC;
    int port_ = 0;
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace tactus
