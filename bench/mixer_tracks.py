#!/usr/bin/python3
"""A mix for the mixer benchmarks (bench/mixer_jack_tracks.sh): N synth tracks, each through an EQ
(x42 fil4) and a compressor (x42 darc) and sending post-fader to one reverb bus (Dragonfly Plate),
every track playing eighth-note chords for 16 beats at 120 bpm.

    mixer_tracks.py N > song.json
"""
import json
import sys

EQ = "http://gareus.org/oss/lv2/fil4#stereo"
COMPRESSOR = "http://gareus.org/oss/lv2/darc#stereo"
REVERB = "urn:dragonfly:plate"


def track(i):
    root = 36 + (i * 7) % 36
    notes = []
    for step in range(32):
        for k, interval in enumerate((0, 4, 7)):
            notes.append({"id": i * 1000 + step * 3 + k + 1, "start": step * 0.5, "length": 0.45,
                          "pitch": root + interval, "velocity": 70 + (step * 5) % 50})
    return {
        "id": i + 1, "name": "track %d" % (i + 1), "preset": "saw", "level": 0.08, "pan": (i % 9 - 4) / 5,
        "inserts": [
            {"plugin": EQ, "parameters": {"HighPass": 1, "HPfreq": 80, "sec1": 1, "freq1": 400, "gain1": -3,
                                          "sec3": 1, "freq3": 3000, "gain3": 2}},
            {"plugin": COMPRESSOR, "parameters": {"threshold": -20, "Ratio": 0.5}},
        ],
        "sends": [{"bus": 1, "level": 0.3}],
        "notes": notes,
    }


def main():
    n = int(sys.argv[1])
    doc = {"format": "tactus", "version": 1, "title": "%d tracks, EQ + compressor + reverb send" % n,
           "tempo": [{"beat": 0, "bpm": 120}],
           "buses": [{"id": 1, "name": "Plate", "inserts": [{"plugin": REVERB, "parameters": {"dry_level": 0}}]}],
           "tracks": [track(i) for i in range(n)]}
    json.dump(doc, sys.stdout, indent=1)


main()
