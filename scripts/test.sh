#!/bin/bash
# The whole test suite: installs, builds with ASan+UBSan, runs unit tests, fuzz corpus replay
# and the integration tests in network namespaces (root), and prints ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "test.sh needs root (network namespaces)"; exit 2; }
scripts/install-deps.sh
scripts/build.sh asan
cd build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --output-on-failure --timeout 600 "$@"
