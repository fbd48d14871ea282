// MIDI Tuning Standard scale/octave tuning (SysEx F0 7E|7F <device> 08 08|09 ...): the cents by which
// each pitch class of a channel is tuned from a tick on. Tactus notes carry their own cents, so an
// imported file's tuning becomes the cents of the notes it tunes (as FluidSynth plays it).
//
// Plain values: built and read by one thread (the importer).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "core/midi_file.h"

namespace tactus {

class MidiScaleTuning {
public:
    // Every scale/octave tuning message in `file` (1-byte and 2-byte forms, realtime or not, any
    // device); other SysEx messages are ignored.
    explicit MidiScaleTuning(const MidiFile& file);

    // The cents of `pitch` on `channel` (0..15) for a note starting at `tick` (the last tuning at or
    // before it; 0 when none).
    double cents(int channel, int pitch, std::uint64_t tick) const;
    // How many tuning messages the file holds.
    std::size_t messages() const { return messages_; }

private:
    using Scale = std::array<double, 12>;
    std::array<std::map<std::uint64_t, Scale>, 16> by_channel_;
    std::size_t messages_ = 0;
};

}  // namespace tactus
