#!/usr/bin/python3
"""A document of N notes on 16 synth tracks, for the memory and load-time benchmark
(bench/notes_memory.sh): sixteenth notes at 120 bpm, each track a different register, the way a long
dense piece is written (ids, starts, lengths, pitches, velocities, some with cents).

    many_notes.py N > song.json
"""
import json
import sys


def main():
    total = int(sys.argv[1])
    tracks = 16
    out = sys.stdout
    out.write('{"format": "tactus", "version": 1, "title": "%d notes", "tempo": [{"beat": 0, "bpm": 120}],\n'
              ' "tracks": [\n' % total)
    next_id = 1
    for t in range(tracks):
        share = total // tracks + (1 if t < total % tracks else 0)
        out.write('  {"id": %d, "name": "track %d", "preset": "sine", "level": 0.1, "notes": [\n' % (t + 1, t + 1))
        lines = []
        for k in range(share):
            note = {"id": next_id, "start": k * 0.25 + (t % 4) / 64, "length": 0.2,
                    "pitch": 36 + (t * 3 + k * 7) % 60, "velocity": 40 + (k * 13) % 87}
            if k % 10 == 3:
                note["cents"] = -12.5
            lines.append("   " + json.dumps(note))
            next_id += 1
        out.write(",\n".join(lines))
        out.write("\n  ]}%s\n" % ("," if t + 1 < tracks else ""))
    out.write(" ]}\n")


if __name__ == "__main__":
    main()
