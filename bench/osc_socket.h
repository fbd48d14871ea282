// A minimal OSC client socket for the benchmarks, over UDP or TCP, with no thread and no callback:
// the caller decides when to read. Messages and bundles are serialised with liblo; received packets
// are parsed with liblo into (address, args). Used by bench/edit_latency.cpp, bench/edit_flood.cpp and
// bench/osc_flood.cpp.
//
// UDP: one unconnected socket that sends to HOST:PORT (127.0.0.1 unless told) and reads everything that
// comes to it on the same socket (tactusd replies to the datagram's source; position reports come from
// another of its sockets, so the socket must not be connected). TCP: one connection with OSC 1.0
// stream framing (big-endian int32 length first), TCP_NODELAY on.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tactus::bench {

using Bytes = std::vector<std::uint8_t>;

// A numeric IPv4 address ("127.0.0.1"), or nullopt.
inline std::optional<in_addr> ipv4_address(const std::string& text) {
    in_addr address{};
    if (::inet_pton(AF_INET, text.c_str(), &address) != 1) return std::nullopt;
    return address;
}

// Serialises one message (takes ownership of `m`).
inline Bytes serialise_message(const char* address, lo_message m) {
    std::size_t size = 0;
    void* data = lo_message_serialise(m, address, nullptr, &size);
    Bytes bytes(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    lo_message_free(m);
    return bytes;
}

// Serialises an "immediately" bundle of (address, message) pairs (takes ownership of the messages).
inline Bytes serialise_bundle(const std::vector<std::pair<const char*, lo_message>>& messages) {
    lo_bundle b = lo_bundle_new(LO_TT_IMMEDIATE);
    for (const auto& [address, m] : messages) lo_bundle_add_message(b, address, m);
    std::size_t size = 0;
    void* data = lo_bundle_serialise(b, nullptr, &size);
    Bytes bytes(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    lo_bundle_free_recursive(b);
    return bytes;
}

// One received message: its address and arguments (integers widened, floats as double).
struct Incoming {
    std::string address;
    std::string types;
    std::vector<std::string> strings;  // the string arguments, in order
    std::vector<double> numbers;       // every argument in order (strings as 0)
    std::string first_string() const { return strings.empty() ? std::string() : strings.front(); }
};

// Parses a message (not a bundle: tactusd replies with plain messages; pushes it sends as bundles are
// not asked for here). nullopt for anything liblo cannot parse, and for bundles.
inline std::optional<Incoming> parse_message(const std::uint8_t* data, std::size_t size) {
    if (size < 4 || data[0] != '/') return std::nullopt;
    Bytes copy(data, data + size);  // liblo may modify the buffer (byte order) while parsing
    int result = 0;
    lo_message m = lo_message_deserialise(copy.data(), copy.size(), &result);
    if (!m) return std::nullopt;
    Incoming in;
    in.address = reinterpret_cast<const char*>(data);
    const char* types = lo_message_get_types(m);
    lo_arg** argv = lo_message_get_argv(m);
    in.types = types ? types : "";
    for (std::size_t i = 0; i < in.types.size(); ++i) {
        const lo_arg* a = argv[i];
        switch (in.types[i]) {
            case 'i':
                in.numbers.push_back(a->i);
                break;
            case 'h':
                in.numbers.push_back(static_cast<double>(a->h));
                break;
            case 'f':
                in.numbers.push_back(a->f);
                break;
            case 'd':
                in.numbers.push_back(a->d);
                break;
            case 's':
            case 'S':
                in.strings.emplace_back(&a->s);
                in.numbers.push_back(0);
                break;
            default:
                in.numbers.push_back(0);
                break;
        }
    }
    lo_message_free(m);
    return in;
}

class OscSocket {
public:
    enum class Proto { Udp, Tcp };

    OscSocket() = default;
    ~OscSocket() { close(); }
    OscSocket(const OscSocket&) = delete;
    OscSocket& operator=(const OscSocket&) = delete;

    // Connects to host:port, 127.0.0.1 unless told (UDP: only remembers it). False with *error set.
    bool open(Proto proto, int port, std::string* error, in_addr host = {htonl(INADDR_LOOPBACK)}) {
        proto_ = proto;
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port));
        to.sin_addr = host;
        fd_ = ::socket(AF_INET, (proto == Proto::Udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return fail(error, "socket");
        if (proto == Proto::Udp) {
            const int bytes = 4 << 20;
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        } else {
            const int one = 1;
            ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        to_ = to;
        if (proto == Proto::Udp) {
            // Bound at once, so that local_port() says where replies come back: on the loopback
            // address for an engine on this machine, on any address for one on another host.
            const bool loopback = (ntohl(host.s_addr) >> 24) == 127;
            sockaddr_in any{};
            any.sin_family = AF_INET;
            any.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
            if (::bind(fd_, reinterpret_cast<const sockaddr*>(&any), sizeof any) != 0)
                return fail(error, "bind");
            return true;
        }
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
            return fail(error, "connect");
        return true;
    }

    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool is_open() const { return fd_ >= 0; }
    Proto proto() const { return proto_; }
    int fd() const { return fd_; }

    // The local port (UDP: where replies come back).
    int local_port() const {
        sockaddr_in me{};
        socklen_t len = sizeof me;
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&me), &len) != 0) return 0;
        return ntohs(me.sin_port);
    }

    // Sends one packet (TCP: framed). False when it did not all leave.
    bool send(const Bytes& packet) {
        if (proto_ == Proto::Udp)
            return ::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to_),
                            sizeof to_) == static_cast<ssize_t>(packet.size());
        const auto length = static_cast<std::uint32_t>(packet.size());
        Bytes frame = {std::uint8_t(length >> 24), std::uint8_t(length >> 16), std::uint8_t(length >> 8),
                       std::uint8_t(length)};
        frame.insert(frame.end(), packet.begin(), packet.end());
        std::size_t done = 0;
        while (done < frame.size()) {
            const ssize_t n = ::send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    // The next received packet, waiting at most `timeout` (0: only what is already there).
    std::optional<Bytes> receive(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (auto packet = take_buffered()) return packet;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
            if (ready <= 0) return std::nullopt;
            if (!read_some()) return std::nullopt;
        }
    }

private:
    bool fail(std::string* error, const char* what) {
        if (error) *error = std::string(what) + ": " + std::strerror(errno);
        close();
        return false;
    }

    // Reads what is there into the buffer (UDP: one datagram as one packet). False on EOF/error.
    bool read_some() {
        std::uint8_t chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (n < 0) return errno == EAGAIN || errno == EINTR;
        if (n == 0 && proto_ == Proto::Tcp) return false;
        if (proto_ == Proto::Udp) {
            datagrams_.emplace_back(chunk, chunk + n);
        } else {
            stream_.insert(stream_.end(), chunk, chunk + n);
        }
        return true;
    }

    std::optional<Bytes> take_buffered() {
        if (proto_ == Proto::Udp) {
            if (datagrams_.empty()) return std::nullopt;
            Bytes front = std::move(datagrams_.front());
            datagrams_.erase(datagrams_.begin());
            return front;
        }
        if (stream_.size() < 4) return std::nullopt;
        std::uint32_t length = 0;
        std::memcpy(&length, stream_.data(), 4);
        length = ntohl(length);
        if (stream_.size() < 4 + std::size_t(length)) return std::nullopt;
        Bytes packet(stream_.begin() + 4, stream_.begin() + 4 + length);
        stream_.erase(stream_.begin(), stream_.begin() + 4 + length);
        return packet;
    }

    Proto proto_ = Proto::Udp;
    int fd_ = -1;
    sockaddr_in to_{};
    std::vector<Bytes> datagrams_;
    Bytes stream_;
};

}  // namespace tactus::bench
