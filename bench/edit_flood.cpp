// edit_flood: live edits at a steady rate to a tactusd that plays, for a given duration, so that the
// score keeps changing in the region being played. Used by bench/jack_xruns.sh --edits and by hand:
//
//   edit_flood --port 7770 --rate 1000 --seconds 60 [--tcp] [--loop-end 96] [--tracks 5]
//
// It subscribes to position reports (/subscribe 30 Hz, over UDP) to know the beat being played, and
// sends one edit per message, cycling: /note/add (a fresh id, on tracks 1..TRACKS in turn, 0.1 to 2
// beats ahead of the play position, wrapped into the loop [0, loop-end)), /note/move (one of its own
// notes to 0.1 to 2 beats ahead), /note/delete (its oldest note). About 32 of its notes are in the
// score at any time; ids start at --first-id (default 1000000, above the demo's). Edits go over UDP,
// or over one TCP connection with --tcp. Paces itself in ~1 ms steps (a machine that cannot keep up
// sends fewer, and says so: bench/flood_schedule.h) and reads and counts every reply between steps,
// never waiting for one.
// Prints one line at the end:
//
//   edit_flood: sent 60000 edits in 60.001 s (1000/s) over udp (20000 add, 20000 move, 20000 delete),
//   0 send errors; 60000 replies, 0 errors, 0 unanswered; 1800 position reports, last beat 12.5
//
// followed by the distinct error messages (first 5, with counts), if any.
// Exit status: 0, 1 when any edit was refused or unanswered, 2 on bad arguments / socket errors.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <string>
#include <thread>

#include "flood_schedule.h"
#include "osc_socket.h"

using tactus::bench::Bytes;
using tactus::bench::OscSocket;

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "edit_flood: %s\nusage: edit_flood --port PORT [--rate 1000] [--seconds 60] [--tcp]\n"
                 "                  [--loop-end 96] [--tracks 5] [--first-id 1000000]\n",
                 why);
    std::exit(2);
}

std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Counts {
    std::uint64_t replies = 0, errors = 0, positions = 0, other = 0;
    std::map<std::string, std::uint64_t> error_messages;
};

// Where the engine plays, from the latest position report.
struct Position {
    bool known = false;
    bool playing = false;
    double beat = 0, bpm = 120;
    std::int64_t heard_at_ns = 0;

    double beat_now(double loop_end) const {
        if (!known) return 0;
        double b = beat;
        if (playing) b += double(monotonic_ns() - heard_at_ns) * bpm / 60e9;
        return std::fmod(std::max(0.0, b), loop_end);
    }
};

void count(const Bytes& packet, Counts& counts, Position& position) {
    const auto in = tactus::bench::parse_message(packet.data(), packet.size());
    if (!in) {
        ++counts.other;
        return;
    }
    if (in->address == "/reply" && in->first_string().rfind("/note/", 0) == 0) {
        ++counts.replies;
    } else if (in->address == "/error") {
        ++counts.errors;
        std::string text = in->strings.size() > 1 ? in->first_string() + ": " + in->strings[1] : "?";
        for (char& c : text)  // "no note with id 1000123" and the like count as one message
            if (c >= '0' && c <= '9') c = 'N';
        ++counts.error_messages[text];
    } else if (in->address == "/position" && in->numbers.size() >= 7) {
        ++counts.positions;
        position.known = true;
        position.heard_at_ns = static_cast<std::int64_t>(in->numbers[1]);
        position.beat = in->numbers[2];
        position.bpm = in->numbers[5];
        position.playing = in->numbers[6] != 0;
    } else {
        ++counts.other;
    }
}

void drain(OscSocket& socket, Counts& counts, Position& position) {
    while (auto packet = socket.receive(std::chrono::milliseconds(0))) count(*packet, counts, position);
}

}  // namespace

int main(int argc, char** argv) {
    tactus::bench::FloodOptions flood{.port = 0, .rate = 1000, .seconds = 60};
    int tracks = 5;
    double loop_end = 96;
    bool use_tcp = false;
    std::int64_t next_id = 1000000;
    tactus::bench::parse_flood_options(
        argc, argv, flood, usage,
        [&](const std::string& arg) {
            if (arg != "--tcp") return false;
            use_tcp = true;
            return true;
        },
        [&](const std::string& arg, const char* value) {
            if (arg == "--loop-end")
                loop_end = std::atof(value);
            else if (arg == "--tracks")
                tracks = std::atoi(value);
            else if (arg == "--first-id")
                next_id = std::atoll(value);
            else
                return false;
            return true;
        });
    if (!(flood.rate > 0) || !(flood.seconds > 0) || !(loop_end > 2) || tracks < 1)
        usage("bad --rate/--seconds/--loop-end/--tracks");

    std::string error;
    OscSocket udp, tcp;
    if (!udp.open(OscSocket::Proto::Udp, flood.port, &error) ||
        (use_tcp && !tcp.open(OscSocket::Proto::Tcp, flood.port, &error))) {
        std::fprintf(stderr, "edit_flood: %s\n", error.c_str());
        return 2;
    }
    OscSocket& edits = use_tcp ? tcp : udp;
    Counts counts;
    Position position;
    {
        lo_message m = lo_message_new();
        lo_message_add_double(m, 30.0);
        udp.send(tactus::bench::serialise_message("/subscribe", m));
        // Wait for the first report.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (!position.known && std::chrono::steady_clock::now() < until)
            if (auto packet = udp.receive(std::chrono::milliseconds(50))) count(*packet, counts, position);
    }

    std::uint64_t state = 0x9e3779b97f4a7c15ull;  // xorshift64: the same edits every run
    auto random = [&](double lo, double hi) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return lo + (hi - lo) * double(state >> 11) / double(1ull << 53);
    };
    auto ahead = [&] {
        double b = position.beat_now(loop_end) + random(0.1, 2.0);
        if (b >= loop_end) b -= loop_end;
        return b;
    };
    std::deque<std::int64_t> live;
    std::uint64_t adds = 0, moves = 0, deletes = 0, step = 0;
    auto next_edit = [&]() -> Bytes {
        const int op = live.size() < 24 ? 0 : live.size() > 40 ? 2 : int(step % 3);
        ++step;
        if (op == 0) {
            const std::int64_t id = next_id++;
            live.push_back(id);
            ++adds;
            lo_message m = lo_message_new();
            lo_message_add_int32(m, 1 + int(adds % std::uint64_t(tracks)));
            lo_message_add_int64(m, id);
            lo_message_add_double(m, ahead());
            lo_message_add_double(m, random(0.125, 1.0));
            lo_message_add_int32(m, int(random(48, 85)));
            lo_message_add_int32(m, int(random(60, 111)));
            return tactus::bench::serialise_message("/note/add", m);
        }
        if (op == 1) {
            ++moves;
            lo_message m = lo_message_new();
            lo_message_add_int64(m, live[std::size_t(random(0, double(live.size())))]);
            lo_message_add_double(m, ahead());
            return tactus::bench::serialise_message("/note/move", m);
        }
        ++deletes;
        lo_message m = lo_message_new();
        lo_message_add_int64(m, live.front());
        live.pop_front();
        return tactus::bench::serialise_message("/note/delete", m);
    };

    const std::uint64_t positions_before = counts.positions;
    const tactus::bench::FloodResult result = tactus::bench::run_flood(
        flood.rate, flood.seconds, [&] { return edits.send(next_edit()); },
        [&] {
            drain(udp, counts, position);
            if (use_tcp) drain(tcp, counts, position);
        });
    const std::uint64_t sent = result.sent, send_errors = result.send_errors;
    const double elapsed = result.elapsed;
    udp.send(tactus::bench::serialise_message("/unsubscribe", lo_message_new()));
    // Replies still on their way.
    for (int i = 0; i < 10 && counts.replies + counts.errors < sent; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        drain(udp, counts, position);
        if (use_tcp) drain(tcp, counts, position);
    }
    const std::uint64_t replies = counts.replies;
    const std::uint64_t answered = replies + counts.errors;
    const std::uint64_t unanswered = sent > answered ? sent - answered : 0;
    std::printf(
        "edit_flood: sent %llu edits in %.3f s (%.0f/s) over %s (%llu add, %llu move, %llu delete), %llu "
        "send "
        "errors; %llu replies, %llu errors, %llu unanswered; %llu position reports, last beat %.2f\n",
        static_cast<unsigned long long>(sent), elapsed, double(sent) / elapsed, use_tcp ? "tcp" : "udp",
        static_cast<unsigned long long>(adds), static_cast<unsigned long long>(moves),
        static_cast<unsigned long long>(deletes), static_cast<unsigned long long>(send_errors),
        static_cast<unsigned long long>(replies), static_cast<unsigned long long>(counts.errors),
        static_cast<unsigned long long>(unanswered),
        static_cast<unsigned long long>(counts.positions - positions_before), position.beat_now(loop_end));
    int shown = 0;
    for (const auto& [text, n] : counts.error_messages) {
        if (shown++ == 5) break;
        std::printf("  %llu x /error %s\n", static_cast<unsigned long long>(n), text.c_str());
    }
    return counts.errors > 0 || unanswered > 0 ? 1 : 0;
}
