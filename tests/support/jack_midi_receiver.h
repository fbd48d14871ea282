// A test's MIDI ears on a JACK server: a client with one MIDI input port, connected from another
// client's MIDI output (by default tactusd:midi_out), that keeps every message with its JACK frame.
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
};

struct JackMidiReceiverOptions {
    std::string server;
    std::string client_name = "tactus-synth";
    std::string source_port = "tactusd:midi_out";
    std::size_t capacity = 4096;
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
    // The messages received so far, in order.
    std::vector<ReceivedMidi> messages() const;

private:
    static int on_process(std::uint32_t nframes, void* self);

    JackMidiReceiverOptions options_;
    std::vector<ReceivedMidi> storage_;
    std::atomic<std::size_t> count_{0};
    JackMidiPortClient jack_;  // last: its callback uses the storage above
};

}  // namespace tactus::test
