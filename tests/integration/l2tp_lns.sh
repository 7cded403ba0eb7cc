#!/bin/bash
# pppoed as LNS (issue 20): pppoetest -> pppoed (LAC) -> pppoed (LNS) -> host. The LAC is the
# lab's access concentrator; the LNS a second pppoed in the NET namespace, listening on
# $NET_HOST:1701 (a second one with l2tp-proxy-lcp renegotiate on 198.51.100.3), terminating the calls' PPP (proxy LCP and authentication accepted, its own
# ppp.secret, its own pool 10.1.0.0/16) and routing them to a host behind it ($LAB-host).
#   1. 100 PAP and 100 CHAP sessions through two LAC workers and two LNS workers, pings to the
#      host through every one; the LNS's status (show system, tunnels, sessions with TunId/SessId).
#   2. Proxy LCP taken as the LAC negotiated it (no LCP renegotiation), and a wrong password
#      refused by the LNS (the LAC only passed it on): the subscriber sees the PAP Nak.
#   3. The LNS clears a session (pppoectl disconnect): CDN -> the LAC ends its PPPoE session with
#      PADT. The subscribers hang up: CDNs -> the LNS ends its sessions, addresses back in the pool.
#   4. A LAC the LNS does not know (wrong host name) is refused: StopCCN, counted.
#   5. l2tp-proxy-lcp renegotiate: LCP negotiated again by the LNS through the tunnel; IPv6CP
#      and link-local IPv6 pings through LAC and LNS.
#   6. An RFC 2661 LAC written independently (lib/l2tp_lac.py, Scapy for its packets) as the
#      LNS's peer: authentication both ways, sequenced data, CDN and StopCCN.
# tshark decodes the LNS's side of the tunnel (part 1) without a malformed packet.
. "$(dirname "$0")/common.sh"
. "$HERE/l2tp_capture_common.sh"
HOST=$LAB-host
LNS_LOGS=$LAB_LOGS/lns
mkdir -p "$LNS_LOGS"
lns_finish() {
  local rc=$?
  for p in "${LNS_PIDS[@]}"; do stop_pid "$p"; done
  [ $rc = 0 ] || { echo "--- LNS log ---"; grep -v " info: session " "$LNS_LOGS/lnsa.log" | tail -n 30; }
  (exit $rc)
  finish
}
trap lns_finish EXIT
lns_stat() { pppoectl_lns -j show summary | jq -r "$1"; }
# wait_lns JQ VALUE [SECONDS]: until `show system` of the first LNS (or its summary, for
# .sessions*) has VALUE at JQ; the test checks the value itself afterwards. Counters are
# published by the workers every 100 ms, the tunnel table every second.
wait_lns() {
  local deadline=$((SECONDS + ${3:-10})) what=system
  case $1 in .sessions*) what=summary ;; esac
  while [ $SECONDS -lt $deadline ]; do
    [ "$(pppoectl_lns -j show $what | jq -r "$1")" = "$2" ] && return 0
    sleep 0.2
  done
}

# The host behind the LNS, and the LNS's (unused) PPPoE side.
lab_host_up || fail "could not add the host behind the LNS"
ip -n "$NET" addr add 198.51.100.3/24 dev net0

printf 'alice@wholesale.example wonderland\ncarol@wholesale.example chap-pass\ndave@reneg.example dave-pass\n' > "$LNS_LOGS/ppp.secret"
chmod 600 "$LNS_LOGS/ppp.secret"
# lns_start NAME ADDRESS LOCAL-IP POOL TUN [CONFIG LINE]: an LNS pppoed in NET (its PPPoE side an unused
# veth); control socket $LNS_LOGS/NAME.sock, PID in LNS_PIDS.
LNS_PIDS=()
lns_start() {
  local name=$1 addr=$2 local_ip=$3 pool=$4 tun=$5 extra=${6:-}
  ip -n "$NET" link add "$name-ppp" type veth peer name "$name-peer"
  ip -n "$NET" link set "$name-ppp" up
  ip -n "$NET" link set "$name-peer" up
  cat > "$LNS_LOGS/$name.conf" <<CONF
auth chap pap
pool $pool
ac-name $name
tun $tun
l2tp-listen $addr
l2tp-lac wholesale host lac-under-test
l2tp-lac wholesale secret tunnel-secret-123
$extra
CONF
  ip netns exec "$NET" "$BIN/pppoed" --control "$LNS_LOGS/$name.sock" --local-ip "$local_ip" -f "$LNS_LOGS/$name.conf" \
    --secrets "$LNS_LOGS/ppp.secret" -L -w 2 "$name-ppp" >>"$LNS_LOGS/$name.log" 2>&1 &
  LNS_PIDS+=($!)
  for _ in $(seq 1 100); do
    [ -S "$LNS_LOGS/$name.sock" ] && return 0
    kill -0 "${LNS_PIDS[-1]}" 2>/dev/null || { cat "$LNS_LOGS/$name.log"; fail "LNS $name exited"; }
    sleep 0.05
  done
  fail "LNS $name did not open its control socket"
}
lns_start lnsa $NET_HOST 10.1.0.1 10.1.0.10-10.1.255.254 pppoe0 "l2tp-lac scapy host rfc2661-lac
l2tp-lac scapy secret scapy-secret-456"
lns_start lnsb 198.51.100.3 10.3.0.1 10.3.0.10-10.3.0.254 pppoe1 "l2tp-proxy-lcp renegotiate"
pppoectl_lns() { ip netns exec "$NET" "$BIN/pppoectl" -s "$LNS_LOGS/lnsa.sock" "$@"; }
pppoectl_lnsb() { ip netns exec "$NET" "$BIN/pppoectl" -s "$LNS_LOGS/lnsb.sock" "$@"; }

cat > "$LAB_LOGS/pppoed.conf" <<CONF
auth chap pap
l2tp-tunnel wholesale lns $NET_HOST
l2tp-tunnel wholesale secret tunnel-secret-123
l2tp-tunnel wholesale hostname lac-under-test
l2tp-realm wholesale.example wholesale
l2tp-tunnel stranger lns $NET_HOST
l2tp-tunnel stranger hostname unknown-lac
l2tp-realm stranger.example stranger
l2tp-tunnel reneg lns 198.51.100.3
l2tp-tunnel reneg secret tunnel-secret-123
l2tp-tunnel reneg hostname lac-under-test
l2tp-realm reneg.example reneg
CONF
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" -L -w 2 || fail "pppoed (LAC) did not start"

# 1. PAP and CHAP through LAC and LNS to the host.
ip netns exec "$NET" tshark -i net0 -f "udp port 1701" -w "$LNS_LOGS/lns.pcap" >/dev/null 2>&1 &
CAP_PID=$!
LNS_PIDS+=("$CAP_PID")
sleep 1
pppoetest_lab -m create -i sub0 -n 100 --user alice@wholesale.example --password wonderland --auth pap --no-ipv6 \
  --target 10.2.0.2 --pings 2 --hold 6 --timeout 30 --format json >"$LAB_LOGS/pap.json" &
pap=$!
pppoetest_lab -m create -i sub0 -n 100 --user carol@wholesale.example --password chap-pass --auth chap --no-ipv6 \
  --circuit-id "dslam7 atm 1/1/01/01:8.35" --target 10.2.0.2 --pings 2 --hold 6 --timeout 30 --format json \
  >"$LAB_LOGS/chap.json" &
chap=$!
wait_stat .sessions.up 200 40
wait_lns .sessions.up 200
expect_eq "$(lns_stat .sessions.up)" 200 "LNS sessions up"
wait_lns .l2tp.sessions 200 3  # the workers publish their tunnels once a second
pppoectl_lns show system | tee "$LNS_LOGS/system.txt"
grep -q "mode: LNS" "$LNS_LOGS/system.txt" || fail "show system: mode LNS"
grep -q "LNS endpoints: $NET_HOST:1701" "$LNS_LOGS/system.txt" || fail "show system: LNS endpoint"
pppoectl_lns show tunnels | tee "$LNS_LOGS/tunnels.txt"
expect_eq "$(grep -c "^N .* UP .*198.51.100.254" "$LNS_LOGS/tunnels.txt")" 2 "LNS show tunnels: two tunnels from the LAC (origin N)"
tid=$(pppoectl_lns -j show tunnels | jq '.tunnels[0].tunnel_id')
pppoectl_lns show tunnel id "$tid" | tee "$LNS_LOGS/tunnel.txt"
for field in "tunnel mode:  *LNS" "peer host name:  *lac-under-test" "state:  *ESTABLISHED"; do
  grep -q "$field" "$LNS_LOGS/tunnel.txt" || fail "LNS show tunnel id: no '$field'"
done
expect_eq "$(pppoectl_lns -j show sessions | jq '[.sessions[] | select(.l2tp.mode == "LNS" and (.ip | startswith("10.1.")))] | length')" \
  200 "LNS sessions with a tunnel and an address of the LNS's pool"
one=$(pppoectl_lns -j show sessions | jq -c '[.sessions[] | select(.l2tp != null)][0]')
pppoectl_lns show session id "$(echo "$one" | jq .l2tp.session_id)" in tunnel id "$(echo "$one" | jq .l2tp.tunnel_id)" stats \
  | tee "$LNS_LOGS/session.txt"
grep -q "identifier:  *\(alice\|carol\)@wholesale.example" "$LNS_LOGS/session.txt" || fail "LNS show session: identifier"
wait $pap || { jq -c '.summary // .' "$LAB_LOGS/pap.json" | cut -c1-600; fail "PAP sessions through LAC and LNS"; }
wait $chap || { jq -c '.summary // .' "$LAB_LOGS/chap.json" | cut -c1-600; fail "CHAP sessions through LAC and LNS"; }
jq -c '.summary // .' "$LAB_LOGS/pap.json" | cut -c1-400
sleep 1
stop_pid "$CAP_PID"
check_l2tp_capture "$NET" "$LNS_LOGS/lns.pcap" reply
grep -q "tunnel-secret-123\|wonderland\|chap-pass" "$LNS_LOGS/lnsa.log" && fail "a secret in the LNS's log"
c=$(pppoectl_lns -j show system | jq -c .l2tp.lns_counters)
echo "LNS counters: $c"
expect_eq "$(echo "$c" | jq '.proxy_lcp_accepted')" 200 "proxy LCP accepted"
expect_eq "$(echo "$c" | jq '.proxy_lcp_renegotiated')" 0 "no renegotiation"
# 3b. The subscribers hung up: CDN for each call, the LNS's sessions ended, its pool whole again.
wait_stat .sessions.total 0 20
wait_lns .sessions.total 0
expect_eq "$(lns_stat .sessions.total)" 0 "LNS sessions after the subscribers hung up"
wait_lns .l2tp.lns_counters.calls_closed_by_lac 200 3
expect_eq "$(pppoectl_lns -j show system | jq .l2tp.lns_counters.calls_closed_by_lac)" 200 "calls cleared by the LAC"

# 2. A wrong password: the LNS refuses it, the subscriber gets the Nak.
pppoetest_lab -m create -i sub0 -n 1 --user alice@wholesale.example --password wrong --auth pap --no-ipv6 \
  --timeout 10 --format json >"$LAB_LOGS/wrong.json" && fail "a wrong password through the LNS was accepted"
expect_eq "$(lns_stat .sessions_total.auth_failures)" 1 "LNS authentication failures"

# 3a. The LNS clears a session: CDN, and the LAC sends the subscriber a PADT.
pppoetest_lab -m create -i sub0 -n 3 --user alice@wholesale.example --password wonderland --auth pap --no-ipv6 \
  --hold 8 --timeout 20 --format json >"$LAB_LOGS/cleared.json" &
cleared=$!
wait_stat .sessions.up 3 20
wait_lns .sessions.up 3
victim=$(pppoectl_lns -j show sessions | jq '.sessions[0].session_id')
padt_before=$(stat .discovery.padt_tx)
pppoectl_lns disconnect "$victim" >/dev/null || fail "LNS disconnect"
wait_stat .sessions.total 2 10
expect_eq "$(stat .discovery.padt_tx)" $((padt_before + 1)) "PADT sent by the LAC for the call the LNS cleared"
wait "$cleared"  # one of its sessions was cleared: the exit status says so
wait_stat .sessions.total 0 20

# 4. A LAC the LNS does not know: StopCCN (not authorized), counted.
pppoetest_lab -m create -i sub0 -n 1 --user eve@stranger.example --password x --auth pap --no-ipv6 \
  --timeout 8 --format json >"$LAB_LOGS/stranger.json" && fail "a session through an unknown LAC came up"
expect_eq "$(pppoectl_lns -j show system | jq '.l2tp.lns_counters.tunnels_refused > 0')" true "tunnels refused"

# 5. l2tp-proxy-lcp renegotiate (the second LNS): LCP negotiated again through the tunnel.
pppoetest_lab -m create -i sub0 -n 10 --user dave@reneg.example --password dave-pass --auth chap \
  --target 10.2.0.2 --pings 2 --timeout 30 --format json >"$LAB_LOGS/renegotiate.json" \
  || { jq -c '.summary // .' "$LAB_LOGS/renegotiate.json" | cut -c1-600; fail "sessions with LCP renegotiated by the LNS"; }
for _ in $(seq 1 15); do  # counters: published every 100 ms
  [ "$(pppoectl_lnsb -j show system | jq .l2tp.lns_counters.proxy_lcp_renegotiated)" = 10 ] && break
  sleep 0.2
done
expect_eq "$(pppoectl_lnsb -j show system | jq .l2tp.lns_counters.proxy_lcp_renegotiated)" 10 "LCP renegotiated"
# IPv6CP through the tunnel too, and link-local pings to the LNS (fe80::1) answered through it.
expect_eq "$(jq -c '[.ipv6_up, .traffic6.lost, .traffic6.received > 0]' "$LAB_LOGS/renegotiate.json")" "[10,0,true]" \
  "IPv6CP and link-local traffic through LAC and LNS"
# 6. An independent LAC (lib/l2tp_lac.py, from RFC 2661, pings built by Scapy) on the host
#    behind the LNS: tunnel authentication both ways, 20 calls with PAP proxy authentication and
#    sequenced data (every worker's downstream numbered from the shared counter), CDN, StopCCN.
closed_before=$(pppoectl_lns -j show system | jq .l2tp.lns_counters.calls_closed_by_lac)
echo "scapy-secret-456" > "$LNS_LOGS/scapy.secret"
ip netns exec "$HOST" /usr/bin/python3 "$HERE/lib/l2tp_lac.py" $NET_HOST 10.2.0.2 "$LNS_LOGS/scapy-lac.json" \
  --secret-file "$LNS_LOGS/scapy.secret" --calls 20 --user alice@wholesale.example --password wonderland \
  --target 10.2.0.2 --sequenced yes || { cat "$LNS_LOGS/scapy-lac.json"; fail "the RFC 2661 LAC's calls through our LNS"; }
jq -c . "$LNS_LOGS/scapy-lac.json" | cut -c1-400
expect_eq "$(jq -c '[.challenge_ok, .lns_host_name, .pap_acked, .ipcp_up, .pings_answered, .data_without_address_control]' \
  "$LNS_LOGS/scapy-lac.json")" '[true,"lnsa",20,20,40,0]' "RFC 2661 LAC: challenge, host name, PAP acks, IPCP, pings, FF 03"
expect_eq "$(jq '.data_sequenced_in == .data_in' "$LNS_LOGS/scapy-lac.json")" true "every data message to a sequenced call numbered"
wait_lns .sessions.total 0
expect_eq "$(lns_stat .sessions.total)" 0 "LNS sessions after the RFC 2661 LAC's CDNs and StopCCN"
wait_lns .l2tp.lns_counters.calls_closed_by_lac $((closed_before + 20)) 3
expect_eq "$(( $(pppoectl_lns -j show system | jq .l2tp.lns_counters.calls_closed_by_lac) - closed_before ))" 20 \
  "calls cleared by the RFC 2661 LAC (10 CDN, 10 with its StopCCN)"
# The same LAC with a wrong secret: the LNS refuses its Challenge Response (StopCCN), counts
# it, and logs it without either secret.
echo "not-the-secret" > "$LNS_LOGS/wrong.secret"
ip netns exec "$HOST" /usr/bin/python3 "$HERE/lib/l2tp_lac.py" $NET_HOST 10.2.0.2 "$LNS_LOGS/wrong-lac.json" \
  --secret-file "$LNS_LOGS/wrong.secret" --calls 1 && fail "a LAC with the wrong tunnel secret got through"
expect_eq "$(jq -c '[.challenge_ok, .calls_up, .stopccn_result]' "$LNS_LOGS/wrong-lac.json")" "[false,0,4]" \
  "wrong secret: our check fails, and the LNS's StopCCN says not authorized"
wait_lns .l2tp.lns_counters.tunnel_auth_failures 1 3
expect_eq "$(pppoectl_lns -j show system | jq .l2tp.lns_counters.tunnel_auth_failures)" 1 "LNS tunnel authentication failures"
grep -q "scapy-secret-456\|not-the-secret\|tunnel-secret-123" "$LNS_LOGS/lnsa.log" && fail "a tunnel secret in the LNS's log"
echo "LAC -> LNS: $(jq -c '.summary // .' "$LAB_LOGS/pap.json" | cut -c1-200)"
