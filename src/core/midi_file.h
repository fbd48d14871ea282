// Standard MIDI Files as they are on disk: header, track chunks, timed events (channel messages,
// sysex, meta). Reading checks every length and offset against the buffer and names the byte of any
// defect; writing produces format 0/1/2 files with explicit status bytes.
//
// Read leniently where real files need it, strictly where a guess would lose data:
//  - running status is kept across meta and sysex events (the spec says they cancel it; real files
//    rely on it, and a data byte after a meta event has no other reading);
//  - unknown chunk types are skipped; bytes after a track's End of Track are ignored (warning);
//  - a track chunk without End of Track ends at its chunk's end (warning);
//  - fewer track chunks than the header announces, or a format-0 file with several tracks: warning;
//  - a chunk that claims more bytes than the file has, a variable-length quantity over 4 bytes, a data
//    byte with no running status, a status byte of a system common/realtime message (0xF1..0xFE), an
//    event cut off by its chunk's end, or a missing or short MThd: an error naming the byte offset.
//
// Threading: plain values and reentrant functions, any thread but the audio thread (they allocate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tactus {

enum class MidiEventKind : std::uint8_t { Channel, Sysex, SysexEscape, Meta };

struct MidiEvent {
    std::uint64_t tick = 0;  // absolute, from the start of its track
    MidiEventKind kind = MidiEventKind::Channel;
    std::uint8_t status = 0;         // Channel: 0x80..0xEF; Sysex 0xF0; SysexEscape 0xF7; Meta 0xFF
    std::uint8_t meta_type = 0;      // Meta only (0x51 tempo, 0x58 time signature, 0x2F end of track, ...)
    std::vector<std::uint8_t> data;  // Channel: 1 or 2 data bytes; Sysex/Meta: the payload
    std::size_t offset = 0;          // byte offset of the event (its delta time) in the file

    int channel() const { return status & 0x0F; }
    int type() const { return status & 0xF0; }  // 0x80 note off, 0x90 note on, 0xB0 controller...
    friend bool operator==(const MidiEvent& a, const MidiEvent& b) {
        return a.tick == b.tick && a.kind == b.kind && a.status == b.status && a.meta_type == b.meta_type &&
               a.data == b.data;  // the offset is where it was read, not what it is
    }
};

struct MidiTrackChunk {
    std::vector<MidiEvent> events;  // in file order (ticks never decrease); End of Track not included
    std::uint64_t end_tick = 0;     // tick of its End of Track (or of its last event)
    std::size_t offset = 0;         // byte offset of the chunk's "MTrk"
};

struct MidiDivision {
    bool smpte = false;
    int ticks_per_quarter = 480;  // metrical
    int frames_per_second = 0;    // SMPTE: 24, 25, 29 (29.97 drop frame) or 30
    int ticks_per_frame = 0;      // SMPTE
};

struct MidiFile {
    int format = 1;
    MidiDivision division;
    std::vector<MidiTrackChunk> tracks;
};

struct MidiReadResult {
    std::optional<MidiFile> file;
    std::string error;  // "byte 1234: ..." (read_midi_file prefixes the path)
    std::vector<std::string> warnings;
};

MidiReadResult parse_midi(std::span<const std::uint8_t> bytes);
MidiReadResult read_midi_file(const std::string& path);

// The file's bytes: every event with its own status byte (no running status), End of Track added.
std::vector<std::uint8_t> serialise_midi(const MidiFile& file);

}  // namespace tactus
