#!/usr/bin/env bash
# DSP load per voice in tactusd through a JACK dummy server: holds N saw+filter voices (audition
# notes on 8 tracks) and averages the engine's own DSP load (/status: block processing time over
# block duration) over a few seconds, for several N.
#
#   bench/dsp_load.sh [--period 128] [--build build]
set -euo pipefail
period=128 build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --period) period=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
name="tactus-dsp-$$" port=$((20000 + $$ % 20000)) work=$(mktemp -d) pids=()
# Clients first, the JACK server last (a client whose server vanished may hang on exit).
cleanup() { for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Eight saw tracks, no notes: the voices are auditioned live.
{
  echo '{"format": "tactus", "version": 1, "tracks": ['
  for t in 1 2 3 4 5 6 7 8; do
    sep=$([ $t -lt 8 ] && echo , || true)
    echo "{\"id\": $t, \"name\": \"saw $t\", \"preset\": \"saw\", \"level\": 0.05, \"notes\": []}$sep"
  done
  echo ']}'
} > "$work/voices.json"

jackd -n "$name" -d dummy -r 48000 -p "$period" > "$work/jackd.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do JACK_DEFAULT_SERVER=$name jack_lsp >/dev/null 2>&1 && break; sleep 0.1; done
"$root/$build/src/server/tactusd" --audio jack --jack-server "$name" --device none --listen "127.0.0.1:$port" \
  --load "$work/voices.json" > "$work/tactusd.log" 2>&1 & pids+=($!)
send() { "$root/$build/src/cli/tactus" send --port "$port" "$@"; }
for _ in $(seq 50); do send /ping > /dev/null 2>&1 && break; sleep 0.1; done

average_load() {  # mean of the last-block DSP load over 40 samples, 100 ms apart
  local total=0
  for _ in $(seq 40); do
    load=$(send /status | awk '{print $16}')
    total=$(awk -v a="$total" -v b="$load" 'BEGIN { print a + b }')
    sleep 0.1
  done
  awk -v a="$total" 'BEGIN { print a / 40 }'
}

echo "period=$period (48 kHz); voices: saw + low-pass filter"
held=0
base=$(average_load)
printf "%5d voices  load %6.2f%%\n" 0 "$(awk -v a="$base" 'BEGIN { print a * 100 }')"
for target in 64 128 256 512; do
  while [ $held -lt $target ]; do
    track=$((held / 64 + 1)) pitch=$((30 + held % 64))
    send /note/on iii $track $pitch 100 > /dev/null
    held=$((held + 1))
  done
  sleep 0.5
  load=$(average_load)
  per_voice=$(awk -v l="$load" -v b="$base" -v n="$target" 'BEGIN { print (l - b) * 100 / n }')
  printf "%5d voices  load %6.2f%%  per voice %.4f%%\n" "$target" "$(awk -v a="$load" 'BEGIN { print a * 100 }')" "$per_voice"
done
send /panic > /dev/null; send /quit > /dev/null || true
