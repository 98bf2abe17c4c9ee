#!/usr/bin/env bash
# Installs what berth needs on Debian 12 (run as root): the runtime components from apt and the
# npm dependencies. Idempotent and quiet: packages already installed are skipped.
#   bash scripts/install-deps.sh            apt packages + npm ci (when node_modules is stale)
#   bash scripts/install-deps.sh --no-npm   apt packages only
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  runc conmon crun netavark aardvark-dns golang-github-containers-common iptables
  tini catatonit busybox-static docker-registry uidmap iproute2
  procps tmux zstd xz-utils bzip2 apache2-utils openssl python3-docker docker-compose
)

log() { printf '[install-deps] %s\n' "$*" >&2; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (try: sudo bash $0)"
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps package scripts from starting services (docker-registry) during install
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if ((policy_added)); then rm -f /usr/sbin/policy-rc.d; fi
else
  log "apt packages: all present"
fi

# 20.16: process.getBuiltinModule (src/core/builtin.ts)
node_ok=$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 20 || (a === 20 && b >= 16) ? 1 : 0' 2>/dev/null || echo 0)
if ((node_ok != 1)); then
  log "Node.js >= 20.16 is required (found: $(node --version 2>/dev/null || echo none))."
  log "Install it, e.g. from https://deb.nodesource.com (Debian 12 ships Node 18), then re-run."
  exit 1
fi

if [[ ${1:-} != --no-npm ]]; then
  # npm ci when node_modules is missing or older than the lock file (always in CI)
  if [[ ${CI:-} == true || ! -e node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    log "npm ci"
    # node-unix-socket lists prebuilt binaries for every platform as optional dependencies; a
    # registry without the other platforms' packages makes npm leave them out of the lock file,
    # and `npm ci` then refuses it as out of sync. `npm install` from the same lock works.
    if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/berth-npm-ci.log; then
      if grep -q 'can only install packages when your package.json and package-lock.json' /tmp/berth-npm-ci.log; then
        log "npm ci refused the lock file (platform-only optional packages missing); npm install instead"
        npm install --no-audit --no-fund --loglevel=error
      else
        cat /tmp/berth-npm-ci.log >&2
        exit 1
      fi
    fi
  else
    log "npm dependencies: up to date"
  fi
fi
