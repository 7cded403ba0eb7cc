#!/bin/bash
# fuzz.sh [SECONDS] - builds every fuzz target with AFL++ instrumentation (afl-g++) and ASan,
# runs each for SECONDS (default 60) from its seed corpus, and fails on any crash or hang.
# Prints executions and coverage (edges found) per target.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
scripts/install-deps.sh
command -v afl-g++ >/dev/null || { echo "afl++ is missing"; exit 1; }
export AFL_USE_ASAN=1 AFL_QUIET=1
rm -rf build-fuzz/CMakeCache.txt build-fuzz/CMakeFiles
CC=afl-gcc CXX=afl-g++ cmake -S . -B build-fuzz -DPPPOE_FUZZ=ON -DPPPOE_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_BENCH_UNTIL_CRASH=1
status=0
for bin in build-fuzz/bin/fuzz_*; do
  t=${bin##*/fuzz_}
  out=build-fuzz/afl-$t
  rm -rf "$out"
  timeout $((SECONDS_EACH + 30)) afl-fuzz -V "$SECONDS_EACH" -i fuzz/corpus/"$t" -o "$out" -- "$bin" @@ \
    >"build-fuzz/$t.log" 2>&1 || true
  stats=$out/default/fuzzer_stats
  [ -f "$stats" ] || { echo "$t: afl-fuzz did not run"; tail -n 20 "build-fuzz/$t.log"; status=1; continue; }
  crashes=$(awk -F: '/^saved_crashes/ {gsub(/ /,"",$2); print $2}' "$stats")
  hangs=$(awk -F: '/^saved_hangs/ {gsub(/ /,"",$2); print $2}' "$stats")
  execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats")
  edges=$(awk -F: '/^edges_found/ {gsub(/ /,"",$2); print $2}' "$stats")
  echo "$t: $execs executions, $edges edges found, crashes $crashes, hangs $hangs"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then status=1; ls "$out"/default/crashes "$out"/default/hangs; fi
done
exit $status
