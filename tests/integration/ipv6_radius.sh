#!/bin/bash
# IPv6 from a real FreeRADIUS (RFC 3162, RFC 4818, RFC 6911): a fixed Framed-IPv6-Prefix and
# Delegated-IPv6-Prefix outside every pool (routed on their own, their own DNS server in the
# Router Advertisement), named pools by Framed-IPv6-Pool and Delegated-IPv6-Prefix-Pool;
# traffic from both prefixes; accounting carries both prefixes (FreeRADIUS's detail file; an
# Interim-Update as soon as the delegated prefix is bound); a
# Disconnect-Request by Framed-IPv6-Prefix ends the session and its routes go.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<CONF
radius-interim-interval 10
ipv6-pool 2001:db8:1000::/48 64
ipv6-pool gold6 2001:db8:1100::/48 64
ipv6-delegate-pool 2001:db8:2000::/40 56
ipv6-delegate-pool gold6 2001:db8:2100::/40 60
ipv6-dns 2001:db8:ffff::53
ipv6-prefix-hold 0
CONF
pppoed_start -f "$RADIUS_CONF" || fail "pppoed did not start"
dae() { echo "$3" | ip netns exec "$AC" radclient -x -r 1 -t 2 127.0.0.1:3799 "$1" "$2" 2>&1; }

run() {  # run USER: one dual-stack session held 4 s, its JSON report in $LAB_LOGS/USER.json
  pppoetest_lab -m create -i sub0 -n 1 --user "$1" --password pw --target $NET_HOST --target6 $NET_HOST6 --pd \
    --hold 4 --format json >"$LAB_LOGS/$1.json" &
}
run v6fixed
pid=$!
wait_stat .sessions.up 1 10
sleep 1
sid=$(pppoectl_lab -j show sessions | jq -r '.sessions[0].session_id')
s=$(pppoectl_lab -j show session "$sid")
expect_eq "$(echo "$s" | jq -r .session.ipv6_prefix)" 2001:db8:3000:1::/64 "Framed-IPv6-Prefix applied"
expect_eq "$(echo "$s" | jq -r .session.delegated_prefix)" 2001:db8:3100:100::/56 "Delegated-IPv6-Prefix applied"
ip netns exec "$AC" ip -6 route show | grep -q "^2001:db8:3000:1::/64 dev pppoe0" || fail "no route for the fixed /64"
ip netns exec "$AC" ip -6 route show | grep -q "^2001:db8:3100:100::/56 dev pppoe0" || fail "no route for the fixed /56"
acct=$(echo "$s" | jq -r .session.acct_session_id)
wait $pid
out=$(cat "$LAB_LOGS/v6fixed.json")
echo "v6fixed: $(echo "$out" | jq -c '{ipv6_slaac, ipv6_pd, traffic6}')"
expect_eq "$(echo "$out" | jq .ipv6_pd)" 1 "delegated prefix by DHCPv6"
expect_eq "$(echo "$out" | jq .traffic6.lost)" 0 "IPv6 from the fixed prefixes"
wait_stat .sessions.total 0 5
ip netns exec "$AC" ip -6 route show | grep -q "2001:db8:3000:1::/64\|2001:db8:3100:100::/56" && fail "routes of the fixed prefixes left"
sleep 0.5
stop=$(radius_record primary "$acct" Stop)
expect_eq "$(rfield "$stop" Framed-IPv6-Prefix)" 2001:db8:3000:1::/64 "Stop's Framed-IPv6-Prefix"
expect_eq "$(rfield "$stop" Delegated-IPv6-Prefix)" 2001:db8:3100:100::/56 "Stop's Delegated-IPv6-Prefix"
# The delegated prefix came after the Start (DHCPv6 follows IPv6CP): an Interim-Update said it at
# once, not at the 10 s interval (the session lasted 4 s).
interim=$(radius_record primary "$acct" Interim-Update)
expect_eq "$(rfield "$interim" Delegated-IPv6-Prefix)" 2001:db8:3100:100::/56 "Interim-Update with the delegated prefix"

# Named pools from RADIUS, and a Disconnect-Request by Framed-IPv6-Prefix.
pppoetest_lab -m create -i sub0 -n 1 --user v6gold --password pw --target6 $NET_HOST6 --pd --hold 30 --format json \
  >"$LAB_LOGS/v6gold.json" &
holder=$!
wait_stat .sessions.up 1 10
for _ in $(seq 1 30); do
  s=$(pppoectl_lab -j show sessions | jq -c '.sessions[0]')
  [ -n "$(echo "$s" | jq -r .delegated_prefix)" ] && break
  sleep 0.2
done
prefix=$(echo "$s" | jq -r .ipv6_prefix)
case "$prefix" in 2001:db8:1100:*/64) ;; *) fail "Framed-IPv6-Pool gold6 not used: $prefix" ;; esac
case "$(echo "$s" | jq -r .delegated_prefix)" in 2001:db8:21*::/60) ;; *) fail "Delegated-IPv6-Prefix-Pool gold6 not used: $s" ;; esac
out=$(dae disconnect "$DAE_SECRET" "Framed-IPv6-Prefix=$prefix")
echo "$out" | grep -q "Received Disconnect-ACK" || fail "Disconnect-Request by Framed-IPv6-Prefix: $out"
wait_stat .sessions.total 0 5
out=$(dae disconnect "$DAE_SECRET" "Framed-IPv6-Prefix=2001:db8:dead::/64")
echo "$out" | grep -q "Error-Cause = Session-Context-Not-Found" || fail "unknown prefix: $out"
wait $holder
expect_eq "$(stat .ipv6_pool.in_use)" 0 "/64s back"
expect_eq "$(stat .delegate_pool.in_use)" 0 "delegated prefixes back"
exit 0
