// The MIDI channel a SoundFont track plays on, as its modulators read it: controllers, pitch wheel and
// its range, pressure. Reset values are General MIDI's (volume 100, pan centre, expression 127).
//
// Audio thread only (owned by the SoundFont instrument, read by its voices).
#pragma once

#include <array>
#include <cstdint>

namespace tactus::sf2 {

struct ChannelState {
    std::array<std::uint8_t, 128> cc{};
    std::array<std::uint8_t, 128> key_pressure{};
    std::uint8_t channel_pressure = 0;
    int pitch_wheel = 8192;                // 0..16383, 8192 centre
    double pitch_wheel_sensitivity = 2.0;  // semitones (RPN 0)

    ChannelState() { reset_controllers(); }
    // CC121 "reset all controllers", and the state a track starts in.
    void reset_controllers() {
        cc.fill(0);
        key_pressure.fill(0);
        cc[7] = 100;              // volume
        cc[10] = 64;              // pan
        cc[11] = 127;             // expression
        cc[100] = cc[101] = 127;  // no RPN selected
        channel_pressure = 0;
        pitch_wheel = 8192;
    }
    bool sustain_down() const { return cc[64] >= 64; }
};

}  // namespace tactus::sf2
