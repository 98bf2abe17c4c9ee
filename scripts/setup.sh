#!/usr/bin/env bash
# Quick start, step 1 (as root, on Debian 12): installs the dependencies, builds berth, puts
# `berth` and `berthd` on PATH, starts berthd with the default paths, loads a first image
# (built from the host's static busybox) and runs a container. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SOCK=/run/berth/berth.sock
LOG=/var/log/berthd.log

log() { printf '[setup] %s\n' "$*" >&2; }

bash scripts/install-deps.sh

log "building"
npm run --silent build

for bin in berth berthd; do
  ln -sfn "$ROOT/bin/$bin" "/usr/local/bin/$bin"
done
chmod +x bin/berth bin/berthd

ping_daemon() {
  node -e '
    const s = require("node:http").request({ socketPath: process.argv[1], path: "/_ping", timeout: 1000 }, (r) => {
      let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => process.exit(r.statusCode === 200 && b === "OK" ? 0 : 1));
    });
    s.on("error", () => process.exit(1)); s.on("timeout", () => process.exit(1)); s.end();' "$SOCK"
}

if ping_daemon; then
  log "berthd already answers on $SOCK (restart it to run the new build: kill \$(cat /run/berth/berthd.pid))"
else
  log "starting berthd (log: $LOG)"
  nohup berthd --log-level info >>"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 100); do
    ping_daemon && break
    sleep 0.1
  done
  if ! ping_daemon; then
    log "berthd did not come up; last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
fi
berth version

if [[ -n "$(berth images -q busybox:latest 2>/dev/null)" ]]; then
  log "busybox:latest is already loaded"
else
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  node scripts/mkimage-busybox.mjs --out "$tmp/busybox.tar"
  berth load -i "$tmp/busybox.tar"
fi

berth run --rm busybox echo "Hello from berth"
log "done: try \`berth run --rm -it busybox sh\`, or point the docker CLI at DOCKER_HOST=unix://$SOCK"
