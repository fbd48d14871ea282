#!/usr/bin/env bash
# Render speed of one Csound piece through Tactus (`tactus render`) and through Csound itself (`csound`
# of the piece exported with `tactus export -o piece.csd`): same orchestra, same notes, same ksmps, same
# output (48 kHz stereo 32-bit float WAV), run side by side in one run, alternating, REPS times each.
# Tactus writes its file atomically (a temporary file, fsync, rename); csound writes in place without
# fsync: the wall time includes that fsync, the CPU time hardly.
# Prints wall and CPU (user + system) seconds per run, their medians and the ratio Tactus / csound
# (below 1: Tactus is faster).
#
#   bench/csound_render.sh [path/to/tactus] [reps]      (default build/src/cli/tactus, 5)
set -euo pipefail
TACTUS=${1:-build/src/cli/tactus}
REPS=${2:-5}
TACTUS=$(realpath "$TACTUS")
command -v csound > /dev/null || { echo "csound is not installed" >&2; exit 1; }
WORK=$(mktemp -d /tmp/tactus-csound-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# The piece: notes of two to six voices (a tempo ramp), played by one of two orchestras: "light" (a sine with a k-rate release envelope: Csound's own work is small, so the
# host's overhead shows; 4,000 notes, about 8 minutes) and "synth" (two detuned band-limited saws through a resonant low-pass, the
# work per note of a typical synth orchestra; 1,000 notes, about 2 minutes).
write_piece() {  # $1 = ksmps, $2 = light | synth
    NOTES=1000
    if [ "$2" = light ]; then
        NOTES=4000
        BODY='  kenv linsegr 0, 0.005, 1, 0.2, 0.5, 0.1, 0
  a1 poscil 0.1 * p5 / 127 * kenv, p6
  outs a1, a1'
    else
        BODY='  kenv linsegr 0, 0.01, 1, 0.3, 0.6, 0.2, 0
  a1 vco2 0.05 * p5 / 127, p6
  a2 vco2 0.05 * p5 / 127, p6 * 1.003
  af moogladder a1 + a2, 800 + 3000 * kenv, 0.3
  outs af * kenv, af * kenv'
    fi
    printf 'ksmps = %s\nnchnls = 2\n0dbfs = 1\ninstr 1\n%s\nendin\n' "$1" "$BODY" > piece.orc
    NOTES=$NOTES python3 - <<'PY'
import json, os
notes = []
for i in range(int(os.environ["NOTES"])):
    notes.append({"id": i + 1, "start": i * 0.25 + (0.5 if i % 7 == 0 else 0), "length": [0.25, 0.5, 1, 1.5][i % 4],
                  "pitch": 36 + (i * 37) % 48, "velocity": 40 + (i * 53) % 88})
doc = {"format": "tactus", "version": 1,
       "tempo": [{"beat": 0, "bpm": 120}, {"beat": 100, "bpm": 110, "ramp": True}, {"beat": 200, "bpm": 130}],
       "tracks": [{"id": 1, "instrument": "csound", "orchestra": "piece.orc", "csound_instrument": "1",
                   "level": 2 ** 0.5, "notes": notes}]}
json.dump(doc, open("piece.json", "w"))
PY
    "$TACTUS" export piece.json -o piece.csd 2> /dev/null
}

# "wall cpu" of one command, output discarded.
timed() {
    /usr/bin/time -f "%e %U %S" -o time.txt "$@" > /dev/null 2>&1
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' time.txt
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

for ORCHESTRA in light synth; do
for KSMPS in 32 64; do
    write_piece "$KSMPS" "$ORCHESTRA"
    : > tactus.txt
    : > csound.txt
    for ((r = 1; r <= REPS; r++)); do
        timed "$TACTUS" render piece.json -o tactus.wav --bits 32f >> tactus.txt
        timed csound piece.csd -o csound.wav >> csound.txt
    done
    SECONDS_OF_AUDIO=$(python3 -c "
import struct; b = open('tactus.wav', 'rb').read(); i = 12
while i < len(b):
    n = struct.unpack('<I', b[i + 4:i + 8])[0]
    if b[i:i + 4] == b'data': print(round(n / 8 / 48000, 1)); break
    i += 8 + n + (n & 1)")
    TW=$(awk '{print $1}' tactus.txt | median)
    TC=$(awk '{print $2}' tactus.txt | median)
    CW=$(awk '{print $1}' csound.txt | median)
    CC=$(awk '{print $2}' csound.txt | median)
    echo "$ORCHESTRA orchestra, ksmps $KSMPS: ${SECONDS_OF_AUDIO} s of audio, $NOTES notes, $REPS runs each (alternating)"
    echo "  tactus render  wall $(paste -sd' ' <(awk '{print $1}' tactus.txt))  median $TW s; cpu median $TC s"
    echo "  csound         wall $(paste -sd' ' <(awk '{print $1}' csound.txt))  median $CW s; cpu median $CC s"
    awk -v tw="$TW" -v cw="$CW" -v tc="$TC" -v cc="$CC" \
        'BEGIN {printf "  ratio tactus/csound: wall %.2f, cpu %.2f\n", tw / cw, tc / cc}'
done
done
