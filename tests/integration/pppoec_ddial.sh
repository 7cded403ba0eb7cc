#!/bin/bash
# pppoec -ddial with spec/001's client profile as written (bge0 -> sub0): the session comes
# up, `pppctl -p '' /var/run/pppoe show iface` answers; the AC restarted -> the client
# reconnects by itself; pppoec killed with SIGKILL during a ping flood and started again -> the
# same session continues without discovery or authentication (the AC's counters), and the
# traffic gap is measured; the AC dropped the session while the client was dead -> PADT and a
# new session; `close` keeps it down until `dial`; `bye all` ends it.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
CONF=$LAB_LOGS/ppp.conf
cat > "$CONF" <<'CONF'
# A PPPoE (PPP over Ethernet) setup may look like this:
#
pppoe:
 set device "!/usr/sbin/pppoe -i sub0"
 set mtu max 1492
 set mru max 1492
 set speed sync
 set server /var/run/pppoe "" 0177
 set authname "user"
 set authkey "password"
 set lqrperiod 5
 set timeout 60
 set reconnect 3 28000
 set redial 3 28000
 disable acfcomp protocomp
 deny acfcomp
 enable lqr
CONF
printf 'user password\n' >> "$SECRETS"
PPPOEC_CTL="-p '' /var/run/pppoe"
trap 'rm -f /var/run/pppoe' RETURN
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$CONF" -ddial pppoe
wait_client .stage up 10
[ "$(command stat -c %a /var/run/pppoe)" = 600 ] || fail "control socket mode is not 0600 (mask 0177)"
pppctl_lab -p '' /var/run/pppoe show iface | grep -q "^ppp0 .*UP,POINTOPOINT,RUNNING" || fail "show iface"
# A second daemon for the same interface is refused (it would share the TUN).
out=$(ip netns exec "$SUB" "$BIN/pppoec" -f "$CONF" --no-state -ddial pppoe 2>&1) && fail "a second pppoec for ppp0 started"
[[ "$out" == *"another pppoec runs this interface"* ]] || fail "second pppoec: $out"
sub_ping -c 3 -i 0.2 -W 2 -I ppp0 10.0.0.1 >/dev/null || fail "ping to the AC"
first=$(pppoec_stat .session_id)

# The AC restarts: it tells the client (PADT); -ddial reconnects after `set reconnect` (3 s).
pppoed_stop
pppoed_start --secrets "$SECRETS" || fail "pppoed did not restart"
wait_client .sessions_up 2 15
wait_client .stage up 5
second=$(pppoec_stat .session_id)
[ "$second" != "$first" ] || fail "no new session after the AC restart"
sub_ping -c 3 -i 0.2 -W 2 -I ppp0 10.0.0.1 >/dev/null || fail "ping after reconnect"

# kill -9 during a ping flood, restart at once: the saved session continues.
padi=$(stat .discovery.padi_rx); created=$(stat .sessions_total.created)
ip netns exec "$SUB" ping -q -i 0.01 -c 500 -W 1 10.0.0.1 > "$LAB_LOGS/flood.txt" 2>&1 &
flood=$!
sleep 1.5
kill -KILL "$PPPOEC_PID"; wait "$PPPOEC_PID" 2>/dev/null; PPPOEC_PID=
[ -s "$PPPOEC_STATE" ] || fail "no state file after SIGKILL"
ip -n "$SUB" link show ppp0 >/dev/null 2>&1 || fail "ppp0 did not survive the crash"
pppoec_start "$CONF" -ddial pppoe
wait "$flood"
wait_client .stage up 5
expect_eq "$(pppoec_stat .session_id)" "$second" "session ID after kill -9 and restart"
expect_eq "$(pppoec_stat .sessions_resumed)" 1 "resumed from the state file"
expect_eq "$(stat .discovery.padi_rx)" "$padi" "PADIs seen by the AC across the restart"
expect_eq "$(stat .sessions_total.created)" "$created" "sessions (authentications) at the AC across the restart"
sent=$(grep -o '[0-9]* packets transmitted' "$LAB_LOGS/flood.txt" | cut -d' ' -f1)
received=$(grep -o '[0-9]* received' "$LAB_LOGS/flood.txt" | cut -d' ' -f1)
echo "restart gap: $((sent - received)) of $sent pings lost at 10 ms intervals = ~$(((sent - received) * 10)) ms"
[ "$received" -gt 0 ] || fail "no ping came back across the restart"
sub_ping -c 3 -i 0.2 -W 2 -I ppp0 10.0.0.1 >/dev/null || fail "ping after resume"

# The AC drops the session while the client is dead: the restarted client gets no echo reply
# (or the AC's PADT), ends the saved session with PADT and dials anew.
kill -KILL "$PPPOEC_PID"; wait "$PPPOEC_PID" 2>/dev/null; PPPOEC_PID=
pppoectl_lab kill session "$second" >/dev/null || fail "kill session at the AC"
wait_stat .sessions.total 0 10
pppoec_start "$CONF" -ddial pppoe
wait_client .stage up 10
third=$(pppoec_stat .session_id)
[ "$third" != "$second" ] || fail "the dropped session was not replaced"
expect_eq "$(pppoec_stat .sessions_resumed)" 0 "a dropped session is not resumed"
grep -q "not confirmed\|PADT from the AC" "$PPPOEC_LOG" || fail "the failed resume was not logged"

# A torn state file (a crash while the disk filled up, an edit) is refused whole: a fresh dial.
kill -KILL "$PPPOEC_PID"; wait "$PPPOEC_PID" 2>/dev/null; PPPOEC_PID=
head -c 40 "$PPPOEC_STATE" > "$PPPOEC_STATE.torn" && mv "$PPPOEC_STATE.torn" "$PPPOEC_STATE"
pppoec_start "$CONF" -ddial pppoe
wait_client .stage up 10
grep -q "state file refused" "$PPPOEC_LOG" || fail "the torn state file was not refused"
expect_eq "$(pppoec_stat .sessions_resumed)" 0 "a torn state file is not resumed"
# The AC still holds the orphaned session until its keep-alive gives up; end it now.
pppoectl_lab kill session "$third" >/dev/null || fail "kill the orphaned session"
wait_stat .sessions.total 1 10

# `close` ends the session and keeps it down, also in -ddial; `dial` brings it back.
pppctl_lab -p '' /var/run/pppoe close >/dev/null || fail "close"
wait_stat .sessions.total 0 5
sleep 4  # longer than `set reconnect 3`: still down
expect_eq "$(pppoec_stat .stage)" closed "after close"
expect_eq "$(stat .sessions.total)" 0 "no redial after close"
pppctl_lab -p '' /var/run/pppoe dial >/dev/null || fail "dial"
wait_client .stage up 10

pppctl_lab -p '' /var/run/pppoe bye all >/dev/null || fail "bye all"
wait "$PPPOEC_PID"; PPPOEC_PID=
wait_stat .sessions.total 0 3
ip -n "$SUB" link show ppp0 >/dev/null 2>&1 && fail "ppp0 left behind after a clean exit"
rm -f /var/run/pppoe
exit 0
