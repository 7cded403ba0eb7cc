#!/bin/bash
# pppoec on a serial line: two ends over a pty pair (socat). The far end is a fake Hayes modem
# and login prompt (fake_modem.py) that then runs `pppoec -direct` as the dial-in server with
# the handbook's `set ifaddr 203.14.100.1 203.14.100.20-203.14.100.40` and ppp.secret; the
# near end dials with a chat script (ABORT BUSY, TIMEOUT, expect-send-expect, \T) and logs in.
# PAP, then CHAP-MD5; async HDLC with ACCM, ACFC and PFC negotiated, FCS-16 in the PAP round,
# FCS-32 both ways in the CHAP round (RFC 1570, `enable fcs32` on both ends); ping through. Server in
# the AC namespace, client in the subscriber namespace: each has its own ppp0.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
command -v socat >/dev/null || fail "socat is missing: run scripts/install-deps.sh"
# In a lab namespace, so that lab_down ends it whatever happens.
ip netns exec "$NET" socat pty,raw,echo=0,link="$LAB_LOGS/ttyA" pty,raw,echo=0,link="$LAB_LOGS/ttyB" 2>"$LAB_LOGS/socat.log" &
socat_pid=$!
for _ in $(seq 1 50); do [ -e "$LAB_LOGS/ttyB" ] && break; sleep 0.1; done
mkdir -p "$LAB_LOGS/server"
printf 'dave "open sesame"\n' > "$LAB_LOGS/server/ppp.secret"
chmod 600 "$LAB_LOGS/server/ppp.secret"
for auth in pap chap; do
  fcs=16 fcs_line=""
  [ $auth = chap ] && fcs=32 fcs_line=" enable fcs32"
  cat > "$LAB_LOGS/server/ppp.conf" <<CONF
dialin:
 set ifaddr 203.14.100.1 203.14.100.20-203.14.100.40
 enable $auth
$fcs_line
 set dns 192.0.2.53
CONF
  cat > "$LAB_LOGS/ppp.conf" <<CONF
modem:
 set device $LAB_LOGS/ttyA
 set speed 115200
 set phone 5551234
 set dial "ABORT BUSY ABORT NO\\\\sCARRIER TIMEOUT 3 \"\" AT OK-AT-OK ATDT\\\\T CONNECT"
 set login "TIMEOUT 3 login: dave Password: secret99 PPP"
 set authname dave
 set authkey "open sesame"
 enable dns
 add default HISADDR
 set reconnect 1 5
 set redial 1 5
$fcs_line
CONF
  ip netns exec "$AC" /usr/bin/python3 "$HERE/fake_modem.py" "$LAB_LOGS/ttyB" dave secret99 1 \
    "$BIN/pppoec" -f "$LAB_LOGS/server/ppp.conf" -direct dialin 2>"$LAB_LOGS/server-$auth.log" &
  modem=$!
  sleep 0.3
  pppoec_start "$LAB_LOGS/ppp.conf" -ddial modem
  for _ in $(seq 1 100); do ip -n "$SUB" addr show ppp0 2>/dev/null | grep -q "inet 203.14.100.20" && break; sleep 0.1; done
  ip -n "$SUB" addr show ppp0 | grep -q "inet 203.14.100.20 peer 203.14.100.1" ||
    { cat "$LAB_LOGS/server-$auth.log"; fail "$auth: the client did not get the first address of the range"; }
  grep -q "^nameserver 192.0.2.53" "$LAB_LOGS/resolv.conf" || fail "$auth: DNS from the dial-in server"
  sub_ping -c 5 -i 0.2 -W 2 203.14.100.1 >/dev/null || fail "$auth: ping over the serial link"
  grep -q "link up on .*FCS-$fcs out, FCS-$fcs in" "$PPPOEC_LOG" || fail "$auth: FCS-$fcs both ways"
  sub_ping -c 20 -i 0.05 -s 1400 -W 2 203.14.100.1 >/dev/null || fail "$auth: 1400-octet pings over the serial link"
  grep -q "BUSY" "$PPPOEC_LOG" || fail "$auth: the BUSY abort did not happen (the modem says BUSY once)"
  pppoec_stop
  wait $modem || { cat "$LAB_LOGS/server-$auth.log"; fail "$auth: the dial-in server did not end cleanly"; }
  grep -q "dial-in up on stdin/stdout: 203.14.100.1 -> 203.14.100.20, MTU 1500, FCS-$fcs out, FCS-$fcs in" \
    "$LAB_LOGS/server-$auth.log" || fail "$auth: server log"
done
grep -q "open sesame\|secret99" "$PPPOEC_LOG" "$LAB_LOGS"/server-*.log && fail "a secret appeared in a log"
kill $socat_pid; wait $socat_pid 2>/dev/null
exit 0
