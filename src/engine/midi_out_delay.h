// The engine's MIDI output, delayed by its lookahead like its audio (engine/compensated_mix.h): a
// message sent while the engine renders frame F leaves on output frame F, in step with the sound.
// Messages keep the order they were sent in. Fixed capacity: no allocation.
//
// Threading: audio thread only.
#pragma once

#include <array>
#include <cstdint>

#include "core/frames.h"
#include "core/midi_input.h"
#include "engine/midi_out_bus.h"

namespace tactus {

class MidiOutDelay {
public:
    static constexpr int kCapacity = 4 * MidiOutBus::kCapacity;

    // Holds the messages of the engine block that began at engine frame `block_start`.
    void hold(const MidiOutBus& sent, Frame block_start) {
        for (int i = 0; i < sent.count(); ++i) {
            if (count_ == kCapacity) {
                ++dropped_;
                continue;
            }
            held_[static_cast<std::size_t>(count_++)] = {block_start + sent.events()[i].offset,
                                                         sent.events()[i]};
        }
    }
    // Starts `out` on the output block [start, start + frames) and moves into it every held message due
    // there (one overdue goes first, on offset 0). What `out` has no room for waits for the next block.
    void release(Frame start, int frames, MidiOutBus& out) {
        out.begin_block(start);
        int kept = 0;
        for (int i = 0; i < count_; ++i) {
            const Held& h = held_[static_cast<std::size_t>(i)];
            const bool due = h.frame < start + frames;
            if (due && out.push(static_cast<int>(h.frame < start ? 0 : h.frame - start),
                                {h.event.bytes[0], h.event.bytes[1], h.event.bytes[2]}, h.event.size))
                continue;
            held_[static_cast<std::size_t>(kept++)] = h;
        }
        count_ = kept;
    }
    int held() const { return count_; }
    // Messages lost because more were waiting than kCapacity.
    std::uint64_t dropped() const { return dropped_; }

private:
    struct Held {
        Frame frame = 0;
        MidiInputEvent event{};
    };
    std::array<Held, kCapacity> held_{};
    int count_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace tactus
