// The MIDI file reader, writer and conversion, on small files built here byte by byte: one test per
// rule of docs/midi.md, malformed files refused with the byte offset in the message, and a document ->
// SMF -> document round trip exact to the tick.
#include "core/midi_file.h"

#include <gtest/gtest.h>

#include "core/midi_convert.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes header(int format, int tracks, int division) {
    return {'M',
            'T',
            'h',
            'd',
            0,
            0,
            0,
            6,
            0,
            std::uint8_t(format),
            0,
            std::uint8_t(tracks),
            std::uint8_t(division >> 8),
            std::uint8_t(division)};
}

Bytes track(Bytes body, bool end_of_track = true) {
    if (end_of_track) body.insert(body.end(), {0x00, 0xFF, 0x2F, 0x00});
    const auto n = static_cast<std::uint32_t>(body.size());
    const std::uint8_t head[8] = {'M',
                                  'T',
                                  'r',
                                  'k',
                                  std::uint8_t(n >> 24),
                                  std::uint8_t(n >> 16),
                                  std::uint8_t(n >> 8),
                                  std::uint8_t(n)};
    body.insert(body.begin(), std::begin(head), std::end(head));
    return body;
}

Bytes file(int format, int division, std::vector<Bytes> tracks) {
    Bytes out = header(format, int(tracks.size()), division);
    for (const Bytes& t : tracks) out.insert(out.end(), t.begin(), t.end());
    return out;
}

Document imported(const Bytes& bytes, std::vector<std::string>* warnings = nullptr) {
    const MidiReadResult read = parse_midi(bytes);
    EXPECT_TRUE(read.file.has_value()) << read.error;
    if (!read.file) return Document();
    MidiImportResult result = import_midi(*read.file);
    if (warnings) {
        *warnings = read.warnings;
        warnings->insert(warnings->end(), result.warnings.begin(), result.warnings.end());
    }
    return result.document ? *result.document : Document();
}

std::string refused(const Bytes& bytes) {
    const MidiReadResult read = parse_midi(bytes);
    EXPECT_FALSE(read.file.has_value());
    return read.error;
}

// ------------------------------------------------------------------------------------------------
// Reading

TEST(MidiRead, running_status_carries_across_meta_and_sysex_events) {
    // C4 on at 0; a text meta at 16; C4 off (running status, velocity 0) at 32; a sysex at 48;
    // D4 on at 48 and off at 96, both in running status.
    const Document doc =
        imported(file(0, 96, {track({0x00, 0x90, 60,   100,  0x10, 0xFF, 0x01, 0x01, 'x',  0x10, 60, 0,
                                     0x10, 0xF0, 0x02, 0x7E, 0xF7, 0x00, 62,   90,   0x30, 62,   0})}));
    ASSERT_EQ(doc.tracks.size(), 1u);
    const auto& notes = doc.tracks[0].notes;
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0], test::note(1, 0.0, 32.0 / 96, 60, 100));
    EXPECT_EQ(notes[1], test::note(2, 0.5, 0.5, 62, 90));
}

TEST(MidiRead, a_note_on_with_velocity_0_ends_the_note) {
    const Document doc = imported(file(0, 480, {track({0x00, 0x90, 64, 80, 0x83, 0x60, 0x90, 64, 0})}));
    ASSERT_EQ(doc.tracks.at(0).notes.size(), 1u);
    EXPECT_EQ(doc.tracks[0].notes[0].length, 1.0);  // 0x83 0x60 = 480 ticks
}

TEST(MidiRead, overlapping_notes_of_one_pitch_pair_first_in_first_out) {
    // on A at 0, on B at 10, off at 20 (ends A), off at 30 (ends B).
    const Document doc = imported(file(
        0, 10, {track({0x00, 0x90, 60, 100, 0x0A, 0x90, 60, 50, 0x0A, 0x80, 60, 0, 0x0A, 0x80, 60, 0})}));
    const auto& notes = doc.tracks.at(0).notes;
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0], test::note(1, 0.0, 2.0, 60, 100));
    EXPECT_EQ(notes[1], test::note(2, 1.0, 2.0, 60, 50));
}

TEST(MidiRead, a_note_never_ended_closes_at_its_tracks_end_with_a_warning) {
    std::vector<std::string> warnings;
    const Document doc =
        imported(file(0, 4, {track({0x00, 0x90, 60, 100, 0x08, 0xFF, 0x2F, 0x00}, false)}), &warnings);
    ASSERT_EQ(doc.tracks.at(0).notes.size(), 1u);
    EXPECT_EQ(doc.tracks[0].notes[0].length, 2.0);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "track 1, channel 1: 1 notes never ended; closed at the track's end");
}

TEST(MidiRead, a_format_0_file_with_two_tracks_is_read_with_a_warning) {
    std::vector<std::string> warnings;
    const Document doc = imported(file(0, 96,
                                       {track({0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0}),
                                        track({0x00, 0x91, 67, 100, 0x60, 0x81, 67, 0})}),
                                  &warnings);
    EXPECT_EQ(doc.tracks.size(), 2u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0], "format 0 file with 2 tracks: read as format 1");
}

TEST(MidiRead, format_2_sequences_each_start_at_time_zero) {
    const Document doc = imported(file(
        2, 96,
        {track({0x60, 0x90, 60, 100, 0x60, 0x80, 60, 0}), track({0x60, 0x90, 72, 100, 0x60, 0x80, 72, 0})}));
    ASSERT_EQ(doc.tracks.size(), 2u);
    EXPECT_EQ(doc.tracks[0].notes.at(0).start, 1.0);
    EXPECT_EQ(doc.tracks[1].notes.at(0).start, 1.0) << "the second sequence starts at zero too";
}

TEST(MidiRead, an_smpte_division_times_notes_in_seconds) {
    // 25 frames/s, 40 ticks/frame: 1000 ticks per second. A note at tick 1000 for 500 ticks: 1 s for
    // 0.5 s, which at the constant 120 bpm of an SMPTE import is beat 2 for one beat.
    const int division = (0xE7 << 8) | 40;  // -25 as a signed byte, then 40
    const Document doc =
        imported(file(0, division, {track({0x87, 0x68, 0x90, 60, 100, 0x83, 0x74, 0x80, 60, 0})}));
    ASSERT_EQ(doc.tracks.at(0).notes.size(), 1u);
    EXPECT_DOUBLE_EQ(doc.tracks[0].notes[0].start, 2.0);
    EXPECT_DOUBLE_EQ(doc.tracks[0].notes[0].length, 1.0);
    EXPECT_DOUBLE_EQ(doc.tempo.bpm_at(0), 120.0);
}

TEST(MidiRead, a_tempo_change_in_any_track_sets_the_tempo_map) {
    // Track 2 (not the first) sets 60 bpm (1,000,000 µs) at beat 1.
    const Document doc = imported(file(1, 96,
                                       {track({0x00, 0x90, 60, 100, 0x81, 0x40, 0x80, 60, 0}),
                                        track({0x60, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40})}));
    ASSERT_EQ(doc.tempo.points().size(), 2u);
    EXPECT_EQ(doc.tempo.points()[1], (TempoPoint{1.0, 60.0, false}));
    EXPECT_DOUBLE_EQ(doc.tempo.seconds_at(2.0), 0.5 + 1.0);
}

TEST(MidiRead, sysex_is_kept_and_written_back) {
    const Bytes bytes =
        file(1, 96, {track({0x00, 0xF0, 0x05, 0x7E, 0x7F, 0x09, 0x01, 0xF7, 0x10, 0xF7, 0x02, 0x43, 0x10})});
    const MidiReadResult read = parse_midi(bytes);
    ASSERT_TRUE(read.file) << read.error;
    const auto& events = read.file->tracks.at(0).events;
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].kind, MidiEventKind::Sysex);
    EXPECT_EQ(events[0].data, (Bytes{0x7E, 0x7F, 0x09, 0x01, 0xF7}));
    EXPECT_EQ(events[1].kind, MidiEventKind::SysexEscape);
    EXPECT_EQ(events[1].tick, 16u);
    const MidiReadResult again = parse_midi(serialise_midi(*read.file));
    ASSERT_TRUE(again.file) << again.error;
    EXPECT_EQ(again.file->tracks.at(0).events, events);
}

TEST(MidiRead, programs_controllers_and_pitch_bend_become_controller_events) {
    // Program 33 (a bass), CC64 sustain down at 0 and up at 96, pitch bend fully up at 48, program 0
    // mid-track at 96.
    const Document doc = imported(
        file(0, 96, {track({0x00, 0xC0, 33,   0x00, 0xB0, 64, 127,  0x00, 0x90, 40,   100,  0x30, 0xE0,
                            0x7F, 0x7F, 0x30, 0xB0, 64,   0,  0x00, 0xC0, 0,    0x00, 0x80, 40,   0})}));
    ASSERT_EQ(doc.tracks.size(), 1u);
    const Track& t = doc.tracks[0];
    EXPECT_EQ(t.preset, "bass") << "the first program picks the preset";
    ASSERT_EQ(t.controllers.size(), 5u);
    EXPECT_EQ(t.controllers[0], (ControllerEvent{0.0, ControllerKind::ProgramChange, 33, 0.0}));
    EXPECT_EQ(t.controllers[1], (ControllerEvent{0.0, ControllerKind::ControlChange, 64, 127.0}));
    EXPECT_EQ(t.controllers[2], (ControllerEvent{0.5, ControllerKind::PitchBend, 0, 8191.0 / 8192.0}));
    EXPECT_EQ(t.controllers[3], (ControllerEvent{1.0, ControllerKind::ControlChange, 64, 0.0}));
    EXPECT_EQ(t.controllers[4], (ControllerEvent{1.0, ControllerKind::ProgramChange, 0, 0.0}));
}

TEST(MidiRead, channel_10_plays_the_drum_kit_and_each_channel_is_a_track) {
    const Document doc =
        imported(file(0, 96, {track({0x00, 0xFF, 0x03, 0x04, 'B',  'a',  'n', 'd', 0x00, 0x99, 36, 100,
                                     0x00, 0x90, 60,   100,  0x60, 0x89, 36,  0,   0x00, 0x80, 60, 0})}));
    ASSERT_EQ(doc.tracks.size(), 2u);
    EXPECT_EQ(doc.tracks[0].name, "Band (ch 1)");
    EXPECT_EQ(doc.tracks[0].midi_channel, 1);
    EXPECT_EQ(doc.tracks[1].name, "Band (ch 10)");
    EXPECT_EQ(doc.tracks[1].preset, "drums");
    EXPECT_EQ(doc.tracks[1].midi_channel, 10);
}

TEST(MidiRead, markers_and_time_signatures_are_kept) {
    // 3/4 from the start, a marker "B" at beat 6, 6/8 from beat 6 (bar 2).
    const Document doc =
        imported(file(1, 96, {track({0x00, 0xFF, 0x58, 0x04, 3,    2,    24,   8, 0x84, 0x40, 0xFF,
                                     0x06, 0x01, 'B',  0x00, 0xFF, 0x58, 0x04, 6, 3,    24,   8})}));
    EXPECT_EQ(doc.meter, (std::vector<TimeSignature>{{0, 3, 4}, {2, 6, 8}}));
    EXPECT_EQ(doc.markers, (std::vector<Marker>{{6.0, "B"}}));
}

// ------------------------------------------------------------------------------------------------
// Malformed files: refused, naming the byte.

TEST(MidiRead, a_file_without_a_header_is_refused) {
    EXPECT_EQ(refused({'R', 'I', 'F', 'F', 0, 0, 0, 0}),
              "byte 0: not a Standard MIDI File: it does not start with \"MThd\"");
    EXPECT_EQ(refused({'M', 'T', 'h'}), "byte 0: not a Standard MIDI File: it does not start with \"MThd\"");
}

TEST(MidiRead, a_header_that_is_cut_short_is_refused) {
    EXPECT_EQ(refused({'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1}),
              "byte 4: the MThd chunk claims 6 bytes but only 2 remain");
}

TEST(MidiRead, a_chunk_whose_length_lies_is_refused) {
    Bytes bytes = file(1, 96, {track({0x00, 0x90, 60, 100})});
    bytes[14 + 7] = 100;  // MTrk length: 100 bytes, 8 remain
    EXPECT_EQ(refused(bytes), "byte 18: chunk at byte 14 claims 100 bytes but only 8 remain");
}

TEST(MidiRead, a_variable_length_quantity_over_four_bytes_is_refused) {
    EXPECT_EQ(refused(file(1, 96, {track({0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 100})})),
              "byte 22: bad variable-length quantity: more than 4 bytes");
}

TEST(MidiRead, a_data_byte_with_no_running_status_is_refused) {
    EXPECT_EQ(refused(file(1, 96, {track({0x00, 60, 100})})),
              "byte 23: data byte 0x3C in track 1 with no running status");
}

TEST(MidiRead, an_event_cut_off_by_its_chunks_end_is_refused) {
    EXPECT_EQ(refused(file(1, 96, {track({0x00, 0x90, 60}, false)})),
              "byte 24: an event of track 1 is cut off: needs 2 more bytes, 1 left");
    EXPECT_EQ(refused(file(1, 96, {track({0x00, 0xFF, 0x01, 0x10, 'a'}, false)})),
              "byte 26: an event of track 1 is cut off: needs 16 more bytes, 1 left");
}

TEST(MidiRead, a_system_realtime_status_in_a_track_is_refused) {
    EXPECT_EQ(refused(file(1, 96, {track({0x00, 0xF8})})),
              "byte 23: status byte 0xF8 in track 1 is a system common/realtime message, which a MIDI file "
              "cannot hold");
}

// ------------------------------------------------------------------------------------------------
// Writing: document -> SMF -> document, exact to the tick.

TEST(MidiWrite, a_document_on_the_tick_grid_comes_back_exactly) {
    Document doc;
    doc.title = "Round trip";
    // Tempos a file can hold exactly (whole microseconds per quarter: 625000 and 480000).
    doc.tempo = test::tempo_map({{0, 96, false}, {8, 125, false}});
    doc.meter = {{0, 4, 4}, {2, 7, 8}};
    doc.markers = {{4.0, "verse"}};
    Track lead = test::track(1, "lead",
                             {test::note(1, 0.0, 1.5, 72, 100), test::note(2, 1.0, 0.25, 74, 64),
                              test::note(3, 3.0 + 7.0 / 480, 0.0, 76, 127)});
    lead.controllers = {{0.0, ControllerKind::ProgramChange, 84, 0.0},
                        {0.5, ControllerKind::ControlChange, 64, 127.0},
                        {2.0, ControllerKind::PitchBend, 0, -0.5},
                        {2.5, ControllerKind::ChannelPressure, 0, 33.0}};
    Track drums =
        test::track(2, "drums", {test::note(4, 0.0, 0.125, 36, 110), test::note(5, 0.5, 0.125, 38, 90)});
    doc.tracks = {lead, drums};

    const MidiExportResult exported = export_midi(doc);
    const MidiReadResult read = parse_midi(serialise_midi(exported.file));
    ASSERT_TRUE(read.file) << read.error;
    EXPECT_EQ(read.file->format, 1);
    EXPECT_EQ(read.file->division.ticks_per_quarter, 480);
    EXPECT_EQ(read.file->tracks.size(), 3u) << "a tempo-map track, then one per Tactus track";
    const MidiImportResult back = import_midi(*read.file);
    ASSERT_TRUE(back.document);
    const Document& got = *back.document;
    EXPECT_EQ(got.tempo, doc.tempo);
    EXPECT_EQ(got.meter, doc.meter);
    EXPECT_EQ(got.markers, doc.markers);
    ASSERT_EQ(got.tracks.size(), 2u);
    for (std::size_t t = 0; t < 2; ++t) {
        EXPECT_EQ(got.tracks[t].name, doc.tracks[t].name);
        EXPECT_EQ(got.tracks[t].preset, doc.tracks[t].preset);
        EXPECT_EQ(got.tracks[t].controllers, doc.tracks[t].controllers);
        ASSERT_EQ(got.tracks[t].notes.size(), doc.tracks[t].notes.size());
        for (std::size_t n = 0; n < doc.tracks[t].notes.size(); ++n) {
            Note expected = doc.tracks[t].notes[n];
            expected.id = got.tracks[t].notes[n].id;  // ids are the reader's own
            EXPECT_EQ(got.tracks[t].notes[n], expected) << "track " << t << " note " << n;
        }
    }
    EXPECT_EQ(got.tracks[1].midi_channel, 10);
}

}  // namespace
}  // namespace tactus
