// A test's MIDI ears on a JACK server: a client with one MIDI input port, connected from another
// client's MIDI output (by default tactusd:midi_out), that keeps every message with its JACK frame,
// and which cycles it was given: a cycle lost to an xrun (the receiver's or the source's) was not
// heard, so a test judges only messages due in heard cycles (heard()). As with the audio recorder
// (jack_recorder.h), a cycle run more than a period after its cycle began, or the first after a gap,
// may carry another frame time's messages: it does not count as heard, and its messages are left
// out of heard_messages().
//
// Threading: construct, start(), stop() and messages() from one control thread; the process callback
// runs on JACK's realtime thread and only writes into storage preallocated at construction, publishing
// the count with a release store.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "support/jack_midi_port_client.h"

namespace tactus::test {

struct ReceivedMidi {
    std::int64_t frame = 0;  // JACK frame time of the message
    std::array<std::uint8_t, 3> bytes{};
    int size = 0;
    bool in_heard_cycle = true;  // false: its cycle's frame time may not be its own (see above)
};

struct JackMidiReceiverOptions {
    std::string server;
    std::string client_name = "tactus-synth";
    std::string source_port = "tactusd:midi_out";
    std::size_t capacity = 4096;
    std::size_t cycle_capacity = 1 << 15;  // cycles remembered (87 s at 48 kHz, period 128)
};

class JackMidiReceiver {
public:
    explicit JackMidiReceiver(JackMidiReceiverOptions options);
    JackMidiReceiver(const JackMidiReceiver&) = delete;
    JackMidiReceiver& operator=(const JackMidiReceiver&) = delete;

    bool ok() const { return jack_.ok(); }
    const std::string& error() const { return jack_.error(); }
    bool start() { return jack_.start(options_.source_port); }
    void stop() { jack_.stop(); }
    // The server's current frame time (jack_frame_time).
    std::int64_t now() const { return static_cast<std::int64_t>(jack_frame_time(jack_.client())); }
    // Xruns JACK reported while this client was open (any client's).
    std::int64_t xruns() const { return jack_.xruns(); }
    // The messages received so far, in order.
    std::vector<ReceivedMidi> messages() const;
    // The messages of heard cycles only, in order.
    std::vector<ReceivedMidi> heard_messages() const;
    // Whether `frame` lay in a cycle this client processed (after stop(), or for frames at least a
    // cycle old). A frame past the cycles remembered counts as not heard.
    bool heard(std::int64_t frame) const;

private:
    static int on_process(std::uint32_t nframes, void* self);

    JackMidiReceiverOptions options_;
    std::vector<ReceivedMidi> storage_;
    std::atomic<std::size_t> count_{0};
    struct Cycle {
        std::int64_t frame = 0;
        std::uint32_t frames = 0;
        bool heard = true;
    };
    std::vector<Cycle> cycles_;  // in processing order
    std::atomic<std::size_t> cycle_count_{0};
    std::int64_t last_end_ = -1;  // realtime thread only: the previous cycle's end
    JackMidiPortClient jack_;     // last: its callback uses the storage above
};

}  // namespace tactus::test
