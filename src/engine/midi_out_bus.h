// MIDI going out of the engine in one audio block: messages with their frame offsets, written by the
// "midi" instrument (engine/midi_out_instrument.h) while the block renders and handed to the audio
// backend afterwards (JACK's "midi_out" port). Fixed capacity: no allocation.
//
// Threading: audio thread only, except emergency_all_notes_off(), which a crash handler may call
// from any thread (an atomic flag the next block acts on).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "core/frames.h"
#include "core/midi_input.h"

namespace tactus {

class MidiOutBus {
public:
    static constexpr int kCapacity = 1024;

    // A new block begins at output frame `block_start`: the previous block's messages are gone.
    void begin_block(Frame block_start = 0) {
        count_ = 0;
        block_start_ = block_start;
        ++block_serial_;
        if (emergency_flag().exchange(false, std::memory_order_acq_rel)) {
            for (std::uint8_t channel = 0; channel < 16; ++channel) {
                push(0, {std::uint8_t(0xB0 | channel), 123, 0});  // all notes off
                push(0, {std::uint8_t(0xB0 | channel), 64, 0});   // sustain pedal up
            }
        }
    }
    std::uint64_t block_serial() const { return block_serial_; }
    // False when the block already holds kCapacity messages (the message is dropped).
    bool push(int offset, std::array<std::uint8_t, 3> bytes, int size = 3) {
        if (count_ == kCapacity) return false;
        MidiInputEvent& e = events_[static_cast<std::size_t>(count_++)];
        e.offset = offset;
        e.size = size;
        for (int b = 0; b < 3; ++b) e.bytes[b] = bytes[static_cast<std::size_t>(b)];
        return true;
    }
    // The same, placed by output frame (at or after the block's start) rather than offset.
    bool push_at(Frame output_frame, std::array<std::uint8_t, 3> bytes, int size = 3) {
        return push(static_cast<int>(output_frame - block_start_), bytes, size);
    }
    const MidiInputEvent* events() const { return events_.data(); }
    int count() const { return count_; }

    // Any thread, async-signal-safe: the next block starts with all notes off on every channel (a
    // crash handler's last word to external synths).
    static void emergency_all_notes_off() { emergency_flag().store(true, std::memory_order_release); }

private:
    static std::atomic<bool>& emergency_flag() {
        static std::atomic<bool> flag{false};
        return flag;
    }
    std::array<MidiInputEvent, kCapacity> events_{};
    int count_ = 0;
    Frame block_start_ = 0;
    std::uint64_t block_serial_ = 0;
};

}  // namespace tactus
