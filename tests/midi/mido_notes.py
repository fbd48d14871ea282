#!/usr/bin/python3
"""Prints the notes of a Standard MIDI File as read by mido (python3-mido), an independent reader, for
tests/core/midi_real_files.test.cpp: one line per note,

    track channel pitch velocity start_us end_us

with times in microseconds (rounded to 0.001). The rules are Tactus's documented ones (docs/midi.md),
applied here on mido's messages: tempo events of every track make one tempo map; a note-on with
velocity 0 is a note-off; notes of one pitch and channel in one track pair first-in first-out; a note
never ended closes at its track's end. Exit status 3 when mido rejects the file.
"""
import sys

import mido


def main(path):
    try:
        midi = mido.MidiFile(path)
    except Exception as error:  # mido refuses some valid files (running status across sysex)
        print(f"mido rejects {path}: {error!r}", file=sys.stderr)
        return 3
    ppq = midi.ticks_per_beat
    tempo_changes = {}  # tick -> microseconds per quarter
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "set_tempo":
                tempo_changes[tick] = message.tempo
    changes = sorted(tempo_changes.items())
    if not changes or changes[0][0] != 0:
        changes.insert(0, (0, 500000))

    def microseconds(tick):
        total, last_tick, tempo = 0.0, 0, changes[0][1]
        for change_tick, change_tempo in changes:
            if change_tick > tick:
                break
            total += (change_tick - last_tick) * tempo / ppq
            last_tick, tempo = change_tick, change_tempo
        return total + (tick - last_tick) * tempo / ppq

    lines = []
    for index, track in enumerate(midi.tracks):
        tick = 0
        open_notes = {}
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                open_notes.setdefault((message.channel, message.note), []).append((tick, message.velocity))
            elif message.type in ("note_on", "note_off"):
                queue = open_notes.get((message.channel, message.note))
                if queue:
                    start, velocity = queue.pop(0)
                    lines.append((index, message.channel, message.note, velocity, start, tick))
        for (channel, note), queue in open_notes.items():
            for start, velocity in queue:
                lines.append((index, channel, note, velocity, start, tick))
    for index, channel, note, velocity, start, end in sorted(lines):
        print(f"{index} {channel} {note} {velocity} {microseconds(start):.3f} {microseconds(end):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
