// A controller event as the MIDI channel message that carries it: control change, program change,
// channel pressure or pitch bend (-1..1 of the bend range as 0..16383, 8192 centred), values rounded
// and clamped to MIDI's ranges. The MIDI output and LV2 instruments send what this gives.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "core/score.h"

namespace tactus {

struct MidiChannelMessage {
    std::array<std::uint8_t, 3> bytes{};
    int size = 3;  // 2 for program change and channel pressure
};

inline MidiChannelMessage midi_channel_message(const ControllerEvent& event, int channel) {
    const auto byte = [](long v) { return static_cast<std::uint8_t>(std::clamp(v, 0L, 127L)); };
    const auto status = [channel](int kind) {
        return static_cast<std::uint8_t>(kind | std::clamp(channel, 0, 15));
    };
    switch (event.kind) {
        case ControllerKind::ControlChange:
            return {{status(0xB0), byte(event.number), byte(std::lround(event.value))}, 3};
        case ControllerKind::ProgramChange:
            return {{status(0xC0), byte(event.number), 0}, 2};
        case ControllerKind::ChannelPressure:
            return {{status(0xD0), byte(std::lround(event.value)), 0}, 2};
        case ControllerKind::PitchBend: {
            const long v = std::clamp(std::lround(event.value * 8192.0) + 8192, 0L, 16383L);
            return {{status(0xE0), static_cast<std::uint8_t>(v & 0x7F), static_cast<std::uint8_t>(v >> 7)},
                    3};
        }
    }
    return {};
}

}  // namespace tactus
