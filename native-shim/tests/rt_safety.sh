#!/usr/bin/env bash
# RT-safety proof: the CLAP build under a test host with malloc/free/mutex/syscall-wrapper calls
# counted inside process(), while the worker talks to a real daemon. Uses $SEGUE_ENDPOINT when set
# (the Java test starts the daemon); otherwise starts `./segue daemon` on a free loopback port.
set -euo pipefail
plugin="$1"; bin="$2"
here="$(cd "$(dirname "$0")/.." && pwd)"
stems="$(mktemp -d)"
daemon_pid=""
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; rm -rf "$stems"; }
trap cleanup EXIT
if [ -z "${SEGUE_ENDPOINT:-}" ]; then
  port=$((20000 + RANDOM % 10000))
  export SEGUE_ENDPOINT="tcp://127.0.0.1:$port"
  log="$stems/daemon.log"
  "$here/../segue" daemon --endpoint "$SEGUE_ENDPOINT" --data "$stems/data" >"$log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 450); do grep -q "listening on $SEGUE_ENDPOINT" "$log" 2>/dev/null && break; sleep 0.2; done
  grep -q "listening on $SEGUE_ENDPOINT" "$log" || { echo "rt: the daemon did not start"; cat "$log"; exit 1; }
fi
SEGUE_STEMS_DIR="$stems" LD_PRELOAD="$bin/rt_interpose.so" timeout 300 "$bin/clap_host" --rt "$plugin"
ls "$stems"/*.wav >/dev/null 2>&1 || { echo "rt: FAIL no stem written"; exit 1; }
echo "rt: stems: $(cd "$stems" && ls *.wav | tr '\n' ' ')"
