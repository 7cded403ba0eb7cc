#!/bin/bash
# RFC 4638: with an interface MTU of 1508, a client asking for PPP-Max-Payload 1500 gets it
# echoed in PADO/PADS, negotiates MRU 1500, and full 1500-byte IP packets cross the session
# without fragmentation. A client that does not ask stays at 1492.
. "$(dirname "$0")/common.sh"
ip -n "$AC" link set ac0 mtu 1508 && ip -n "$SUB" link set sub0 mtu 1508 || fail "mtu"
cfg=$LAB_LOGS/pppoed.conf
printf 'max-payload 1500\n' > "$cfg"
pppoed_start -f "$cfg" --secrets "$SECRETS" || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 1 --max-payload 1500 --ping-size 1472 --hold 2 --format json >"$LAB_LOGS/big.json" &
pid=$!
wait_stat .sessions.up 1 5
expect_eq "$(pppoectl_lab -j show sessions | jq '.sessions[0].peer_mru')" 1500 "negotiated MRU"
wait $pid || { cat "$LAB_LOGS/big.json"; fail "1500-byte pings through the session"; }
expect_eq "$(jq .traffic.lost "$LAB_LOGS/big.json")" 0 "lost pings"
pppoetest_lab -m create -i sub0 -n 1 --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 1 5
expect_eq "$(pppoectl_lab -j show sessions | jq '.sessions[0].peer_mru')" 1492 "MRU without RFC 4638"
wait $pid || fail "plain session"
grep -q "readable by group or others" "$LAB_LOGS/pppoed.log" && fail "warned about a 0600 secrets file"
chmod 644 "$SECRETS"
pppoed_stop
pppoed_start --secrets "$SECRETS" || fail "pppoed restart"
grep -q "ppp.secret: readable by group or others (mode 644)" "$LAB_LOGS/pppoed.log" || fail "no warning for a 0644 secrets file"
exit 0
