#!/bin/bash
# pppoed as LAC with tunnels chosen by a real FreeRADIUS (RFC 2868 Tunnel-* attributes in the
# Access-Accept, `l2tp-radius yes`): the Tunnel-Password authenticates the tunnel, the
# Tunnel-Client-Auth-Id is our host name, sessions of one Tunnel-Assignment-Id share each
# worker's tunnel; two tagged tunnels are tried by Tunnel-Preference (the first LNS refuses);
# users whose Accept has no tunnel are served locally beside them.
. "$(dirname "$0")/common.sh"
. "$HERE/radius_common.sh"
. "$HERE/l2tp_common.sh"
L2TP_EXTRA_FINISH="radius_stop primary"
USERS="wholesale-user:via-radius,failover-user:via-radius"
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<CONF
auth pap chap
l2tp-radius yes
CONF
lns_start $NET_HOST "$USERS" --secret-file "$LAB_LOGS/secret"
lns_start 198.51.100.3 "$USERS" --refuse yes
lns_start 198.51.100.4 "$USERS"
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start"
# Each group holds 8 s: all 45 must be up at once for the count below, and one group's setup can
# take a RADIUS retransmission (3 s) longer than another's (seen once: 36 ms against 3.1 s).

pppoetest_lab -m create -i sub0 -n 30 --user wholesale-user --password via-radius --auth pap --no-ipv6 \
  --pings 2 --hold 8 --timeout 20 --format json >"$LAB_LOGS/tunnelled.json" &
tunnelled=$!
pppoetest_lab -m create -i sub0 -n 10 --user failover-user --password via-radius --auth chap --no-ipv6 \
  --pings 2 --hold 8 --timeout 20 --format json >"$LAB_LOGS/failover.json" &
failover=$!
pppoetest_lab -m create -i sub0 -n 5 --user alice --password wonderland --no-ipv6 --target $NET_HOST --pings 2 \
  --hold 8 --format json >"$LAB_LOGS/local.json" &
local_users=$!
wait_stat .sessions.up 45 30
wait $tunnelled || { jq -c . "$LAB_LOGS/tunnelled.json"; fail "sessions in RADIUS-chosen tunnels"; }
wait $failover || { jq -c . "$LAB_LOGS/failover.json"; fail "sessions after failover by Tunnel-Preference"; }
wait $local_users || { jq -c . "$LAB_LOGS/local.json"; fail "RADIUS users served locally"; }
wait_stat .sessions.total 0 10
pppoectl_lab show radius | tee "$LAB_LOGS/radius.txt"
grep -q "access requests: 45, accepts: 45, rejects: 0" "$LAB_LOGS/radius.txt" || fail "show radius: propppctl-style counters"
grep -q "accounting starts: 45, stops: 45" "$LAB_LOGS/radius.txt" || fail "show radius: accounting of tunnelled and local sessions"
# RFC 2867: the tunnelled sessions' records say where they went.
sleep 0.5
detail=$(radius_detail primary)
expect_eq "$(echo "$detail" | grep -c 'Acct-Tunnel-Connection = ')" 80 "records with Acct-Tunnel-Connection (40 Start, 40 Stop)"
expect_eq "$(echo "$detail" | grep -c 'Tunnel-Server-Endpoint.* = "198.51.100.1"')" 60 "records naming the first LNS"
expect_eq "$(echo "$detail" | grep -c 'Tunnel-Server-Endpoint.* = "198.51.100.4"')" 20 "records naming the LNS after failover"
expect_eq "$(echo "$detail" | grep -c 'Tunnel-Assignment-Id.* = "partner-a"')" 60 "records with the Tunnel-Assignment-Id"
echo "$detail" | grep -q 'Tunnel-Client-Auth-Id.* = "lac-radius"' || fail "accounting without our host name"
echo "$detail" | grep -q 'Tunnel-Server-Auth-Id.* = "rfc2661-lns"' || fail "accounting without the LNS's host name"
grep -q "auth requests in progress: 0" "$LAB_LOGS/radius.txt" || fail "show radius: requests in progress"
ac=$(pppoectl_lab -j show ac)
expect_eq "$(echo "$ac" | jq -c '[.routing.routes_created, .l2tp.sessions_opened, .radius.successful_requests]')" "[40,40,45]" \
  "show ac: routes, sessions, RADIUS requests"
[ "$(echo "$ac" | jq .counters.endpoints_held_down)" -ge 1 ] || fail "show ac: the refusing LNS's hold-down not counted"
for p in "${L2TP_PIDS[@]}"; do lns_stop "$p"; done  # (a copy of the list is iterated)
jq -c . "$LAB_LOGS/lns-$NET_HOST.json"
expect_eq "$(lns_stat $NET_HOST .tunnels_established)" 2 "tunnels of assignment partner-a (one per worker)"
expect_eq "$(lns_stat $NET_HOST .auth_failures)" 0 "tunnel authentication with the Tunnel-Password"
expect_eq "$(lns_stat $NET_HOST '.lac_host_names | unique | join(",")')" '"lac-radius"' "our host name from Tunnel-Client-Auth-Id"
expect_eq "$(lns_stat $NET_HOST .pap_ok)" 30 "proxy PAP verified by the LNS"
expect_eq "$(lns_stat $NET_HOST .ppp_up)" 30 "IPCP up at the LNS"
[ "$(lns_stat 198.51.100.3 .refused)" -ge 1 ] || fail "the preferred LNS (Tunnel-Preference 1) was not tried"
expect_eq "$(lns_stat 198.51.100.4 .chap_ok)" 10 "proxy CHAP at the second LNS"
grep -q "LNS 198.51.100.3:1701 held down" "$LAB_LOGS/pppoed.log" || fail "the refusing LNS was not held down"
grep -q "tunnel-secret-123\|via-radius" "$LAB_LOGS/pppoed.log" && fail "a secret in pppoed's log"
exit 0
