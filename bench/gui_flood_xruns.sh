#!/usr/bin/env bash
# Xruns JACK blames on tactusd while the real GUI is flooded with input, against the same run without
# the flood, with the trivial C client jack_metro on the same server as the yardstick.
#
#   bench/gui_flood_xruns.sh [--seconds 120] [--runs 1] [--period 128] [--build build]
#
# Each run, twice (with the flood, then without): a private `jackd -d dummy` server, jack_metro, a
# private Xvfb display, and tactus-gui on it (which starts its own tactusd on that server) with the
# demo, played in a loop. With the flood, xdotool drives the GUI's window for the whole time as fast
# as it goes -- pointer circles over the note grid, drags that edit track 2, window resizes -- as
# tests/gui_flood does. Counts the lines where JACK names the client it blames ("client = NAME was
# not finished"), as bench/jack_xruns.sh does, and prints the GUI's own counters (--stats-file).
set -euo pipefail
seconds=120 runs=1 period=128 build=build
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --period) period=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in jackd jack_metro Xvfb xdotool; do
  command -v "$tool" > /dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
work=$(mktemp -d)
pids=()  # started in this order; stopped in reverse (clients first, then JACK and X)
gui_pid=
stop_all() {
  if [ -n "$gui_pid" ]; then  # the GUI quits on SIGTERM and takes its tactusd down; its group is the rest
    kill -TERM "$gui_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$gui_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$gui_pid" 2>/dev/null || true
    gui_pid=
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
# A client still connected when its server stops leaves its semaphore in /dev/shm
# ("jack_sem.<uid>_<server>_<client>"); nothing else removes it (tests/support/jack_server.cpp).
remove_semaphores() { rm -f /dev/shm/jack_sem.*_"$1"_* 2>/dev/null || true; }
trap 'stop_all; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT

# One xdotool run: a few rounds of resize, a circle of motions over the note grid, a drag there
# (the grid is the window minus 330 px left, 180 top, 54 right, 150 bottom: see tests/gui_flood; the
# coordinates stay inside it for the smallest size).
sizes=("1280 780" "1100 700" "1500 900" "1200 820")
gw=$((1100 - 330 - 54)) gh=$((700 - 180 - 150))
cx=$((330 + gw / 2)) cy=$((180 + gh / 2))
mapfile -t circle < <(awk -v cx="$cx" -v cy="$cy" 'BEGIN { for (i = 0; i < 24; i++)
  printf "%d %d\n", cx + 160 * cos(6.2832 * i / 24), cy + 160 * sin(6.2832 * i / 24) }')
flood_run() {
  local window=$1 round=$2 args=() r i w h x y
  for r in 0 1 2 3; do
    read -r w h <<< "${sizes[$(((round + r) % 4))]}"
    args+=(windowsize "$window" "$w" "$h")
    for i in $(seq 0 23); do
      read -r x y <<< "${circle[$(((i + round) % 24))]}"
      args+=(mousemove --window "$window" "$x" "$y")
    done
    local x0=$((330 + (round * 37 % 100) * gw * 6 / 1000)) y0=$((180 + (round * 61 % 100) * gh * 6 / 1000))
    args+=(mousemove --window "$window" "$x0" "$y0" mousedown 1)
    for i in 1 2 3 4 5 6; do args+=(mousemove --window "$window" $((x0 + i * gw * 3 / 60)) $((y0 + i * gh * 2 / 60))); done
    args+=(mouseup 1)
    round=$((round + 1))
  done
  DISPLAY=$display xdotool "${args[@]}" > /dev/null 2>&1
}

# One run: prints "tactusd metro driver-lines" and the GUI's counters.
run_once() {
  # A port nobody listens on: the GUI would attach to an engine it finds there instead of starting one.
  local flood=$1 name="tactus-guibench-$$-$RANDOM" port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  jackd -n "$name" -d dummy -r 48000 -p "$period" > "$work/jackd.log" 2>&1 & pids+=($!)
  for _ in $(seq 50); do JACK_DEFAULT_SERVER=$name jack_lsp > /dev/null 2>&1 && break; sleep 0.1; done
  JACK_DEFAULT_SERVER=$name jack_metro -n metro -b 120 > /dev/null 2>&1 & pids+=($!)
  exec 3> "$work/display"
  Xvfb -displayfd 3 -screen 0 1920x1200x24 -nolisten tcp > "$work/xvfb.log" 2>&1 & pids+=($!)
  exec 3>&-
  for _ in $(seq 50); do [ -s "$work/display" ] && break; sleep 0.1; done
  display=":$(head -1 "$work/display")"
  # A fresh HOME each time: a GUI quit with unsaved edits leaves autosaved work that the next one
  # would offer back in a dialog (before it starts its engine).
  local home
  home=$(mktemp -d -p "$work" home.XXXXXX)
  rm -f "$work/stats.json"
  setsid env DISPLAY="$display" QT_QPA_PLATFORM=xcb HOME="$home" XDG_RUNTIME_DIR="$home" \
    "$root/$build/src/gui/tactus-gui" "$root/examples/demo.json" --audio jack --jack-server "$name" \
    --engine "$root/$build/src/server/tactusd" --port "$port" --edit-track 2 \
    --stats-file "$work/stats.json" > "$work/gui.log" 2>&1 &
  gui_pid=$!
  send() { "$root/$build/src/cli/tactus" send --port "$port" "$@" > /dev/null; }
  local up=0
  for _ in $(seq 400); do send /ping 2> /dev/null && { up=1; break; }; sleep 0.1; done
  if [ "$up" = 0 ]; then
    echo "flood=$flood: no engine answered on port $port within 40 s; the GUI's log:"; cat "$work/gui.log"
    stop_all
    remove_semaphores "$name"
    return 0
  fi
  sleep 1  # the GUI loads its document into the engine
  send /loop idd 1 0 96
  send /play
  local window
  window=$(DISPLAY=$display timeout 20 xdotool search --sync --onlyvisible --pid "$gui_pid" | head -1)
  local end=$((SECONDS + seconds)) round=0 xdotool_runs=0
  if [ "$flood" = 1 ]; then
    while [ $SECONDS -lt $end ]; do flood_run "$window" "$round" || true; round=$((round + 4)); xdotool_runs=$((xdotool_runs + 1)); done
  else
    sleep "$seconds"
  fi
  local status
  status=$("$root/$build/src/cli/tactus" send --port "$port" /status || true)
  stop_all
  remove_semaphores "$name"
  blamed() { grep -c "client = $1 was not finished" "$work/jackd.log" || true; }
  echo "flood=$flood seconds=$seconds xdotool_runs=$xdotool_runs (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "  xruns blamed on tactusd:    $(blamed tactusd)"
  echo "  xruns blamed on jack_metro: $(blamed metro)"
  echo "  xrun lines in jackd's log (all, incl. the dummy driver's own): $(grep -ci xrun "$work/jackd.log" || true)"
  echo "$status" | awk '{ printf "  tactusd: xruns %s  late %s  dsp_load_peak %s  dsp_cpu_peak %s  revision %s\n", $10, $11, $17, $NF, $20 }'
  echo "  gui: $(tr -d ' \n' < "$work/stats.json" 2>/dev/null || echo 'no stats')"
}

echo "period=$period seconds=$seconds runs=$runs (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
for run in $(seq "$runs"); do
  echo "--- run $run"
  run_once 1
  run_once 0
done
