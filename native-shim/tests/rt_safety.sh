#!/usr/bin/env bash
# RT-safety proof for every build: the same real-time scenario (tests/rt_scenario.h) through each format's
# own process entry point, in a test host per format (clap_host, lv2_rt_host, vst3_rt_host), with
# malloc/free/mutex/syscall-wrapper calls counted inside process() by rt_interpose.so, while the client thread
# talks to a real daemon. Uses $SEGUE_ENDPOINT when set (the Java test starts the daemon); otherwise starts
# `./segue daemon` on a free loopback port. Prints "rt(FORMAT): PASS" per format, then "rt: PASS" when all
# three passed.
#
#   rt_safety.sh TEST_BIN CLAP_SO LV2_BUNDLE VST3_BUNDLE
set -euo pipefail
bin="$1"; clap="$2"; lv2="$3"; vst3="$4"
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
daemon_pid=""
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
if [ -z "${SEGUE_ENDPOINT:-}" ]; then
  port=$((20000 + RANDOM % 10000))
  export SEGUE_ENDPOINT="tcp://127.0.0.1:$port"
  log="$work/daemon.log"
  "$here/../segue" daemon --endpoint "$SEGUE_ENDPOINT" --data "$work/data" >"$log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 450); do grep -q "listening on $SEGUE_ENDPOINT" "$log" 2>/dev/null && break; sleep 0.2; done
  grep -q "listening on $SEGUE_ENDPOINT" "$log" || { echo "rt: the daemon did not start"; cat "$log"; exit 1; }
fi

failed=0
run_format() { # NAME HOST [ARGS...] PLUGIN
  local name="$1" stems="$work/stems-$1"
  shift
  mkdir -p "$stems"
  if ! SEGUE_STEMS_DIR="$stems" LD_PRELOAD="$bin/rt_interpose.so" timeout 300 "$@"; then
    echo "rt($name): FAIL"; failed=1; return
  fi
  if ls "$stems"/*.wav >/dev/null 2>&1; then
    echo "rt($name): stems: $(cd "$stems" && ls *.wav | tr '\n' ' ')"
  else
    echo "rt($name): FAIL no stem written"; failed=1
  fi
}
run_format CLAP "$bin/clap_host" --rt "$clap"
run_format LV2 "$bin/lv2_rt_host" "$lv2"
run_format VST3 "$bin/vst3_rt_host" "$vst3"
if [ "$failed" = 0 ]; then echo "rt: PASS"; else echo "rt: FAIL"; exit 1; fi
