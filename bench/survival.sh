#!/bin/bash
# bench/survival.sh [REPEAT] - what subscribers see when pppoed survives a fault or a planned
# change (issue 15): 1,000 sessions held on 2 workers, a ping every 10 ms through 100 of them
# (pppoetest --traffic-interval 10 --traffic-sessions 100), and 3 s into the hold one of:
#   kill -9 of a worker     the newest worker SIGKILLed; its replacement adopts the sessions
#   msg migrate             `pppoectl msg migrate` of the newest worker (~500 sessions)
#   restart                 SIGUSR2 (systemd's RestartKillSignal), then pppoed started again
#   upgrade                 the same with another binary file (a copy: the upgrade path)
# Reported per run: the largest gap between two replies of one session, pings lost, sessions
# that flapped (LCP down, PADT, new discovery) or were authenticated again, sessions the event
# moved, and how long the event took (migrate: until the worker was gone; restart/upgrade:
# from the signal until the new pppoed answered). Baseline in the same run: the same hold with
# no event (its largest gap is this machine's noise floor). Default REPEAT 3.
set -uo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
. bench/bench-lib.sh
bench_lab pppsurv
start() { pppoed_start --secrets "$LAB_LOGS/ppp.secret" --auth pap --pool 10.0.0.10-10.0.7.250 -L -w 2; }
start || { echo "pppoed did not start"; exit 1; }
mkdir -p "$LAB_LOGS/newbin" && cp "$BIN/pppoed" "$LAB_LOGS/newbin/pppoed"
summary() { pppoectl_lab -j show summary; }
hold() {  # OUT: 1,000 sessions held 10 s with traffic through 100
  pppoetest_lab -m create -i sub0 -n 1000 --auth pap --user bench --password bench --target $NET_HOST \
    --hold 10 --traffic-interval 10 --traffic-sessions 100 --timeout 30 --format json >"$1" 2>/dev/null
}
wait_empty() { for _ in $(seq 1 100); do [ "$(summary | jq .sessions.total)" = 0 ] && return; sleep 0.2; done; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
event() {  # SCENARIO: runs it 3 s into a held run and records the row
  local scenario=$1 moved=0 took=0 t0 before
  hold "$LAB_LOGS/run.json" &
  local holder=$!
  for _ in $(seq 1 150); do [ "$(summary | jq .sessions.up)" = 1000 ] && break; sleep 0.1; done
  sleep 3
  read -r slot pid < <(newest_worker)
  case $scenario in
    "kill -9 of a worker")
      before=$(summary | jq .sessions_adopted)
      kill -9 "$pid"
      for _ in $(seq 1 50); do [ "$(summary | jq .sessions_adopted)" != "$before" ] && break; sleep 0.1; done
      sleep 0.5
      moved=$(( $(summary | jq .sessions_adopted) - before )) ;;
    "msg migrate")
      before=$(summary | jq .sessions_migrated)
      t0=$(date +%s%N)
      pppoectl_lab msg migrate "$slot" >/dev/null
      for _ in $(seq 1 200); do
        pppoectl_lab sysctl net.graph.pppoe_lb.workers.$slot.pid >/dev/null 2>&1 || break; sleep 0.01
      done
      took=$(ms_since "$t0")
      moved=$(( $(summary | jq .sessions_migrated) - before ))
      pppoectl_lab msg setworkers 2 >/dev/null ;;
    restart|upgrade)
      t0=$(date +%s%N)
      kill -USR2 "$PPPOED_PID"
      while kill -0 "$PPPOED_PID" 2>/dev/null; do sleep 0.01; done
      wait "$PPPOED_PID" 2>/dev/null
      if [ "$scenario" = upgrade ]; then BIN=$LAB_LOGS/newbin start; else start; fi
      took=$(ms_since "$t0")
      moved=$(grep -o "continued [0-9]* sessions" "$LAB_LOGS/pppoed.log" | tail -1 | awk '{print $2}') ;;
  esac
  wait $holder
  hold_row "$scenario" "$LAB_LOGS/run.json" "$moved" "$took"
  wait_empty
}
for run in $(seq 1 "$REPEAT"); do
  hold "$LAB_LOGS/base.json"
  hold_row "baseline (no event)" "$LAB_LOGS/base.json" 0 0
  wait_empty
  for scenario in "kill -9 of a worker" "msg migrate" restart upgrade; do event "$scenario"; done
done
hold_table moved
echo "(ratio = largest gap relative to the largest gap of the baseline runs; $(nproc) CPUs shared by the"
echo " 1,000 clients, pppoed and the pinged host; traffic: one ping per 10 ms through 100 sessions)"
