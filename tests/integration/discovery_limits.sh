#!/bin/bash
# Discovery protection, set at run time through the sysctl tree: max_starting holds PADOs back
# (every session still comes up), padi_rate drops PADIs over the rate (clients retry and all
# come up), pado_delay delays every PADO, pado_stop_sessions stops answering; each counted under
# its own reason. (Per-MAC limits need one MAC twice: unit-tested in discovery_guard_test.)
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
set_limit() { pppoectl_lab sysctl "net.graph.pppoe_lb.limits.$1=$2" >/dev/null || fail "sysctl limits.$1=$2"; }
create() { pppoetest_lab -m create -i sub0 --auth pap --user test --password test --pings 1 --no-ipv6 --timeout 40 --format json "$@"; }

set_limit max_starting 20
out=$(create -n 300)
expect_eq "$(echo "$out" | jq .established)" 300 "max_starting 20: every session established"
[ "$(stat .drops.max_starting)" -gt 0 ] || fail "max_starting never held a PADO back"
set_limit max_starting 0
wait_stat .sessions.total 0 10

set_limit padi_rate 50
out=$(create -n 150)
expect_eq "$(echo "$out" | jq .established)" 150 "padi_rate 50/s: every session established after retries"
[ "$(stat .drops.padi_rate_limited)" -gt 0 ] || fail "no PADI counted as rate-limited"
set_limit padi_rate 0
wait_stat .sessions.total 0 10

set_limit pado_delay_ms 400
out=$(create -n 5)
expect_eq "$(echo "$out" | jq .established)" 5 "pado_delay: established"
p50=$(echo "$out" | jq .setup_ms.p50)
[ "$(echo "$p50 >= 400" | bc)" = 1 ] || fail "PADO delay 400 ms, setup p50 $p50 ms"
set_limit pado_delay_ms 0
wait_stat .sessions.total 0 10

# Stop answering at 20 sessions: 20 held sessions, then nobody else gets a PADO.
set_limit pado_stop_sessions 20
create -n 20 --hold 18 >/dev/null &
holder=$!
wait_stat .sessions.up 20 15
out=$(pppoetest_lab -m create -i sub0 --auth pap --user test --password test -n 2 --no-ipv6 --timeout 20 --format json)
expect_eq "$(echo "$out" | jq .established)" 0 "no PADO above pado_stop_sessions"
expect_eq "$(echo "$out" | jq -r '.failed_by_phase.discovery')" 2 "failed in discovery"
[ "$(stat .drops.pado_suppressed)" -gt 0 ] || fail "pado_suppressed not counted"
set_limit pado_stop_sessions 0
wait $holder || fail "the 20 held sessions"
wait_stat .sessions.total 0 10
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.limits.max_starting | awk '{print $NF}')" 0 "sysctl reads back"
exit 0
