#!/bin/bash
# bench/standby.sh [REPEAT] - what subscribers see when the MASTER access concentrator of a
# standby pair loses its access link (issue 15, case 4): two pppoed boxes with the same AC MAC,
# keepalived VRRPv3 with advert_int 0.01 (scripts/standby-lib.sh), 1,000 sessions held with a
# ping every 10 ms through 100 of them (pppoetest --traffic-interval 10 --traffic-sessions 100),
# and 4 s into the hold the MASTER's access link is cut (its switch port loses carrier); the
# BACKUP continues every session.
# Reported per run: the largest gap between two replies of one session, pings lost, sessions
# that flapped or were authenticated again, sessions the new MASTER continued, and the takeover
# time (from the cut until the new MASTER reports it runs the sessions). Baseline in the same
# run: the same hold with no event (its largest gap is this machine's noise floor). Default
# REPEAT 3.
set -uo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
. bench/bench-lib.sh
bench_lab pppstby
SECRETS=$LAB_LOGS/ppp.secret
. scripts/standby-lib.sh
trap 'standby_down; lab_down' EXIT
standby_up || { echo "standby lab"; exit 1; }
standby_configure 0.01
standby_start_all a || exit 1
standby_start_all b || exit 1
for _ in $(seq 1 150); do m=$(standby_master); [ ${#m} == 1 ] && break; sleep 0.1; done
M=$(standby_master)
[ ${#M} == 1 ] || { echo "not one MASTER: '$M'"; exit 1; }
S=$(standby_other "$M")
standby_wait "$S" .ready true 15 >/dev/null || exit 1
hold() {  # OUT SECONDS
  ip netns exec "$SUB" "$BIN/pppoetest" -m create -i t0 -n 1000 --auth pap --user bench --password bench \
    --target 10.0.0.1 --hold "$2" --traffic-interval 10 --traffic-sessions 100 --timeout 30 --format json \
    >"$1" 2>/dev/null
}
up_on() { standby_summary "$1" .sessions.up; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
for run in $(seq 1 "$REPEAT"); do
  hold "$LAB_LOGS/base.json" 10
  hold_row "baseline (no event)" "$LAB_LOGS/base.json" 0 0
  sleep 2
  hold "$LAB_LOGS/run.json" 12 &
  holder=$!
  for _ in $(seq 1 200); do [ "$(up_on "$M")" = 1000 ] && break; sleep 0.1; done
  standby_wait "$S" .held_sessions 1000 10 >/dev/null
  sleep 4
  before=$(standby_stat "$S" .counters.continued)
  t0=$(date +%s%N)
  standby_cut "$M"
  while [ "$(up_on "$S")" != 1000 ]; do [ "$(ms_since "$t0")" -gt 10000 ] && break; sleep 0.01; done
  took=$(ms_since "$t0")
  moved=$(( $(standby_stat "$S" .counters.continued) - before ))
  standby_uncut "$M"
  wait $holder
  hold_row "MASTER link cut" "$LAB_LOGS/run.json" "$moved" "$took"
  standby_wait "$M" .ready true 15 >/dev/null
  for _ in $(seq 1 100); do [ "$(up_on "$S")" = 0 ] && break; sleep 0.1; done
  M=$S
  S=$(standby_other "$M")
done
hold_table continued
echo "(ratio = largest gap relative to the largest gap of the baseline runs; $(nproc) CPUs shared by the"
echo " 1,000 clients, both pppoed boxes and keepalived; VRRP advert_int 0.01; traffic: one ping per 10 ms"
echo " through 100 sessions; took = from the cut until the new MASTER reports 1,000 sessions up)"
