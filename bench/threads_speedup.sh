#!/usr/bin/env bash
# One thread against two on a 16-track piece (every track its own preset, pads, leads, plucks, drums,
# chords and runs; 3 minutes): `tactus render --threads 1` and `--threads 2`, alternating, REPS times
# each. Prints wall and CPU seconds (medians), the speedup of two threads and whether both renders are
# the same file to the bit.
#
#   bench/threads_speedup.sh [path/to/tactus] [reps] [block]     (default build/src/cli/tactus, 5, 512)
set -euo pipefail
TACTUS=$(realpath "${1:-build/src/cli/tactus}")
REPS=${2:-5}
BLOCK=${3:-512}
WORK=$(mktemp -d /tmp/tactus-threads.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
/usr/bin/python3 - <<'PY'
import json
presets = ["pad", "lead", "pluck", "square", "saw", "triangle", "sine", "drums"]
tracks = []
for t in range(16):
    preset = presets[t % len(presets)]
    notes = []
    voices = 6 if preset == "pad" else 3
    for step in range(2 * 180):                      # eighth notes at 120 bpm for 3 minutes
        for v in range(voices):
            pitch = (36 + (step * 7 + v * 5 + t * 3) % 48) if preset != "drums" else [36, 38, 42, 46][(step + v) % 4]
            notes.append({"id": len(notes) + 1 + t * 100000, "start": step * 0.5 + v * 0.01,
                          "length": 1.5 if preset == "pad" else 0.4, "pitch": pitch,
                          "velocity": 50 + (step * 13 + v) % 70})
    tracks.append({"id": t + 1, "name": f"{preset} {t + 1}", "instrument": "synth", "preset": preset,
                   "level": 0.3, "pan": -0.8 + 0.1 * t, "notes": notes})
json.dump({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": tracks},
          open("piece.json", "w"))
PY
timed() {  # "wall cpu"
    /usr/bin/time -f "%e %U %S" -o time.txt "$@" > /dev/null 2>&1
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' time.txt
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
: > one; : > two
for ((i = 0; i < REPS; i++)); do
    timed "$TACTUS" render piece.json -o one.wav --bits 32f --threads 1 --block "$BLOCK" >> one
    timed "$TACTUS" render piece.json -o two.wav --bits 32f --threads 2 --block "$BLOCK" >> two
done
w1=$(cut -d' ' -f1 one | median); c1=$(cut -d' ' -f2 one | median)
w2=$(cut -d' ' -f1 two | median); c2=$(cut -d' ' -f2 two | median)
same=$(cmp -s one.wav two.wav && echo "same to the bit" || echo "DIFFERENT")
awk -v w1="$w1" -v c1="$c1" -v w2="$w2" -v c2="$c2" -v b="$BLOCK" -v same="$same" 'BEGIN {
    printf "block %d: 1 thread %.2f s wall (%.2f s CPU), 2 threads %.2f s wall (%.2f s CPU): %.2fx; outputs %s\n",
        b, w1, c1, w2, c2, w1 / w2, same }'
