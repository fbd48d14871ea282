// A private JACK server for a test: `jackd -n <name> -t <ms> -d dummy -r <rate> -p <period>`, a real server
// with no hardware (its dummy driver clocks cycles with a timer, and offers system:playback_1/2 ports).
//
// The constructor launches jackd with posix_spawn (stdout/stderr into a log file), then waits until a
// client can connect (jack_client_open with JackNoStartServer | JackServerName, retried for up to
// `startup_timeout`); a server that does not come up in that time is stopped and started again, up to
// kStartAttempts times, before error() reports every attempt. stop() and the destructor send SIGTERM and reap
// the process (SIGKILL after 5 s), so a failing test leaves no jackd behind (nor the semaphores of clients
// that were still connected). When util-linux's `setpriv` is installed, jackd is launched through `setpriv
// --pdeathsig TERM`, so even a test process that crashes takes its server down with it (the signal follows
// the death of the thread that created the server: create it on the test's main thread).
//
// With TACTUS_TEST_JACK_NO_REALTIME=1 in the environment, jackd runs with --no-realtime (and so do its
// clients' process threads): what a user without realtime privileges gets, with many more xruns.
//
// Threading: use one JackServer from one thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace tactus::test {

struct JackServerOptions {
    std::string name;  // "" = "tactus-test-<pid>-<n>", unique per process and server
    int sample_rate = 48000;
    int period = 128;
    // jackd -t: how long the server waits for a client before throwing it out. Generous, so that a
    // test on a loaded machine is not mistaken for a dead client.
    std::chrono::milliseconds client_timeout{5000};
    std::chrono::milliseconds startup_timeout{5000};
};

class JackServer {
public:
    explicit JackServer(JackServerOptions options = {});
    ~JackServer();

    JackServer(const JackServer&) = delete;
    JackServer& operator=(const JackServer&) = delete;

    // Whether the server came up and has not been stopped; error() says why not (with its log).
    bool running() const { return pid_ > 0; }
    const std::string& error() const { return error_; }
    const std::string& name() const { return options_.name; }
    int sample_rate() const { return options_.sample_rate; }
    int period() const { return options_.period; }
    // What jackd printed so far.
    std::string log() const;
    // SIGTERM, then reap (SIGKILL after 5 s). Idempotent. A server that was ever suspended is resumed
    // first and left 3 s after its resumption to drop the clients that died meanwhile (each costs it
    // about two client timeouts; a SIGTERM meanwhile took it 12 s to act on). A server that had to be
    // killed is started once more under its name and stopped cleanly, which frees its registration in
    // /dev/shm (at 8 stale ones no jackd starts any more).
    void stop();
    // Freezes and thaws jackd (SIGSTOP/SIGCONT): a server that answers no client, as a wedged one.
    bool suspend();
    bool resume();

private:
    static constexpr int kStartAttempts = 3;
    bool launch();  // spawns jackd; false with error_ set when it cannot be run
    bool wait_until_ready();
    bool terminate(std::chrono::seconds patience);
    void reclaim_registration();
    void remove_leftover_semaphores() const;

    JackServerOptions options_;
    std::string log_path_;
    pid_t pid_ = -1;
    bool was_suspended_ = false;
    bool suspended_ = false;
    std::chrono::steady_clock::time_point resumed_at_{};
    std::string error_;
};

}  // namespace tactus::test
