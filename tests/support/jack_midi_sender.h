// A test's MIDI keyboard on a JACK server: a client with one MIDI output port, connected to another
// client's MIDI input (by default tactusd:midi_in), that writes each scheduled message in the cycle
// holding its frame, at its offset there. JACK runs this client before the one it feeds, so a message
// for frame F reaches tactusd in the cycle that renders frame F.
//
// Threading: construct, schedule(), start(), stop() and the queries from one control thread; the
// process callback runs on JACK's realtime thread and only reads the schedule, which is handed over
// once (an atomic release) before it is used.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "support/jack_midi_port_client.h"

namespace tactus::test {

struct ScheduledMidi {
    std::int64_t frame = 0;  // JACK frame time
    std::array<std::uint8_t, 3> bytes{};
    int size = 3;
};

struct JackMidiSenderOptions {
    std::string server;
    std::string client_name = "tactus-keyboard";
    std::string target_port = "tactusd:midi_in";
};

class JackMidiSender {
public:
    explicit JackMidiSender(JackMidiSenderOptions options);
    JackMidiSender(const JackMidiSender&) = delete;
    JackMidiSender& operator=(const JackMidiSender&) = delete;

    bool ok() const { return jack_.ok(); }
    const std::string& error() const { return jack_.error(); }
    // Activates and connects to the target; false with error() set when the port cannot be connected.
    bool start() { return jack_.start(options_.target_port); }
    void stop() { jack_.stop(); }
    // Xruns JACK reported while this client was open (any client's).
    std::int64_t xruns() const { return jack_.xruns(); }
    // The server's current frame time (jack_frame_time).
    std::int64_t now() const;
    // The messages to send, in frame order; call once, before their frames come.
    void schedule(std::vector<ScheduledMidi> messages);
    // Messages written so far, and messages whose frame had passed when a cycle came (lost cycles).
    int sent() const { return sent_.load(std::memory_order_acquire); }
    int missed() const { return missed_.load(std::memory_order_acquire); }
    // Whether scheduled message `index` was missed (its cycle was lost): it was never sent, so a test
    // must not expect it (read after stop()).
    bool was_missed(std::size_t index) const {
        return index < missed_flags_.size() && missed_flags_[index] != 0;
    }

private:
    static int on_process(std::uint32_t nframes, void* self);

    JackMidiSenderOptions options_;
    std::vector<ScheduledMidi> messages_;
    std::vector<std::uint8_t> missed_flags_;  // sized by schedule(); set by the realtime thread
    std::atomic<bool> scheduled_{false};
    std::size_t next_ = 0;  // realtime thread only
    std::atomic<int> sent_{0};
    std::atomic<int> missed_{0};
    JackMidiPortClient jack_;  // last: deactivated before the schedule its callback reads goes away
};

}  // namespace tactus::test
