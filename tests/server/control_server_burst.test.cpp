// A burst of commands that the audio thread applies in one block: every one must still get its
// /reply (docs/protocol.md: "Commands that the audio thread applies reply after they have applied
// them, with the frame"), and the control side must not keep state for replies that never come.
//
// In-process: an EngineHost on the offline backend that is never started, whose process() the test
// calls itself (as the audio thread would), a ControlServer, and an OscTransport whose replies go to
// a UDP socket of the test. Replies are counted with the transport's replies_sent (a loopback
// datagram is counted when the kernel takes it, whether or not the test's socket has room).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/document_json.h"
#include "server/control_server.h"
#include "server/engine_host.h"
#include "server/osc_transport.h"
#include "support/offline_block.h"

namespace {

using namespace tactus;

OscMessage track_level(std::int64_t track, double level) {
    OscMessage m;
    m.address = "/track/level";
    m.types = "id";
    m.args.resize(2);
    m.args[0].type = 'i';
    m.args[0].i = track;
    m.args[1].type = 'd';
    m.args[1].f = level;
    return m;
}

TEST(ControlServerBurst, every_command_applied_in_one_block_is_answered) {
    std::string error;
    EngineHostOptions options;
    options.audio.kind = "offline";  // no file; the test renders blocks itself
    EngineHost host;
    ASSERT_TRUE(host.open(options, &error)) << error;
    LoadResult doc = parse_document(
        R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [{"id": 1, "name": "A",
            "instrument": "synth", "preset": "sine", "notes": []}]})",
        "<test>");
    ASSERT_TRUE(doc.errors.empty()) << doc.errors.front().to_string();
    ASSERT_TRUE(host.load(std::move(*doc.document), &error)) << error;

    OscTransport transport;
    OscTransportOptions net;
    net.port = 0;
    ASSERT_TRUE(transport.open(net, &error)) << error;
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local), 0);
    ReplyTarget from;
    from.addr_len = sizeof from.addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&from.addr), &from.addr_len);

    ControlServer control(host, transport, nullptr);
    // The server's own command on start: arming the first track for MIDI input (no reply).
    constexpr std::uint64_t kServerCommands = 1;
    // One packet (a bundle, say) of 3000 level changes: one arrival time, so one frame, so one block.
    constexpr int kCommands = 3000;
    OscPacket packet;
    packet.is_bundle = true;
    for (int n = 0; n < kCommands; ++n) packet.messages.push_back(track_level(1, n % 2 ? 0.5 : 0.25));
    const std::uint64_t sent_before = transport.stats().replies_sent;
    control.handle_packet(packet, from, monotonic_now_ns());
    ASSERT_EQ(control.errors_sent(), 0u) << "the command queue refused some of the burst";

    // Render until every command has been applied (a few seconds of frames at most), pumping the
    // engine's events after each block as tactusd's loop does.
    std::vector<float> left(256), right(256);
    for (Frame frame = 0; frame < 10 * 48000 && host.status().commands_applied < kCommands + kServerCommands;
         frame += 256) {
        test::process_offline_block(host, frame, left, right);
        control.pump_engine_events();
    }
    ASSERT_EQ(host.status().commands_applied, kCommands + kServerCommands);
    EXPECT_EQ(host.status().events_dropped, 0u)
        << "the engine dropped 'applied' events: their replies never come";
    EXPECT_EQ(transport.stats().replies_sent - sent_before, std::uint64_t{kCommands})
        << "commands applied in one block were not all answered with /reply";
    ::close(fd);
}

}  // namespace
