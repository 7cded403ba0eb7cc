#!/bin/bash
# 21 survival events in a row under one hold (issue 15): kill -9 of a worker (adopted by its
# replacement), `msg migrate` of a worker (then back to 2 workers), restart (SIGUSR2, start
# again), seven times each, while 300 sessions are held with a ping every 50 ms through 60 of
# them. Every session lives through all of them (no PADT, no LCP down, no new login); afterwards,
# with every session ended: no session ID, table slot, dispatch entry, pool address or index
# entry leaked, and the file descriptors of master and workers are what a fresh start has.
. "$(dirname "$0")/common.sh"
start() { pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 2; }
res() { pppoectl_lab -j show resources; }
start || fail "pppoed did not start"
sleep 0.5
fresh=$(res)
master_fds0=$(( $(echo "$fresh" | jq '.processes[] | select(.role=="master") | .fds') - 2 ))
worker_fds0=$(echo "$fresh" | jq '[.processes[] | select(.role!="master") | .fds] | max')
pppoetest_lab -m create -i sub0 -n 300 --target $NET_HOST --hold 70 --traffic-interval 50 --traffic-sessions 60 \
  --format json >"$LAB_LOGS/out.json" &
holder=$!
wait_stat .sessions.up 300 30
for round in $(seq 1 7); do
  # Each round starts in a fresh process (the restart of the round before): crashes count from 0.
  read -r slot pid < <(newest_worker)
  kill -9 "$pid"
  wait_stat .worker_crashes 1 5
  wait_stat .sessions.up 300 5
  sleep 0.5
  read -r slot pid < <(newest_worker)
  pppoectl_lab msg migrate "$slot" >/dev/null || fail "round $round: msg migrate $slot"
  for _ in $(seq 1 50); do
    [ "$(pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers | awk '{print $2}')" = 1 ] && break
    sleep 0.1
  done
  pppoectl_lab msg setworkers 2 >/dev/null || fail "round $round: setworkers 2"
  wait_stat .sessions.up 300 5
  sleep 0.5
  kill -USR2 "$PPPOED_PID"
  while kill -0 "$PPPOED_PID" 2>/dev/null; do sleep 0.02; done
  wait "$PPPOED_PID" 2>/dev/null
  start || fail "round $round: pppoed did not start again"
  for _ in $(seq 1 50); do
    [ "$(grep -c "continued 300 sessions" "$LAB_LOGS/pppoed.log")" = "$round" ] && break
    sleep 0.1
  done
  expect_eq "$(grep -c "continued 300 sessions" "$LAB_LOGS/pppoed.log")" "$round" "round $round: restarts that continued 300 sessions"
  wait_stat .sessions.up 300 5
  sleep 0.5
  echo "round $round: kill -9, migrate, restart: 300 sessions up"
done
wait $holder
out=$(cat "$LAB_LOGS/out.json")
echo "$out" | jq -c '{established, closed_by_server, reconnected, flapped, reauthenticated, hold}'
expect_eq "$(echo "$out" | jq .closed_by_server)" 0 "sessions ended by the 21 events"
expect_eq "$(echo "$out" | jq .flapped)" 0 "sessions whose LCP went down"
expect_eq "$(echo "$out" | jq .reauthenticated)" 0 "sessions authenticated again"
wait_stat .sessions.total 0 10
sleep 1
after=$(res)
expect_eq "$(echo "$after" | jq .free_session_ids)" 65534 "free session IDs"
expect_eq "$(echo "$after" | jq .session_table_used)" 0 "shared table slots used"
expect_eq "$(echo "$after" | jq .dispatch_entries_to_workers)" 0 "BPF dispatch entries to workers"
expect_eq "$(echo "$after" | jq .pool_in_use)" 0 "pool addresses in use"
expect_eq "$(echo "$after" | jq .ipv4_index)" 0 "IPv4 index entries"
expect_eq "$(echo "$after" | jq .ipv6_index)" 0 "IPv6 index entries"
workers=$(echo "$after" | jq '[.processes[] | select(.role!="master")] | length')
expect_eq "$(( $(echo "$after" | jq '.processes[] | select(.role=="master") | .fds') - workers ))" "$master_fds0" \
  "master file descriptors (net of worker channels)"
expect_eq "$(echo "$after" | jq '[.processes[] | select(.role!="master") | .fds] | max')" "$worker_fds0" \
  "worker file descriptors"
exit 0
