// One JACK client with one MIDI port, as the tests' MIDI keyboard and MIDI synth use it: opens it on a
// named server (never starting one), registers the port, and on start() activates it and connects
// the port to (an output) or from (an input) another client's port. The owner's process callback
// runs on JACK's realtime thread. The xruns JACK reports (any client's: the server notifies all) are
// counted on JACK's notification thread (an atomic).
#pragma once

#include <jack/jack.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace tactus::test {

class JackMidiPortClient {
public:
    enum class Direction { Output, Input };
    JackMidiPortClient(const std::string& server, const std::string& client_name, Direction direction,
                       JackProcessCallback process, void* owner);
    ~JackMidiPortClient();
    JackMidiPortClient(const JackMidiPortClient&) = delete;
    JackMidiPortClient& operator=(const JackMidiPortClient&) = delete;

    bool ok() const { return client_ != nullptr && port_ != nullptr && error_.empty(); }
    const std::string& error() const { return error_; }
    // Activates, then connects this port with `other_port`; false with error() set when it cannot.
    bool start(const std::string& other_port);
    void stop();
    jack_client_t* client() const { return client_; }
    jack_port_t* port() const { return port_; }
    // Xruns JACK reported since the client opened.
    std::int64_t xruns() const { return xruns_.load(std::memory_order_relaxed); }

private:
    Direction direction_;
    jack_client_t* client_ = nullptr;
    jack_port_t* port_ = nullptr;
    std::string error_;
    bool active_ = false;
    std::atomic<std::int64_t> xruns_{0};
};

}  // namespace tactus::test
