#!/bin/bash
# pppoec against pppoed with PAP, CHAP-MD5 and MS-CHAPv2 (-foreground): the handbook's 30.4
# profile as written (xl1 -> sub0) plus a control socket and `enable dns`; traffic both ways to
# a host behind the AC through the default route, TCP with its MSS clamped (iperf3);
# ppp.linkup and ppp.linkdown run with their variables; DNS written and restored; a wrong control
# password refused; the session closed with LCP Terminate and PADT on `bye`; a MAC of the
# profile's own (set pppoe mac) is what the AC sees.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
PPPOEC_CTL="-p s3cret $PPPOEC_SOCK"
CONF=$LAB_LOGS/ppp.conf
cat > "$CONF" <<CONF
default:
 set log Phase tun command # add more detailed logging when needed
 set ifaddr 10.0.0.1/0 10.0.0.2/0

name_of_service_provider:
 set device PPPoE:sub0 # replace xl1 with the Ethernet device
 set authname THELOGINNAME
 set authkey THEPASSWORD
 set dial
 set login
 add default HISADDR

lab:
 set authname alice
 set authkey wonderland
 enable dns
 set server $PPPOEC_SOCK "s3cret" 0177
CONF
echo "search example.net" > "$LAB_LOGS/resolv.conf"
# ppp.linkup / ppp.linkdown beside ppp.conf: the MYADDR section, variables substituted.
cat > "$LAB_LOGS/ppp.linkup" <<LINKUP
MYADDR:
 !/usr/bin/touch $LAB_LOGS/up-MYADDR-HISADDR-INTERFACE
LINKUP
cat > "$LAB_LOGS/ppp.linkdown" <<LINKDOWN
MYADDR:
 !bg /usr/bin/touch $LAB_LOGS/down-MYADDR
LINKDOWN
ip netns exec "$SUB" "$BIN/pppoec" -f "$CONF" --check name_of_service_provider lab >/dev/null || fail "config check"
# The AC would clamp the host's SYN-ACK itself (tcp-mss-clamp auto): off here, so that the
# client's own clamping is what the test sees.
echo "tcp-mss-clamp off" > "$LAB_LOGS/no-mss-clamp.conf"
for method in pap chap mschapv2; do
  pppoed_start -f "$LAB_LOGS/no-mss-clamp.conf" --secrets "$SECRETS" --auth $method --dns 192.0.2.53,192.0.2.54 ||
    fail "pppoed did not start"
  pppoec_start "$CONF" -foreground name_of_service_provider lab
  for _ in $(seq 1 50); do [ -S "$PPPOEC_SOCK" ] && break; sleep 0.1; done
  wait_client .stage up 10
  expect_eq "$(pppoec_stat .lcp.auth)" "$method" "$method negotiated"
  myaddr=$(pppoec_stat .ipcp.local)
  [ -e "$LAB_LOGS/up-$myaddr-10.0.0.1-ppp0" ] || fail "$method: ppp.linkup did not run with MYADDR, HISADDR, INTERFACE"
  sub_ping -c 5 -i 0.2 -W 2 $NET_HOST >/dev/null || fail "$method: ping through the session"
  ip -n "$SUB" route show default | grep -q "dev ppp0" || fail "$method: no default route through ppp0"
  if [ $method = pap ]; then
    # TCP through the session: the host behind the AC offers MSS 1460 (its MTU is 1500); the
    # client clamps the SYN-ACK to 1452 in place, and the connection works (checksum right).
    ip netns exec "$NET" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    iperf=$!
    sleep 0.5
    ip netns exec "$SUB" iperf3 -c $NET_HOST -p 5201 -t 1 >/dev/null || fail "TCP through the session"
    wait $iperf
    [ "$(pppoec_stat .traffic.mss_clamped)" -ge 1 ] || fail "no TCP MSS clamped"
  fi
  grep -q "^nameserver 192.0.2.53" "$LAB_LOGS/resolv.conf" || fail "$method: DNS not written"
  grep -q "^search example.net" "$LAB_LOGS/resolv.conf" || fail "$method: resolv.conf lost its search line"
  expect_eq "$(stat .sessions.up)" 1 "$method: pppoed has the session"
  pppctl_lab -p wrong "$PPPOEC_SOCK" show iface 2>/dev/null && fail "wrong control password accepted"
  pppctl_lab -p s3cret "$PPPOEC_SOCK" show iface | grep -q "inet 10.0.0.* --> 10.0.0.1" || fail "show iface"
  pppctl_lab -p s3cret "$PPPOEC_SOCK" bye all >/dev/null
  wait "$PPPOEC_PID"; PPPOEC_PID=
  wait_stat .sessions.total 0 3
  expect_eq "$(stat '.sessions_total.ended_by_reason["peer-terminate"] // 0')" 1 "$method: ended by LCP Terminate"
  expect_eq "$(cat "$LAB_LOGS/resolv.conf")" "search example.net" "$method: resolv.conf restored"
  for _ in $(seq 1 20); do [ -e "$LAB_LOGS/down-$myaddr" ] && break; sleep 0.1; done
  [ -e "$LAB_LOGS/down-$myaddr" ] || fail "$method: ppp.linkdown did not run"
  rm -f "$LAB_LOGS"/up-* "$LAB_LOGS"/down-*
  [ -e "$PPPOEC_STATE" ] && fail "$method: state file left after a clean exit"
  pppoed_stop
done
# A MAC of the profile's own (router pairs share one, spec/004): the AC sees the session there.
cat >> "$CONF" <<CONF
shared:
 set pppoe mac 02:00:5e:10:00:01
CONF
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$CONF" -foreground name_of_service_provider lab shared
wait_client .stage up 10
expect_eq "$(pppoectl_lab -j show sessions | jq -r '.sessions[0].mac')" 02:00:5e:10:00:01 "the session's MAC at the AC"
sub_ping -c 2 -i 0.2 -W 2 $NET_HOST >/dev/null || fail "ping with the profile's MAC"
pppctl_lab -p s3cret "$PPPOEC_SOCK" show iface | grep -q "^ppp0 (idx [1-9]" || fail "show iface: interface index"
pppoec_stop
pppoed_stop
grep -q "wonderland\|s3cret" "$PPPOEC_LOG" && fail "a secret appeared in the pppoec log"
exit 0
