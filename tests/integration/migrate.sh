#!/bin/bash
# Live migration between workers (issue 15, case 3): `pppoectl msg migrate 1` drains worker 1
# and moves its sessions to the ACTIVE workers at once (no PADT, no re-authentication, the
# worker removed well before any drain timeout); then governor.drain_migrate=1 makes a
# scale-down (setworkers 1) migrate the same way. pppoetest --check-affinity reports the moved
# sessions as intended, the subscribers' pings go on.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 3 || fail "pppoed did not start"
w() { pppoectl_lab sysctl "net.graph.pppoe_lb.$1" | awk '{print $2}'; }
pppoetest_lab -m create -i sub0 -n 600 --target $NET_HOST --hold 14 --traffic-interval 20 --traffic-sessions 150 \
  --format json >"$LAB_LOGS/out.json" &
holder=$!
wait_stat .sessions.up 600 30
sleep 2
on1=$(w workers.1.sessions)
[ "$on1" -gt 0 ] || fail "worker 1 has no sessions"
t0=$(date +%s%N)
out=$(pppoectl_lab msg migrate 1) || fail "msg migrate: $out"
echo "$out" | grep -q "worker 1: DRAINING, $on1 sessions migrating" || fail "msg migrate answer: $out"
wait_stat .sessions_migrated "$on1" 5
for _ in $(seq 1 50); do [ "$(w governor.current_workers)" = 2 ] && break; sleep 0.1; done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "$(w governor.current_workers)" 2 "worker 1 removed once empty"
echo "worker 1: $on1 sessions migrated and the worker removed in $ms ms (drain timeout $(w governor.drain_timeout) s)"
[ "$ms" -lt "$(( $(w governor.drain_timeout) * 1000 ))" ] || fail "the migration took as long as a drain timeout"
expect_eq "$(stat .sessions.up)" 600 "sessions up after the migration"
affinity=$(pppoetest_lab --check-affinity -s "$LAB_LOGS/pppoed.sock" --format json)
expect_eq "$(echo "$affinity" | jq .failed)" 0 "affinity drifts"
expect_eq "$(echo "$affinity" | jq .moved)" "$on1" "sessions reported as moved on purpose"
pppoetest_lab --check-affinity -s "$LAB_LOGS/pppoed.sock" --no-color | grep -q "$on1 of the passed sessions were migrated" ||
  fail "console affinity report"
# A migrating scale-down.
pppoectl_lab sysctl net.graph.pppoe_lb.governor.drain_migrate=1 >/dev/null || fail "drain_migrate"
before=$(stat .sessions_migrated)
pppoectl_lab msg setworkers 1 >/dev/null || fail "setworkers 1"
for _ in $(seq 1 50); do [ "$(w governor.current_workers)" = 1 ] && break; sleep 0.1; done
expect_eq "$(w governor.current_workers)" 1 "scaled down to one worker by migration"
[ "$(stat .sessions_migrated)" -gt "$before" ] || fail "the scale-down migrated nothing"
expect_eq "$(stat .sessions.up)" 600 "sessions up after the scale-down"
wait $holder
res=$(cat "$LAB_LOGS/out.json")
echo "$res" | jq -c '{established, closed_by_server, reconnected, flapped, reauthenticated, hold}'
expect_eq "$(echo "$res" | jq .closed_by_server)" 0 "sessions the migrations ended"
expect_eq "$(echo "$res" | jq .flapped)" 0 "sessions whose LCP went down"
expect_eq "$(echo "$res" | jq .reauthenticated)" 0 "sessions authenticated again"
expect_eq "$(echo "$res" | jq '.held_sessions | length')" 150 "sessions reported one by one"
expect_eq "$(echo "$res" | jq '[.held_sessions[] | select(.flapped or .reauthenticated)] | length')" 0 \
  "sessions that noticed anything but a gap"
# Every moved session loses at most the ping in flight at each move, and a session can move
# twice (off worker 1, then off the worker the scale-down empties): 2 per traffic session.
[ "$(echo "$res" | jq .hold.lost_stable)" -le 300 ] || fail "$(echo "$res" | jq .hold.lost_stable) pings lost"
# And no session's pings stop for long (a move takes milliseconds; 108 ms was the largest gap seen).
[ "$(echo "$res" | jq '.hold.largest_gap_ms < 2000')" = true ] || fail "a gap of $(echo "$res" | jq .hold.largest_gap_ms) ms in a session's pings"
grep -q "terminating its\|tore down" "$LAB_LOGS/pppoed.log" && fail "a session was terminated"
expect_eq "$(stat .worker_crashes)" 0 "a migration is not a crash"
wait_stat .sessions.total 0 10
expect_eq "$(stat .pool.in_use)" 0 "addresses back in the pool"
exit 0
