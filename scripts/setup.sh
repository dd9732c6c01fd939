#!/usr/bin/env bash
# Idempotent setup for a fresh machine: pnpm, dependencies, Chromium, PostgreSQL (for its tests). Safe to run
# repeatedly (fast when done).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  log "Node.js 20.19+ is required (found $(node --version))"; exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  log "installing pnpm"
  npm i -g --allow-scripts=pnpm pnpm@12.21.0 >/dev/null 2>&1 || npm i -g pnpm@12.21.0 >/dev/null
fi

# better-sqlite3 compiles from source (no prebuilt downloads here): build against the local Node headers.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

stamp=node_modules/.pwb-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  log "installing dependencies"
  if [ -n "${CI:-}" ]; then pnpm install --frozen-lockfile; else pnpm install; fi
  touch "$stamp"
fi

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium_path" ]; then
  if can_apt; then
    log "installing Chromium from Debian packages"
    apt_install chromium fonts-liberation
  else
    log "Chromium not found at $chromium_path: install it (e.g. apt-get install chromium) or set CHROMIUM_PATH"; exit 1
  fi
fi

# The PostgreSQL store's tests start throwaway clusters with the server binaries (initdb, pg_ctl) in
# /usr/lib/postgresql/<version>/bin; PWB_TEST_POSTGRES=postgres://… points them at a running server instead.
if [ -z "${PWB_TEST_POSTGRES:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
  if can_apt; then
    log "installing PostgreSQL from Debian packages"
    apt_install postgresql
  else
    log "PostgreSQL not found (its tests will fail until it is): apt-get install postgresql, or set PWB_TEST_POSTGRES"
  fi
fi
