#!/usr/bin/env bash
# process() cost per 512-frame block: first with nothing to play, then with a real take playing in
# place. The take comes from a daemon (SEGUE_ENDPOINT, or `./segue daemon` started here), saved with
# the plugin state; the timed run reads it back from its stem, so the daemon is not timed.
set -euo pipefail
plugin="$1"; bin="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
daemon_pid=""
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$bin/clap_host" --bench "$plugin"
if [ -z "${SEGUE_ENDPOINT:-}" ]; then
  export SEGUE_ENDPOINT="tcp://127.0.0.1:$((20000 + RANDOM % 10000))"
  "$here/../segue" daemon --endpoint "$SEGUE_ENDPOINT" --data "$work/data" >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 450); do grep -q "listening on" "$work/daemon.log" 2>/dev/null && break; sleep 0.2; done
fi
SEGUE_STEMS_DIR="$work/stems" "$bin/clap_host" --save "$plugin" "$work/state" | tail -1
SEGUE_STEMS_DIR="$work/stems" "$bin/clap_host" --bench "$plugin" "$work/state"
