#!/bin/bash
# fuzz.sh [SECONDS] - builds every fuzz target with libFuzzer, ASan and UBSan (clang 16), runs
# each for SECONDS (default 60) from a copy of its seed corpus, and fails on any crash, leak,
# timeout or sanitizer report. Prints executions and coverage per target; findings and the
# grown corpora stay in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
# Our own sanitizer settings, whatever the caller (ctest under scripts/test.sh) exported.
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
scripts/install-deps.sh
command -v clang++-16 >/dev/null || { echo "clang-16 is missing: run scripts/install-deps.sh"; exit 1; }
CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -DPPPOE_FUZZ=ON -DPPPOE_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
status=0
for bin in build-fuzz/bin/fuzz_*; do
  t=${bin##*/fuzz_}
  work=build-fuzz/corpus-$t findings=build-fuzz/findings-$t
  rm -rf "$work" "$findings" && mkdir -p "$work" "$findings"
  cp fuzz/corpus/"$t"/* "$work"/
  log=build-fuzz/$t.log
  rc=0
  # Small text parsers reach their depth quickly: a third of the time.
  secs=$SECONDS_EACH
  case $t in policy) secs=$(((SECONDS_EACH + 2) / 3)) ;; esac
  "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work" >"$log" 2>&1 || rc=$?
  execs=$(awk '/^stat::number_of_executed_units/ {print $NF}' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | awk '{print $2}')
  echo "$t: ${execs:-0} executions, coverage $cov points ($features features), corpus $(ls "$work" | wc -l) inputs, exit $rc"
  if [ "$rc" != 0 ] || ls "$findings"/* >/dev/null 2>&1; then
    status=1
    grep -E "ERROR|SUMMARY" "$log" | head -5
    ls "$findings"
  fi
done
exit $status
