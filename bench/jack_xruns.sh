#!/usr/bin/env bash
# Xruns JACK blames on tactusd, side by side with the trivial C client jack_metro, in one run.
#
#   bench/jack_xruns.sh [--period 128] [--seconds 300] [--stress] [--flood RATE] [--edits RATE [--tcp]]
#                       [--load DOCUMENT [--loop-end BEATS]] [--workers N] [--build build]
#
# Starts a private `jackd -d dummy` server, jack_metro, and tactusd playing the demo (or DOCUMENT, e.g.
# examples/csound/bell.json for a Csound track) in a loop over beats 0..96 (or BEATS) (plus,
# with --stress, `stress-ng --cpu 2`; with --flood, bench's osc_flood sending RATE messages/s at
# tactusd; with --edits, bench's edit_flood sending RATE live edits/s -- notes added ahead of the play
# position, moved and deleted -- over UDP, or TCP with --tcp). Counts the lines where JACK names the
# client it blames ("client = NAME was not finished") per client; the dummy driver's own xrun lines
# name no client and are counted apart. Ends with tactusd's /status (dsp_load_peak is the largest
# block time over block duration, wall clock; dsp_cpu_peak the audio thread's own CPU time).
set -euo pipefail
period=128 seconds=300 stress=0 flood=0 edits=0 tcp=0 build=build load="" loop_end=96 workers=1
while [ $# -gt 0 ]; do
  case "$1" in
    --period) period=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --stress) stress=1; shift ;;
    --flood) flood=$2; shift 2 ;;
    --edits) edits=$2; shift 2 ;;
    --tcp) tcp=1; shift ;;
    --build) build=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --loop-end) loop_end=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$load" ] || load="$root/examples/demo.json"
load=$(realpath "$load")
name="tactus-bench-$$"
port=$((20000 + $$ % 20000))
work=$(mktemp -d)
pids=()
# Clients first, each gone before the JACK server is stopped (a client whose server vanished may hang on
# exit, and a server stopped under its clients may leave its entry in jack2's registry).
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 1; i--)); do kill "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  [ ${#pids[@]} -gt 0 ] && { kill "${pids[0]}" 2>/dev/null || true; wait "${pids[0]}" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
"$root/bench/jack_reclaim.sh"

jackd -n "$name" -d dummy -r 48000 -p "$period" > "$work/jackd.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do JACK_DEFAULT_SERVER=$name jack_lsp >/dev/null 2>&1 && break; sleep 0.1; done
JACK_DEFAULT_SERVER=$name jack_metro -n metro -b 120 > /dev/null 2>&1 & pids+=($!)
"$root/$build/src/server/tactusd" --audio jack --jack-server "$name" --listen "127.0.0.1:$port" \
  --workers "$workers" --allow-dir "$(dirname "$load")" --load "$load" > "$work/tactusd.log" 2>&1 & pids+=($!)
send() { "$root/$build/src/cli/tactus" send --port "$port" "$@" > /dev/null; }
for _ in $(seq 300); do send /ping 2>/dev/null && break; sleep 0.1; done
send /loop idd 1 0 "$loop_end"
send /play
[ "$stress" = 1 ] && { stress-ng --cpu 2 --timeout "${seconds}s" > /dev/null 2>&1 & pids+=($!); }
[ "$flood" != 0 ] && { "$root/$build/tests/osc_flood" --port "$port" --rate "$flood" --seconds "$seconds" > "$work/flood.log" 2>&1 & pids+=($!); }
[ "$edits" != 0 ] && { "$root/$build/tests/edit_flood" --port "$port" --rate "$edits" --seconds "$seconds" \
  --loop-end "$loop_end" $([ "$tcp" = 1 ] && echo --tcp) > "$work/edits.log" 2>&1 & editor=$!; pids+=($editor); }
# The dummy driver answers an overrun by waiting less, not by an xrun: an engine that cannot keep up
# slows JACK's clock instead. So the frames the clock advanced over the wall time are measured too.
frame_now() { "$root/$build/src/cli/tactus" send --port "$port" /status | awk '{ print $4 }'; }
frame_before=$(frame_now) wall_before=$(date +%s.%N)
sleep "$seconds"
frame_after=$(frame_now) wall_after=$(date +%s.%N)
[ "$edits" != 0 ] && { wait "$editor" || true; }  # until edit_flood has counted its last replies
status=$("$root/$build/src/cli/tactus" send --port "$port" /status || true)
send /quit || true

blamed() { grep -c "client = $1 was not finished" "$work/jackd.log" || true; }
driver=$(grep -ci "xrun" "$work/jackd.log" | tr -d ' ' || true)
ours=$(blamed tactusd) theirs=$(blamed metro)
echo "period=$period workers=$workers seconds=$seconds stress=$stress flood=$flood edits=$edits$([ "$tcp" = 1 ] && echo ' (tcp)') document=$load"
echo "JACK clock: $(awk -v f="$((frame_after - frame_before))" -v w0="$wall_before" -v w1="$wall_after" \
  'BEGIN { printf "%.1f%%", 100 * f / ((w1 - w0) * 48000) }') of real time"
echo "xruns blamed on tactusd:   $ours"
echo "xruns blamed on jack_metro: $theirs"
echo "xrun lines in jackd's log (all, incl. the dummy driver's own): $driver"
echo "tactusd /status: $status"
# /status fields (docs/protocol.md), after the address: 9 xruns, 16 dsp_load_peak; dsp_cpu_peak is the
# seventh from the end (the backend string before it holds spaces; lookahead is the last).
echo "$status" | awk '{ printf "tactusd: xruns %s  late %s  rejected %s  kernel_drops %s  dsp_load_peak %s  dsp_cpu_peak %s  revision %s  lookahead %s\n", $10, $11, $12, $15, $17, $(NF-6), $20, $NF }'
[ "$flood" != 0 ] && cat "$work/flood.log"
[ "$edits" != 0 ] && cat "$work/edits.log"
grep -i "xrun\|not finished" "$work/jackd.log" | sed 's/[0-9]\{3,\}/N/g' | sort | uniq -c | sort -rn | head -8
