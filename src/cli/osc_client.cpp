#include "cli/osc_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/private_dir.h"
#include "server/osc_message.h"

namespace tactus::cli {

std::string ReceivedMessage::to_string() const {
    std::string out = address;
    for (const std::string& a : args) out += " " + a;
    return out;
}

OscClient::OscClient() = default;

OscClient::~OscClient() {
    if (stream_fd_ >= 0) ::close(stream_fd_);
    if (target_) lo_address_free(target_);
    if (server_) lo_server_free(server_);
}

namespace {

bool is_local_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

constexpr std::size_t kMaxFrame = kMaxReplyFrame;  // the largest reply tactusd sends (a whole /document)

}  // namespace

bool OscClient::connect_local() {
    if (stream_fd_ >= 0) return true;
    if (socket_path_.empty() || socket_path_.size() >= sizeof(sockaddr_un{}.sun_path)) return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un to{};
    to.sun_family = AF_UNIX;
    std::memcpy(to.sun_path, socket_path_.c_str(), socket_path_.size());
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        ::close(fd);
        return false;
    }
    stream_fd_ = fd;
    stream_inbox_.clear();
    return true;
}

bool OscClient::open(const std::string& host, int port, std::string* error) {
    server_ = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    if (!server_) {
        if (error) *error = "cannot open a UDP socket for replies";
        return false;
    }
    lo_server_add_method(server_, nullptr, nullptr, &OscClient::on_message, this);
    target_ = lo_address_new(host.c_str(), std::to_string(port).c_str());
    if (!target_) {
        if (error) *error = "bad engine address " + host + ":" + std::to_string(port);
        return false;
    }
    if (is_local_host(host)) {
        std::string ignored;  // no private directory: UDP only
        if (auto path = engine_socket_path(port, &ignored)) socket_path_ = *path;
        connect_local();
    }
    return true;
}

bool OscClient::send(const std::string& address, lo_message message) {
    if (stream_fd_ < 0) return lo_send_message_from(target_, server_, address.c_str(), message) >= 0;
    std::size_t size = 0;
    void* data = lo_message_serialise(message, address.c_str(), nullptr, &size);
    if (data == nullptr) return false;
    std::vector<std::uint8_t> frame(4 + size);
    for (int i = 0; i < 4; ++i) frame[i] = static_cast<std::uint8_t>(size >> (24 - 8 * i));
    std::memcpy(frame.data() + 4, data, size);
    std::free(data);
    std::size_t sent = 0;
    while (sent < frame.size()) {
        const ssize_t n = ::send(stream_fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool OscClient::subscribe_positions(double rate_hz) {
    lo_message m = lo_message_new();
    lo_message_add_double(m, rate_hz);
    if (stream_fd_ >= 0) {  // reports are UDP: name this client's UDP port on the loopback address
        lo_message_add_string(m, "127.0.0.1");
        lo_message_add_int32(m, lo_server_get_port(server_));
    }
    const bool ok = send("/subscribe", m);
    lo_message_free(m);
    return ok;
}

bool OscClient::read_stream() {
    std::uint8_t buffer[65536];
    const ssize_t n = ::recv(stream_fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
    if (n < 0) return true;
    stream_inbox_.insert(stream_inbox_.end(), buffer, buffer + n);
    std::size_t pos = 0;
    while (stream_inbox_.size() - pos >= 4) {
        const std::uint8_t* p = stream_inbox_.data() + pos;
        const std::size_t length = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) |
                                   (std::size_t{p[2]} << 8) | std::size_t{p[3]};
        if (length > kMaxFrame) return false;
        if (stream_inbox_.size() - pos - 4 < length) break;
        take_packet(p + 4, length);
        pos += 4 + length;
    }
    stream_inbox_.erase(stream_inbox_.begin(), stream_inbox_.begin() + static_cast<std::ptrdiff_t>(pos));
    return true;
}

// One packet from the stream: a message, or a bundle whose messages are taken in order.
void OscClient::take_packet(const std::uint8_t* data, std::size_t size) {
    if (size >= 16 && std::memcmp(data, "#bundle", 8) == 0) {
        std::size_t pos = 16;
        while (size - pos >= 4) {
            const std::size_t length = (std::size_t{data[pos]} << 24) | (std::size_t{data[pos + 1]} << 16) |
                                       (std::size_t{data[pos + 2]} << 8) | std::size_t{data[pos + 3]};
            if (length > size - pos - 4) return;
            take_packet(data + pos + 4, length);
            pos += 4 + length;
        }
        return;
    }
    int result = 0;
    lo_message m = lo_message_deserialise(const_cast<std::uint8_t*>(data), size, &result);
    if (m == nullptr) return;
    const char* path = reinterpret_cast<const char*>(data);
    on_message(path, lo_message_get_types(m), lo_message_get_argv(m), lo_message_get_argc(m), m, this);
    lo_message_free(m);
}

int OscClient::on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                          void* self) {
    auto* client = static_cast<OscClient*>(self);
    ReceivedMessage m;
    m.address = path;
    m.types = types;
    for (int i = 0; i < argc; ++i) {
        std::string text;
        double number = std::nan("");
        std::string str;
        // liblo's deserialised arguments lie where the packet put them (4-byte aligned), not where
        // lo_arg's 8-byte alignment would: read them by copying, never through the union.
        const auto* raw = reinterpret_cast<const unsigned char*>(argv[i]);
        auto read = [raw](auto value) {
            std::memcpy(&value, raw, sizeof value);
            return value;
        };
        switch (types[i]) {
            case 'i': {
                const auto v = read(std::int32_t{});
                number = v;
                text = std::to_string(v);
                break;
            }
            case 'h': {
                const auto v = read(std::int64_t{});
                number = double(v);
                text = std::to_string(v);
                break;
            }
            case 'f': {
                const auto v = read(float{});
                number = v;
                text = std::to_string(v);
                break;
            }
            case 'd': {
                const auto v = read(double{});
                number = v;
                text = std::to_string(v);
                break;
            }
            case 's':
            case 'S':
                str = reinterpret_cast<const char*>(raw);
                text = "\"" + str + "\"";
                break;
            case 'T':
                text = "true";
                break;
            case 'F':
                text = "false";
                break;
            default:
                text = std::string("<") + types[i] + ">";
                break;
        }
        m.args.push_back(text);
        m.numbers.push_back(number);
        m.strings.push_back(str);
    }
    client->inbox_.push_back(std::move(m));
    return 0;
}

std::optional<ReceivedMessage> OscClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (inbox_.empty()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd fds[2] = {{lo_server_get_socket_fd(server_), POLLIN, 0}, {stream_fd_, POLLIN, 0}};
        if (::poll(fds, stream_fd_ >= 0 ? 2 : 1, static_cast<int>(left.count())) <= 0) continue;
        if (fds[0].revents != 0) lo_server_recv_noblock(server_, 0);
        if (stream_fd_ >= 0 && fds[1].revents != 0 && !read_stream()) {
            ::close(stream_fd_);  // the engine went away
            stream_fd_ = -1;
        }
    }
    ReceivedMessage m = std::move(inbox_.front());
    inbox_.erase(inbox_.begin());
    return m;
}

std::optional<ReceivedMessage> OscClient::wait_reply(const std::string& address,
                                                     std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        auto m = receive(left);
        if (!m) return std::nullopt;
        if ((m->address == "/reply" || m->address == "/error") && !m->strings.empty() &&
            m->strings[0] == address)
            return m;
    }
}

bool OscClient::ping(std::chrono::milliseconds timeout) {
    connect_local();  // an engine started since open() has made its socket by now
    return send("/ping") && wait_reply("/ping", timeout).has_value();
}

lo_message message_from_arguments(const std::vector<std::string>& args, std::string* error) {
    lo_message m = lo_message_new();
    if (args.empty()) return m;
    const std::string& types = args[0];
    std::size_t next = 1;  // T, F and N take no value, as with oscsend
    auto fail = [&](const std::string& message) -> lo_message {
        if (error) *error = message;
        lo_message_free(m);
        return nullptr;
    };
    for (std::size_t i = 0; i < types.size(); ++i) {
        const char type = types[i];
        if (type == 'T' || type == 'F' || type == 'N') {
            if (type == 'T') lo_message_add_true(m);
            if (type == 'F') lo_message_add_false(m);
            if (type == 'N') lo_message_add_nil(m);
            continue;
        }
        if (next >= args.size())
            return fail("type '" + std::string(1, type) + "' (argument " + std::to_string(i + 1) +
                        ") has no value");
        const std::string& v = args[next++];
        char* end = nullptr;
        bool ok = !v.empty();
        switch (type) {
            case 'i':
                lo_message_add_int32(m, static_cast<std::int32_t>(std::strtol(v.c_str(), &end, 10)));
                break;
            case 'h':
                lo_message_add_int64(m, std::strtoll(v.c_str(), &end, 10));
                break;
            case 'f':
                lo_message_add_float(m, std::strtof(v.c_str(), &end));
                break;
            case 'd':
                lo_message_add_double(m, std::strtod(v.c_str(), &end));
                break;
            case 's':
                lo_message_add_string(m, v.c_str());
                ok = true;
                break;
            default:
                return fail("unknown type '" + std::string(1, type) + "' (use i h f d s T F N)");
        }
        if (type != 's' && (!ok || !end || *end != '\0'))
            return fail("value '" + v + "' does not fit type '" + std::string(1, type) + "' (argument " +
                        std::to_string(i + 1) + ")");
    }
    if (next != args.size()) return fail("more values than the type string '" + types + "' names");
    return m;
}

}  // namespace tactus::cli
