// A controller event becomes the MIDI channel message the MIDI output and LV2 instruments send: its
// status on the channel, its data bytes rounded and clamped, two bytes for program and pressure.
#include "engine/midi_channel_message.h"

#include <gtest/gtest.h>

namespace tactus {
namespace {

using Bytes = std::array<std::uint8_t, 3>;

TEST(MidiChannelMessage, each_kind_of_controller_becomes_its_message_on_the_channel) {
    const auto cc = midi_channel_message({0.0, ControllerKind::ControlChange, 64, 126.6}, 3);
    EXPECT_EQ(cc.bytes, (Bytes{0xB3, 64, 127}));
    EXPECT_EQ(cc.size, 3);
    const auto program = midi_channel_message({0.0, ControllerKind::ProgramChange, 48, 0.0}, 0);
    EXPECT_EQ(program.bytes, (Bytes{0xC0, 48, 0}));
    EXPECT_EQ(program.size, 2);
    const auto pressure = midi_channel_message({0.0, ControllerKind::ChannelPressure, 0, 99.4}, 15);
    EXPECT_EQ(pressure.bytes, (Bytes{0xDF, 99, 0}));
    EXPECT_EQ(pressure.size, 2);
    // Bend: -1..1 of the range as 0..16383 around 8192, low seven bits first.
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::PitchBend, 0, 0.0}, 1).bytes, (Bytes{0xE1, 0, 64}));
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::PitchBend, 0, -1.0}, 1).bytes, (Bytes{0xE1, 0, 0}));
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::PitchBend, 0, 1.0}, 1).bytes,
              (Bytes{0xE1, 127, 127}));
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::PitchBend, 0, 0.5}, 1).bytes, (Bytes{0xE1, 0, 96}));
}

TEST(MidiChannelMessage, values_outside_midi_are_clamped) {
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::ControlChange, 200, -5.0}, 20).bytes,
              (Bytes{0xBF, 127, 0}));
    EXPECT_EQ(midi_channel_message({0.0, ControllerKind::PitchBend, 0, 3.0}, 0).bytes,
              (Bytes{0xE0, 127, 127}));
}

}  // namespace
}  // namespace tactus
