#!/bin/bash
# build.sh [release|asan] [TARGET...] - configures and builds into build/ (release) or
# build-asan/; with targets, only those (the demo needs three programs, not the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
shift || true
targets=()
for t in "$@"; do targets+=(--target "$t"); done
case "$kind" in
  release) cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
             cmake --build build -j"$(nproc)" "${targets[@]}" ;;
  asan) cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPPPOE_SANITIZE=ON >/dev/null &&
          cmake --build build-asan -j"$(nproc)" ;;
  *) echo "usage: $0 [release|asan] [TARGET...]" >&2; exit 2 ;;
esac
