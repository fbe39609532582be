#!/usr/bin/env bash
# Dependency proof: each plugin binary needs only the C/C++ runtime a Linux desktop always has, and,
# for its window, the desktop's own X11 and OpenGL libraries (libGL, libX11, libXext and what they load:
# GLVND's dispatch, xcb with its auth libraries). Checked twice: the ELF's own NEEDED entries
# (readelf) and the whole resolved tree (ldd); and the binary exports nothing but the plugin format's
# entry points.
set -uo pipefail
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libstdc\+\+\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|linux-vdso\.so\.1)$'
window='^(libGL\.so\.1|libX11\.so\.6|libXext\.so\.6|libGLdispatch\.so\.0|libGLX\.so\.0|libxcb\.so\.1|libXau\.so\.6|libXdmcp\.so\.6|libbsd\.so\.0|libmd\.so\.0)$'
fail=0
for so in "$@"; do
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  resolved=$(ldd "$so" | awk '{print $1}' | sed 's|.*/||')
  echo "deps: $so"
  echo "deps:   readelf NEEDED: $(echo $needed)"
  echo "deps:   ldd:            $(echo $resolved)"
  for lib in $needed $resolved; do
    if ! [[ "$lib" =~ $allowed || "$lib" =~ $window ]]; then echo "deps: FAIL $so needs $lib"; fail=1; fi
  done
  if ldd "$so" | grep -q "not found"; then echo "deps: FAIL unresolved library"; fail=1; fi
  # Only the format's entry points leave the binary: the static libraries inside stay private.
  exports=$(nm -D --defined-only "$so" | awk '{print $3}')
  echo "deps:   exports:        $(echo $exports)"
  for sym in $exports; do
    if ! [[ "$sym" =~ ^(clap_entry|lv2_descriptor|lv2ui_descriptor|lv2_generate_ttl|GetPluginFactory|ModuleEntry|ModuleExit)$ ]]; then
      echo "deps: FAIL $so exports $sym"; fail=1
    fi
  done
done
[ $fail = 0 ] && echo "deps: PASS" || echo "deps: FAIL"
exit $fail
