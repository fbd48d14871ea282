// osc_flood: sends a steady stream of pre-serialised OSC commands to tactusd over UDP, as fast as a
// target rate allows, for a given duration, and says how many it sent. Used by the command-flood test
// (tests/server/bad_input.test.cpp) and by hand:
//
//   osc_flood --port 7770 --rate 100000 --seconds 10 --message track-level --track 1
//
// Messages: `track-level` (/track/level TRACK LEVEL, the level alternating 0.5/0.6), `note-on`
// (/note/on TRACK PITCH 100, the pitch cycling over 48..84, each followed by its /note/off) and `ping`.
// Sends with plain sendto() from one socket (bench/osc_socket.h) for exactly the duration; paces itself
// in ~1 ms steps (bench/flood_schedule.h: sending what the elapsed time allows; a machine that cannot
// keep up sends fewer, and says so), and reads (and counts) whatever replies come back to that socket
// between steps, never waiting for them.
// Prints one line:
//
//   sent 1000000 in 10.001 s (99990/s), 0 send errors; received 12345 replies, 67 errors (67 queue full)
//
// Exit status: 0, or 2 on bad arguments / socket errors.
#include <lo/lo.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "flood_schedule.h"
#include "osc_socket.h"

using tactus::bench::Bytes;
using tactus::bench::OscSocket;
using tactus::bench::serialise_message;

namespace {

std::vector<Bytes> make_messages(const std::string& kind, int track) {
    std::vector<Bytes> out;
    if (kind == "track-level") {
        for (const double level : {0.5, 0.6}) {
            lo_message m = lo_message_new();
            lo_message_add_int32(m, track);
            lo_message_add_double(m, level);
            out.push_back(serialise_message("/track/level", m));
        }
    } else if (kind == "note-on") {
        for (int pitch = 48; pitch <= 84; ++pitch) {
            lo_message on = lo_message_new();
            lo_message_add_int32(on, track);
            lo_message_add_int32(on, pitch);
            lo_message_add_int32(on, 100);
            out.push_back(serialise_message("/note/on", on));
            lo_message off = lo_message_new();
            lo_message_add_int32(off, track);
            lo_message_add_int32(off, pitch);
            out.push_back(serialise_message("/note/off", off));
        }
    } else if (kind == "ping") {
        out.push_back(serialise_message("/ping", lo_message_new()));
    }
    return out;
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(
        stderr,
        "osc_flood: %s\nusage: osc_flood --port PORT [--host 127.0.0.1] [--rate 100000] [--seconds 10]\n"
        "                 [--message track-level|note-on|ping] [--track 1]\n",
        why);
    std::exit(2);
}

struct Replies {
    std::uint64_t replies = 0, errors = 0, queue_full = 0;
};

// Reads every datagram waiting on `fd` and counts /reply and /error (and "queue is full" errors).
// Straight from the socket, unparsed: at 100,000 replies a second, OscSocket::receive's poll and copy
// per datagram would slow the flood down.
void drain(int fd, Replies& r, std::vector<char>& buffer) {
    static constexpr char kQueueFull[] = "queue is full";
    for (;;) {
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n <= 0) return;
        const std::size_t size = static_cast<std::size_t>(n);
        if (size >= 6 && std::memcmp(buffer.data(), "/reply", 6) == 0) ++r.replies;
        if (size >= 6 && std::memcmp(buffer.data(), "/error", 6) == 0) {
            ++r.errors;
            if (std::search(buffer.begin(), buffer.begin() + n, kQueueFull,
                            kQueueFull + sizeof kQueueFull - 1) != buffer.begin() + n)
                ++r.queue_full;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    tactus::bench::FloodOptions flood{.port = 0, .rate = 100000, .seconds = 10};
    std::string host = "127.0.0.1";
    std::string kind = "track-level";
    int track = 1;
    tactus::bench::parse_flood_options(
        argc, argv, flood, usage, [](const std::string&) { return false; },
        [&](const std::string& arg, const char* value) {
            if (arg == "--host")
                host = value;
            else if (arg == "--message")
                kind = value;
            else if (arg == "--track")
                track = std::atoi(value);
            else
                return false;
            return true;
        });
    if (!(flood.rate > 0) || !(flood.seconds > 0)) usage("--rate and --seconds must be positive");
    const std::vector<Bytes> messages = make_messages(kind, track);
    if (messages.empty()) usage("--message must be track-level, note-on or ping");
    const auto address = tactus::bench::ipv4_address(host);
    if (!address) usage("--host must be a numeric IPv4 address");
    OscSocket socket;
    std::string error;
    if (!socket.open(OscSocket::Proto::Udp, flood.port, &error, *address)) {
        std::fprintf(stderr, "osc_flood: %s\n", error.c_str());
        return 2;
    }

    std::uint64_t next = 0;
    Replies replies;
    std::vector<char> buffer(1 << 16);
    const tactus::bench::FloodResult result = tactus::bench::run_flood(
        flood.rate, flood.seconds, [&] { return socket.send(messages[next++ % messages.size()]); },
        [&] { drain(socket.fd(), replies, buffer); });
    // Replies still on their way.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    drain(socket.fd(), replies, buffer);
    socket.close();
    std::printf(
        "sent %llu in %.3f s (%.0f/s), %llu send errors; received %llu replies, %llu errors (%llu queue "
        "full)\n",
        static_cast<unsigned long long>(result.sent), result.elapsed,
        static_cast<double>(result.sent) / result.elapsed,
        static_cast<unsigned long long>(result.send_errors), static_cast<unsigned long long>(replies.replies),
        static_cast<unsigned long long>(replies.errors), static_cast<unsigned long long>(replies.queue_full));
    return 0;
}
