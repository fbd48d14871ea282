#!/usr/bin/env python3
"""Writes a long, dense General MIDI piece (a Standard MIDI File, format 1) for the SoundFont benchmarks.

    bench/long_gm_piece.py OUT.mid [MINUTES]      (default 5 minutes)

Why: the real test files (tests/data/midi) are short, or long but one note at a time (all GM sounds in a
row): none keeps a realistic ensemble sounding for minutes. This one does: nine channels (piano with the
sustain pedal, strings, bass, flute with vibrato and pitch bends, brass, guitar with a program change
halfway, choir panning across, organ, and a drum kit whose open hi-hat the closed one chokes), chords
on every bar, volume/expression swells, and a few tempo changes: with FluidR3_GM, FluidSynth sounds
66 voices on average (10th-90th percentile 51-84, at most 112). Deterministic (a fixed seed), so every run measures the same file. Needs only Python.
"""
import random
import struct
import sys

TPQ = 480


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.append(0x80 | (n & 0x7F))
        n >>= 7
    return bytes(reversed(out))


def track_chunk(events):
    """events: (tick, order, bytes); sorted, delta-timed, End of Track appended."""
    events.sort(key=lambda e: (e[0], e[1]))
    data, last = bytearray(), 0
    for tick, _, message in events:
        data += vlq(tick - last) + message
        last = tick
    data += vlq(0) + b"\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(data)) + bytes(data)


class Track:
    def __init__(self, channel, program, name):
        self.channel, self.events = channel, []
        self.meta(0, 0x03, name.encode())
        if program is not None:
            self.program(0, program)

    def meta(self, tick, kind, payload):
        self.events.append((tick, 0, bytes([0xFF, kind]) + vlq(len(payload)) + payload))

    def program(self, tick, program):
        self.events.append((tick, 1, bytes([0xC0 | self.channel, program])))

    def cc(self, tick, number, value):
        self.events.append((tick, 2, bytes([0xB0 | self.channel, number, max(0, min(127, value))])))

    def bend(self, tick, value):  # -8192..8191
        v = max(0, min(16383, value + 8192))
        self.events.append((tick, 2, bytes([0xE0 | self.channel, v & 0x7F, v >> 7])))

    def note(self, tick, length, key, velocity):
        # Note-offs sort before note-ons at the same tick (order 3 < 4), so repeated keys re-strike.
        self.events.append((tick, 4, bytes([0x90 | self.channel, key, max(1, min(127, velocity))])))
        self.events.append((tick + length, 3, bytes([0x80 | self.channel, key, 0])))


def main():
    out = sys.argv[1]
    minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    rng = random.Random(14)
    bar = 4 * TPQ
    bars = int(minutes * 60 / 2)  # about 2 s a bar at 120 bpm
    progression = [[0, 4, 7], [9, 12, 16], [5, 9, 12], [7, 11, 14], [2, 5, 9], [7, 11, 14], [0, 4, 7], [4, 7, 11]]

    conductor = Track(0, None, "tempo")
    conductor.meta(0, 0x58, bytes([4, 2, 24, 8]))
    for b, bpm in [(0, 120), (bars // 4, 132), (bars // 2, 108), (3 * bars // 4, 126)]:
        conductor.meta(b * bar, 0x51, (60_000_000 // bpm).to_bytes(3, "big"))

    piano, strings, bass = Track(0, 0, "piano"), Track(1, 48, "strings"), Track(2, 33, "bass")
    flute, brass, guitar = Track(3, 73, "flute"), Track(4, 61, "brass"), Track(5, 24, "guitar")
    choir, organ, drums = Track(6, 52, "choir"), Track(7, 16, "organ"), Track(9, 0, "drums")
    for t, volume, pan in [(piano, 110, 64), (strings, 90, 40), (bass, 105, 64), (flute, 95, 88),
                           (brass, 85, 30), (guitar, 90, 96), (choir, 80, 64), (organ, 70, 20), (drums, 110, 64)]:
        t.cc(0, 7, volume)
        t.cc(0, 10, pan)
    guitar.program(bars // 2 * bar, 27)  # nylon -> clean electric, mid-track

    for b in range(bars):
        t0 = b * bar
        root = 48 + [0, 5, 7, 3][(b // 16) % 4]  # a key change every 16 bars
        chord = [root + i for i in progression[b % len(progression)]]
        loud = 60 + int(40 * (0.5 + 0.5 * ((b % 32) / 31)))
        # Piano: pedalled arpeggios, two octaves.
        piano.cc(t0, 64, 127)
        piano.cc(t0 + bar - 10, 64, 0)
        for i in range(8):
            key = chord[i % 3] + 12 * (1 + (i // 3) % 2)
            piano.note(t0 + i * TPQ // 2, TPQ // 2 - 20, key, loud + rng.randint(-15, 10))
        # Strings: the chord held all bar, with an expression swell.
        for k in chord + [chord[0] + 12]:
            strings.note(t0, bar - 30, k, 70 + rng.randint(0, 20))
        for i in range(8):
            strings.cc(t0 + i * bar // 8, 11, 70 + int(50 * (i / 7 if b % 2 == 0 else 1 - i / 7)))
        # Bass: quarters on the root and fifth.
        for i in range(4):
            bass.note(t0 + i * TPQ, TPQ - 40, chord[0] - 12 + (7 if i % 2 else 0), 95 + rng.randint(-10, 10))
        # Flute: a melody of eighths and quarters over the chord, vibrato (CC1) and a bend now and then.
        tick = t0
        while tick < t0 + bar:
            length = rng.choice([TPQ // 2, TPQ, TPQ])
            flute.note(tick, length - 15, rng.choice(chord) + 24 + rng.choice([0, 2, 0, 12]), 80 + rng.randint(0, 30))
            tick += length
        flute.cc(t0, 1, 30 + (b % 4) * 20)
        if b % 4 == 3:
            for i in range(9):
                flute.bend(t0 + 3 * TPQ + i * TPQ // 8, int(2000 * (i / 8)))
            flute.bend(t0 + bar - 5, 0)
        # Brass: stabs every other bar.
        if b % 2 == 1:
            for k in chord:
                brass.note(t0 + TPQ, TPQ // 2, k + 12, 100 + rng.randint(0, 20))
                brass.note(t0 + 3 * TPQ, TPQ, k + 12, 90 + rng.randint(0, 20))
        # Guitar: strummed chords on the off-beats.
        for i in (1, 3):
            for j, k in enumerate(chord + [chord[0] + 12, chord[1] + 12]):
                guitar.note(t0 + i * TPQ + j * 12, TPQ - 60, k + 12, 75 + rng.randint(0, 25))
        # Choir in the second and fourth quarters of the piece, panning across each bar.
        if (b * 4 // bars) % 2 == 1:
            for k in chord:
                choir.note(t0, bar - 20, k + 12, 70 + rng.randint(0, 15))
            for i in range(4):
                choir.cc(t0 + i * TPQ, 10, 20 + i * 30)
        # Organ in the second half.
        if b >= bars // 2:
            for k in chord:
                organ.note(t0, bar // 2 - 20, k, 80)
                organ.note(t0 + bar // 2, bar // 2 - 20, k + 12, 80)
        # Drums: kick, snare, closed hats on eighths with an open hat (class 1) on the last one,
        # a crash every 8 bars, a tom fill every 4.
        for i in range(4):
            drums.note(t0 + i * TPQ, TPQ // 4, 36 if i % 2 == 0 else 38, 100 + rng.randint(-10, 15))
        for i in range(8):
            drums.note(t0 + i * TPQ // 2, TPQ // 4, 46 if i == 7 else 42, 70 + rng.randint(-10, 20))
        if b % 8 == 0:
            drums.note(t0, TPQ, 49, 110)
        if b % 4 == 3:
            for i, k in enumerate([50, 48, 47, 45]):
                drums.note(t0 + 3 * TPQ + i * TPQ // 4, TPQ // 4, k, 90 + 5 * i)

    tracks = [conductor, piano, strings, bass, flute, brass, guitar, choir, organ, drums]
    with open(out, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 1, len(tracks), TPQ))
        for t in tracks:
            f.write(track_chunk(t.events))


if __name__ == "__main__":
    main()
