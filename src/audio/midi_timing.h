// Timing of MIDI through a system port (the ALSA sequencer, CoreMIDI, WinMM via RtMidi), where the
// MIDI system has its own thread and no frame clock: pure functions between host time and frames,
// kept apart from RtMidi so they are tested without a device.
//
//   input   RtMidi's thread stamps a message with CLOCK_MONOTONIC; the audio callback places it on
//           frame_at_host_time(stamp) + a fixed latency (one period), clamped into its block: the
//           same constant delay JACK gives, so the jitter is the clock model's, not the callback's.
//   output  the audio callback hands out each message with its output frame; a sender thread sends it
//           at host_time_at_frame(frame + latency).
//
// Threading: every function allocates nothing and may run on the audio thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "core/frames.h"
#include "core/midi_input.h"

namespace tactus {

// A MIDI message as the MIDI system's thread received it.
struct StampedMidi {
    std::int64_t host_ns = 0;  // CLOCK_MONOTONIC at receipt
    std::uint8_t bytes[3] = {0, 0, 0};
    int size = 0;
};

// A MIDI message the engine sent, on its output frame.
struct FramedMidi {
    Frame frame = 0;
    std::uint8_t bytes[3] = {0, 0, 0};
    int size = 0;
};

// A MIDI message to send at a host time.
struct TimedMidi {
    std::int64_t send_at_ns = 0;
    std::uint8_t bytes[3] = {0, 0, 0};
    int size = 0;
};

// Whether RtMidi's message is one the engine plays: a channel voice message of 1 to 3 bytes (the
// same filter as JACK's midi_in).
inline bool is_channel_message(const std::uint8_t* bytes, std::size_t size) {
    return size >= 1 && size <= 3 && bytes[0] >= 0x80 && bytes[0] < 0xF0;
}

// Places received messages in the block [block_frame, block_frame + frames): message i on
// frame_at(host_ns) + latency_frames, clamped into the block (a late one at offset 0), never before
// the message ahead of it, so the block stays in time order. Writes `stamped.size()` events to `out`.
template <class FrameAtHostTime>
void place_midi_input(std::span<const StampedMidi> stamped, Frame block_frame, int frames, int latency_frames,
                      FrameAtHostTime&& frame_at, MidiInputEvent* out) {
    int previous = 0;
    for (std::size_t i = 0; i < stamped.size(); ++i) {
        const Frame frame = frame_at(stamped[i].host_ns) + latency_frames;
        const int offset = static_cast<int>(std::clamp<Frame>(frame - block_frame, previous, frames - 1));
        MidiInputEvent& e = out[i];
        e.offset = offset;
        e.size = stamped[i].size;
        for (int b = 0; b < 3; ++b) e.bytes[b] = stamped[i].bytes[b];
        previous = offset;
    }
}

// Sorts a block's output messages by offset, keeping the order of those on one frame (a note-off
// before the note-on that follows it). Insertion sort: no allocation, and blocks are nearly sorted.
inline void sort_midi_by_offset(MidiInputEvent* events, int count) {
    for (int i = 1; i < count; ++i) {
        const MidiInputEvent e = events[i];
        int j = i;
        for (; j > 0 && events[j - 1].offset > e.offset; --j) events[j] = events[j - 1];
        events[j] = e;
    }
}

inline FramedMidi framed(const MidiInputEvent& e, Frame block_frame) {
    FramedMidi f;
    f.frame = block_frame + e.offset;
    f.size = e.size;
    for (int b = 0; b < 3; ++b) f.bytes[b] = e.bytes[b];
    return f;
}

// When to send an output message: the host time of its frame, `latency_frames` later (the sender
// needs the time of a period to wake up and send before it is due).
template <class HostTimeAtFrame>
TimedMidi time_midi_output(const FramedMidi& message, int latency_frames, HostTimeAtFrame&& host_time_at) {
    TimedMidi t;
    t.send_at_ns = host_time_at(message.frame + latency_frames);
    t.size = message.size;
    for (int b = 0; b < 3; ++b) t.bytes[b] = message.bytes[b];
    return t;
}

}  // namespace tactus
