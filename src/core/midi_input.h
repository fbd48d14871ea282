// A short MIDI message received live during an audio period, at its frame offset in the block: what
// an audio backend with MIDI input (JACK's "midi_in" port) hands the engine. Channel voice messages
// only (note on/off, controllers, program, pressure, pitch bend). Plain value, realtime-safe.
#pragma once

#include <cstdint>

namespace tactus {

struct MidiInputEvent {
    int offset = 0;  // 0 .. frames-1 within the block
    std::uint8_t bytes[3] = {0, 0, 0};
    int size = 0;
};

}  // namespace tactus
