#include "support/osc_tcp_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "server/osc_packet.h"
#include "support/osc_inbox.h"

namespace tactus::test {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

void put_be32(OscBytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

milliseconds left_until(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left : milliseconds(0);
}

}  // namespace

OscBytes osc_message_bytes(const std::string& address, const OscOutgoing& message) {
    std::size_t size = 0;
    void* data = lo_message_serialise(message.get(), address.c_str(), nullptr, &size);
    OscBytes out(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    return out;
}

OscBytes osc_bundle_of(lo_timetag when, const std::vector<OscBytes>& elements) {
    std::size_t size = 16;
    for (const OscBytes& e : elements) size += 4 + e.size();
    OscBytes out(size);
    std::size_t at = 0;
    const auto be32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) out[at++] = static_cast<std::uint8_t>(v >> shift);
    };
    std::memcpy(out.data(), "#bundle", 8);  // with its terminating zero
    at = 8;
    be32(when.sec);
    be32(when.frac);
    for (const OscBytes& e : elements) {
        be32(static_cast<std::uint32_t>(e.size()));
        if (!e.empty()) std::memcpy(out.data() + at, e.data(), e.size());
        at += e.size();
    }
    return out;
}

OscBytes osc_bundle_bytes(lo_timetag when,
                          const std::vector<std::pair<std::string, const OscOutgoing*>>& messages) {
    std::vector<OscBytes> elements;
    for (const auto& [address, message] : messages) elements.push_back(osc_message_bytes(address, *message));
    return osc_bundle_of(when, elements);
}

OscIncoming to_incoming(const tactus::OscMessage& message) {
    OscIncoming m;
    m.address = message.address;
    m.types = message.types;
    for (const tactus::OscArg& a : message.args) {
        OscValue v;
        v.type = a.type;
        switch (a.type) {
            case 'i':
            case 'h':
            case 'c':
                v.value = a.i;
                break;
            case 'f':
            case 'd':
                v.value = a.f;
                break;
            case 's':
            case 'S':
                v.value = a.s;
                break;
            case 'T':
            case 'F':
                v.value = a.i != 0;
                break;
            default:
                v.value = std::string("<") + a.type + ">";
                break;
        }
        m.args.push_back(std::move(v));
    }
    return m;
}

OscTcpClient::~OscTcpClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool OscTcpClient::connect(int port, std::string* error) {
    // Connected again (a test restarting its engine): the old connection and what it held go.
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    closed_ = false;
    stream_.clear();
    packets_.clear();
    inbox_.clear();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        if (error) *error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        if (error) *error = "connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

bool OscTcpClient::write_all(const std::uint8_t* data, std::size_t size) {
    if (fd_ < 0 || closed_) return false;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    std::size_t sent = 0;
    while (sent < size) {
        if (Clock::now() > deadline) return false;
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, 50) <= 0) {
            // The peer may wait for us to read its replies before it reads more: keep reading.
            pump(milliseconds(0));
            continue;
        }
        const ssize_t n = ::send(fd_, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            closed_ = true;
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool OscTcpClient::send_packets(const std::vector<OscBytes>& packets) {
    OscBytes frames;
    for (const OscBytes& p : packets) {
        put_be32(frames, static_cast<std::uint32_t>(p.size()));
        frames.insert(frames.end(), p.begin(), p.end());
    }
    return write_all(frames.data(), frames.size());
}

bool OscTcpClient::send_packet(const OscBytes& packet) {
    return send_packets({packet});
}

bool OscTcpClient::send(const std::string& address, const OscOutgoing& message) {
    return send_packet(osc_message_bytes(address, message));
}

bool OscTcpClient::send_bundle(lo_timetag when,
                               const std::vector<std::pair<std::string, const OscOutgoing*>>& messages) {
    return send_packet(osc_bundle_bytes(when, messages));
}

bool OscTcpClient::pump(milliseconds timeout) {
    if (fd_ < 0 || closed_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    bool got = false;
    for (;;) {
        std::uint8_t buffer[65536];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) {
            closed_ = true;
            break;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) closed_ = true;
            break;
        }
        got = true;
        bytes_received_ += n;
        stream_.insert(stream_.end(), buffer, buffer + n);
    }
    // Split whole frames.
    std::size_t at = 0;
    while (stream_.size() - at >= 4) {
        const std::uint32_t length = (std::uint32_t{stream_[at]} << 24) |
                                     (std::uint32_t{stream_[at + 1]} << 16) |
                                     (std::uint32_t{stream_[at + 2]} << 8) | stream_[at + 3];
        if (stream_.size() - at - 4 < length) break;
        tactus::OscPacket packet;
        std::string problem;
        if (tactus::parse_osc_packet(stream_.data() + at + 4, length, packet, &problem)) {
            packets_.push_back(std::move(packet));
        } else {
            ADD_FAILURE() << "tactusd sent a TCP frame that is not an OSC packet: " << problem;
        }
        at += 4 + std::size_t{length};
    }
    stream_.erase(stream_.begin(), stream_.begin() + static_cast<std::ptrdiff_t>(at));
    return got;
}

std::optional<tactus::OscPacket> OscTcpClient::receive_packet(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (!packets_.empty()) {
            tactus::OscPacket p = std::move(packets_.front());
            packets_.pop_front();
            return p;
        }
        if (closed_) return std::nullopt;
        const milliseconds left = left_until(deadline);
        if (!pump(left) && left.count() == 0) return std::nullopt;
    }
}

std::optional<OscIncoming> OscTcpClient::receive(milliseconds timeout) {
    if (!inbox_.empty()) {
        OscIncoming m = std::move(inbox_.front());
        inbox_.pop_front();
        return m;
    }
    auto packet = receive_packet(timeout);
    if (!packet) return std::nullopt;
    for (const tactus::OscMessage& m : packet->messages) inbox_.push_back(to_incoming(m));
    if (inbox_.empty()) return std::nullopt;
    OscIncoming m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
}

bool OscTcpClient::receive_into_inbox(milliseconds timeout) {
    auto packet = receive_packet(timeout);
    if (!packet) return false;
    for (const tactus::OscMessage& m : packet->messages) inbox_.push_back(to_incoming(m));
    return true;
}

std::optional<OscIncoming> OscTcpClient::wait_message(const std::string& address, milliseconds timeout) {
    return take_first(
        inbox_, timeout, [&](const OscIncoming& m) { return m.address == address; },
        [this](milliseconds left) { return receive_into_inbox(left); });
}

std::optional<OscIncoming> OscTcpClient::wait_reply(const std::string& address, milliseconds timeout) {
    return take_first(
        inbox_, timeout, [&](const OscIncoming& m) { return answers(m, address); },
        [this](milliseconds left) { return receive_into_inbox(left); });
}

std::optional<OscIncoming> OscTcpClient::call(const std::string& address, const OscOutgoing& message,
                                              milliseconds timeout) {
    if (!send(address, message)) return std::nullopt;
    return wait_reply(address, timeout);
}

}  // namespace tactus::test
