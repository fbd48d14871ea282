#!/usr/bin/env bash
# How many synth voices tactusd plays through JACK at a small period, with one thread rendering the
# tracks and with realtime helpers (--workers), beside jack_metro in the same run: for each voice count,
# bench/jack_xruns.sh plays bench/voices_tracks.py's score (64 tracks: a synth track sounds at most 128 voices) once per worker count. The dummy
# driver meets an overrun by slowing its clock more than by xruns: jack_clock below 100% is the sign of
# too many voices.
#
#   bench/jack_voices_workers.sh [--build build] [--period 64] [--seconds 30] [--tracks 64]
#                                [--voices "200 400 600"] [--workers "1 2"] [--preset saw]
set -euo pipefail
build=build period=64 seconds=30 tracks=64 counts="200 400 600" workers="1 2" preset=saw
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --period) period=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --tracks) tracks=$2; shift 2 ;;
    --voices) counts=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --preset) preset=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "period $period, $tracks tracks of '$preset', $seconds s a run"
printf "%-7s %-8s %-11s %-9s %-7s %-14s %s\n" voices workers jack_clock tactusd metro dsp_load_peak dsp_cpu_peak
for n in $counts; do
  /usr/bin/python3 "$root/bench/voices_tracks.py" "$n" "$tracks" "$preset" > "$work/voices-$n.json"
  for w in $workers; do
    out=$("$root/bench/jack_xruns.sh" --build "$build" --period "$period" --seconds "$seconds" \
          --load "$work/voices-$n.json" --loop-end 16 --workers "$w" || true)
    clock=$(echo "$out" | sed -n 's/^JACK clock: \([^ ]*\).*/\1/p')
    ours=$(echo "$out" | sed -n 's/^xruns blamed on tactusd: *//p')
    theirs=$(echo "$out" | sed -n 's/^xruns blamed on jack_metro: *//p')
    load=$(echo "$out" | sed -n 's/.*dsp_load_peak \([^ ]*\).*/\1/p')
    cpu=$(echo "$out" | sed -n 's/.*dsp_cpu_peak \([^ ]*\).*/\1/p')
    printf "%-7s %-8s %-11s %-9s %-7s %-14s %s\n" "$n" "$w" "$clock" "$ours" "$theirs" "$load" "$cpu"
  done
done
