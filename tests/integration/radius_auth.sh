#!/bin/bash
# RADIUS against a real FreeRADIUS: accept and reject for PAP, CHAP-MD5 and MS-CHAPv2; the
# attributes of the Access-Accept applied (fixed address, named pool, DNS, Session-Timeout on
# time, rate limits in five forms); Accounting-On, Start, Interim-Update, Stop with the counters of real traffic and the
# right Acct-Terminate-Cause, Accounting-Off; `pppoectl show radius`; no secret in any log.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<<"qos-policy gold 50M
filter residential deny out tcp dport 25"
pppoed_start -f "$RADIUS_CONF" || fail "pppoed did not start"
sleep 0.5
radius_detail primary | grep -q "Acct-Status-Type = Accounting-On" || fail "no Accounting-On"

for method in pap chap mschapv2; do
  out=$(pppoetest_lab -m create -i sub0 -n 2 --auth $method --user alice --password wonderland --format json)
  expect_eq "$?" 0 "$method accept: exit code"
  expect_eq "$(echo "$out" | jq .established)" 2 "$method accept: established"
  expect_eq "$(echo "$out" | jq .traffic.lost)" 0 "$method accept: traffic lost"
  out=$(pppoetest_lab -m create -i sub0 -n 1 --auth $method --user alice --password wrong --format json)
  expect_eq "$?" 1 "$method reject: exit code"
  expect_eq "$(echo "$out" | jq -r '.failed_by_phase.auth')" 1 "$method reject: failed in auth"
done
radius=$(pppoectl_lab -j show radius)
expect_eq "$(echo "$radius" | jq .counters.access_requests)" 9 "access requests"
expect_eq "$(echo "$radius" | jq .counters.access_accepts)" 6 "access accepts"
expect_eq "$(echo "$radius" | jq .counters.access_rejects)" 3 "access rejects"
expect_eq "$(echo "$radius" | jq -r '.auth_servers[0].state')" alive "primary alive"
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.stats.radius.access_accepts | awk '{print $NF}')" 6 "sysctl counter"
wait_stat .sessions.total 0 5

# Framed-IP-Address (outside every pool) and MS-Primary-DNS-Server; Framed-Pool.
pppoetest_lab -m create -i sub0 -n 1 --auth pap --user fixed --password pw --hold 3 >/dev/null &
p1=$!
pppoetest_lab -m create -i sub0 -n 1 --auth chap --user gold --password pw --hold 3 >/dev/null &
p2=$!
wait_stat .sessions.up 2 5
sessions=$(pppoectl_lab -j show sessions)
expect_eq "$(echo "$sessions" | jq -r '.sessions[] | select(.user=="fixed") | .ip')" 10.8.0.5 "Framed-IP-Address"
gold_ip=$(echo "$sessions" | jq -r '.sessions[] | select(.user=="gold") | .ip')
[[ "$gold_ip" == 10.7.0.* ]] || fail "Framed-Pool gold: got $gold_ip"
wait $p1 || fail "fixed-address session"
wait $p2 || fail "gold-pool session"

# Rate limits in the forms operators send (operator guide "Service policy"); a malformed one is
# logged and ignored whole, the session comes up without it.
for u in rate-filterid rate-mikrotik rate-cisco rate-wispr rate-bad filtered; do
  pppoetest_lab -m create -i sub0 -n 1 --auth pap --user $u --password pw --hold 3 >/dev/null &
done
wait_stat .sessions.up 6 8
rates=$(for sid in $(pppoectl_lab -j show sessions | jq -r '.sessions[].session_id'); do
  pppoectl_lab -j show session "$sid" |
    jq -r '"\(.session.user) \(.session.policy.down.rate // "-")/\(.session.policy.up.rate // "-") \(.session.policy.filter // "-")"'
done | sort | paste -sd,)
expect_eq "$rates" "filtered -/- residential,rate-bad -/- -,rate-cisco 4096k/50M -,rate-filterid 6M/3M -,rate-mikrotik 8M/2M -,rate-wispr 9M/1M -" \
  "rates from Filter-Id, Mikrotik-Rate-Limit, Cisco-AVPair (rate-limit, sub-qos-policy-in), WISPr; a filter list by Filter-Id"
grep -q "user 'rate-bad': Mikrotik-Rate-Limit: rx/tx rates 'fast'" "$LAB_LOGS/pppoed.log" || fail "the bad rate was not logged"
wait_stat .sessions.total 0 8

# Framed-IP-Netmask (the /29 of the address: a router), Framed-Route, Framed-IPv6-Route; a
# route through another gateway cannot be honoured on a point-to-point session: logged, left out.
for u in routed routed-bad; do
  pppoetest_lab -m create -i sub0 -n 1 --auth pap --user $u --password pw --hold 3 >/dev/null &
done
wait_stat .sessions.up 2 8
routes=$(for sid in $(pppoectl_lab -j show sessions | jq -r '.sessions[].session_id'); do
  pppoectl_lab -j show session "$sid" | jq -r '"\(.session.user) \(.session.policy.routes | join(" "))"'
done | sort | paste -sd,)
expect_eq "$routes" "routed 192.0.2.144/28 10.8.1.0/29 2001:db8:5000::/48,routed-bad " "routes from RADIUS"
grep -q "user 'routed-bad': Framed-Route '192.0.2.160/28 198.51.100.7 1': only the subscriber itself" "$LAB_LOGS/pppoed.log" ||
  fail "the route through another gateway was not logged"
wait_stat .sessions.total 0 8

# Session-Timeout = 3 ends the session on time.
pppoetest_lab -m create -i sub0 -n 1 --auth pap --user shorty --password pw --hold 10 >/dev/null &
p3=$!
wait_stat .sessions.up 1 5
t0=$(date +%s.%N)
wait_stat .sessions.total 0 8
elapsed=$(echo "$(date +%s.%N) - $t0" | bc)
[ "$(echo "$elapsed >= 2.4 && $elapsed <= 4.6" | bc)" = 1 ] || fail "Session-Timeout 3 s ended the session after $elapsed s"
grep -q "user 'shorty'.*reason session-timeout" "$LAB_LOGS/pppoed.log" || fail "session-timeout not the reason"
wait $p3

# Accounting with real traffic: 40 pings of 1000 bytes each way, held past one interim (10 s).
pppoetest_lab -m create -i sub0 -n 1 --auth mschapv2 --user alice --password wonderland --pings 40 --ping-size 1000 \
  --hold 12 --circuit-id "dslam-7 atm 1/1/3:8.35" --remote-id "cpe-0042" --format json > "$LAB_LOGS/acct.json" &
p4=$!
wait_stat .sessions.up 1 5
sid=$(pppoectl_lab -j show sessions | jq -r '.sessions[0].session_id')
acct_id=$(pppoectl_lab -j show session "$sid" | jq -r .session.acct_session_id)
[ -n "$acct_id" ] || fail "no Acct-Session-Id"
wait $p4 || fail "accounting session"
wait_stat .sessions.total 0 5
sleep 0.5
start=$(radius_record primary "$acct_id" Start)
interim=$(radius_record primary "$acct_id" Interim-Update)
stop=$(radius_record primary "$acct_id" Stop)
[ -n "$start" ] || fail "no Start for $acct_id"
[ -n "$interim" ] || fail "no Interim-Update for $acct_id"
[ -n "$stop" ] || fail "no Stop for $acct_id"
expect_eq "$(rfield "$stop" Acct-Terminate-Cause)" User-Request "terminate cause of a client hang-up"
expect_eq "$(rfield "$stop" Class)" 0x706c616e2d61 "Class echoed"
expect_eq "$(rfield "$stop" User-Name)" '"alice"' "User-Name"
expect_eq "$(rfield "$stop" NAS-Identifier)" '"lab-bras"' "NAS-Identifier"
expect_eq "$(rfield "$stop" NAS-IP-Address)" 127.0.0.1 "NAS-IP-Address (not configured: the address that reaches the server)"
expect_eq "$(rfield "$stop" NAS-Port-Type)" Ethernet "NAS-Port-Type"
expect_eq "$(rfield "$stop" Service-Type)" Framed-User "Service-Type"
expect_eq "$(rfield "$stop" NAS-Port-Id)" '"ac0"' "NAS-Port-Id"
hex() { echo "0x$(printf '%s' "$1" | od -An -tx1 | tr -d ' \n')"; }  # FreeRADIUS prints these octets in hex
expect_eq "$(rfield "$stop" ADSL-Agent-Circuit-Id)" "$(hex "dslam-7 atm 1/1/3:8.35")" "TR-101 circuit id (RFC 4679)"
expect_eq "$(rfield "$stop" ADSL-Agent-Remote-Id)" "$(hex cpe-0042)" "TR-101 remote id (RFC 4679)"
calling=$(rfield "$stop" Calling-Station-Id)
[[ "$calling" =~ ^\"([0-9a-f]{2}:){5}[0-9a-f]{2}\"$ ]] || fail "Calling-Station-Id is '$calling'"
in_octets=$(rfield "$stop" Acct-Input-Octets)
out_octets=$(rfield "$stop" Acct-Output-Octets)
in_packets=$(rfield "$stop" Acct-Input-Packets)
# At least 40 echo requests of 1028 IP bytes from the client, and the same replies to it.
[ "$in_octets" -ge 41120 ] && [ "$in_octets" -lt 1000000 ] || fail "Acct-Input-Octets $in_octets"
expect_eq "$out_octets" "$in_octets" "Acct-Output-Octets (every echo answered)"
[ "$in_packets" -ge 40 ] || fail "Acct-Input-Packets $in_packets"
expect_eq "$(rfield "$stop" Acct-Output-Packets)" "$in_packets" "Acct-Output-Packets"
expect_eq "$(rfield "$stop" Acct-Input-Gigawords)" 0 "Gigawords"
session_time=$(rfield "$stop" Acct-Session-Time)
[ "$session_time" -ge 12 ] && [ "$session_time" -le 16 ] || fail "Acct-Session-Time $session_time"

radius=$(pppoectl_lab -j show radius)
[ "$(echo "$radius" | jq .counters.accounting_starts)" -ge 9 ] || fail "accounting starts"
[ "$(echo "$radius" | jq .counters.accounting_updates)" -ge 1 ] || fail "accounting updates"
expect_eq "$(echo "$radius" | jq .counters.accounting_spooled)" 0 "nothing spooled"
pppoed_stop
radius_detail primary | grep -q "Acct-Status-Type = Accounting-Off" || fail "no Accounting-Off"
grep -q "wonderland\|$RADIUS_SECRET\|$DAE_SECRET" "$LAB_LOGS/pppoed.log" && fail "a secret appeared in the log"
echo "$radius" | grep -q "$RADIUS_SECRET" && fail "a secret appeared in show radius"
exit 0
