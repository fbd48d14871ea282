#!/usr/bin/python3
"""The same notes for Tactus, scsynth (non-realtime) and Csound, each playing one sine with an envelope.

  synth_peers.py prepare SCORE.json OUTDIR   writes OUTDIR/tactus.json (every track the built-in `sine`
                                             preset, no controllers), OUTDIR/score.osc (scsynth NRT
                                             score with its SynthDef) and OUTDIR/piece.csd (csound,
                                             oscili), then prints "NOTES SECONDS"
  synth_peers.py dense NAME OUT.json         writes a dense score of our own: `chords` (16-note chords,
                                             8 a second, 4 minutes) or `runs` (64th-note runs in 12
                                             voices, 4 minutes)

The instrument everywhere: a sine, attack 5 ms, decay 0.1 s to sustain 1, release 0.08 s (the `sine`
preset's envelope), stereo out at 48 kHz, 32-bit float WAV. scsynth's SinOsc is a wavetable read with
control-rate envelopes (block 64); Csound runs oscili with a k-rate linsegr at ksmps 64.
"""
import json
import math
import os
import struct
import sys

RATE = 48000
ATTACK, DECAY, SUSTAIN, RELEASE, GAIN = 0.005, 0.1, 1.0, 0.08, 0.3


def beat_seconds(tempo):
    """beat -> seconds for a tempo map of steps (the MIDI import makes only steps)."""
    points = sorted(tempo or [{"beat": 0, "bpm": 120}], key=lambda p: p["beat"])
    if any(p.get("ramp") for p in points):
        sys.exit("synth_peers.py: tempo ramps are not supported")
    if points[0]["beat"] > 0:
        points.insert(0, {"beat": 0, "bpm": points[0]["bpm"]})
    starts = [0.0]
    for a, b in zip(points, points[1:]):
        starts.append(starts[-1] + (b["beat"] - a["beat"]) * 60.0 / a["bpm"])

    def at(beat):
        i = max(k for k, p in enumerate(points) if p["beat"] <= beat) if beat >= 0 else 0
        return starts[i] + (beat - points[i]["beat"]) * 60.0 / points[i]["bpm"]
    return at


def notes_in_seconds(doc):
    at = beat_seconds(doc.get("tempo"))
    out = []
    for track in doc["tracks"]:
        for n in track.get("notes", []):
            start = at(n["start"])
            end = at(n["start"] + n.get("length", 0))
            # A zero-length note still plays its whole attack (the sine preset's rule).
            out.append((start, max(end - start, ATTACK), n["pitch"], n.get("velocity", 100)))
    out.sort()
    return out


def frequency(pitch):
    return 440.0 * 2.0 ** ((pitch - 69) / 12.0)


def amplitude(velocity):
    return GAIN * velocity / 127.0


# ---- scsynth: OSC encoding, the SynthDef, the NRT score ----

def osc_string(s):
    b = s.encode() + b"\0"
    return b + b"\0" * (-len(b) % 4)


def osc_message(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, bytes):
            tags += "b"
            data += struct.pack(">i", len(a)) + a + b"\0" * (-len(a) % 4)
        elif isinstance(a, str):
            tags += "s"
            data += osc_string(a)
        elif isinstance(a, int):
            tags += "i"
            data += struct.pack(">i", a)
        else:
            tags += "f"
            data += struct.pack(">f", a)
    return osc_string(address) + osc_string(tags) + data


def osc_bundle(seconds, messages):
    tag = struct.pack(">Q", int(round(seconds * 2 ** 32)))
    return b"#bundle\0" + tag + b"".join(struct.pack(">i", len(m)) + m for m in messages)


def pstring(s):
    return bytes([len(s)]) + s.encode()


def sine_synthdef():
    """SynthDef(\\sine, {|freq = 440, amp = 0.1, gate = 1|
         Out.ar(0, (SinOsc.ar(freq) * (amp * EnvGen.kr(Env.adsr(a, d, s, r), gate, doneAction: 2))).dup)})"""
    consts = []

    def c(v):
        if v not in consts:
            consts.append(v)
        return (-1, consts.index(v))
    ugens = []

    def ugen(name, rate, inputs, outputs, special=0):
        ugens.append((name, rate, inputs, outputs, special))
        return len(ugens) - 1
    kr, ar = 1, 2
    control = ugen("Control", kr, [], [kr] * 3)
    freq, amp, gate = (control, 0), (control, 1), (control, 2)
    curve = [c(5), c(-4)]  # Env.adsr's curve -4
    env_spec = [c(0), c(3), c(2), c(-99),
                c(1), c(ATTACK), *curve,
                c(SUSTAIN), c(DECAY), *curve,
                c(0), c(RELEASE), *curve]
    env = ugen("EnvGen", kr, [gate, c(1), c(0), c(1), c(2)] + env_spec, [kr])
    level = ugen("BinaryOpUGen", kr, [amp, (env, 0)], [kr], special=2)  # 2: '*'
    sine = ugen("SinOsc", ar, [freq, c(0)], [ar])
    signal = ugen("BinaryOpUGen", ar, [(sine, 0), (level, 0)], [ar], special=2)
    ugen("Out", ar, [c(0), (signal, 0), (signal, 0)], [])

    body = pstring("sine")
    body += struct.pack(">i", len(consts)) + b"".join(struct.pack(">f", v) for v in consts)
    params = [("freq", 440.0), ("amp", 0.1), ("gate", 1.0)]
    body += struct.pack(">i", len(params)) + b"".join(struct.pack(">f", v) for _, v in params)
    body += struct.pack(">i", len(params)) + b"".join(pstring(n) + struct.pack(">i", i)
                                                       for i, (n, _) in enumerate(params))
    body += struct.pack(">i", len(ugens))
    for name, rate, inputs, outputs, special in ugens:
        body += pstring(name) + struct.pack(">biih", rate, len(inputs), len(outputs), special)
        body += b"".join(struct.pack(">ii", u, i) for u, i in inputs)
        body += bytes(outputs)
    body += struct.pack(">h", 0)
    return b"SCgf" + struct.pack(">ih", 2, 1) + body


def write_scsynth_score(notes, path, end):
    at = {}
    at.setdefault(0.0, []).append(osc_message("/d_recv", sine_synthdef()))
    for i, (start, length, pitch, velocity) in enumerate(notes):
        node = 1000 + i
        at.setdefault(start, []).append(
            osc_message("/s_new", "sine", node, 0, 0, "freq", frequency(pitch), "amp", amplitude(velocity)))
        at.setdefault(start + length, []).append(osc_message("/n_set", node, "gate", 0))
    at.setdefault(end, []).append(osc_message("/c_set", 0, 0))  # the score's end
    with open(path, "wb") as f:
        for t in sorted(at):
            b = osc_bundle(t, at[t])
            f.write(struct.pack(">i", len(b)) + b)


def write_csd(notes, path, end):
    lines = [f"i1 {s:.6f} {l:.6f} {amplitude(v):.6f} {frequency(p):.6f}" for s, l, p, v in notes]
    with open(path, "w") as f:
        f.write(f"""<CsoundSynthesizer>
<CsOptions>
-o piece-csound.wav -W -f -d -m0 --nodisplays
</CsOptions>
<CsInstruments>
sr = {RATE}
ksmps = 64
nchnls = 2
0dbfs = 1
instr 1
  kenv linsegr 0, {ATTACK}, 1, {DECAY}, {SUSTAIN}, {RELEASE}, 0
  a1 oscili p4 * kenv, p5
  outs a1, a1
endin
</CsInstruments>
<CsScore>
{chr(10).join(lines)}
e {end:.6f}
</CsScore>
</CsoundSynthesizer>
""")


def prepare(source, outdir):
    doc = json.load(open(source))
    for track in doc["tracks"]:
        track.update(instrument="synth", preset="sine", controllers=[], inserts=[], sends=[])
        for key in ("soundfont", "orchestra", "csound_instrument", "plugin", "plugin_state"):
            track.pop(key, None)
    doc.pop("buses", None)
    doc.pop("master_inserts", None)
    os.makedirs(outdir, exist_ok=True)
    json.dump(doc, open(os.path.join(outdir, "tactus.json"), "w"))
    notes = notes_in_seconds(doc)
    end = max((s + l for s, l, _, _ in notes), default=0.0) + RELEASE + 0.02
    write_scsynth_score(notes, os.path.join(outdir, "score.osc"), end)
    write_csd(notes, os.path.join(outdir, "piece.csd"), end)
    print(len(notes), f"{end:.3f}")


def dense(name, path):
    notes = []
    if name == "chords":  # 16-note chords, 8 a second (16th notes at 120 bpm), each held an 8th
        for step in range(8 * 240):
            root = 36 + (step * 5) % 24
            for k in range(16):
                notes.append({"start": step * 0.25, "length": 0.5, "pitch": root + 3 * k,
                              "velocity": 60 + (step + k) % 60})
    elif name == "runs":  # 12 voices of 64th-note runs (32 notes a second each)
        for voice in range(12):
            for step in range(32 * 240):
                notes.append({"start": step / 16.0 + voice / 192.0, "length": 1 / 16.0,
                              "pitch": 40 + voice * 4 + (step * 7) % 12, "velocity": 50 + (step % 70)})
    else:
        sys.exit(f"synth_peers.py: unknown dense score '{name}' (chords, runs)")
    for i, n in enumerate(notes):
        n["id"] = i + 1
    doc = {"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}],
           "tracks": [{"id": 1, "name": name, "instrument": "synth", "preset": "sine", "notes": notes}]}
    json.dump(doc, open(path, "w"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "dense":
        dense(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
