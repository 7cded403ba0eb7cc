#!/bin/bash
# Worker states (30.6.4.4, 30.6.10.3): a DRAINING worker gets none of the sessions of a storm
# but keeps its own; state=0 cancels the drain; a drain that outlasts drain_timeout terminates
# the remaining sessions cleanly (PADT) and removes the worker.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 3 || fail "pppoed did not start"
w() { pppoectl_lab sysctl "net.graph.pppoe_lb.$1" | awk '{print $2}'; }
pppoetest_lab -m create -i sub0 -n 150 --pings 1 --hold 25 --format json >"$LAB_LOGS/first.json" &
first=$!
wait_stat .sessions.up 150 20
before=$(w workers.1.sessions)
pppoectl_lab sysctl net.graph.pppoe_lb.workers.1.state=1 >/dev/null || fail "drain"
expect_eq "$(w workers.1.state)" 1 "worker 1 DRAINING"
pppoectl_lab msg showworkers | grep -q "Worker 1: DRAINING ($before sessions" || fail "showworkers: $(pppoectl_lab msg showworkers)"
expect_eq "$(w governor.draining_workers)" 1 "draining_workers"
# A storm of new sessions while worker 1 drains.
pppoetest_lab -m create -i sub0 -n 200 --pings 1 --hold 4 >/dev/null &
storm=$!
wait_stat .sessions.up 350 20
expect_eq "$(w workers.1.sessions)" "$before" "sessions on the DRAINING worker (none new, none lost)"
wait $storm || fail "storm sessions"
wait_stat .sessions.total 150 10
# Cancel (30.6.10.3): back to ACTIVE, and it takes new sessions again.
pppoectl_lab sysctl net.graph.pppoe_lb.workers.1.state=0 >/dev/null || fail "cancel drain"
expect_eq "$(w workers.1.state)" 0 "worker 1 ACTIVE again"
pppoetest_lab -m create -i sub0 -n 30 --pings 1 --hold 2 >/dev/null &
more=$!
wait_stat .sessions.up 180 15
[ "$(w workers.1.sessions)" -gt "$before" ] || fail "worker 1 got no sessions after the cancel"
wait $more || fail "sessions after cancel"
wait_stat .sessions.total 150 10
# Drain timeout: the remaining sessions end with PADT and the worker goes away.
pppoectl_lab sysctl net.graph.pppoe_lb.governor.drain_timeout=2 >/dev/null || fail "drain_timeout"
pppoectl_lab sysctl net.graph.pppoe_lb.workers.1.state=1 >/dev/null || fail "drain again"
for _ in $(seq 1 50); do [ "$(w governor.current_workers)" = 2 ] && break; sleep 0.2; done
expect_eq "$(w governor.current_workers)" 2 "worker removed after the drain timeout"
grep -q "worker 1: drain timeout after 2 s, terminating its $before sessions" "$LAB_LOGS/pppoed.log" || fail "drain timeout log"
grep -q "removed worker 1 (now 2 workers)" "$LAB_LOGS/pppoed.log" || fail "removal log"
wait $first
expect_eq "$(jq .closed_by_server "$LAB_LOGS/first.json")" "$before" "sessions ended by the drain timeout"
pppoectl_lab sysctl net.graph.pppoe_lb.workers.1.state 2>&1 | grep -q "unknown oid" || fail "removed worker still listed"
expect_eq "$(stat .worker_crashes)" 0 "a removal is not a crash"
exit 0
