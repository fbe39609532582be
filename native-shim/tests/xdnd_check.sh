#!/usr/bin/env bash
# The window's XDND drag source against a real drop target, on a private Xvfb, without a plugin host:
# the cases the window test (PluginWindowTest, a drop in jalv) does not reach. Each case presses button 1
# with xdotool, starts tests/xdnd_drag (XdndSource.cpp), moves, releases, and checks what the target
# (tests/x_drop_target) printed and how the drag ended:
#   1. a drop onto the target: exactly one URI, the file's path percent-encoded (a space, '%', '#');
#   2. the same through XdndProxy (x_drop_target --proxy: only the proxy's connection reads messages);
#   3. a release over no drop target: "refused", the target gets nothing;
#   4. a target that stopped (SIGSTOP) while the drag is over it: the source gives it up ("refused")
#      within its 3 s answer time, and does not hang.
# Prints "xdnd(CASE): PASS|FAIL ..." per case and "xdnd: PASS" when all passed.
#
#   xdnd_check.sh TEST_BIN      (needs Xvfb and xdotool: Debian xvfb, xdotool)
set -uo pipefail
bin="$1"
for tool in Xvfb xdotool; do
  command -v "$tool" >/dev/null || { echo "xdnd: FAIL $tool is not installed (Debian: xvfb, xdotool)"; exit 1; }
done
work="$(mktemp -d)"
xvfb_pid=""
cleanup() { [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$work/display")"
unset XAUTHORITY

file="$work/a take #2 100%.wav"
: >"$file"
want="file://$(printf '%s' "$file" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/#/%23/g')"
failed=0

# CASE TARGET_ARGS|none  TO_X TO_Y  [stop]: press at 100,100, drag to TO_X,TO_Y, release
drag_case() {
  local name="$1" target="$2" tx="$3" ty="$4" stop="${5:-}" tpid=""
  : >"$work/out" ; : >"$work/err"
  if [ "$target" != none ]; then
    # shellcheck disable=SC2086
    "$bin/x_drop_target" $target 900 300 200 200 20 >"$work/out" 2>"$work/err" &
    tpid=$!
    for _ in $(seq 1 50); do grep -q ready "$work/err" && break; sleep 0.1; done
    [ "$stop" = stop ] && kill -STOP "$tpid"
  fi
  xdotool mousemove 100 100 mousedown 1
  "$bin/xdnd_drag" "$file" >"$work/drag" &
  local dpid=$!
  sleep 0.3
  xdotool mousemove 500 250 sleep 0.1 mousemove "$tx" "$ty" sleep 0.2 mousemove $((tx + 5)) $((ty + 5)) sleep 0.3 mouseup 1
  local up
  up=$(date +%s%N)
  wait "$dpid"
  local took=$(( ($(date +%s%N) - up) / 1000000 ))
  local result
  result="$(awk '{print $2}' "$work/drag")"
  if [ -n "$tpid" ]; then
    [ "$stop" = stop ] && kill -CONT "$tpid"
    if [ "$stop" = stop ] || [ "$name" = nothing ]; then kill "$tpid" 2>/dev/null; fi
    wait "$tpid" 2>/dev/null
  fi
  echo "$result $took"
}

check() { # NAME CONDITION-TEXT RESULT...
  local name="$1" ok="$2"; shift 2
  if [ "$ok" = 1 ]; then echo "xdnd($name): PASS $*"; else echo "xdnd($name): FAIL $* (target: $(tr '\n' ' ' <"$work/err"))"; failed=1; fi
}

read -r result took < <(drag_case drop "" 1000 400)
uris="$(grep -c . "$work/out")"
check drop "$([ "$result" = dropped ] && [ "$uris" = 1 ] && [ "$(head -1 "$work/out")" = "$want" ] && echo 1)" \
  "result $result, $uris URI: $(head -1 "$work/out")"

read -r result took < <(drag_case proxy "--proxy" 1000 400)
uris="$(grep -c . "$work/out")"
check proxy "$([ "$result" = dropped ] && [ "$uris" = 1 ] && [ "$(head -1 "$work/out")" = "$want" ] && echo 1)" \
  "result $result, $uris URI through XdndProxy"

read -r result took < <(drag_case nothing "" 300 600)
check nothing "$([ "$result" = refused ] && [ ! -s "$work/out" ] && echo 1)" "released over no target: $result, target printed $(grep -c . "$work/out") URI"

read -r result took < <(drag_case silent "" 1000 400 stop)
check silent "$([ "$result" = refused ] && [ "$took" -lt 6000 ] && echo 1)" "a stopped target: $result ${took} ms after the release"

[ "$failed" = 0 ] && echo "xdnd: PASS" || { echo "xdnd: FAIL"; exit 1; }
