#!/bin/bash
# build.sh [release|asan] - configures and builds into build/ (release) or build-asan/.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-release}" in
  release) cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j"$(nproc)" ;;
  asan) cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPPPOE_SANITIZE=ON >/dev/null &&
          cmake --build build-asan -j"$(nproc)" ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
