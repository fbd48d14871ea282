#!/usr/bin/env bash
# CPU cost of the built-in synth against scsynth (non-realtime) and Csound on the same notes, one sine with
# an envelope everywhere (bench/synth_peers.py writes the three forms). Pieces: the real MIDI files in
# ../shared/testdata/midi (the Bach prelude and the 352-second GM sampler) and two dense scores of our own.
# Runs interleaved, REPS times each: tactus render at --block 512 and --block 64 (one thread: the peers use
# one), scsynth -N, csound. Prints CPU seconds (user + system) medians and the ratios Tactus / peer.
#
#   bench/synth_vs_peers.sh [path/to/tactus] [reps]      (default build/src/cli/tactus, 6)
set -euo pipefail
TACTUS=$(realpath "${1:-build/src/cli/tactus}")
REPS=${2:-6}
HERE=$(cd "$(dirname "$0")" && pwd)
MIDI=$(realpath "$HERE/../../shared/testdata/midi" 2> /dev/null || true)
for tool in scsynth csound; do
    command -v $tool > /dev/null || { echo "$tool is not installed (apt-get install supercollider-server csound)" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/tactus-synth-peers.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

pieces=()
if [ -d "$MIDI" ]; then
    for f in craigsapp_wtc2p02 jazzsoft_test-all-gm-sounds; do
        "$TACTUS" import "$MIDI/$f.mid" -o "$f.json" > /dev/null
        pieces+=("$f")
    done
fi
for d in chords runs; do
    /usr/bin/python3 "$HERE/synth_peers.py" dense $d dense-$d.json
    pieces+=("dense-$d")
done

cpu() {  # CPU seconds of one command, output discarded
    /usr/bin/time -f "%U %S" -o time.txt "$@" > /dev/null 2>&1
    awk '{printf "%.3f\n", $1 + $2}' time.txt
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

printf '%-28s %7s %8s %9s %8s %8s %8s %9s %9s %10s\n' piece notes seconds tactus512 tactus64 scsynth csound \
    "/scsynth" "/csound" "64/512"
for p in "${pieces[@]}"; do
    read -r notes seconds < <(/usr/bin/python3 "$HERE/synth_peers.py" prepare "$p.json" "$p")
    : > "$p.t512"; : > "$p.t64"; : > "$p.sc"; : > "$p.cs"
    for ((i = 0; i < REPS; i++)); do
        cpu "$TACTUS" render "$p/tactus.json" -o "$p/t.wav" --bits 32f --threads 1 --block 512 >> "$p.t512"
        cpu scsynth -N "$p/score.osc" _ "$p/sc.wav" 48000 WAV float -o 2 >> "$p.sc"
        cpu "$TACTUS" render "$p/tactus.json" -o "$p/t.wav" --bits 32f --threads 1 --block 64 >> "$p.t64"
        (cd "$p" && cpu csound piece.csd) >> "$p.cs"
    done
    t512=$(median < "$p.t512"); t64=$(median < "$p.t64"); sc=$(median < "$p.sc"); cs=$(median < "$p.cs")
    awk -v p="$p" -v n="$notes" -v s="$seconds" -v a="$t512" -v b="$t64" -v c="$sc" -v d="$cs" 'BEGIN {
        printf "%-28s %7d %8.1f %9.3f %8.3f %8.3f %8.3f %8.2fx %8.2fx %9.1f%%\n", p, n, s, a, b, c, d,
            a / c, a / d, 100 * (b / a - 1) }'
done
