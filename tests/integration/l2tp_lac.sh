#!/bin/bash
# pppoed as LAC (issue 20): PPPoE sessions of a realm switched into L2TPv2 tunnels to an LNS
# written from RFC 2661 alone (lib/l2tp_lns.py, which also terminates their PPP: it Acks the
# proxied authentication, runs IPCP and answers pings). Two workers, so two tunnels, each
# worker's datagrams delivered to it by the kernel (tunnel ID dispatch).
#   1. 60 sessions with PAP and 20 with CHAP through the tunnels, pings through every one; a
#      user without the realm is still served locally at the same time; tshark decodes the
#      tunnel (control and data) without a malformed packet; the PAP password never in clear.
#   2. The subscribers hang up: a CDN for each call.
#   3. The LNS clears every call (CDN), then stops its tunnels (StopCCN): each PPPoE session
#      ends with a PADT, on the right sessions only.
#   4. Failover: the first LNS of the profile refuses the tunnel (StopCCN result 4); it is held
#      down and the second one serves; it numbers its data messages, and so do we then.
#   5. 10 % of the L2TP datagrams lost both ways: everything still comes up, each call once.
. "$(dirname "$0")/common.sh"
. "$HERE/l2tp_common.sh"
. "$HERE/l2tp_capture_common.sh"
CAP_PID=
L2TP_EXTRA_FINISH='stop_pid "$CAP_PID"'
USERS="alice@wholesale.example:wonderland,carol@wholesale.example:chap-pass,bob@failover.example:any,dave@lossy.example:lossy"
cat > "$LAB_LOGS/pppoed.conf" <<CONF
auth chap pap
l2tp-tunnel wholesale lns $NET_HOST
l2tp-tunnel wholesale secret tunnel-secret-123
l2tp-tunnel wholesale hostname lac-under-test
l2tp-realm wholesale.example wholesale
l2tp-tunnel failover lns 198.51.100.3 198.51.100.4:1701
l2tp-tunnel failover hold-down 30
l2tp-realm failover.example failover
l2tp-tunnel lossy lns 198.51.100.5
l2tp-realm lossy.example lossy
CONF
lns_start $NET_HOST "$USERS" --secret-file "$LAB_LOGS/secret"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
ip netns exec "$AC" tshark -i up0 -f "udp port 1701" -w "$LAB_LOGS/lac.pcap" >/dev/null 2>&1 &
CAP_PID=$!
sleep 1

# 1. PAP and CHAP sessions through the tunnels, and a local user beside them.
pppoetest_lab -m create -i sub0 -n 60 --user alice@wholesale.example --password wonderland --auth pap --no-ipv6 \
  --pings 2 --hold 4 --timeout 20 --format json >"$LAB_LOGS/pap.json" &
pap=$!
pppoetest_lab -m create -i sub0 -n 20 --user carol@wholesale.example --password chap-pass --auth chap --no-ipv6 \
  --circuit-id "dslam7 atm 1/1/01/01:8.35" --remote-id "line-4711" \
  --pings 2 --hold 4 --timeout 20 --format json >"$LAB_LOGS/chap.json" &
chap=$!
pppoetest_lab -m create -i sub0 -n 5 --user test --password test --no-ipv6 --target $NET_HOST --pings 2 --hold 4 \
  --format json >"$LAB_LOGS/local.json" &
local_users=$!
wait_stat .sessions.up 85 30
# ProL2TP-style status while they are up (the workers publish their tunnels once a second).
for _ in $(seq 1 30); do
  [ "$(pppoectl_lab -j show system | jq .l2tp.sessions)" = 80 ] && break
  sleep 0.1
done
pppoectl_lab show system | tee "$LAB_LOGS/system.txt"
expect_eq "$(pppoectl_lab -j show system | jq -c '[.l2tp.tunnels, .l2tp.sessions]')" "[2,80]" "show system: tunnels, sessions"
grep -q "listening on: 0.0.0.0:1701" "$LAB_LOGS/system.txt" || fail "show system: listening address"
pppoectl_lab show tunnels | tee "$LAB_LOGS/tunnels.txt"
expect_eq "$(grep -c "^C .* wholesale  *UP .* $NET_HOST$" "$LAB_LOGS/tunnels.txt")" 2 "show tunnels: two tunnels UP to the LNS"
tid=$(pppoectl_lab -j show tunnels | jq '.tunnels[0].tunnel_id')
pppoectl_lab show tunnel id "$tid" | tee "$LAB_LOGS/tunnel.txt"
for field in "state:  *ESTABLISHED" "tunnel mode:  *LAC" "peer host name:  *rfc2661-lns" "peer vendor name:  *rfc2661-test" \
  "version:  *L2TPv2" "tunnel profile name:  *wholesale"; do
  grep -q "$field" "$LAB_LOGS/tunnel.txt" || fail "show tunnel id: no '$field'"
done
expect_eq "$(pppoectl_lab -j show tunnel id "$tid" | jq '.tunnel.sessions + 0 > 0')" true "show tunnel id: sessions"
one=$(pppoectl_lab -j show sessions | jq -c '[.sessions[] | select(.l2tp != null)][0].l2tp')
sid=$(echo "$one" | jq .session_id)
pppoectl_lab show session id "$sid" in tunnel id "$(echo "$one" | jq .tunnel_id)" stats | tee "$LAB_LOGS/session.txt"
grep -q "identifier:  *\(alice\|carol\)@wholesale.example" "$LAB_LOGS/session.txt" || fail "show session in tunnel: identifier"
grep -q "data tx pkts/bytes/errors:" "$LAB_LOGS/session.txt" || fail "show session ... stats: data counters"
pppoectl_lab show sessions | grep -q " $sid *$" || fail "show sessions: no SESSID column with $sid"
expect_eq "$(pppoectl_lab -j show sessions | jq '[.sessions[] | select(.l2tp != null)] | length')" 80 "sessions with a tunnel"
wait $pap || { jq -c . "$LAB_LOGS/pap.json"; pppoectl_lab -j show summary | jq -c .; fail "PAP sessions through the LAC"; }
wait $chap || { jq -c . "$LAB_LOGS/chap.json"; fail "CHAP sessions through the LAC"; }
# (On failure also the drops and traffic counters: once in CI all 10 pings of these sessions
# went unanswered without a word in the log.)
wait $local_users || { jq -c . "$LAB_LOGS/local.json"; pppoectl_lab -j show summary | jq -c '{drops, traffic, workers}';
  fail "local sessions beside the LAC"; }
jq -c '.summary // .' "$LAB_LOGS/pap.json" | cut -c1-400
wait_stat .sessions.total 0 10
sleep 1
stop_pid "$CAP_PID"
CAP_PID=
kill -HUP "$LNS_PID"  # the LNS keeps its tunnels for part 3; its figures so far
sleep 0.3
jq -c . "$LAB_LOGS/lns-$NET_HOST.json"
[ "$(lns_stat $NET_HOST .pap_reack)" = 0 ] || echo "note: $(lns_stat $NET_HOST .pap_reack) PAP requests after the proxied one (re-Acked)"
expect_eq "$(lns_stat $NET_HOST .tunnels_established)" 2 "tunnels (one per worker)"
expect_eq "$(lns_stat $NET_HOST .pap_ok)" 60 "proxy PAP verified by the LNS"
expect_eq "$(lns_stat $NET_HOST .chap_ok)" 20 "proxy CHAP verified by the LNS"
expect_eq "$(lns_stat $NET_HOST .ppp_up)" 80 "IPCP up at the LNS"
[ "$(lns_stat $NET_HOST .icmp_echoed)" -ge 160 ] || fail "pings answered by the LNS: $(lns_stat $NET_HOST .icmp_echoed)"
expect_eq "$(lns_stat $NET_HOST .address_control_missing)" 0 "tunnelled frames without FF 03"
expect_eq "$(lns_stat $NET_HOST .cdn_received)" 80 "CDNs when the subscribers hung up"
expect_eq "$(lns_stat $NET_HOST '.users["test"]')" null "the local user never went to the LNS"
expect_eq "$(lns_stat $NET_HOST '[.circuit_ids[] | select(. == "dslam7 atm 1/1/01/01:8.35")] | length')" 20 \
  "RFC 5515 Agent-Circuit-Id in the ICRQs of the sessions that had one"
expect_eq "$(lns_stat $NET_HOST '.remote_ids | unique | join(",")')" '"line-4711"' "RFC 5515 Agent-Remote-Id"
for w in 0 1; do
  expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$w.foreign_frames | awk '{print $2}')" 0 "foreign frames at worker $w"
done
sleep 0.3  # counters are published after each worker's event-loop turn
pppoectl_lab show ac | tee "$LAB_LOGS/ac.txt"
ac=$(pppoectl_lab -j show ac)
expect_eq "$(echo "$ac" | jq -c '[.routing.routes_created, .routing.routes_deleted, .routing.routes_closed_by_source]')" \
  "[80,80,80]" "show ac: routes created, deleted, closed by the subscribers"
expect_eq "$(echo "$ac" | jq -c '[.l2tp.tunnels_opened, .l2tp.sessions_opened, .l2tp.sessions_closed]')" "[2,80,80]" "show ac: L2TP"
[ "$(echo "$ac" | jq .pppoe.pads_sent)" -ge 85 ] || fail "show ac: PADS sent"
expect_eq "$(echo "$ac" | jq -c '[.counters.drop_unknown_tunnel, .counters.drop_unknown_session, .counters.drop_bad_length]')" \
  "[0,0,0]" "L2TP datagrams dropped"
grep -q "    Routes created: 80" "$LAB_LOGS/ac.txt" || fail "show ac: text layout"
check_l2tp_capture "$AC" "$LAB_LOGS/lac.pcap" request
grep -q wonderland "$LAB_LOGS/lac.pcap" && fail "the PAP password is readable in the capture"
grep -q "tunnel-secret-123\|wonderland\|chap-pass" "$LAB_LOGS/pppoed.log" && fail "a secret in pppoed's log"

# 3. The LNS clears the calls, then a new set of sessions loses its tunnels to StopCCN.
pppoetest_lab -m create -i sub0 -n 20 --user alice@wholesale.example --password wonderland --auth pap --no-ipv6 \
  --pings 1 --hold 30 --format json >"$LAB_LOGS/cleared.json" &
pid=$!
wait_stat .sessions.up 20 20
kill -USR1 "$LNS_PID"
wait_stat .sessions.total 0 10
wait $pid
grep -q "L2TP call ended: CDN from the peer: cleared by the LNS (result 3)" "$LAB_LOGS/pppoed.log" || fail "no CDN reason in the log"
pppoetest_lab -m create -i sub0 -n 20 --user alice@wholesale.example --password wonderland --auth pap --no-ipv6 \
  --pings 1 --hold 30 --format json >"$LAB_LOGS/stopped.json" &
pid=$!
pppoetest_lab -m create -i sub0 -n 3 --user test --password test --no-ipv6 --pings 1 --hold 8 >/dev/null &
local_users=$!
wait_stat .sessions.up 23 20
kill -USR2 "$LNS_PID"
wait_stat .sessions.total 3 10
grep -q "LNS shutting down" "$LAB_LOGS/pppoed.log" || fail "no StopCCN reason in the log"
kill "$pid" 2>/dev/null  # its sessions are gone; it would hold them for 30 s
wait "$pid" 2>/dev/null
wait "$local_users" || fail "local sessions while the tunnels went down"
wait_stat .sessions.total 0 10
lns_stop "$LNS_PID"

# 4. Failover by preference: 198.51.100.3 refuses, the next LNS serves.
lns_start 198.51.100.3 "$USERS" --refuse yes
LNS2_PID=$LNS_PID
lns_start 198.51.100.4 "$USERS" --sequenced yes
pppoetest_lab -m create -i sub0 -n 10 --user bob@failover.example --password any --auth pap --no-ipv6 \
  --pings 1 --hold 1 --format json >"$LAB_LOGS/failover.json" || { jq -c . "$LAB_LOGS/failover.json"; fail "sessions after failover"; }
grep -q "LNS 198.51.100.3:1701 held down for 30 s" "$LAB_LOGS/pppoed.log" || fail "the refusing LNS was not held down"
lns_stop "$LNS2_PID"
lns_stop "$LNS_PID"
[ "$(lns_stat 198.51.100.3 .refused)" -ge 1 ] || fail "the first LNS was not tried"
expect_eq "$(lns_stat 198.51.100.4 .sessions_established)" 10 "calls established by the second LNS"
# That LNS numbers its data messages (RFC 2661 section 5.4): ours to it are numbered too.
[ "$(lns_stat 198.51.100.4 .sequenced_in)" -ge 30 ] || fail "data to a sequencing LNS without Ns/Nr"

# 5. 10 % of the L2TP datagrams dropped both ways (nftables numgen on the AC; this kernel has no
#    netem): tunnel and calls still come up through retransmissions, each call exactly once.
ip -n "$NET" addr add 198.51.100.5/24 dev net0
ip netns exec "$AC" nft -f - <<NFT
table inet l2tp_loss {
  chain in { type filter hook input priority 0; udp sport 1701 numgen random mod 10 0 drop; }
  chain out { type filter hook output priority 0; udp dport 1701 numgen random mod 10 0 drop; }
}
NFT
retransmitted_before=$(pppoectl_lab -j show ac | jq .counters.control_retransmitted)
lns_start 198.51.100.5 "$USERS"
# 10 calls, up to 120 s: recovery after a lost control message is slow (each lost message waits
# for its own retransmission timeout, doubling; no fast retransmit yet), slower still under ASan.
pppoetest_lab -m create -i sub0 -n 10 --user dave@lossy.example --password lossy --auth pap --no-ipv6 \
  --pings 0 --hold 1 --timeout 120 --format json >"$LAB_LOGS/lossy.json" || { jq -c . "$LAB_LOGS/lossy.json"; fail "calls through loss"; }
sleep 0.5
retransmitted=$(( $(pppoectl_lab -j show ac | jq .counters.control_retransmitted) - retransmitted_before ))
lns_stop "$LNS_PID"
ip netns exec "$AC" nft delete table inet l2tp_loss
jq -c '{sessions, sessions_established, retransmitted, duplicates, pap_reack}' "$LAB_LOGS/lns-198.51.100.5.json"
echo "control messages the LAC retransmitted: $retransmitted"
expect_eq "$(lns_stat 198.51.100.5 .sessions_established)" 10 "calls the LNS established, once each"
[ "$retransmitted" -gt 0 ] || [ "$(lns_stat 198.51.100.5 .retransmitted)" -gt 0 ] || fail "10 % loss and no retransmission"
exit 0
