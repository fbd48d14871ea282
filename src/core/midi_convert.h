// Standard MIDI File <-> Tactus document (docs/midi.md says every rule; the main ones here).
//
// Import: a Tactus track per (MIDI track, channel) that has notes or controllers; note-on with
// velocity 0 is a note-off; overlapping notes of one pitch and channel pair first-in first-out; a
// note never ended closes at its track's end (warning). Tempo events of every track make the tempo
// map; time signatures the meter; marker events the markers; track names the names. Program changes,
// controllers (CC), pitch bend and channel pressure become the track's controller events. The first
// program picks the nearest built-in preset; channel 10 plays the drum kit (assign_general_midi_instruments
// gives them a SoundFont's General MIDI presets instead). Format 2 sequences each
// start at time zero (every sequence's tracks overlay from beat 0). SMPTE-timed files get a constant
// 120 bpm map, so beats are half-seconds.
//
// Export: format 1, 480 ticks per quarter by default: a tempo-map track (tempo, meter, markers), then
// one track per Tactus track on its own channel (drums on channel 10), with its program, notes and
// controller events. Tempo ramps are written as steps every 1/32 beat; cents have no place in a note
// and are dropped (warning).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/midi_file.h"
#include "core/score.h"

namespace tactus {

struct MidiImportResult {
    std::optional<Document> document;
    std::string error;
    std::vector<std::string> warnings;
};

MidiImportResult import_midi(const MidiFile& file);
// Reads and converts; errors and warnings are prefixed with the path.
MidiImportResult import_midi_file(const std::string& path);

struct MidiExportResult {
    MidiFile file;
    std::vector<std::string> warnings;
};
MidiExportResult export_midi(const Document& doc, int ticks_per_quarter = 480);

// The instruments of an imported file's tracks: with a `font` (a SoundFont path), each track plays
// that font's General MIDI preset for its first program change (0 when it has none), bank 0, and a
// channel-10 track the font's drum kit (bank 128); with "" the nearest built-in preset and the
// built-in drum kit. Tracks that came from no MIDI channel are left as they are.
void assign_general_midi_instruments(Document& doc, const std::string& font);

// The built-in preset that stands for a General MIDI program (0..127), and back.
std::string preset_for_gm_program(int program);
int gm_program_for_preset(const std::string& preset);

}  // namespace tactus
