#!/bin/bash
# fuzz.sh [SECONDS] - builds the libFuzzer targets with clang (ASan+UBSan) and runs each for
# SECONDS (default 60), starting from the seed corpus; fails on any crash or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
scripts/install-deps.sh
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DPPPOE_FUZZ=ON -DPPPOE_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"
status=0
for bin in build-fuzz/bin/fuzz_*; do
  t=${bin##*/fuzz_}
  work=$(mktemp -d)
  cp -r fuzz/corpus/"$t"/. "$work"/
  echo "== $t"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 "$work" 2>"build-fuzz/$t.log"; then
    status=1; tail -n 30 "build-fuzz/$t.log"
  fi
  grep -E "stat::number_of_executed_units|cov:" "build-fuzz/$t.log" | tail -n 2
  rm -rf "$work"
done
exit $status
