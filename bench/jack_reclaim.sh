#!/usr/bin/env bash
# Frees the entries of killed JACK servers in jack2's registry (/dev/shm/jack-shm-registry): jack2 frees a
# dead entry only when a server of the same name starts, and at 8 entries no jackd starts any more. Each
# dead server is started and stopped cleanly under its name. The benchmarks run it before they start.
set -uo pipefail
/usr/bin/python3 - <<'PY' | while read -r name; do
import os, re
try:
    registry = open("/dev/shm/jack-shm-registry", "rb").read()
except FileNotFoundError:
    raise SystemExit
# Entries read "jack-<uid>:<name>:" followed by the server's pid 4 bytes before them.
for m in re.finditer(rb"jack-%d:([^:\0]+):" % os.getuid(), registry):
    pid = int.from_bytes(registry[m.start() - 4:m.start()], "little", signed=True)
    if pid > 0 and not os.path.exists("/proc/%d" % pid):
        print(m.group(1).decode())
PY
  jackd -n "$name" -d dummy -r 48000 -p 128 > /dev/null 2>&1 & pid=$!
  for _ in $(seq 50); do JACK_DEFAULT_SERVER=$name jack_lsp > /dev/null 2>&1 && break; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "reclaimed the registry entry of the dead JACK server '$name'" >&2
done
