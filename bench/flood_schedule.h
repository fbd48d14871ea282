// What the two floods (osc_flood.cpp, edit_flood.cpp) share: their --port/--rate/--seconds options,
// and the send schedule: as many sends as the rate allows for the duration, in ~1 ms steps, reading
// replies between steps and never waiting for them.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

namespace tactus::bench {

struct FloodOptions {
    int port = 0;
    double rate = 0;     // sends per second
    double seconds = 0;  // how long to send
};

// Reads argv into `flood` (--port, --rate, --seconds) and the program's own options: take_flag(name)
// says whether `name` is a flag (no value) it took; take_value(name, value) whether it took an option
// with a value. usage() on a missing value, an unknown option or a port outside 1..65535.
template <typename TakeFlag, typename TakeValue>
void parse_flood_options(int argc, char** argv, FloodOptions& flood, void (*usage)(const char*),
                         TakeFlag take_flag, TakeValue take_value) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (take_flag(arg)) continue;
        if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
        const char* value = argv[++i];
        if (arg == "--port")
            flood.port = std::atoi(value);
        else if (arg == "--rate")
            flood.rate = std::atof(value);
        else if (arg == "--seconds")
            flood.seconds = std::atof(value);
        else if (!take_value(arg, value))
            usage(("unknown option " + arg).c_str());
    }
    if (flood.port <= 0 || flood.port > 65535) usage("--port must be 1..65535");
}

struct FloodResult {
    std::uint64_t sent = 0, send_errors = 0;
    double elapsed = 0;  // seconds from the first send to the end of the schedule
};

// Calls send() (true when the packet left) at `rate` per second for `seconds`. Catches up with the
// schedule in steps of about 1 ms, so that the time limit holds (a machine that cannot keep up sends
// fewer, and the counts say so); after each step calls read() (the replies waiting), and sleeps 0.5 ms
// when the schedule is met.
template <typename Send, typename Read>
FloodResult run_flood(double rate, double seconds, Send send, Read read) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    FloodResult r;
    for (;;) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (elapsed >= seconds) break;
        const auto due = static_cast<std::uint64_t>(elapsed * rate) + 1;
        for (std::uint64_t batch = 0;
             r.sent + r.send_errors < due && batch < static_cast<std::uint64_t>(rate / 1000) + 1; ++batch) {
            if (send())
                ++r.sent;
            else
                ++r.send_errors;
        }
        read();
        if (r.sent + r.send_errors >= due) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    r.elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return r;
}

}  // namespace tactus::bench
