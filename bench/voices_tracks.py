#!/usr/bin/python3
"""A score of VOICES held synth voices spread over TRACKS tracks, for the realtime voice-count benchmark
(bench/jack_voices_workers.sh): each track holds its share of notes over 16 beats at 120 bpm (8 s),
staggered so that note-ons and note-offs fall in different cycles, then starts again.

    voices_tracks.py VOICES TRACKS [PRESET] > song.json
"""
import json
import sys


def main():
    voices, tracks = int(sys.argv[1]), int(sys.argv[2])
    preset = sys.argv[3] if len(sys.argv) > 3 else "saw"
    doc = {"format": "tactus", "version": 1, "title": "%d voices on %d tracks" % (voices, tracks),
           "tempo": [{"beat": 0, "bpm": 120}], "tracks": []}
    next_id = 1
    for t in range(tracks):
        share = voices // tracks + (1 if t < voices % tracks else 0)
        notes = []
        for v in range(share):
            start = (v * 0.37) % 1.0
            notes.append({"id": next_id, "start": start, "length": 15.0 - start,
                          "pitch": 36 + (t * 5 + v * 7) % 60, "velocity": 60 + (v * 11) % 40})
            next_id += 1
        doc["tracks"].append({"id": t + 1, "name": "voices %d" % (t + 1), "preset": preset,
                              "level": min(1.0, 2.0 / max(1, voices)), "pan": (t % 9 - 4) / 5,
                              "notes": notes})
    json.dump(doc, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
