// osc_flood: sends a steady stream of pre-serialised OSC commands to tactusd over UDP, as fast as a
// target rate allows, for a given duration, and says how many it sent. Used by the command-flood test
// (tests/server/bad_input.test.cpp) and by hand:
//
//   osc_flood --port 7770 --rate 100000 --seconds 10 --message track-level --track 1
//
// Messages: `track-level` (/track/level TRACK LEVEL, the level alternating 0.5/0.6), `note-on`
// (/note/on TRACK PITCH 100, the pitch cycling over 48..84, each followed by its /note/off) and `ping`.
// Sends with plain sendto() from one socket for exactly the duration; paces itself in ~1 ms steps
// (sending what the elapsed time allows: a machine that cannot keep up sends fewer, and says so), and
// reads (and counts) whatever replies come back to that socket between steps, never waiting for them.
// Prints one line:
//
//   sent 1000000 in 10.001 s (99990/s), 0 send errors; received 12345 replies, 67 errors (67 queue full)
//
// Exit status: 0, or 2 on bad arguments / socket errors.
#include <arpa/inet.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes serialise(const char* address, lo_message m) {
    std::size_t size = 0;
    void* data = lo_message_serialise(m, address, nullptr, &size);
    Bytes bytes(static_cast<std::uint8_t*>(data), static_cast<std::uint8_t*>(data) + size);
    std::free(data);
    lo_message_free(m);
    return bytes;
}

std::vector<Bytes> make_messages(const std::string& kind, int track) {
    std::vector<Bytes> out;
    if (kind == "track-level") {
        for (const double level : {0.5, 0.6}) {
            lo_message m = lo_message_new();
            lo_message_add_int32(m, track);
            lo_message_add_double(m, level);
            out.push_back(serialise("/track/level", m));
        }
    } else if (kind == "note-on") {
        for (int pitch = 48; pitch <= 84; ++pitch) {
            lo_message on = lo_message_new();
            lo_message_add_int32(on, track);
            lo_message_add_int32(on, pitch);
            lo_message_add_int32(on, 100);
            out.push_back(serialise("/note/on", on));
            lo_message off = lo_message_new();
            lo_message_add_int32(off, track);
            lo_message_add_int32(off, pitch);
            out.push_back(serialise("/note/off", off));
        }
    } else if (kind == "ping") {
        out.push_back(serialise("/ping", lo_message_new()));
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
    std::string host = "127.0.0.1";
    int port = 0;
    double rate = 100000;
    double seconds = 10;
    std::string kind = "track-level";
    int track = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
        const char* value = argv[++i];
        if (arg == "--host")
            host = value;
        else if (arg == "--port")
            port = std::atoi(value);
        else if (arg == "--rate")
            rate = std::atof(value);
        else if (arg == "--seconds")
            seconds = std::atof(value);
        else if (arg == "--message")
            kind = value;
        else if (arg == "--track")
            track = std::atoi(value);
        else
            usage(("unknown option " + arg).c_str());
    }
    if (port <= 0 || port > 65535) usage("--port must be 1..65535");
    if (!(rate > 0) || !(seconds > 0)) usage("--rate and --seconds must be positive");
    const std::vector<Bytes> messages = make_messages(kind, track);
    if (messages.empty()) usage("--message must be track-level, note-on or ping");

    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &to.sin_addr) != 1) usage("--host must be a numeric IPv4 address");
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        std::perror("osc_flood: socket");
        return 2;
    }
    const int buffer_bytes = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::uint64_t sent = 0, send_errors = 0, next = 0;
    Replies replies;
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (elapsed >= seconds) break;
        const auto due = static_cast<std::uint64_t>(elapsed * rate) + 1;
        // Catch up with the schedule, but keep stepping in about 1 ms so the time limit holds.
        for (std::uint64_t batch = 0;
             sent + send_errors < due && batch < static_cast<std::uint64_t>(rate / 1000) + 1; ++batch) {
            const Bytes& m = messages[next++ % messages.size()];
            const ssize_t n =
                ::sendto(fd, m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
            if (n == static_cast<ssize_t>(m.size()))
                ++sent;
            else
                ++send_errors;
        }
        drain(fd, replies, buffer);
        if (sent + send_errors >= due) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    // Replies still on their way.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    drain(fd, replies, buffer);
    ::close(fd);
    std::printf(
        "sent %llu in %.3f s (%.0f/s), %llu send errors; received %llu replies, %llu errors (%llu queue "
        "full)\n",
        static_cast<unsigned long long>(sent), elapsed, static_cast<double>(sent) / elapsed,
        static_cast<unsigned long long>(send_errors), static_cast<unsigned long long>(replies.replies),
        static_cast<unsigned long long>(replies.errors), static_cast<unsigned long long>(replies.queue_full));
    return 0;
}
