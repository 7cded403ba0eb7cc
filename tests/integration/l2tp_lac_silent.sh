#!/bin/bash
# pppoed as LAC with an LNS that never answers (issue 20): the first LNS of the profile is an
# address nobody holds, so the SCCRQ goes unanswered (retransmitted after 1, 2 and 4 s, RFC
# 2661 section 5.8's back-off); after the profile's `timeout` (10 s) the LNS is held down and
# the waiting sessions go to the profile's second LNS (the RFC 2661 LNS of lib/l2tp_lns.py); a
# session arriving during the hold-down goes there at once.
. "$(dirname "$0")/common.sh"
. "$HERE/l2tp_common.sh"
cat > "$LAB_LOGS/pppoed.conf" <<CONF
auth pap
l2tp-tunnel silent lns 198.51.100.9 $NET_HOST
l2tp-tunnel silent hold-down 120
l2tp-realm silent.example silent
CONF
lns_start $NET_HOST "erin@silent.example:pw"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" || fail "pppoed did not start"
start=$SECONDS
pppoetest_lab -m create -i sub0 -n 3 --user erin@silent.example --password pw --auth pap --no-ipv6 \
  --pings 1 --timeout 45 --format json >"$LAB_LOGS/waited.json" \
  || { jq -c '.summary // .' "$LAB_LOGS/waited.json" | cut -c1-600; fail "sessions waiting out a silent LNS"; }
waited=$((SECONDS - start))
echo "sessions up after the silent LNS was given up: ${waited} s"
[ "$waited" -ge 9 ] && [ "$waited" -le 20 ] || fail "the silent LNS was given up after ${waited} s, not after its 10 s timeout"
ac=$(pppoectl_lab -j show ac)
expect_eq "$(echo "$ac" | jq -c '[.counters.endpoints_held_down, .counters.tunnels_failed, .counters.control_retransmitted >= 3]')" \
  "[1,1,true]" "show ac: the silent LNS held down after its retransmissions"
grep -q "no answer within 10 s" "$LAB_LOGS/pppoed.log" || fail "the log does not say why the LNS was given up"
grep -q "198.51.100.9:1701.*held down" "$LAB_LOGS/pppoed.log" || fail "no log line holding the silent LNS down"
# During the hold-down a new session goes straight to the second LNS.
start=$SECONDS
pppoetest_lab -m create -i sub0 -n 1 --user erin@silent.example --password pw --auth pap --no-ipv6 \
  --pings 1 --timeout 10 --format json >"$LAB_LOGS/direct.json" || fail "a session during the hold-down"
[ $((SECONDS - start)) -lt 8 ] || fail "a session during the hold-down waited for the silent LNS again"
