#!/usr/bin/env python3
"""Writes examples/demo.json: "Glass Harbour", a one-minute piece for the built-in synth and strings
from the General MIDI SoundFont (Debian's fluid-soundfont-gm, which `make demo` installs).

A minor, i-VI-III-VII with a turn to iv; intro at 92 bpm, a ramp up to 104 for the main section,
and a ritardando ramp into the final chord. Run it again after changing the music; the JSON is
committed so that nothing is generated at build time.
"""
import json
import os

BEATS_PER_BAR = 4
next_id = [1]


def new_id():
    next_id[0] += 1
    return next_id[0] - 1


def n(start, length, pitch, velocity):
    return {"id": new_id(), "start": round(start, 6), "length": round(length, 6), "pitch": pitch,
            "velocity": velocity}


# Chords as MIDI pitches (root position voicings around middle C), one per bar.
AM, F, C, G, DM, E = [57, 60, 64], [53, 57, 60], [48, 52, 55], [55, 59, 62], [50, 53, 57], [52, 56, 59]
INTRO = [AM, F, C, G]
VERSE = [AM, F, C, G, AM, F, DM, E]
CHORUS = [F, G, AM, AM, F, G, C, E]
OUTRO = [AM, F, DM, AM]
bars = INTRO + VERSE + CHORUS + OUTRO  # 24 bars

pad, arp, bass, lead, drums, strings = [], [], [], [], [], []
for bar, chord in enumerate(bars):
    t = bar * BEATS_PER_BAR
    section = "intro" if bar < 4 else "verse" if bar < 12 else "chorus" if bar < 20 else "outro"
    last = bar == len(bars) - 1
    # Pad: the whole chord held through the bar (the last one rings on).
    for p in chord:
        pad.append(n(t, 6.0 if last else 3.9, p + 12 if section == "chorus" else p, 58))
    # Strings (SoundFont) from the verse on: the chord an octave down, swelling in on each bar.
    if bar >= 4:
        for p in chord:
            strings.append(n(t, 6.0 if last else 3.95, p - 12, 72 if section == "chorus" else 60))
    # Pluck arpeggio in eighths, up and down the chord an octave higher.
    pattern = [0, 1, 2, 1, 0, 2, 1, 2]
    if not last:
        for i, k in enumerate(pattern):
            arp.append(n(t + i * 0.5, 0.45, chord[k] + 12, 70 + (12 if i % 2 == 0 else 0)))
    else:
        arp.append(n(t, 4.0, chord[0] + 24, 80))
    # Bass from the verse on: root on 1, fifth on the "and" of 2, root again on 4.
    if bar >= 4:
        root = chord[0] - 24
        bass.extend([n(t, 1.4, root, 100), n(t + 1.5, 0.9, root + 7, 85), n(t + 3, 0.9, root, 92)])
    # Drums (GM): kick, snare on 2 and 4, closed hats in eighths, crash at section starts.
    if 4 <= bar < len(bars) - 1:
        drums.extend([n(t, 0, 36, 110), n(t + 2.5, 0, 36, 90), n(t + 1, 0, 38, 100), n(t + 3, 0, 38, 104)])
        drums.extend(n(t + i * 0.5, 0, 42, 60 + (20 if i % 2 == 0 else 0)) for i in range(8))
        if bar in (4, 12, 20):
            drums.append(n(t, 0, 49, 110))
    if last:
        drums.extend([n(t, 0, 36, 110), n(t, 0, 49, 120)])

# Lead melody over the chorus (bars 12..19): (beat offset in bar, length, pitch).
melody = [
    [(0, 1.5, 72), (1.5, 0.5, 74), (2, 2, 76)],
    [(0, 1, 74), (1, 1, 72), (2, 2, 71)],
    [(0, 1.5, 72), (1.5, 0.5, 71), (2, 1, 69), (3, 1, 72)],
    [(0, 4, 76)],
    [(0, 1, 77), (1, 1, 76), (2, 1, 74), (3, 1, 72)],
    [(0, 1.5, 74), (1.5, 0.5, 72), (2, 2, 71)],
    [(0, 1, 72), (1, 1, 76), (2, 2, 79)],
    [(0, 2, 80), (2, 2, 83)],
]
for i, phrase in enumerate(melody):
    t = (12 + i) * BEATS_PER_BAR
    for start, length, pitch in phrase:
        lead.append(n(t + start, length * 0.95, pitch, 96))

total_beats = len(bars) * BEATS_PER_BAR
doc = {
    "format": "tactus",
    "version": 1,
    "title": "Glass Harbour (Tactus demo)",
    "revision": 0,
    "tempo": [
        {"beat": 0, "bpm": 92},
        {"beat": 12, "bpm": 92, "ramp": True},
        {"beat": 16, "bpm": 104},
        {"beat": total_beats - 8, "bpm": 104, "ramp": True},
        {"beat": total_beats, "bpm": 72},
    ],
    "meter": [{"bar": 0, "numerator": 4, "denominator": 4}],
    "markers": [{"beat": 0, "name": "Intro"}, {"beat": 16, "name": "Verse"}, {"beat": 48, "name": "Chorus"},
                {"beat": 80, "name": "Outro"}],
    "tracks": [
        {"id": 1, "name": "Pad", "instrument": "synth", "preset": "pad", "level": 0.35, "pan": -0.3, "notes": pad},
        {"id": 2, "name": "Arpeggio", "instrument": "synth", "preset": "pluck", "level": 0.45, "pan": 0.35,
         "notes": arp},
        {"id": 3, "name": "Bass", "instrument": "synth", "preset": "bass", "level": 0.7, "pan": 0.0,
         "notes": bass},
        {"id": 4, "name": "Lead", "instrument": "synth", "preset": "lead", "level": 0.4, "pan": 0.1,
         "notes": lead},
        {"id": 5, "name": "Drums", "instrument": "synth", "preset": "drums", "level": 0.6, "pan": 0.0,
         "notes": drums},
        # FluidR3_GM's "Strings" (bank 0, program 48); the font is the default, so it is not named.
        {"id": 6, "name": "Strings", "instrument": "soundfont", "preset": "Strings", "bank": 0, "program": 48,
         "level": 1.2, "pan": 0.2, "notes": strings},
    ],
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.json")
with open(out, "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(f"wrote {out}: {sum(len(t['notes']) for t in doc['tracks'])} notes, {total_beats} beats")
