#!/bin/bash
# Screenshots for docs/images, taken from a real X server (Xvfb) with the demo playing through a JACK
# dummy server. Usage: tools/take-screenshots.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
display=:$((90 + RANDOM % 100))
server=screenshots-$$
Xvfb "$display" -screen 0 1400x860x24 >/dev/null 2>&1 & xvfb=$!
jackd -n "$server" -d dummy -r 48000 -p 256 >/dev/null 2>&1 & jack=$!
trap 'kill $xvfb $jack 2>/dev/null; wait 2>/dev/null' EXIT
sleep 1
mkdir -p docs/images
DISPLAY=$display "$build/tools/gui_screenshot" examples/demo.json docs/images/tactus-gui.png \
  --jack-server "$server" --engine "$build/src/server/tactusd" --beat 22
DISPLAY=$display "$build/tools/gui_screenshot" examples/demo.json docs/images/drum-mode.png \
  --jack-server "$server" --engine "$build/src/server/tactusd" --beat 14 --track Drums --drum-mode
DISPLAY=$display "$build/tools/gui_screenshot" examples/demo.json docs/images/controller-lane.png \
  --jack-server "$server" --engine "$build/src/server/tactusd" --beat 14 --track Lead --lane 1 --curve 8:24
DISPLAY=$display "$build/tools/gui_screenshot" examples/demo.json docs/images/automation-lane.png \
  --jack-server "$server" --engine "$build/src/server/tactusd" --beat 14 --track Pad --automation level \
  --curve 9:21
DISPLAY=$display "$build/tools/gui_screenshot" examples/demo.json docs/images/arranger.png \
  --jack-server "$server" --engine "$build/src/server/tactusd" --beat 30 --track Pad --automation level \
  --curve 8:40 --arranger --select-bars 4:6
echo "wrote docs/images/tactus-gui.png, drum-mode.png, controller-lane.png, automation-lane.png and arranger.png"
