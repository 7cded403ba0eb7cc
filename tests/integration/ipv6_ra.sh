#!/bin/bash
# IPv6 the way ISPs deliver it (operator guide "IPv6"): every session gets its own /64 from the
# ipv6-pool in a Router Advertisement (RS answered, RDNSS/DNSSL/MTU options) and a /56 by
# DHCPv6-PD (Rapid Commit); SLAAC addresses and addresses in the delegated prefix reach a host
# behind the AC and back through any worker (downstream by longest-prefix match), IPv4 at the
# same time. A Scapy CPE written from RFC 4861/4862/8415 gets the same, cannot release with
# another DUID, and a Solicit storm is rate-limited; tshark decodes RA and DHCPv6 without a
# warning; spoofed IPv6 sources are dropped; every prefix goes back to its pool.
. "$(dirname "$0")/common.sh"
command -v tshark >/dev/null || fail "tshark is missing: run scripts/install-deps.sh"
/usr/bin/python3 -c "import scapy" 2>/dev/null || fail "python3-scapy is missing: run scripts/install-deps.sh"
cat > "$LAB_LOGS/pppoed.conf" <<CONF
ipv6-pool 2001:db8:1000::/48 64
ipv6-dns 2001:db8:ffff::53
ipv6-domain example.net
ipv6-ra-interval 30
ipv6-delegate-pool 2001:db8:2000::/40 56
ipv6-prefix-hold 4
CONF
# carol has fixed prefixes in ppp.secret (inside the pools: taken from them while she is on).
echo 'carol carol-pw ipv6=2001:db8:1000:ffff::/64 pd=2001:db8:20ff:ff00::/56' >> "$SECRETS"
pppoed_start -f "$LAB_LOGS/pppoed.conf" -L -w 2 --secrets "$SECRETS" --auth pap,chap -p internet || fail "pppoed did not start"
expect_eq "$(ip netns exec "$AC" ip -6 route show 2001:db8:1000::/48 | grep -c pppoe0)" 1 "one route for the pool on the TUN"

cap=$LAB_LOGS/ra.pcap
ip netns exec "$SUB" tshark -q -i sub0 -w "$cap" >"$LAB_LOGS/tshark.log" 2>&1 &
tshark_pid=$!
sleep 2

N=500
pppoetest_lab -m create -i sub0 -n $N --user alice --password wonderland --target $NET_HOST --target6 $NET_HOST6 --ipv6 \
  --hold 2 --format json >"$LAB_LOGS/out.json" &
pid=$!
wait_stat .sessions.up $N 30
# While they are up: one /64 each, all different, all from the pool, all indexed.
pppoectl_lab -j show sessions > "$LAB_LOGS/sessions.json"
expect_eq "$(jq '[.sessions[].ipv6_prefix | select(startswith("2001:db8:1000:"))] | unique | length' "$LAB_LOGS/sessions.json")" $N \
  "distinct /64s from the pool"
expect_eq "$(jq '[.sessions[].delegated_prefix | select(endswith("/56"))] | unique | length' "$LAB_LOGS/sessions.json")" $N \
  "distinct delegated /56s"
expect_eq "$(stat .ipv6_pool.in_use)" $N "ipv6-pool prefixes in use"
expect_eq "$(stat .delegate_pool.in_use)" $N "ipv6-delegate-pool prefixes in use"
expect_eq "$(stat .ipv6_pool.indexed_prefixes)" $((2 * N)) "prefixes indexed for downstream (/64s and /56s)"
ip netns exec "$AC" "$BIN/pppoetest" -m diagnose -s "$LAB_LOGS/pppoed.sock" --no-color | grep -qx "  IPv6: $N" ||
  fail "pppoetest -m diagnose does not count $N IPv6 sessions"
sid=$(jq -r '.sessions[0].session_id' "$LAB_LOGS/sessions.json")
expect_eq "$(pppoectl_lab -j show session "$sid" | jq -r '.session.dhcpv6.client_duid | startswith("00:03:00:01:")')" true \
  "show session: the client's DUID-LL"
wait $pid
rc=$?
out=$(cat "$LAB_LOGS/out.json")
echo "$out" | jq -c '{established, ipv6_up, ipv6_slaac, ipv6_pd, ipv6_failed, ra_ms, dhcpv6_ms, traffic, traffic6}'
expect_eq "$rc" 0 "pppoetest exit code"
expect_eq "$(echo "$out" | jq .ipv6_slaac)" $N "sessions with a /64 from a Router Advertisement"
expect_eq "$(echo "$out" | jq .ipv6_pd)" $N "sessions with a delegated prefix (DHCPv6 Rapid Commit)"
expect_eq "$(echo "$out" | jq .traffic6.received)" "$(echo "$out" | jq .traffic6.sent)" "IPv6 pings from SLAAC addresses answered"
[ "$(echo "$out" | jq .traffic6.sent)" -ge $((6 * N)) ] || fail "too few IPv6 pings (3 from each SLAAC address and 3 from each delegated prefix)"
expect_eq "$(echo "$out" | jq .traffic.sessions_ok)" $N "IPv4 at the same time"

# The Scapy CPE (RFC 4861/4862 from Scapy's own layers): RS -> RA, SLAAC, echo, spoofing.
ip netns exec "$SUB" /usr/bin/python3 "$HERE/scapy_client.py" sub0 alice wonderland $NET_HOST6 > "$LAB_LOGS/scapy.log" 2>&1 ||
  { cat "$LAB_LOGS/scapy.log"; fail "scapy CPE"; }
grep -E "Router|SLAAC|IPv6|RDNSS|DHCPv6|delegated|storm" "$LAB_LOGS/scapy.log"
sleep 1
kill -INT $tshark_pid; wait $tshark_pid
ras=$(tshark -r "$cap" -Y "icmpv6.type == 134 && icmpv6.opt.prefix && icmpv6.opt.rdnss && icmpv6.opt.dnssl" 2>/dev/null | wc -l)
[ "$ras" -ge $N ] || fail "only $ras Router Advertisements with prefix, RDNSS and DNSSL options in the capture"
replies=$(tshark -r "$cap" -Y "dhcpv6.msgtype == 7 && dhcpv6.iaprefix.pref_addr" 2>/dev/null | wc -l)
[ "$replies" -ge $N ] || fail "only $replies DHCPv6 Replies with a delegated prefix in the capture"
tshark -r "$cap" -Y "(icmpv6.type == 133 || icmpv6.type == 134 || dhcpv6) && (_ws.malformed || _ws.expert.severity >= warning)" \
  >"$LAB_LOGS/flagged.txt" 2>"$LAB_LOGS/filter.err" || fail "tshark could not apply the filter: $(cat "$LAB_LOGS/filter.err")"
[ ! -s "$LAB_LOGS/flagged.txt" ] || { head "$LAB_LOGS/flagged.txt"; fail "RS/RA/DHCPv6 frames malformed or with expert warnings"; }
echo "tshark: $ras Router Advertisements and $replies DHCPv6 Replies with prefixes decoded cleanly"

wait_stat .sessions.total 0 10
# The prefixes are held for their user (ipv6-prefix-hold 4): the same again on a reconnect
# within that time, back to the pools after it.
bob() {  # one session of bob held 2 s; prints its "/64 delegated-prefix"
  pppoetest_lab -m create -i sub0 -n 1 --user bob --password "builder pass" --target6 $NET_HOST6 --pd --hold 2 \
    --format json >"$LAB_LOGS/bob.json" &
  local pid=$! got=""
  wait_stat .sessions.up 1 10
  for _ in $(seq 1 30); do
    got=$(pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.user == "bob") | "\(.ipv6_prefix) \(.delegated_prefix)"')
    case "$got" in *" 2001:"*) break ;; esac
    sleep 0.2
  done
  wait $pid || fail "bob's session"
  wait_stat .sessions.total 0 10
  echo "$got"
}
pppoetest_lab -m create -i sub0 -n 1 --user carol --password carol-pw --target6 $NET_HOST6 --pd --hold 2 --format json \
  >"$LAB_LOGS/carol.json" &
carol=$!
wait_stat .sessions.up 1 10
sleep 1
expect_eq "$(pppoectl_lab -j show sessions | jq -r '.sessions[0] | "\(.ipv6_prefix) \(.delegated_prefix)"')" \
  "2001:db8:1000:ffff::/64 2001:db8:20ff:ff00::/56" "carol's prefixes from ppp.secret"
wait $carol || fail "carol's session: $(cat "$LAB_LOGS/carol.json")"
wait_stat .sessions.total 0 10
first=$(bob)
[ "$(stat .ipv6_pool.held_for_users)" -ge 1 ] || fail "bob's prefixes not held"
second=$(bob)
expect_eq "$second" "$first" "bob's prefixes after a reconnect within the hold time"
echo "reconnect within the hold time: the same prefixes ($second)"
wait_stat .sessions.total 0 10
sleep 5.5  # past the hold time
expect_eq "$(stat .ipv6_pool.held_for_users)" 0 "held prefixes expired"
expect_eq "$(stat .ipv6_pool.in_use)" 0 "every /64 back in the pool"
expect_eq "$(stat .delegate_pool.in_use)" 0 "every delegated prefix back in the pool"
expect_eq "$(stat .ipv6_pool.indexed_prefixes)" 0 "no prefix left in the index"
exit 0
