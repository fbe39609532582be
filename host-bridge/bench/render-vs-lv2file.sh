#!/usr/bin/env bash
# Wall time of `segue render` (JVM start included) and of lv2file on the same float WAV and plugin,
# interleaved runs, medians. Usage: host-bridge/bench/render-vs-lv2file.sh IN.wav RUNS PLUGIN_URI...
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
in="$1"; runs="$2"; shift 2
cp="$here/target/segue-host-bridge-0.1.0-SNAPSHOT.jar:$(cat "$here/target/classpath.txt")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for uri in "$@"; do
  : >"$tmp/s"; : >"$tmp/l"; : >"$tmp/i"
  for _ in $(seq "$runs"); do
    t0=$(date +%s.%N)
    java -cp "$cp" dev.segue.bridge.cli.BridgeCli render --plugin "$uri" --in "$in" --out "$tmp/s.wav" 2>/dev/null \
      | sed -n 's/.*rendered in \([0-9.]*\) s.*/\1/p' >>"$tmp/i"
    t1=$(date +%s.%N)
    lv2file --ignore-clipping -i "$in" -o "$tmp/l.wav" "$uri" >/dev/null 2>&1
    t2=$(date +%s.%N)
    echo "$t1 - $t0" | bc >>"$tmp/s"; echo "$t2 - $t1" | bc >>"$tmp/l"
  done
  s=$(median <"$tmp/s"); l=$(median <"$tmp/l"); i=$(median <"$tmp/i")
  printf '%s\tsegue %.2f s (render loop %.2f s)\tlv2file %.2f s\tratio %.2f (loop/lv2file %.2f)\n' \
    "$uri" "$s" "$i" "$l" "$(echo "$s / $l" | bc -l)" "$(echo "$i / $l" | bc -l)"
done
