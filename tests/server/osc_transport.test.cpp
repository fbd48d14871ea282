#include "server/osc_transport.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/osc_packet.h"

namespace tactus {
namespace {

using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

template <typename Fill>
Bytes osc(const std::string& address, Fill fill) {
    lo_message m = lo_message_new();
    fill(m);
    Bytes out = serialise_osc_message(address, m);
    lo_message_free(m);
    return out;
}

Bytes osc(const std::string& address) {
    return osc(address, [](lo_message) {});
}

Bytes framed(const Bytes& content, std::uint32_t length) {
    Bytes out = {static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
                 static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
    out.insert(out.end(), content.begin(), content.end());
    return out;
}

Bytes framed(const Bytes& content) {
    return framed(content, static_cast<std::uint32_t>(content.size()));
}

// A transport on 127.0.0.1, port 0, recording what its handlers see.
struct Server {
    explicit Server(OscTransportOptions options = {}) {
        options.address = "127.0.0.1";
        options.port = 0;
        std::string error;
        opened = transport.open(options, &error);
        EXPECT_TRUE(opened) << error;
    }

    // Polls until `done` holds or `timeout_ms` passes; true if done.
    bool pump_until(const std::function<bool()>& done, int timeout_ms = 3000) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
        while (!done()) {
            if (Clock::now() > deadline) return false;
            transport.poll_once(10, handler(), error_handler());
        }
        return true;
    }
    void pump_for(int ms) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
        while (Clock::now() < deadline) transport.poll_once(5, handler(), error_handler());
    }

    OscTransport::PacketHandler handler() {
        return [this](OscPacket& packet, const ReplyTarget& from, std::int64_t arrival_ns) {
            for (OscMessage& m : packet.messages) {
                messages.push_back(m);
                senders.push_back(from);
                arrivals.push_back(arrival_ns);
            }
            if (on_packet) on_packet(packet, from);
        };
    }
    OscTransport::ErrorHandler error_handler() {
        return [this](const std::string& message, const ReplyTarget& from) {
            errors.push_back(message);
            error_senders.push_back(from);
            if (on_error) on_error(message, from);
        };
    }

    int port() const { return transport.udp_port(); }

    OscTransport transport;
    bool opened = false;
    std::vector<OscMessage> messages;
    std::vector<ReplyTarget> senders;
    std::vector<std::int64_t> arrivals;
    std::vector<std::string> errors;
    std::vector<ReplyTarget> error_senders;
    std::function<void(OscPacket&, const ReplyTarget&)> on_packet;
    std::function<void(const std::string&, const ReplyTarget&)> on_error;
};

sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

// A plain blocking TCP client with a receive timeout.
struct TcpClient {
    explicit TcpClient(int port, int receive_buffer = 0) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (receive_buffer > 0)
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        const sockaddr_in addr = loopback(port);
        connected = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
    }
    // The same over a Unix-domain stream socket.
    explicit TcpClient(const std::string& unix_path) {
        fd = connect_unix_stream(unix_path, false, nullptr);
        connected = fd >= 0;
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~TcpClient() { ::close(fd); }

    bool write_all(const Bytes& data) {
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }
    // Reads exactly `size` bytes; false on EOF, error or timeout.
    bool read_exact(std::uint8_t* out, std::size_t size) {
        std::size_t done = 0;
        while (done < size) {
            const ssize_t n = ::recv(fd, out + done, size - done, 0);
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool read_frame(Bytes& frame) {
        std::uint8_t head[4];
        if (!read_exact(head, 4)) return false;
        const std::uint32_t length = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                                     (std::uint32_t{head[2]} << 8) | head[3];
        frame.resize(length);
        return read_exact(frame.data(), length);
    }
    // Whether the server closed the connection (EOF or reset) within the receive timeout, skipping
    // whatever it sent first.
    bool sees_close() {
        std::uint8_t buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n == 0) return true;
            if (n < 0) return errno == ECONNRESET || errno == EPIPE;
        }
    }

    int fd = -1;
    bool connected = false;
};

struct UdpSocket {
    UdpSocket() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const sockaddr_in addr = loopback(0);
        ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
        timeval tv{2, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~UdpSocket() { ::close(fd); }
    void send_to(int port, const Bytes& data) const {
        const sockaddr_in addr = loopback(port);
        ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    }
    int port() const {
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        return ntohs(addr.sin_port);
    }
    int fd = -1;
};

// --- binding ---

TEST(OscTransport, listens_on_loopback_only_with_one_port_for_udp_and_tcp) {
    Server server;
    ASSERT_TRUE(server.opened);
    EXPECT_GT(server.transport.udp_port(), 0);
    EXPECT_EQ(server.transport.tcp_port(), server.transport.udp_port());
    EXPECT_EQ(server.transport.udp_local_address(),
              "127.0.0.1:" + std::to_string(server.transport.udp_port()));
    EXPECT_EQ(server.transport.tcp_local_address(),
              "127.0.0.1:" + std::to_string(server.transport.tcp_port()));
}

TEST(OscTransport, listens_on_an_ipv6_address_when_given_one) {
    OscTransport transport;
    OscTransportOptions options;
    options.address = "::1";
    options.port = 0;
    std::string error;
    if (!transport.open(options, &error)) GTEST_SKIP() << "no IPv6 loopback here: " << error;
    EXPECT_EQ(transport.udp_local_address(), "[::1]:" + std::to_string(transport.udp_port()));

    const int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(static_cast<std::uint16_t>(transport.udp_port()));
    to.sin6_addr = in6addr_loopback;
    const Bytes ping = osc("/ping");
    ::sendto(fd, ping.data(), ping.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    std::string from;
    for (int n = 0; n < 100 && from.empty(); ++n)
        transport.poll_once(10, [&](OscPacket&, const ReplyTarget& t, std::int64_t) { from = t.describe(); });
    ::close(fd);
    EXPECT_THAT(from, StartsWith("udp [::1]:"));
}

TEST(OscTransport, port_already_taken_is_reported_with_the_address) {
    Server first;
    ASSERT_TRUE(first.opened);
    OscTransport second;
    OscTransportOptions options;
    options.address = "127.0.0.1";
    options.port = first.port();
    std::string error;
    EXPECT_FALSE(second.open(options, &error));
    EXPECT_EQ(error,
              "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + "/udp: Address already in use");
    EXPECT_FALSE(second.is_open());
}

TEST(OscTransport, unresolvable_address_is_an_error) {
    OscTransport transport;
    OscTransportOptions options;
    options.address = "not an address";
    options.port = 0;
    std::string error;
    EXPECT_FALSE(transport.open(options, &error));
    EXPECT_THAT(error, HasSubstr("not an address"));
}

TEST(OscTransport, listen_address_text_is_split_into_address_and_port) {
    std::string address;
    int port = -1;
    EXPECT_TRUE(parse_listen_address("127.0.0.1:7770", address, port, nullptr));
    EXPECT_EQ(address, "127.0.0.1");
    EXPECT_EQ(port, 7770);
    EXPECT_TRUE(parse_listen_address("[::1]:9000", address, port, nullptr));
    EXPECT_EQ(address, "::1");
    EXPECT_EQ(port, 9000);
    EXPECT_TRUE(parse_listen_address("0.0.0.0:0", address, port, nullptr));
    EXPECT_EQ(address, "0.0.0.0");
    EXPECT_EQ(port, 0);
    EXPECT_TRUE(parse_listen_address("7771", address, port, nullptr));
    EXPECT_EQ(address, "127.0.0.1");
    EXPECT_EQ(port, 7771);
    std::string error;
    EXPECT_FALSE(parse_listen_address("127.0.0.1:70000", address, port, &error));
    EXPECT_THAT(error, HasSubstr("0..65535"));
    EXPECT_FALSE(parse_listen_address("::1:7770", address, port, &error));
    EXPECT_THAT(error, HasSubstr("brackets"));
    EXPECT_FALSE(parse_listen_address("host:", address, port, &error));
}

// --- UDP ---

struct LoReply {
    int value = 0;
    int count = 0;
};

int on_pong(const char*, const char*, lo_arg** argv, int, lo_message, void* user) {
    auto* reply = static_cast<LoReply*>(user);
    std::int32_t v = 0;
    std::memcpy(&v, argv[0], sizeof v);
    reply->value = v;
    reply->count += 1;
    return 0;
}

TEST(OscTransport, liblo_udp_client_reaches_the_handler_and_the_reply_comes_back_from_the_server_port) {
    Server server;
    ASSERT_TRUE(server.opened);
    server.on_packet = [&](OscPacket& packet, const ReplyTarget& from) {
        const std::int64_t n = packet.messages.at(0).args.at(0).i;
        const Bytes reply =
            osc("/pong", [&](lo_message m) { lo_message_add_int32(m, static_cast<std::int32_t>(n + 1)); });
        EXPECT_TRUE(server.transport.send(from, reply));
    };

    lo_server client = lo_server_new_with_proto(nullptr, LO_UDP, nullptr);
    ASSERT_NE(client, nullptr);
    LoReply reply;
    lo_server_add_method(client, "/pong", "i", on_pong, &reply);
    lo_address to = lo_address_new_with_proto(LO_UDP, "127.0.0.1", std::to_string(server.port()).c_str());
    const std::int64_t before = monotonic_ns();
    ASSERT_GT(lo_send_from(to, client, LO_TT_IMMEDIATE, "/ping", "is", 41, "hi"), 0);

    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    const OscMessage& msg = server.messages[0];
    EXPECT_EQ(msg.address, "/ping");
    EXPECT_EQ(msg.types, "is");
    EXPECT_EQ(msg.args[1].s, "hi");
    EXPECT_EQ(server.senders[0].kind, ReplyTarget::Kind::Udp);
    EXPECT_EQ(server.senders[0].describe(), "udp 127.0.0.1:" + std::to_string(lo_server_get_port(client)));
    EXPECT_GE(server.arrivals[0], before);
    EXPECT_LE(server.arrivals[0], monotonic_ns());

    for (int n = 0; n < 100 && reply.count == 0; ++n) lo_server_recv_noblock(client, 20);
    EXPECT_EQ(reply.count, 1);
    EXPECT_EQ(reply.value, 42);
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.udp_packets, 1u);
    EXPECT_EQ(stats.replies_sent, 1u);
    EXPECT_EQ(stats.replies_dropped, 0u);
    lo_address_free(to);
    lo_server_free(client);
}

TEST(OscTransport, reply_datagram_source_is_the_server_port) {
    Server server;
    ASSERT_TRUE(server.opened);
    server.on_packet = [&](OscPacket&, const ReplyTarget& from) {
        server.transport.send(from, osc("/pong"));
    };
    UdpSocket client;
    client.send_to(server.port(), osc("/ping"));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    std::uint8_t buf[256];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    const ssize_t n = ::recvfrom(client.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    ASSERT_GT(n, 0);
    EXPECT_EQ(ntohs(from.sin_port), server.port());
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf)), "/pong");
}

TEST(OscTransport, liblo_bundle_arrives_flattened_with_its_timetag) {
    Server server;
    ASSERT_TRUE(server.opened);
    lo_address to = lo_address_new_with_proto(LO_UDP, "127.0.0.1", std::to_string(server.port()).c_str());
    const lo_timetag at{0xe9000000u, 0x80000000u};
    lo_bundle b = lo_bundle_new(at);
    lo_message m1 = lo_message_new();
    lo_message_add_int32(m1, 1);
    lo_message m2 = lo_message_new();
    lo_message_add_int32(m2, 2);
    lo_bundle_add_message(b, "/note/on", m1);
    lo_bundle_add_message(b, "/note/off", m2);
    ASSERT_GT(lo_send_bundle(to, b), 0);
    lo_bundle_free_recursive(b);
    lo_address_free(to);

    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[0].address, "/note/on");
    EXPECT_EQ(server.messages[1].address, "/note/off");
    EXPECT_EQ(server.messages[1].args.at(0).i, 2);
    for (const OscMessage& m : server.messages)
        EXPECT_EQ(m.timetag, (std::uint64_t{0xe9000000u} << 32) | 0x80000000u);
}

TEST(OscTransport, oscsend_udp_message_arrives_intact) {
    Server server;
    ASSERT_TRUE(server.opened);
    const std::string command = "oscsend localhost " + std::to_string(server.port()) + " /x/y if 3 1.5";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    const OscMessage& msg = server.messages[0];
    EXPECT_EQ(msg.address, "/x/y");
    EXPECT_EQ(msg.types, "if");
    EXPECT_EQ(msg.args[0].i, 3);
    EXPECT_EQ(msg.args[1].f, 1.5);
    EXPECT_TRUE(server.errors.empty());
}

TEST(OscTransport, udp_arrival_time_is_when_the_kernel_received_the_datagram_not_when_it_was_read) {
    Server server;
    ASSERT_TRUE(server.opened);
    UdpSocket client;
    const std::int64_t sent_ns = monotonic_ns();
    client.send_to(server.port(), osc("/now"));
    ::usleep(50'000);  // the server thread is "busy" for 50 ms
    const std::int64_t read_ns = monotonic_ns();
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    EXPECT_GE(server.arrivals[0], sent_ns);
    if (server.arrivals[0] >= read_ns) GTEST_SKIP() << "no SO_TIMESTAMPNS receive time from this kernel";
    EXPECT_LT(server.arrivals[0] - sent_ns, 25'000'000);
}

TEST(OscTransport, malformed_udp_datagrams_are_counted_and_reported_with_their_sender) {
    Server server;
    ASSERT_TRUE(server.opened);
    UdpSocket client;
    client.send_to(server.port(), {'G', 'E', 'T', ' '});
    client.send_to(server.port(), {});
    Bytes truncated = osc("/x", [](lo_message m) { lo_message_add_double(m, 1.0); });
    truncated.erase(truncated.end() - 4, truncated.end());
    client.send_to(server.port(), truncated);
    client.send_to(server.port(), osc("/fine"));

    ASSERT_TRUE(server.pump_until([&] { return server.errors.size() == 3 && server.messages.size() == 1; }));
    EXPECT_THAT(server.errors[0], StartsWith("not an OSC packet"));
    EXPECT_EQ(server.errors[1], "empty packet");
    EXPECT_EQ(server.errors[2], "argument 1 ('d') at byte 8 is truncated: needs 8 bytes, 4 left");
    EXPECT_EQ(server.error_senders[0].describe(), "udp 127.0.0.1:" + std::to_string(client.port()));
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.udp_packets, 4u);
    EXPECT_EQ(stats.malformed_packets, 3u);
}

TEST(OscTransport, largest_udp_datagram_is_received_whole) {
    Server server;
    ASSERT_TRUE(server.opened);
    const std::vector<std::uint8_t> blob_data(65507 - 20, 0xab);  // "/b" 4 + ",b" 4 + size 4 + data, padded
    Bytes big = osc("/b", [&](lo_message m) {
        lo_blob b = lo_blob_new(static_cast<std::int32_t>(blob_data.size()), blob_data.data());
        lo_message_add_blob(m, b);
        lo_blob_free(b);
    });
    ASSERT_LE(big.size(), 65507u);
    UdpSocket client;
    client.send_to(server.port(), big);
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    EXPECT_EQ(server.messages[0].args.at(0).blob, blob_data);
}

// --- TCP ---

TEST(OscTransport, liblo_tcp_client_reaches_the_handler) {
    Server server;
    ASSERT_TRUE(server.opened);
    lo_address to = lo_address_new_with_proto(LO_TCP, "127.0.0.1", std::to_string(server.port()).c_str());
    ASSERT_GT(lo_send(to, "/x", "if", 3, 1.5f), 0) << lo_address_errstr(to);
    ASSERT_GT(lo_send(to, "/y", "s", "second"), 0) << lo_address_errstr(to);
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[0].address, "/x");
    EXPECT_EQ(server.messages[0].args.at(0).i, 3);
    EXPECT_EQ(server.messages[0].args.at(1).f, 1.5);
    EXPECT_EQ(server.messages[1].args.at(0).s, "second");
    EXPECT_EQ(server.senders[0].kind, ReplyTarget::Kind::Tcp);
    EXPECT_EQ(server.senders[0].connection, server.senders[1].connection);
    EXPECT_THAT(server.senders[0].describe(), StartsWith("tcp 127.0.0.1:"));
    lo_address_free(to);
    ASSERT_TRUE(server.pump_until([&] { return server.transport.connection_count() == 0; }));
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.tcp_packets, 2u);
    EXPECT_EQ(stats.connections_accepted, 1u);
    EXPECT_EQ(stats.connections_closed, 1u);
}

TEST(OscTransport, oscsend_tcp_message_arrives_intact) {
    Server server;
    ASSERT_TRUE(server.opened);
    const std::string command = "oscsend osc.tcp://localhost:" + std::to_string(server.port()) + " /x i 1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    EXPECT_EQ(server.messages[0].address, "/x");
    EXPECT_EQ(server.messages[0].types, "i");
    EXPECT_EQ(server.messages[0].args[0].i, 1);
    EXPECT_EQ(server.senders[0].kind, ReplyTarget::Kind::Tcp);
}

TEST(OscTransport, tcp_reply_goes_back_on_the_same_connection_framed) {
    Server server;
    ASSERT_TRUE(server.opened);
    server.on_packet = [&](OscPacket&, const ReplyTarget& from) {
        EXPECT_TRUE(
            server.transport.send(from, osc("/pong", [](lo_message m) { lo_message_add_string(m, "ok"); })));
    };
    TcpClient client(server.port());
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed(osc("/ping"))));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    server.pump_for(20);
    Bytes frame;
    ASSERT_TRUE(client.read_frame(frame));
    OscPacket reply;
    std::string error;
    ASSERT_TRUE(parse_osc_packet(frame.data(), frame.size(), reply, &error)) << error;
    EXPECT_EQ(reply.messages.at(0).address, "/pong");
    EXPECT_EQ(reply.messages.at(0).args.at(0).s, "ok");
}

TEST(OscTransport, tcp_frames_split_across_reads_and_packed_in_one_read_are_reassembled) {
    Server server;
    ASSERT_TRUE(server.opened);
    TcpClient client(server.port());
    ASSERT_TRUE(client.connected);
    const Bytes one =
        framed(osc("/one", [](lo_message m) { lo_message_add_string(m, "a longer string argument"); }));
    for (std::uint8_t byte : one) {
        ASSERT_TRUE(client.write_all({byte}));
        server.transport.poll_once(0, server.handler(), server.error_handler());
    }
    Bytes two = framed(osc("/two"));
    const Bytes three = framed(osc("/three"));
    two.insert(two.end(), three.begin(), three.end());
    ASSERT_TRUE(client.write_all(two));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 3; }));
    EXPECT_EQ(server.messages[0].address, "/one");
    EXPECT_EQ(server.messages[0].args.at(0).s, "a longer string argument");
    EXPECT_EQ(server.messages[1].address, "/two");
    EXPECT_EQ(server.messages[2].address, "/three");
    EXPECT_TRUE(server.errors.empty());
}

TEST(OscTransport, malformed_tcp_frame_is_reported_and_the_connection_stays_usable) {
    Server server;
    ASSERT_TRUE(server.opened);
    TcpClient client(server.port());
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed({'/', 'x', 0, 0, 'i', 0, 0, 0})));
    ASSERT_TRUE(client.write_all(framed({})));
    ASSERT_TRUE(client.write_all(framed(osc("/after"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 1; }));
    ASSERT_EQ(server.errors.size(), 2u);
    EXPECT_EQ(server.errors[0], "bad type tag string at byte 4: does not start with ','");
    EXPECT_EQ(server.errors[1], "empty packet");
    EXPECT_EQ(server.error_senders[0].kind, ReplyTarget::Kind::Tcp);
    EXPECT_EQ(server.messages[0].address, "/after");
    EXPECT_EQ(server.transport.connection_count(), 1u);
    EXPECT_EQ(server.transport.stats().malformed_packets, 2u);
}

TEST(OscTransport, tcp_frame_of_20_megabytes_is_refused_and_the_connection_closed) {
    Server server;
    ASSERT_TRUE(server.opened);
    server.on_error = [&](const std::string& message, const ReplyTarget& from) {
        server.transport.send(
            from, osc("/error", [&](lo_message m) { lo_message_add_string(m, message.c_str()); }));
    };
    TcpClient client(server.port());
    ASSERT_TRUE(client.connected);
    Bytes start = framed(Bytes(4096, 0), 20'000'000);
    ASSERT_TRUE(client.write_all(start));
    ASSERT_TRUE(server.pump_until([&] { return !server.errors.empty(); }));
    EXPECT_EQ(server.errors[0],
              "TCP frame of 20000000 bytes exceeds the limit of 16777216 bytes; closing the connection");
    ASSERT_TRUE(server.pump_until([&] { return server.transport.connection_count() == 0; }));
    EXPECT_TRUE(client.sees_close());
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.malformed_packets, 1u);
    EXPECT_EQ(stats.connections_closed, 1u);
    EXPECT_TRUE(server.messages.empty());
}

TEST(OscTransport, client_that_never_reads_loses_replies_beyond_its_outbox_and_never_blocks_the_server) {
    OscTransportOptions options;
    options.max_outbox_bytes = 256 * 1024;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient client(server.port(), 4096);
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed(osc("/subscribe"))));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    const ReplyTarget slow = server.senders[0];

    const Bytes report = osc("/position", [](lo_message m) {
        const std::vector<std::uint8_t> payload(8000, 1);
        lo_blob b = lo_blob_new(static_cast<std::int32_t>(payload.size()), payload.data());
        lo_message_add_blob(m, b);
        lo_blob_free(b);
    });
    int accepted = 0;
    int refused = 0;
    std::int64_t slowest_ns = 0;
    const auto started = Clock::now();
    for (int n = 0; n < 2000; ++n) {
        const std::int64_t t0 = monotonic_ns();
        (server.transport.send(slow, report) ? accepted : refused) += 1;
        server.transport.poll_once(0, server.handler(), server.error_handler());
        slowest_ns = std::max(slowest_ns, monotonic_ns() - t0);
    }
    const auto elapsed = Clock::now() - started;

    EXPECT_GT(refused, 0);
    EXPECT_GT(accepted, 0);
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.replies_dropped, static_cast<std::uint64_t>(refused));
    EXPECT_EQ(stats.replies_sent, static_cast<std::uint64_t>(accepted));
    EXPECT_EQ(server.transport.connection_count(), 1u);  // slow, not dead
    // A blocking send would hang here for good; the bounds only tell a hang from a busy machine.
    EXPECT_LT(slowest_ns, 5'000'000'000) << "a send + poll_once took " << slowest_ns / 1'000'000 << " ms";
    EXPECT_LT(elapsed, std::chrono::seconds(60));

    // The client finally reads: the queued replies arrive whole, in order.
    Bytes frame;
    for (int n = 0; n < 3; ++n) {
        server.pump_for(5);
        ASSERT_TRUE(client.read_frame(frame));
        EXPECT_EQ(frame, report);
    }
}

TEST(OscTransport, one_reply_larger_than_the_outbox_goes_whole_when_nothing_else_waits) {
    OscTransportOptions options;
    options.max_outbox_bytes = 64 * 1024;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient client(server.port(), 4096);
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed(osc("/document"))));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    const ReplyTarget to = server.senders[0];
    // A whole document, far more than the outbox and than the kernel's socket buffers hold: an OSC
    // message `/document ,b` of 8 MiB, written by hand (liblo 0.31 overflows its buffer on a blob
    // this large).
    Bytes document;
    for (const std::string part : {"/document", ",b"}) {
        document.insert(document.end(), part.begin(), part.end());
        document.resize(document.size() + 4 - part.size() % 4, 0);
    }
    const std::uint32_t size = 8u << 20;
    for (int shift = 24; shift >= 0; shift -= 8) document.push_back(std::uint8_t(size >> shift));
    document.resize(document.size() + size, 7);
    EXPECT_TRUE(server.transport.send(to, document)) << "refused although nothing else waited";
    EXPECT_FALSE(server.transport.send(to, document)) << "a second one while the first waits: dropped";
    std::atomic<bool> read{false};
    std::thread pump([&] {  // the server flushes while the client reads
        while (!read) server.pump_for(5);
    });
    Bytes frame;
    const bool whole = client.read_frame(frame);
    read = true;
    pump.join();
    EXPECT_TRUE(whole);
    EXPECT_EQ(frame, document);
    EXPECT_EQ(server.transport.stats().replies_dropped, 1u);
}

// `/document ,b` of `size` bytes, written by hand (liblo 0.31 overflows its buffer on large blobs).
Bytes big_reply(std::uint32_t size, std::uint8_t fill) {
    Bytes out;
    for (const std::string part : {"/document", ",b"}) {
        out.insert(out.end(), part.begin(), part.end());
        out.resize(out.size() + 4 - part.size() % 4, 0);
    }
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(size >> shift));
    out.resize(out.size() + size, fill);
    return out;
}

// A requested reply (a /document, an /edits/since answer) goes whole past the outbox bound even
// behind other replies; beyond the limits it is refused with the reason, never dropped in silence;
// and the memory it took goes back once it has left.
TEST(OscTransport, requested_reply_goes_whole_past_the_outbox_or_is_refused_saying_which_limit) {
    OscTransportOptions options;
    options.max_outbox_bytes = 64 * 1024;
    options.max_reply_bytes = 4u << 20;
    options.max_outbox_bytes_total = 6u << 20;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient a(server.port(), 4096);
    TcpClient b(server.port(), 4096);
    ASSERT_TRUE(a.connected && b.connected);
    ASSERT_TRUE(a.write_all(framed(osc("/document"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 1; }));
    ASSERT_TRUE(b.write_all(framed(osc("/document"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));
    const ReplyTarget to_a = server.senders[0];
    const ReplyTarget to_b = server.senders[1];

    // Ordinary replies until a's outbox is full: the client does not read yet.
    const Bytes small = big_reply(8000, 1);
    int queued = 0;
    while (server.transport.send(to_a, small)) ++queued;
    ASSERT_GT(queued, 0);
    const Bytes doc = big_reply(3u << 20, 2);
    std::string why;
    EXPECT_TRUE(server.transport.send_requested(to_a, doc, &why)) << why;
    EXPECT_FALSE(server.transport.send(to_a, small)) << "nothing ordinary passes a large reply";
    EXPECT_FALSE(server.transport.send_requested(to_a, doc, &why));
    EXPECT_THAT(why, HasSubstr("bytes of earlier replies still wait for this client to read them")) << why;
    EXPECT_FALSE(server.transport.send_requested(to_b, std::vector<Bytes>{big_reply(5u << 20, 3)}, &why));
    EXPECT_EQ(why, "the reply is 5242900 bytes, more than one reply may take (4194304 bytes)");
    EXPECT_FALSE(server.transport.send_requested(to_b, doc, &why))
        << "a's large reply holds most of the total";
    EXPECT_THAT(why, HasSubstr("replies waiting for slow clients already hold ")) << why;
    EXPECT_THAT(why, HasSubstr(" bytes (at most 6291456 in all): try again later")) << why;
    EXPECT_GT(server.transport.stats().outbox_bytes, 3u << 20);

    // a reads: every reply arrives whole and in order; then the large buffer is given back.
    std::atomic<bool> read{false};
    std::thread pump([&] {
        while (!read) server.pump_for(5);
    });
    Bytes frame;
    bool in_order = true;
    for (int n = 0; n < queued; ++n) in_order = in_order && a.read_frame(frame) && frame == small;
    const bool whole = a.read_frame(frame);
    read = true;
    pump.join();
    EXPECT_TRUE(in_order);
    EXPECT_TRUE(whole);
    EXPECT_EQ(frame, doc);
    server.pump_for(20);
    EXPECT_LE(server.transport.stats().outbox_bytes, options.max_outbox_bytes)
        << "the large reply's memory must be freed once it has left";
    EXPECT_TRUE(server.transport.send_requested(to_b, doc, &why)) << why;
}

TEST(OscTransport, full_transport_evicts_the_connection_idle_longest_and_serves_the_new_one) {
    OscTransportOptions options;
    options.max_connections = 2;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient oldest(server.port());
    ASSERT_TRUE(oldest.connected);
    ASSERT_TRUE(server.pump_until([&] { return server.transport.stats().connections_accepted == 1; }));
    TcpClient active(server.port());
    ASSERT_TRUE(active.write_all(framed(osc("/active"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 1; }));

    TcpClient newcomer(server.port());
    ASSERT_TRUE(newcomer.write_all(framed(osc("/new"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[1].address, "/new");
    EXPECT_TRUE(oldest.sees_close()) << "the connection idle longest makes room";
    ASSERT_TRUE(active.write_all(framed(osc("/still/here"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 3; }));
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.connections_accepted, 3u);
    EXPECT_EQ(stats.connections_evicted, 1u);
    EXPECT_EQ(stats.connections_refused, 0u);
    EXPECT_EQ(server.transport.connection_count(), 2u);
}

TEST(OscTransport, a_connection_vouched_for_is_evicted_only_after_every_other) {
    OscTransportOptions options;
    options.max_connections = 2;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient admitted(server.port());
    ASSERT_TRUE(admitted.write_all(framed(osc("/auth"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 1; }));
    server.transport.vouch_for(server.senders[0].connection);  // what the control server does
    TcpClient stranger(server.port());
    ASSERT_TRUE(stranger.write_all(framed(osc("/stranger"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));

    // The admitted client is now the one idle longest, yet the stranger makes room.
    TcpClient newcomer(server.port());
    ASSERT_TRUE(newcomer.write_all(framed(osc("/new"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 3; }));
    EXPECT_TRUE(stranger.sees_close()) << "the connection not vouched for makes room";
    ASSERT_TRUE(admitted.write_all(framed(osc("/still/here"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 4; }));
    EXPECT_EQ(server.messages[3].address, "/still/here");
    EXPECT_EQ(server.transport.stats().connections_evicted, 1u);
}

TEST(OscTransport, reply_to_a_closed_connection_is_dropped_and_counted) {
    Server server;
    ASSERT_TRUE(server.opened);
    ReplyTarget gone;
    {
        TcpClient client(server.port());
        ASSERT_TRUE(client.write_all(framed(osc("/hello"))));
        ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
        gone = server.senders[0];
    }
    ASSERT_TRUE(server.pump_until([&] { return server.transport.connection_count() == 0; }));
    EXPECT_FALSE(server.transport.send(gone, osc("/late")));
    EXPECT_EQ(server.transport.stats().replies_dropped, 1u);
}

TEST(OscTransport, kernel_drop_counter_is_reported_when_the_udp_buffer_overflows) {
    OscTransportOptions options;
    options.udp_receive_buffer_bytes = 4096;
    Server server(options);
    ASSERT_TRUE(server.opened);
    UdpSocket client;
    const Bytes msg = osc("/flood", [](lo_message m) {
        const std::vector<std::uint8_t> payload(1000, 2);
        lo_blob b = lo_blob_new(static_cast<std::int32_t>(payload.size()), payload.data());
        lo_message_add_blob(m, b);
        lo_blob_free(b);
    });
    for (int n = 0; n < 500; ++n) client.send_to(server.port(), msg);
    server.pump_until([&] { return server.messages.size() >= 1; });
    server.pump_for(50);
    // The kernel attaches its drop count to datagrams queued after the drops: send one more.
    const std::size_t flood_received = server.messages.size();
    client.send_to(server.port(), msg);
    server.pump_until([&] { return server.messages.size() > flood_received; });
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.udp_packets, server.messages.size());
    EXPECT_LT(flood_received, 500u);
    if (stats.kernel_udp_drops == 0) GTEST_SKIP() << "no SO_RXQ_OVFL drop count from this kernel";
    EXPECT_EQ(stats.kernel_udp_drops + stats.udp_packets, 501u);
}

// --- stream connection limits ---

// `ADDRESS ,b` with a blob of `size` bytes of `fill`, written by hand (liblo 0.31 overflows its buffer
// on large blobs: AddressSanitizer reports it from 128 KiB on).
Bytes blob_message(const std::string& address, std::size_t size, std::uint8_t fill) {
    Bytes out;
    for (const std::string& part : {address, std::string(",b")}) {
        out.insert(out.end(), part.begin(), part.end());
        out.resize(out.size() + 4 - part.size() % 4, 0);
    }
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(size >> shift));
    out.resize(out.size() + (size + 3) / 4 * 4, 0);
    std::fill(out.end() - static_cast<std::ptrdiff_t>((size + 3) / 4 * 4),
              out.end() - static_cast<std::ptrdiff_t>((size + 3) / 4 * 4 - size), fill);
    return out;
}

// Sends as much of `data` from `offset` as the socket takes now; false once the peer has closed.
bool send_some(int fd, const Bytes& data, std::size_t& offset) {
    while (offset < data.size()) {
        const ssize_t n = ::send(fd, data.data() + offset, data.size() - offset, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        offset += static_cast<std::size_t>(n);
    }
    return true;
}

TEST(OscTransport, partial_frame_that_stops_arriving_closes_its_connection) {
    OscTransportOptions options;
    options.frame_stall_timeout_ms = 200;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient slow(server.port());
    TcpClient other(server.port());
    ASSERT_TRUE(slow.write_all(framed(Bytes(10, 0), 100)));
    ASSERT_TRUE(other.write_all(framed(osc("/ok"))));
    ASSERT_TRUE(
        server.pump_until([&] { return server.transport.stats().connections_timed_out == 1; }, 10000));
    ASSERT_EQ(server.errors.size(), 1u);
    EXPECT_EQ(server.errors[0],
              "incomplete frame (14 bytes received): no byte of it for 200 ms; closing the connection");
    EXPECT_TRUE(slow.sees_close());
    ASSERT_TRUE(server.pump_until([&] { return server.transport.connection_count() == 1; }));
    EXPECT_EQ(server.transport.pending_frame_bytes(), 0u);
    EXPECT_EQ(server.messages.size(), 1u);  // the other connection, whole frames only, stays
}

TEST(OscTransport, frame_that_trickles_in_beyond_its_deadline_closes_its_connection) {
    OscTransportOptions options;
    options.frame_timeout_ms = 300;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient trickle(server.port());
    ASSERT_TRUE(trickle.write_all(framed({}, 1000)));
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (server.transport.stats().connections_timed_out == 0 && Clock::now() < deadline) {
        if (!trickle.write_all({0})) break;  // one byte every 20 ms: never stalls
        server.pump_for(20);
    }
    ASSERT_EQ(server.transport.stats().connections_timed_out, 1u);
    ASSERT_FALSE(server.errors.empty());
    EXPECT_THAT(server.errors[0],
                HasSubstr("not complete 300 ms after its first byte; closing the connection"));
    EXPECT_TRUE(trickle.sees_close());
}

TEST(OscTransport, idle_connection_is_closed_and_an_active_one_stays) {
    OscTransportOptions options;
    options.idle_timeout_ms = 1000;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient idle(server.port());
    TcpClient active(server.port());
    ASSERT_TRUE(idle.connected && active.connected);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (server.transport.stats().connections_idle_closed == 0 && Clock::now() < deadline) {
        ASSERT_TRUE(active.write_all(framed(osc("/status"))));
        server.pump_for(50);
    }
    const OscTransportStats stats = server.transport.stats();
    EXPECT_EQ(stats.connections_idle_closed, 1u);
    EXPECT_EQ(stats.connections_timed_out, 0u);
    EXPECT_TRUE(idle.sees_close());
    EXPECT_EQ(server.transport.connection_count(), 1u);
    EXPECT_TRUE(server.errors.empty()) << "an idle client is closed quietly";
    const std::size_t before = server.messages.size();
    ASSERT_TRUE(active.write_all(framed(osc("/still/here"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() > before; }));
}

TEST(OscTransport, big_frame_buffer_never_exceeds_the_frame_and_is_freed_once_complete) {
    Server server;
    ASSERT_TRUE(server.opened);
    const std::vector<std::uint8_t> payload(3'000'000, 5);
    const Bytes frame = framed(blob_message("/big", payload.size(), 5));
    TcpClient client(server.port());
    ASSERT_TRUE(client.connected);
    std::size_t offset = 0;
    std::size_t most = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (server.messages.empty() && Clock::now() < deadline) {
        ASSERT_TRUE(send_some(client.fd, frame, offset));
        server.transport.poll_once(1, server.handler(), server.error_handler());
        most = std::max(most, server.transport.pending_frame_bytes());
    }
    ASSERT_EQ(server.messages.size(), 1u);
    EXPECT_EQ(server.messages[0].args.at(0).blob.size(), payload.size());
    EXPECT_GT(most, 0u);
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    EXPECT_LE(most, (frame.size() + page - 1) / page * page)
        << "the inbox grew beyond the frame's declared length (in whole pages)";
    EXPECT_EQ(server.transport.pending_frame_bytes(), 0u) << "a big inbox is freed once its frame is done";
    std::cout << "[ figures  ] 3 MB frame: partial-frame buffer at most " << most << " bytes for "
              << frame.size() << " framed bytes\n";
}

TEST(OscTransport, partial_frames_are_bounded_in_total_and_the_largest_is_closed_beyond) {
    OscTransportOptions options;
    options.max_tcp_message = 1u << 20;
    options.max_pending_frame_bytes_total = 2u << 20;
    Server server(options);
    ASSERT_TRUE(server.opened);
    // Six clients each declare a 1 MiB frame and send 700 KiB of it: 4.2 MB if nothing bounded it.
    const Bytes half = framed(Bytes(700 * 1024, 9), 1u << 20);
    std::vector<std::unique_ptr<TcpClient>> clients;
    std::vector<std::size_t> offsets(6, 0);
    std::vector<bool> gone(6, false);
    std::size_t most = 0;
    for (int n = 0; n < 6; ++n) clients.push_back(std::make_unique<TcpClient>(server.port()));
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    for (;;) {
        bool all_done = true;
        for (int n = 0; n < 6; ++n) {
            if (gone[n] || offsets[n] == half.size()) continue;
            gone[n] = !send_some(clients[n]->fd, half, offsets[n]);
            all_done = all_done && (gone[n] || offsets[n] == half.size());
        }
        server.transport.poll_once(1, server.handler(), server.error_handler());
        most = std::max(most, server.transport.pending_frame_bytes());
        ASSERT_LE(server.transport.pending_frame_bytes(), options.max_pending_frame_bytes_total);
        if (all_done || Clock::now() > deadline) break;
    }
    server.pump_for(200);
    most = std::max(most, server.transport.pending_frame_bytes());
    EXPECT_LE(most, options.max_pending_frame_bytes_total);
    const OscTransportStats stats = server.transport.stats();
    EXPECT_GE(stats.connections_over_memory, 1u);
    EXPECT_EQ(stats.pending_frame_bytes, server.transport.pending_frame_bytes());
    ASSERT_FALSE(server.errors.empty());
    EXPECT_THAT(server.errors[0],
                StartsWith("partial frames would hold more than 2097152 bytes in total "
                           "(max_pending_frame_bytes_total); closing the connection with the largest ("));
    // A new client is served all the same.
    TcpClient fresh(server.port());
    ASSERT_TRUE(fresh.write_all(framed(osc("/ping"))));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
    EXPECT_EQ(server.messages[0].address, "/ping");
    clients.clear();
    ASSERT_TRUE(server.pump_until([&] { return server.transport.connection_count() == 1; }));
    EXPECT_EQ(server.transport.pending_frame_bytes(), 0u);
    std::cout << "[ figures  ] 6 x 700 KiB of 1 MiB frames, 2 MiB bound: at most " << most << " bytes held, "
              << stats.connections_over_memory << " connections closed\n";
}

TEST(OscTransport, disconnect_lets_queued_replies_leave_then_closes) {
    Server server;
    ASSERT_TRUE(server.opened);
    const Bytes goodbye = blob_message("/goodbye", 128 * 1024, 3);  // more than the socket takes at once
    server.on_packet = [&](OscPacket& packet, const ReplyTarget& from) {
        if (packet.messages.at(0).address != "/bye") return;
        EXPECT_TRUE(server.transport.send(from, goodbye));
        server.transport.disconnect(from.connection);
    };
    TcpClient client(server.port(), 4096);
    ASSERT_TRUE(client.connected);
    Bytes both = framed(osc("/bye"));
    const Bytes after = framed(osc("/after"));
    both.insert(both.end(), after.begin(), after.end());
    ASSERT_TRUE(client.write_all(both));
    std::atomic<bool> read{false};
    std::thread pump([&] {
        while (!read) server.pump_for(5);
    });
    Bytes frame;
    const bool got = client.read_frame(frame);
    const bool closed = got && client.sees_close();
    read = true;
    pump.join();
    EXPECT_TRUE(got);
    EXPECT_EQ(frame, goodbye);
    EXPECT_TRUE(closed);
    ASSERT_EQ(server.messages.size(), 1u) << "nothing is read after disconnect()";
    EXPECT_EQ(server.messages[0].address, "/bye");
    EXPECT_EQ(server.transport.connection_count(), 0u);
    server.transport.disconnect(12345);  // unknown: ignored
}

// --- the local (Unix-domain) socket ---

// A fresh directory under /tmp, removed at the end.
struct TempDir {
    TempDir() {
        char name[] = "/tmp/tactus-transport-XXXXXX";
        path = ::mkdtemp(name);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
    std::string path;
};

OscTransportOptions with_socket(const std::string& path) {
    OscTransportOptions options;
    options.local_socket_path = path;
    return options;
}

// What a second transport asking for the local socket at `path` (on a free port) is told; "" when it opens.
std::string open_error_for_socket(const std::string& path) {
    OscTransport transport;
    OscTransportOptions options = with_socket(path);
    options.address = "127.0.0.1";
    options.port = 0;
    std::string error;
    if (transport.open(options, &error)) return "";
    EXPECT_FALSE(transport.is_open()) << "nothing stays open";
    return error;
}

mode_t current_umask() {
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return mask;
}

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(OscTransport, local_socket_is_user_only_and_answers_a_ping_on_the_same_connection) {
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    {
        Server server(with_socket(path));
        ASSERT_TRUE(server.opened);
        EXPECT_EQ(server.transport.local_socket_path(), path);
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        server.on_packet = [&](OscPacket&, const ReplyTarget& from) {
            EXPECT_TRUE(server.transport.send(
                from, osc("/reply", [](lo_message m) { lo_message_add_string(m, "/ping"); })));
        };
        TcpClient client(path);
        ASSERT_TRUE(client.connected);
        ASSERT_TRUE(client.write_all(framed(osc("/ping"))));
        ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
        server.pump_for(20);
        Bytes frame;
        ASSERT_TRUE(client.read_frame(frame));
        EXPECT_EQ(frame, osc("/reply", [](lo_message m) { lo_message_add_string(m, "/ping"); }));
        const ReplyTarget& from = server.senders[0];
        EXPECT_EQ(from.kind, ReplyTarget::Kind::Local);
        EXPECT_TRUE(from.is_stream());
        EXPECT_EQ(from.describe(), "local #" + std::to_string(from.connection));
        EXPECT_EQ(server.transport.stats().local_connections_accepted, 1u);
    }
    EXPECT_FALSE(std::filesystem::exists(path)) << "close() removes the socket file";
}

// The owner's local socket takes frames as large as a reply (the GUI gives a whole document back
// with /load/json), counted apart from TCP's partial frames, which stay at 16 MiB each.
TEST(OscTransport, local_socket_takes_a_frame_of_20_megabytes_that_tcp_refuses) {
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    OscTransportOptions options = with_socket(path);
    options.max_pending_frame_bytes_total = 17u << 20;
    Server server(options);
    ASSERT_TRUE(server.opened);
    std::size_t delivered = 0;
    server.on_packet = [&](OscPacket& packet, const ReplyTarget&) {
        delivered = packet.messages.empty() ? 0 : packet.messages[0].args.at(0).blob.size();
    };
    // `/load ,b` with a 20 MiB blob, written by hand (liblo 0.31 overflows its buffer on large blobs).
    Bytes message = big_reply(20u << 20, 5);
    TcpClient client(path);
    ASSERT_TRUE(client.connected);
    std::thread writer([&] { EXPECT_TRUE(client.write_all(framed(message))); });
    const bool arrived = server.pump_until([&] { return delivered > 0; }, 20'000);
    writer.join();
    EXPECT_TRUE(arrived) << (server.errors.empty() ? "" : server.errors[0]);
    EXPECT_EQ(delivered, std::size_t{20u << 20});
    EXPECT_TRUE(server.errors.empty()) << server.errors[0];
    server.pump_for(20);
    EXPECT_EQ(server.transport.pending_frame_bytes(), 0u) << "the frame's buffer is freed once complete";
}

TEST(OscTransport, local_socket_path_longer_than_a_socket_address_holds_works_through_its_directory) {
    TempDir dir;
    std::string deep = dir.path;
    while (deep.size() < 150) deep += "/a-rather-long-directory-name";
    std::filesystem::create_directories(deep);
    const std::string path = deep + "/tactusd-7770.sock";
    ASSERT_GT(path.size(), sizeof(sockaddr_un::sun_path));
    {
        Server server(with_socket(path));
        ASSERT_TRUE(server.opened);
        struct stat st {};
        ASSERT_EQ(::lstat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        TcpClient client(path);
        ASSERT_TRUE(client.connected);
        ASSERT_TRUE(client.write_all(framed(osc("/ping"))));
        ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
        EXPECT_EQ(open_error_for_socket(path), "another engine listens on " + path);
    }
    EXPECT_FALSE(std::filesystem::exists(path));
    std::string error;
    EXPECT_EQ(connect_unix_stream(path, false, &error), -1);
    EXPECT_EQ(error, "cannot connect to " + path + ": No such file or directory");
}

TEST(OscTransport, stale_local_socket_of_a_crashed_engine_is_replaced) {
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    {  // bound, never listened, closed without unlink: what a killed engine leaves
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
        ::close(fd);
    }
    struct stat before {};
    ASSERT_EQ(::lstat(path.c_str(), &before), 0);
    Server server(with_socket(path));
    ASSERT_TRUE(server.opened);
    struct stat after {};
    ASSERT_EQ(::lstat(path.c_str(), &after), 0);
    EXPECT_EQ(before.st_mode & 0777, 0777u & ~current_umask());
    EXPECT_EQ(after.st_mode & 0777, 0600u) << "a new socket, not the stale one";
    TcpClient client(path);
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed(osc("/ping"))));
    ASSERT_TRUE(server.pump_until([&] { return !server.messages.empty(); }));
}

TEST(OscTransport, local_socket_path_that_is_not_a_socket_is_refused_and_left_untouched) {
    TempDir dir;
    const std::string file = dir / "notes.txt";
    std::ofstream(file) << "precious\n";
    const std::string link = dir / "link.sock";
    ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
    for (const std::string& path : {file, link})
        EXPECT_EQ(open_error_for_socket(path), "cannot create the local socket " + path +
                                                   ": the path exists and is not a socket (left as it is)");
    EXPECT_EQ(file_text(file), "precious\n");
    struct stat st {};
    ASSERT_EQ(::lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST(OscTransport, second_transport_on_a_live_local_socket_is_refused_and_the_first_keeps_it) {
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    Server first(with_socket(path));
    ASSERT_TRUE(first.opened);
    { EXPECT_EQ(open_error_for_socket(path), "another engine listens on " + path); }
    ASSERT_TRUE(std::filesystem::exists(path)) << "the refused transport removed the live socket";
    TcpClient client(path);
    ASSERT_TRUE(client.connected);
    ASSERT_TRUE(client.write_all(framed(osc("/ping"))));
    ASSERT_TRUE(first.pump_until([&] { return !first.messages.empty(); }));
}

TEST(OscTransport, close_removes_only_the_socket_file_it_created) {
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    {
        Server server(with_socket(path));
        ASSERT_TRUE(server.opened);
        ASSERT_EQ(::unlink(path.c_str()), 0);
        std::ofstream(path) << "someone else's\n";
    }
    EXPECT_EQ(file_text(path), "someone else's\n");
}

TEST(OscTransport, local_and_tcp_connections_are_limited_apart) {
    TempDir dir;
    OscTransportOptions options = with_socket(dir / "tactusd.sock");
    options.max_connections = 1;
    Server server(options);
    ASSERT_TRUE(server.opened);
    TcpClient local(dir / "tactusd.sock");
    ASSERT_TRUE(server.pump_until([&] { return server.transport.stats().connections_accepted == 1; }));
    TcpClient tcp(server.port());
    ASSERT_TRUE(tcp.write_all(framed(osc("/tcp"))));
    ASSERT_TRUE(local.write_all(framed(osc("/local"))));
    ASSERT_TRUE(server.pump_until([&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.transport.stats().connections_evicted, 0u);
    EXPECT_EQ(server.transport.connection_count(), 2u);
}

TEST(OscTransport, local_peer_of_another_user_is_closed_at_once) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
    TempDir dir;
    const std::string path = dir / "tactusd.sock";
    Server server(with_socket(path));
    ASSERT_TRUE(server.opened);
    // Open the door on purpose: the file mode is the first lock, SO_PEERCRED the second.
    ASSERT_EQ(::chmod(dir.path.c_str(), 0755), 0);
    ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
        TcpClient intruder(path);
        if (!intruder.connected) ::_exit(2);
        intruder.write_all(framed(osc("/quit")));
        ::_exit(intruder.sees_close() ? 0 : 1);
    }
    ASSERT_TRUE(server.pump_until([&] { return server.transport.stats().connections_refused == 1; }, 10000));
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: not closed, 2: could not connect, 3: setuid failed";
    EXPECT_TRUE(server.messages.empty());
    EXPECT_EQ(server.transport.stats().local_connections_accepted, 0u);
}

// --- OscSender ---

TEST(OscSender, sends_from_its_own_socket_and_counts_what_it_cannot_send) {
    OscSender sender;
    std::string error;
    ASSERT_TRUE(sender.open("127.0.0.1", &error)) << error;
    EXPECT_GT(sender.port(), 0);
    UdpSocket receiver;
    ReplyTarget to;
    const sockaddr_in addr = loopback(receiver.port());
    std::memcpy(&to.addr, &addr, sizeof addr);
    to.addr_len = sizeof addr;
    EXPECT_TRUE(sender.send(to, osc("/position")));
    std::uint8_t buf[64];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ASSERT_GT(::recvfrom(receiver.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len), 0);
    EXPECT_EQ(ntohs(from.sin_port), sender.port());
    EXPECT_EQ(sender.sent(), 1u);

    to.kind = ReplyTarget::Kind::Tcp;
    EXPECT_FALSE(sender.send(to, osc("/position")));
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    sockaddr_storage other{};
    std::memcpy(&other, &v6, sizeof v6);
    EXPECT_FALSE(sender.send(other, sizeof v6, osc("/position")));
    EXPECT_EQ(sender.dropped(), 2u);
}

}  // namespace
}  // namespace tactus
