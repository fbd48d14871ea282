// tactusd as a child process for end-to-end tests, and a small OSC client to drive it.
//
// TactusdProcess launches `<daemon> --audio jack --jack-server NAME --device none --listen
// 127.0.0.1:PORT` (a free port, found by binding UDP and TCP sockets on port 0) with posix_spawn,
// stdout/stderr into a log file, then waits until /ping answers. The destructor (or quit()) sends
// /quit and reaps it, with SIGKILL after 3 s: no test leaves a tactusd behind. When util-linux's
// `setpriv` is installed, tactusd is launched through `setpriv --pdeathsig KILL`, so a crashed test
// process takes its engine down with it.
//
// OscTestClient is a liblo UDP server on a random port that sends from that same socket
// (lo_send_message_from), so tactusd's replies come back to it. Received messages are kept in an
// inbox until asked for; wait_reply() takes the first /reply or /error for a given address.
//
// Threading: each object from one thread.
#pragma once

#include <lo/lo.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tactus::test {

// A UDP port that was free for UDP and TCP a moment ago on 127.0.0.1 (0 if none was found).
int free_local_port();

// CLOCK_REALTIME in ns, and NTP timetags (seconds since 1900, 32.32 fixed point) from it.
std::int64_t realtime_now_ns();
lo_timetag ntp_timetag_from_unix_ns(std::int64_t unix_ns);

// One OSC argument: an integer (i, h), a number (f, d), a string (s, S), or a bool (T, F).
struct OscValue {
    char type = 0;
    std::variant<std::int64_t, double, std::string, bool> value;
};

struct OscIncoming {
    std::string address;
    std::string types;
    std::vector<OscValue> args;

    // Typed access; throw std::runtime_error naming the message when the argument is not there.
    std::int64_t integer(std::size_t i) const;
    double number(std::size_t i) const;  // integers too
    const std::string& string(std::size_t i) const;
    bool is_error() const { return address == "/error"; }
    std::string to_string() const;  // `/reply ,shdi "/play" 1234 0.000000 0`
};

// A message under construction (owns its lo_message until sent).
class OscOutgoing {
public:
    OscOutgoing();
    ~OscOutgoing();
    OscOutgoing(OscOutgoing&& other) noexcept;
    OscOutgoing& operator=(OscOutgoing&&) = delete;
    OscOutgoing(const OscOutgoing&) = delete;

    // Appends an argument; on a temporary (osc().i(1).d(0.5)) the result is a temporary too, so it
    // can be moved into a bundle.
    OscOutgoing& i(std::int32_t v) &;
    OscOutgoing& h(std::int64_t v) &;
    OscOutgoing& d(double v) &;
    OscOutgoing& s(const std::string& v) &;
    OscOutgoing&& i(std::int32_t v) && { return std::move(i(v)); }
    OscOutgoing&& h(std::int64_t v) && { return std::move(h(v)); }
    OscOutgoing&& d(double v) && { return std::move(d(v)); }
    OscOutgoing&& s(const std::string& v) && { return std::move(s(v)); }
    lo_message get() const { return message_; }
    lo_message release();  // the caller (a bundle) takes ownership

private:
    lo_message message_;
};
inline OscOutgoing osc() {
    return OscOutgoing();
}

class OscTestClient {
public:
    OscTestClient();
    ~OscTestClient();
    OscTestClient(const OscTestClient&) = delete;
    OscTestClient& operator=(const OscTestClient&) = delete;

    // Targets tactusd at 127.0.0.1:port. False with *error set when no socket could be opened.
    bool open(int port, std::string* error);
    int local_port() const;

    bool send(const std::string& address, const OscOutgoing& message = OscOutgoing());
    // One bundle with timetag `when` holding every (address, message) given.
    bool send_bundle(lo_timetag when, std::vector<std::pair<std::string, OscOutgoing>> messages);

    // The next message (inbox first), if one arrives within `timeout`.
    std::optional<OscIncoming> receive(std::chrono::milliseconds timeout);
    // The first /reply or /error whose first argument is `address` (others stay in the inbox).
    std::optional<OscIncoming> wait_reply(const std::string& address, std::chrono::milliseconds timeout);
    // The first message with this address (others stay in the inbox).
    std::optional<OscIncoming> wait_message(const std::string& address, std::chrono::milliseconds timeout);
    // Sends `address` and waits for its reply; a test assertion helper: nullopt on timeout (30 s by
    // default: a safety net for a busy machine, not a bound under test).
    std::optional<OscIncoming> call(const std::string& address, const OscOutgoing& message = OscOutgoing(),
                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
    // Everything received so far and not yet taken.
    const std::deque<OscIncoming>& inbox() const { return inbox_; }

private:
    static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg,
                          void* self);
    bool pump(std::chrono::milliseconds timeout);  // receives at most one datagram

    lo_server server_ = nullptr;
    lo_address target_ = nullptr;
    std::deque<OscIncoming> inbox_;
};

// Any other program as a child process, its stdout and stderr into a file (e.g. `oscdump -L PORT`).
// stop() (and the destructor) sends SIGTERM and reaps it, SIGKILL after 3 s.
class ChildProcess {
public:
    // Launches argv[0] (searched in PATH); running() says whether it started.
    ChildProcess(std::vector<std::string> argv, std::string output_path);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool running() const { return pid_ > 0; }
    const std::string& error() const { return error_; }
    pid_t pid() const { return pid_; }
    // What it wrote so far.
    std::string output() const;
    // SIGTERM, reap (SIGKILL after 3 s); the exit status, or -1 when killed by a signal. Idempotent.
    int stop();

private:
    std::string output_path_;
    pid_t pid_ = -1;
    int status_ = -1;
    std::string error_;
};

struct TactusdOptions {
    std::string daemon_path;  // the tactusd executable
    std::string jack_server;
    std::string client_name = "tactusd";
    std::vector<std::string> extra_args;
    std::chrono::milliseconds startup_timeout{10000};
};

class TactusdProcess {
public:
    explicit TactusdProcess(TactusdOptions options);
    ~TactusdProcess();  // quit()
    TactusdProcess(const TactusdProcess&) = delete;
    TactusdProcess& operator=(const TactusdProcess&) = delete;

    // Whether it started and answered /ping; error() says why not (with its log).
    bool running() const { return pid_ > 0 && error_.empty(); }
    const std::string& error() const { return error_; }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string log() const;

    // Freezes and thaws the whole process (SIGSTOP/SIGCONT): its JACK client stops answering.
    bool suspend();
    bool resume();

    // Sends /quit and reaps the process (SIGKILL after 3 s). The exit status (-1 if it was killed or
    // never ran). Idempotent.
    int quit();
    // Sends `signal` (e.g. SIGTERM) and reaps the process, SIGKILL after `timeout`. The exit status (-1
    // if a signal ended it, or it had to be killed); *killed (if given) says whether it had to be.
    int stop_with_signal(int signal, std::chrono::milliseconds timeout, bool* killed = nullptr);
    // Waits up to `timeout` for the process to end by itself, then kills it; as stop_with_signal.
    int wait_for_exit(std::chrono::milliseconds timeout, bool* killed = nullptr) {
        return stop_with_signal(0, timeout, killed);
    }

private:
    bool wait_until_ready();
    bool exited(int* status);

    TactusdOptions options_;
    std::string log_path_;
    int port_ = 0;
    pid_t pid_ = -1;
    int exit_status_ = -1;
    std::string error_;
};

}  // namespace tactus::test
