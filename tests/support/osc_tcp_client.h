// A TCP client of tactusd for tests: connects to 127.0.0.1:PORT and speaks OSC 1.0 stream framing
// (each packet preceded by its length as a big-endian int32, docs/protocol.md "Connecting").
//
// Sends messages and bundles built with OscOutgoing (support/tactusd_process.h) or raw packet bytes,
// several packets in one write if asked (so that the engine reads them together). Received frames
// are parsed with tactusd's own packet parser (server/osc_packet.h: a bundle is flattened into its
// messages, in order, with is_bundle set), so a test sees where a pushed batch begins and ends.
//
// Two ways to read:
// - receive_packet(): the next whole packet (a pushed batch is one bundle);
// - receive() / wait_reply() / wait_message() / call(): message by message, like OscTestClient, with
//   an inbox that keeps what a wait skipped over.
// Both read the same stream: packets already split into the message inbox are not returned by
// receive_packet() again (it takes the packet queue first, then the socket).
//
// Links with tactus_server (the parser). Threading: one object from one thread.
#pragma once

#include <lo/lo.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/osc_message.h"
#include "support/tactusd_process.h"

namespace tactus::test {

using OscBytes = std::vector<std::uint8_t>;

// The wire bytes of one message / one bundle (timetag `when`, LO_TT_IMMEDIATE for "immediately").
OscBytes osc_message_bytes(const std::string& address, const OscOutgoing& message = OscOutgoing());
OscBytes osc_bundle_bytes(lo_timetag when,
                          const std::vector<std::pair<std::string, const OscOutgoing*>>& messages);
// A bundle of packets given as bytes (messages or bundles), each as one element.
OscBytes osc_bundle_of(lo_timetag when, const std::vector<OscBytes>& elements);

// A parsed message in the form the rest of the test support uses.
OscIncoming to_incoming(const tactus::OscMessage& message);

class OscTcpClient {
public:
    OscTcpClient() = default;
    ~OscTcpClient();
    OscTcpClient(const OscTcpClient&) = delete;
    OscTcpClient& operator=(const OscTcpClient&) = delete;

    // Connects to 127.0.0.1:port (TCP_NODELAY). False with *error set when it cannot.
    bool connect(int port, std::string* error);
    bool connected() const { return fd_ >= 0 && !closed_; }
    // Whether the peer closed the connection (seen while reading or writing).
    bool closed() const { return closed_; }

    // Frames and sends one packet; false when the connection is gone or the peer did not take it
    // within 10 s.
    bool send_packet(const OscBytes& packet);
    // Frames every packet and sends them with one write.
    bool send_packets(const std::vector<OscBytes>& packets);
    bool send(const std::string& address, const OscOutgoing& message = OscOutgoing());
    bool send_bundle(lo_timetag when,
                     const std::vector<std::pair<std::string, const OscOutgoing*>>& messages);

    // The next packet received, if one arrives within `timeout`. A frame that does not parse fails
    // the current test (ADD_FAILURE) and is skipped.
    std::optional<tactus::OscPacket> receive_packet(std::chrono::milliseconds timeout);
    // The next message (inbox first).
    std::optional<OscIncoming> receive(std::chrono::milliseconds timeout);
    // The first /reply or /error whose first argument is `address` (others stay in the inbox).
    std::optional<OscIncoming> wait_reply(const std::string& address, std::chrono::milliseconds timeout);
    // The first message with this address (others stay in the inbox).
    std::optional<OscIncoming> wait_message(const std::string& address, std::chrono::milliseconds timeout);
    // Sends and waits for the reply (/reply or /error naming `address`); nullopt on timeout.
    std::optional<OscIncoming> call(const std::string& address, const OscOutgoing& message = OscOutgoing(),
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

    const std::deque<OscIncoming>& inbox() const { return inbox_; }
    // Bytes received so far (framing included).
    std::int64_t bytes_received() const { return bytes_received_; }

private:
    // Reads what the socket has (waiting up to `timeout` for the first byte) and splits whole frames
    // into packets_. False when nothing arrived in time or the connection closed.
    bool pump(std::chrono::milliseconds timeout);
    bool write_all(const std::uint8_t* data, std::size_t size);

    int fd_ = -1;
    bool closed_ = false;
    std::vector<std::uint8_t> stream_;       // received bytes not yet split into frames
    std::deque<tactus::OscPacket> packets_;  // whole packets not yet taken
    std::deque<OscIncoming> inbox_;          // messages of packets taken by the message API
    bool receive_into_inbox(std::chrono::milliseconds timeout);  // false: no packet came
    std::int64_t bytes_received_ = 0;
};

}  // namespace tactus::test
