// MIDI for the backends that have none of their own (RtAudio: ALSA, PulseAudio, CoreAudio, WASAPI):
// an RtMidi input and output, each a virtual port named after the client ("tactusd:midi_in",
// "tactusd:midi_out" on the ALSA sequencer; CoreMIDI/WinMM elsewhere), optionally also connected to
// a port named on the command line.
//
//   RtMidi's thread --StampedMidi--> SpscQueue --> take_input() in the audio callback -> AudioBlock::midi_in
//   AudioBlock::midi_out -> queue_output() in the audio callback --FramedMidi--> SpscQueue --> sender
//   thread: sleeps until each message's host time (midi_timing.h), then RtMidiOut::sendMessage
//
// Input lands on exact frames one period late (as with JACK). Output is only as precise as the
// sender thread's wake-up (typically tens of microseconds, more under load; JACK's midi_out is
// sample-exact): the ALSA sequencer gets each message when it is due, not ahead with a timestamp.
//
// Threading: open() and destruction on a control thread. take_input() and queue_output() on the
// audio thread only (wait-free, no allocation). The RtMidi callback and the sender run on their own
// threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audio/clock_model.h"
#include "audio/midi_timing.h"
#include "engine/lockfree/spsc_queue.h"

class RtMidiIn;
class RtMidiOut;

namespace tactus {

struct MidiPortOptions {
    std::string client_name = "tactusd";
    std::string connect_input;   // also receive from the first port whose name contains this ("": none)
    std::string connect_output;  // also send to the first port whose name contains this ("": none)
    // Tests: RtMidi's JACK API stands in for the system's (the test machines have no ALSA sequencer).
    bool jack_api_for_tests = false;
};

class RtMidiPorts {
public:
    static constexpr std::size_t kQueueCapacity = 4096;
    static constexpr int kMaxEventsPerBlock = 512;

    // Opens both ports; nullptr with *error set (one line) when the MIDI system cannot be opened.
    // A port to connect that does not exist is not an error: *notes says so and the virtual ports
    // stay open.
    static std::unique_ptr<RtMidiPorts> open(const MidiPortOptions& options, std::string* error,
                                             std::string* notes);
    ~RtMidiPorts();  // sends what is still queued, stops the sender, closes the ports

    RtMidiPorts(const RtMidiPorts&) = delete;
    RtMidiPorts& operator=(const RtMidiPorts&) = delete;

    // Starts the sender thread, which times output by `clock` (it must outlive this object's use).
    // `latency_frames`: the fixed delay of both directions (one period).
    void start(const ClockModel& clock, int latency_frames);

    // Audio thread: the messages received since the last call, placed in the block (midi_timing.h);
    // at most `capacity` (the rest wait for the next block). Returns how many were written to `out`.
    int take_input(Frame block_frame, int frames, MidiInputEvent* out, int capacity);
    // Audio thread: the block's output messages (sorted here in place by offset), for the sender.
    void queue_output(Frame block_frame, MidiInputEvent* events, int count);

    // Messages lost because a queue was full; errors RtMidi reported while running.
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    std::uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
    // The largest delay between a message's time and its send, so far (ns).
    std::int64_t max_send_lateness_ns() const { return max_lateness_ns_.load(std::memory_order_relaxed); }
    // "MIDI: ALSA sequencer ports tactusd:midi_in, tactusd:midi_out"
    const std::string& description() const { return description_; }

private:
    RtMidiPorts() = default;
    static void on_input(double delta, std::vector<unsigned char>* message, void* self);
    void run_sender();
    void send(const TimedMidi& message);

    std::unique_ptr<RtMidiIn> in_;
    std::unique_ptr<RtMidiOut> out_;
    std::string description_;
    SpscQueue<StampedMidi> received_{kQueueCapacity};  // RtMidi's thread -> audio thread
    SpscQueue<FramedMidi> outgoing_{kQueueCapacity};   // audio thread -> sender
    StampedMidi staged_[kMaxEventsPerBlock];           // audio thread only
    const ClockModel* clock_ = nullptr;
    int latency_frames_ = 0;
    std::thread sender_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> errors_{0};
    std::atomic<std::int64_t> max_lateness_ns_{0};
};

}  // namespace tactus
