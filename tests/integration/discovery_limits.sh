#!/bin/bash
# Discovery protection, set at run time through the sysctl tree: max_starting holds PADOs back
# (every session still comes up), padi_rate drops PADIs over the rate (clients retry and all
# come up), pado_delay delays every PADO, pado_stop_sessions stops answering; each counted under
# its own reason. The per-MAC limits need one MAC twice, which pppoetest never does: a raw
# client (per_mac_limits.py) sends from one MAC.
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

# Per MAC: 30 PADIs at once from one MAC against 5 per second (burst 5) get at most 10 PADOs,
# the rest are counted; another MAC is still answered.
ac_mac=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
raw() { ip netns exec "$SUB" /usr/bin/python3 "$HERE/per_mac_limits.py" sub0 "$ac_mac" "$@"; }
set_limit padi_rate_per_mac 5
before=$(stat .drops.padi_mac_rate_limited)
out=$(raw padi-burst 30) || fail "per_mac_limits.py padi-burst: $out"
answered=$(echo "$out" | sed -n 1p)
[ "$answered" -ge 1 ] && [ "$answered" -le 10 ] || fail "padi_rate_per_mac 5: $answered of 30 PADIs answered"
expect_eq "$(echo "$out" | sed -n 2p)" 1 "another MAC answered during one MAC's burst"
[ $(( $(stat .drops.padi_mac_rate_limited) - before )) -ge 20 ] || fail "padi_mac_rate_limited not counted"
set_limit padi_rate_per_mac 0

# Two sessions per MAC: the third PADR from that MAC gets no PADS; another MAC does.
set_limit max_sessions_per_mac 2
out=$(raw sessions 3) || fail "per_mac_limits.py sessions: $out"
expect_eq "$(echo "$out" | sed -n 1p)" 2 "max_sessions_per_mac 2: sessions from one MAC"
expect_eq "$(echo "$out" | sed -n 2p)" 1 "another MAC still gets a session"
[ "$(stat .drops.mac_session_limit)" -ge 1 ] || fail "mac_session_limit not counted"
set_limit max_sessions_per_mac 0

expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.limits.max_starting | awk '{print $NF}')" 0 "sysctl reads back"
# The per-session control budget (exercised by hostile_frames.sh): default 20, settable.
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.limits.ppp_control_rate | awk '{print $NF}')" 20 "ppp_control_rate default"
set_limit ppp_control_rate 50
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.limits.ppp_control_rate | awk '{print $NF}')" 50 "ppp_control_rate set"
exit 0
