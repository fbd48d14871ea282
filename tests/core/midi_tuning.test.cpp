// MIDI Tuning Standard scale/octave tuning in an imported file becomes the cents of the notes it tunes:
// the 1-byte form (cents - 64) and the 2-byte form (14 bits over +-100 cents), realtime and not, for
// the channels its mask names, from its tick on (a note started before keeps its tuning).
#include "core/midi_tuning.h"

#include <gtest/gtest.h>

#include "core/midi_convert.h"

namespace tactus {
namespace {

MidiEvent sysex(std::uint64_t tick, std::vector<std::uint8_t> data) {
    MidiEvent e;
    e.tick = tick;
    e.kind = MidiEventKind::Sysex;
    e.status = 0xF0;
    data.push_back(0xF7);
    e.data = std::move(data);
    return e;
}

MidiEvent channel_event(std::uint64_t tick, std::uint8_t status, std::uint8_t a, std::uint8_t b) {
    MidiEvent e;
    e.tick = tick;
    e.status = status;
    e.data = {a, b};
    return e;
}

// 1-byte form, every channel: C +62, C# -62, then D..B at 0 (64).
MidiEvent one_byte(std::uint64_t tick, std::uint8_t mask_high, std::uint8_t mask_mid, std::uint8_t mask_low) {
    std::vector<std::uint8_t> d = {0x7F, 0x7F, 0x08, 0x08, mask_high, mask_mid, mask_low, 126, 2};
    for (int i = 2; i < 12; ++i) d.push_back(64);
    return sysex(tick, d);
}

TEST(MidiScaleTuning, the_one_byte_form_tunes_the_channels_of_its_mask_from_its_tick) {
    MidiFile file;
    file.tracks.push_back({{one_byte(100, 0x00, 0x00, 0x01)}, 200});  // channel 1 only
    const MidiScaleTuning tuning(file);
    EXPECT_EQ(tuning.messages(), 1u);
    EXPECT_EQ(tuning.cents(0, 60, 99), 0.0);
    EXPECT_EQ(tuning.cents(0, 60, 100), 62.0);
    EXPECT_EQ(tuning.cents(0, 73, 150), -62.0);
    EXPECT_EQ(tuning.cents(0, 62, 150), 0.0);
    EXPECT_EQ(tuning.cents(1, 60, 150), 0.0) << "channel 2 is not in the mask";
}

TEST(MidiScaleTuning, the_two_byte_form_spans_plus_minus_100_cents_and_the_mask_reaches_channel_16) {
    std::vector<std::uint8_t> d = {0x7E, 0x00, 0x08, 0x09, 0x02, 0x00, 0x00};
    d.insert(d.end(), {0x7F, 0x7F, 0x00, 0x00});  // C: +99.99, C#: -100
    for (int i = 2; i < 12; ++i) d.insert(d.end(), {0x40, 0x00});
    MidiFile file;
    file.tracks.push_back({{sysex(0, d)}, 10});
    const MidiScaleTuning tuning(file);
    EXPECT_NEAR(tuning.cents(15, 48, 0), 99.988, 0.001);
    EXPECT_EQ(tuning.cents(15, 49, 0), -100.0);
    EXPECT_EQ(tuning.cents(14, 48, 0), 0.0);
}

TEST(MidiScaleTuning, other_sysex_messages_are_ignored) {
    MidiFile file;
    file.tracks.push_back({{sysex(0, {0x7E, 0x7F, 0x09, 0x01}), sysex(0, {0x41, 0x10, 0x42, 0x12})}, 10});
    EXPECT_EQ(MidiScaleTuning(file).messages(), 0u);
}

TEST(MidiScaleTuning, imported_notes_carry_the_cents_of_their_start) {
    MidiFile file;
    file.division.ticks_per_quarter = 96;
    // Tuning in one track, notes in another: C before the tuning, C and C# after it.
    file.tracks.push_back({{one_byte(96, 0x03, 0x7F, 0x7F)}, 96});
    file.tracks.push_back({{channel_event(0, 0x90, 60, 100), channel_event(48, 0x80, 60, 0),
                            channel_event(96, 0x90, 60, 100), channel_event(144, 0x80, 60, 0),
                            channel_event(144, 0x90, 61, 100), channel_event(192, 0x80, 61, 0)},
                           192});
    const MidiImportResult imported = import_midi(file);
    ASSERT_TRUE(imported.document);
    const auto& notes = imported.document->tracks.at(0).notes;
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_EQ(notes[0].cents, 0.0);
    EXPECT_EQ(notes[1].cents, 62.0);
    EXPECT_EQ(notes[2].cents, -62.0);
}

}  // namespace
}  // namespace tactus
