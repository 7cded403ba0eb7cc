#!/bin/bash
# The short version of bench/soak.sh (60 s of churn, vanishing clients, SIGKILLed workers and
# governor scaling), with its leak checks.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=tsoak$$ BIN=${BIN:-$ROOT/build/bin} bash "$ROOT/bench/soak.sh" 60 && echo "PASS: soak_short"
