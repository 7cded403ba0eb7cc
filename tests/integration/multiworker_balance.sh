#!/bin/bash
# 4 workers, 800 sessions: every worker within 20 % of the mean with the default algorithm
# (fewest sessions), traffic through every session, and zero frames of any session handled by
# another worker (kernel dispatch by session ID). Then round-robin and MAC-hash at run time.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.15.250 -L -w 4 || fail "pppoed did not start"
sleep 0.3
expect_eq "$(pgrep -c -P "$PPPOED_PID")" 4 "worker processes (children of the master)"
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers | awk '{print $2}')" 4 "current_workers"

pppoetest_lab -m create -i sub0 -n 800 --target $NET_HOST --hold 3 --format json >"$LAB_LOGS/out.json" &
pid=$!
wait_stat .sessions.up 800 40
counts=$(pppoectl_lab -j show summary | jq -r '[.workers[].sessions] | join(" ")')
echo "sessions per worker: $counts"
for c in $counts; do
  [ "$c" -ge 160 ] && [ "$c" -le 240 ] || fail "worker with $c sessions: not within 20 % of 200 ($counts)"
done
imbalance=$(pppoectl_lab sysctl net.graph.pppoe_lb.health.load_imbalance_pct | awk '{print $2}')
[ "$imbalance" -le 20 ] || fail "load_imbalance_pct $imbalance"
wait $pid || { jq -c . "$LAB_LOGS/out.json"; fail "800 sessions with traffic"; }
for w in 0 1 2 3; do
  frames=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$w.session_frames | awk '{print $2}')
  foreign=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$w.foreign_frames | awk '{print $2}')
  [ "$frames" -gt 0 ] || fail "worker $w saw no session frames"
  expect_eq "$foreign" 0 "frames of other workers' sessions seen by worker $w"
done
wait_stat .sessions.total 0 5

# Selection algorithms at run time.
pppoectl_lab sysctl net.graph.pppoe_lb.algorithm=1 >/dev/null || fail "round robin"
pppoetest_lab -m create -i sub0 -n 40 --pings 1 --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 40 15
expect_eq "$(pppoectl_lab -j show summary | jq -r '[.workers[].sessions] | join(" ")')" "10 10 10 10" "round robin"
wait $pid || fail "round robin sessions"
wait_stat .sessions.total 0 5
pppoectl_lab sysctl net.graph.pppoe_lb.algorithm=2 >/dev/null || fail "mac hash"
pppoetest_lab -m create -i sub0 -n 200 --pings 1 --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 200 20
ids=$(pppoectl_lab -j show sessions | jq -c '[.sessions[] | {mac, worker}]')
wait $pid || fail "mac hash sessions"
pppoectl_lab sysctl net.graph.pppoe_lb.algorithm=3 2>&1 | grep -q "out of range (0 to 2)" || fail "range check"
pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers=3 2>&1 | grep -q "read only" || fail "read-only check"
echo "$ids" | jq -e 'length == 200' >/dev/null || fail "sessions listed"
exit 0
