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

typedef struct _jack_client jack_client_t;
typedef struct _jack_port jack_port_t;

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
    ~JackMidiSender();
    JackMidiSender(const JackMidiSender&) = delete;
    JackMidiSender& operator=(const JackMidiSender&) = delete;

    bool ok() const { return client_ != nullptr && error_.empty(); }
    const std::string& error() const { return error_; }
    // Activates and connects to the target; false with error() set when the port cannot be connected.
    bool start();
    void stop();
    // The server's current frame time (jack_frame_time).
    std::int64_t now() const;
    // The messages to send, in frame order; call once, before their frames come.
    void schedule(std::vector<ScheduledMidi> messages);
    // Messages written so far, and messages whose frame had passed when a cycle came (lost cycles).
    int sent() const { return sent_.load(std::memory_order_acquire); }
    int missed() const { return missed_.load(std::memory_order_acquire); }

private:
    static int on_process(std::uint32_t nframes, void* self);

    JackMidiSenderOptions options_;
    jack_client_t* client_ = nullptr;
    jack_port_t* port_ = nullptr;
    std::string error_;
    std::vector<ScheduledMidi> messages_;
    std::atomic<bool> scheduled_{false};
    std::size_t next_ = 0;  // realtime thread only
    std::atomic<int> sent_{0};
    std::atomic<int> missed_{0};
    bool active_ = false;
};

}  // namespace tactus::test
