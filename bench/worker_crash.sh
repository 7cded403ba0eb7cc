#!/bin/bash
# bench/worker_crash.sh [REPEAT] - what subscribers see when a worker is killed with SIGKILL
# (issue 15, case 1): 1,000 sessions held on 2 workers, a ping every 10 ms through 100 of them
# (pppoetest --traffic-interval 10 --traffic-sessions 100), the newest worker killed 3 s into
# the hold; its replacement adopts the sessions. Reported per run: the largest gap between two
# replies of one session, pings lost, sessions that flapped (LCP down, PADT, new discovery) or
# were authenticated again, sessions adopted.
# Baseline, in the same run: the same hold with no fault (its largest gap is the noise floor of
# this machine: scheduler, ring block timeout, ping interval). Default REPEAT 3.
set -uo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
. bench/bench-lib.sh
bench_lab pppcrash
pppoed_start --secrets "$LAB_LOGS/ppp.secret" --auth pap --pool 10.0.0.10-10.0.7.250 -L -w 2 ||
  { echo "pppoed did not start"; exit 1; }
summary() { pppoectl_lab -j show summary; }
hold() {  # OUT: 1,000 sessions held 10 s with traffic through 100
  pppoetest_lab -m create -i sub0 -n 1000 --auth pap --user bench --password bench --target $NET_HOST \
    --hold 10 --traffic-interval 10 --traffic-sessions 100 --timeout 30 --format json >"$1" 2>/dev/null
}
wait_empty() { for _ in $(seq 1 100); do [ "$(summary | jq .sessions.total)" = 0 ] && return; sleep 0.2; done; }
ROWS=()
row() {  # scenario json adopted
  ROWS+=("$(printf '%s|%s|%s|%s|%s|%s|%s|%s' "$1" "$(jq .established "$2")" "$(jq .hold.largest_gap_ms "$2")" \
    "$(jq .hold.lost_stable "$2")" "$(jq .hold.sent "$2")" "$(jq .flapped "$2")" "$(jq .reauthenticated "$2")" "$3")")
}
for run in $(seq 1 "$REPEAT"); do
  hold "$LAB_LOGS/base.json"
  row "baseline (no fault)" "$LAB_LOGS/base.json" 0
  wait_empty
  adopted0=$(summary | jq .sessions_adopted)
  hold "$LAB_LOGS/crash.json" &
  holder=$!
  for _ in $(seq 1 150); do [ "$(summary | jq .sessions.up)" = 1000 ] && break; sleep 0.1; done
  sleep 3
  # The newest worker: its TUN queue is the last attached, so its exit moves no other queue
  # (operator guide, "Limits of this version"): the gap measured is adoption's own.
  victim=0
  for w in 0 1 2 3; do
    p=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$w.pid 2>/dev/null | awk '{print $2}')
    [ -n "$p" ] && [ "$p" -gt "$victim" ] && victim=$p
  done
  kill -9 "$victim"
  wait $holder
  row "kill -9 of a worker" "$LAB_LOGS/crash.json" $(( $(summary | jq .sessions_adopted) - adopted0 ))
  wait_empty
done
echo
printf "%-22s %11s %15s %8s %10s %8s %9s %8s %6s\n" scenario established "largest gap ms" lost "pings sent" flapped "re-auth" adopted ratio
for r in "${ROWS[@]}"; do
  IFS='|' read -r scenario est gap lost sent flapped reauth adopted <<<"$r"
  base=$(for b in "${ROWS[@]}"; do IFS='|' read -r s _ g _ <<<"$b"; [ "$s" = "baseline (no fault)" ] && echo "$g"; done | sort -n | tail -1)
  printf "%-22s %11s %15s %8s %10s %8s %9s %8s %6.2f\n" "$scenario" "$est" "$gap" "$lost" "$sent" "$flapped" "$reauth" \
    "$adopted" "$(echo "$gap / $base" | bc -l)"
done
echo "(ratio = largest gap relative to the largest gap of the baseline runs; $(nproc) CPUs shared by the"
echo " 1,000 clients, pppoed and the pinged host; traffic: one ping per 10 ms through 100 sessions)"
