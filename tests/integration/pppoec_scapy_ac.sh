#!/bin/bash
# pppoec against an independent AC (tests/integration/scapy_ac.py: Scapy, written from the
# RFCs, no code shared with pppoed): PAP and CHAP-MD5, ping through the session, IPv6CP refused
# by the AC and stopped by the client; then a hostile AC (malformed discovery frames, bogus
# PADTs, an unknown session, malformed and unknown PPP, a Configure-Request storm): the client
# survives, counts each kind, answers as the RFCs say, and has its session at the end.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
CONF=$LAB_LOGS/ppp.conf
cat > "$CONF" <<CONF
scapy:
 set device PPPoE:sub0
 set authname carol
 set authkey "sesame seed"
 enable dns
 set server $PPPOEC_SOCK "" 0177
CONF
for auth in pap chap; do
  ip netns exec "$AC" /usr/bin/python3 "$HERE/scapy_ac.py" ac0 carol "sesame seed" $auth normal 8 > "$LAB_LOGS/ac-$auth.txt" 2>&1 &
  ac=$!
  sleep 1
  pppoec_start "$CONF" -foreground scapy
  wait_client .stage up 6
  expect_eq "$(pppoec_stat .lcp.auth)" $auth "$auth negotiated with the independent AC"
  expect_eq "$(pppoec_stat .ipcp.local)" 10.77.0.2 "address Nak'ed by the AC taken"
  expect_eq "$(pppoec_stat .ipcp.dns1)" 192.0.2.53 "DNS from the AC (RFC 1877)"
  expect_eq "$(pppoec_stat .ipv6cp.state)" Stopped "IPv6CP stopped on the AC's Protocol-Reject"
  sub_ping -c 3 -i 0.2 -W 2 10.77.0.1 >/dev/null || fail "$auth: ping through the independent AC"
  pppoec_stop
  wait $ac || { cat "$LAB_LOGS/ac-$auth.txt"; fail "the independent AC's checks ($auth)"; }
done

ip netns exec "$AC" /usr/bin/python3 "$HERE/scapy_ac.py" ac0 carol "sesame seed" pap hostile 12 > "$LAB_LOGS/ac-hostile.txt" 2>&1 &
ac=$!
sleep 1
pppoec_start "$CONF" -ddial scapy
wait_client .stage up 6
sub_ping -c 1 -W 2 10.77.0.1 >/dev/null || fail "ping before the hostile frames"
sleep 3  # the hostile frames and the Configure-Request storm
wait_client .stage up 6
sub_ping -c 3 -i 0.2 -W 2 10.77.0.1 >/dev/null || fail "ping after the hostile frames"
[ "$(pppoec_stat .drops.pppoe_malformed)" -ge 1 ] || fail "malformed PPPoE header not counted"
[ "$(pppoec_stat .drops.tags_malformed)" -ge 1 ] || fail "malformed tags not counted"
[ "$(pppoec_stat .drops.padt_not_ours)" -ge 2 ] || fail "bogus PADTs not counted"
[ "$(pppoec_stat .drops.not_our_session)" -ge 1 ] || fail "unknown session not counted"
[ "$(pppoec_stat .drops.unknown_session_padt)" -ge 1 ] || fail "unknown session not answered with PADT"
wait $ac || { cat "$LAB_LOGS/ac-hostile.txt"; fail "the hostile AC's checks"; }
cat "$LAB_LOGS/ac-hostile.txt"
exit 0
