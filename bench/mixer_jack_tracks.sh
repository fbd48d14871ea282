#!/usr/bin/env bash
# How many tracks, each with an EQ, a compressor and a send to one reverb bus (bench/mixer_tracks.py),
# tactusd plays through JACK at period 128 without xruns beyond jack_metro's, in the same run
# (bench/jack_xruns.sh for each count); then the offline render speed of each mix.
#
#   bench/mixer_jack_tracks.sh [--build build] [--seconds 60] [--tracks "8 16 24 32"] [--stress]
set -euo pipefail
build=build seconds=60 counts="8 16 24 32" stress=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --tracks) counts=$2; shift 2 ;;
    --stress) stress=--stress; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-7s %-9s %-9s %-14s %-14s %s\n" tracks tactusd metro dsp_load_peak dsp_cpu_peak "offline render"
for n in $counts; do
  /usr/bin/python3 "$root/bench/mixer_tracks.py" "$n" > "$work/mix-$n.json"
  out=$("$root/bench/jack_xruns.sh" --build "$build" --period 128 --seconds "$seconds" --load "$work/mix-$n.json" \
        --loop-end 16 $stress || true)
  ours=$(echo "$out" | sed -n 's/^xruns blamed on tactusd: *//p')
  theirs=$(echo "$out" | sed -n 's/^xruns blamed on jack_metro: *//p')
  load=$(echo "$out" | sed -n 's/.*dsp_load_peak \([^ ]*\).*/\1/p')
  cpu=$(echo "$out" | sed -n 's/.*dsp_cpu_peak \([^ ]*\).*/\1/p')
  speed=$("$root/$build/src/cli/tactus" render "$work/mix-$n.json" -o "$work/mix-$n.wav" 2>&1 | sed -n 's/.*speed *//p')
  printf "%-7s %-9s %-9s %-14s %-14s %s\n" "$n" "$ours" "$theirs" "$load" "$cpu" "$speed"
done
