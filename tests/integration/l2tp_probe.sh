#!/bin/bash
# pppoetest -m l2tp against an LNS written from RFC 2661 alone (lib/l2tp_lns.py, no code shared
# with ours): a tunnel with authentication and 200 calls with proxy LCP and PAP proxy
# authentication (the password in a hidden AVP) come up and are cleared; tshark decodes the
# whole exchange without a malformed packet; a wrong tunnel secret and an LNS that does not
# answer fail the way they should; with 10 % of the L2TP datagrams dropped both ways (nftables
# numgen) every call still comes up, through retransmissions, and nothing is delivered twice.
. "$(dirname "$0")/common.sh"
LNS_PID=
CAP_PID=
l2tp_finish() {
  local rc=$?
  [ -n "$LNS_PID" ] && stop_pid "$LNS_PID"
  [ -n "$CAP_PID" ] && stop_pid "$CAP_PID"
  (exit $rc)
  finish
}
trap l2tp_finish EXIT
ip -n "$SUB" addr add 192.0.2.1/24 dev sub0
ip -n "$AC" addr add 192.0.2.2/24 dev ac0
echo "tunnel-secret-123" > "$LAB_LOGS/secret"
echo "another-secret" > "$LAB_LOGS/wrong"
chmod 600 "$LAB_LOGS/secret" "$LAB_LOGS/wrong"

lns_start() {  # extra options
  ip netns exec "$AC" /usr/bin/python3 "$HERE/lib/l2tp_lns.py" 192.0.2.2 "$LAB_LOGS/lns.json" \
    --users "alice@wholesale.example:wonderland" "$@" >>"$LAB_LOGS/lns.log" 2>&1 &
  LNS_PID=$!
  sleep 0.5
}
lns_stop() {
  stop_pid "$LNS_PID"
  LNS_PID=
}
probe() { ip netns exec "$SUB" "$BIN/pppoetest" -m l2tp --lns 192.0.2.2 --user alice@wholesale.example \
  --password wonderland --format json "$@"; }

# 1. 200 calls through one authenticated tunnel, captured and decoded by tshark.
lns_start --secret-file "$LAB_LOGS/secret"
ip netns exec "$SUB" tshark -i sub0 -f "udp port 1701" -w "$LAB_LOGS/l2tp.pcap" >/dev/null 2>&1 &
CAP_PID=$!
sleep 1
out=$(probe -n 200 --secret-file "$LAB_LOGS/secret" --timeout 20) || fail "200 calls: $out"
echo "$out" | jq -c '{tunnel_ms, calls_up, calls_per_second, call_ms, control, cleared}'
expect_eq "$(echo "$out" | jq .calls_up)" 200 "calls up"
expect_eq "$(echo "$out" | jq .cleared)" true "calls and tunnel cleared"
expect_eq "$(echo "$out" | jq .peer_host)" '"rfc2661-lns"' "the LNS's host name"
sleep 0.5
stop_pid "$CAP_PID"
CAP_PID=
lns_stop
jq -c . "$LAB_LOGS/lns.json"
expect_eq "$(jq .tunnels_established "$LAB_LOGS/lns.json")" 1 "tunnels the LNS established"
expect_eq "$(jq .pap_ok "$LAB_LOGS/lns.json")" 200 "proxy PAP the LNS verified (hidden password revealed)"
expect_eq "$(jq .hidden_avps "$LAB_LOGS/lns.json")" 200 "hidden AVPs"
expect_eq "$(jq .cdn_received "$LAB_LOGS/lns.json")" 200 "CDNs the LNS received"
expect_eq "$(jq .stopccn_received "$LAB_LOGS/lns.json")" 1 "StopCCN"
decoded=$(ip netns exec "$SUB" tshark -n -r "$LAB_LOGS/l2tp.pcap" 2>&1)
for m in SCCRQ SCCRP SCCCN ICRQ ICRP ICCN CDN StopCCN ZLB; do
  echo "$decoded" | grep -q "Control Message - $m " || fail "tshark shows no $m"
done
verbose=$(ip netns exec "$SUB" tshark -n -V -r "$LAB_LOGS/l2tp.pcap" 2>&1)
echo "$verbose" | grep -qi "malformed\|Expert Info" && fail "tshark: $(echo "$verbose" | grep -i "malformed\|Expert Info" | head -3)"
grep -q wonderland "$LAB_LOGS/l2tp.pcap" && fail "the PAP password is readable in the capture"

# 2. A wrong tunnel secret: refused, and said so (exit 3), without the secret.
lns_start --secret-file "$LAB_LOGS/wrong"
out=$(probe -n 1 --secret-file "$LAB_LOGS/secret" --timeout 5)
rc=$?
expect_eq "$rc" 3 "exit code for a refused tunnel"
echo "$out" | jq -r .tunnel_error | grep -q "result 4" || fail "not refused as not authorized: $out"
echo "$out" | grep -q "tunnel-secret-123\|another-secret" && fail "a secret in the output"
lns_stop

# 2b. The LNS refuses the proxied PAP (a wrong password): the call fails with its CDN.
lns_start --secret-file "$LAB_LOGS/secret"
out=$(ip netns exec "$SUB" "$BIN/pppoetest" -m l2tp --lns 192.0.2.2 --user alice@wholesale.example --password wrong \
  --format json -n 2 --secret-file "$LAB_LOGS/secret" --timeout 5)
expect_eq "$?" 1 "exit code with refused calls"
expect_eq "$(echo "$out" | jq .calls_up)" 0 "calls up with a wrong password"
echo "$out" | jq -r '.call_failures | keys[]' | grep -q "authentication failed" || fail "the CDN's reason is not reported: $out"
lns_stop

# 3. No LNS at all: exit 3 within the timeout.
SECONDS=0
out=$(probe -n 1 --timeout 3)
expect_eq "$?" 3 "exit code without an LNS"
[ $SECONDS -le 6 ] || fail "took $SECONDS s for a 3 s timeout"

# 4. 10 % of the L2TP datagrams dropped both ways: every call still comes up.
ip netns exec "$AC" nft -f - <<NFT
table inet l2tp_loss {
  chain in { type filter hook input priority 0; udp dport 1701 numgen random mod 10 0 drop; }
  chain out { type filter hook output priority 0; udp sport 1701 numgen random mod 10 0 drop; }
}
NFT
lns_start --secret-file "$LAB_LOGS/secret"
out=$(probe -n 20 --secret-file "$LAB_LOGS/secret" --timeout 60) || fail "lossy: $out"
echo "$out" | jq -c '{calls_up, calls_per_second, control}'
expect_eq "$(echo "$out" | jq .calls_up)" 20 "calls up through loss"
expect_eq "$(echo "$out" | jq .cleared)" true "cleared through loss"
lns_stop
ip netns exec "$AC" nft delete table inet l2tp_loss
[ "$(echo "$out" | jq .control.retransmitted)" -gt 0 ] || [ "$(jq .retransmitted "$LAB_LOGS/lns.json")" -gt 0 ] ||
  fail "10 % loss and no retransmission on either side"
expect_eq "$(jq .pap_ok "$LAB_LOGS/lns.json")" 20 "calls the LNS established once each (nothing delivered twice)"
exit 0
