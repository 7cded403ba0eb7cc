#!/bin/bash
# LCP keep-alive finds a dead AC (spec/001: "enable lqr, set lqrperiod" is what detects link
# loss on PPPoE): pppoed frozen (SIGSTOP), the client ends the session after lqrperiod x 5
# unanswered echoes, and -ddial redials with back-off until the AC is back. Then -foreground
# and `set reconnect`.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
cat > "$LAB_LOGS/ppp.conf" <<CONF
isp:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 enable lqr
 set lqrperiod 1
 set reconnect 1 100
 set redial 1+1-3 100
 set server $PPPOEC_SOCK "" 0177
CONF
pppoed_start --secrets "$SECRETS" --lcp-echo-interval 30 || fail "pppoed did not start"
pppoec_start "$LAB_LOGS/ppp.conf" -ddial isp
wait_client .stage up 10
pids="$PPPOED_PID $(pgrep -P "$PPPOED_PID" | tr '\n' ' ')"
kill -STOP $pids
t0=$SECONDS
for _ in $(seq 1 100); do [ "$(pppoec_stat .stage)" != up ] && break; sleep 0.1; done
elapsed=$((SECONDS - t0))
expect_eq "$(pppoec_stat .last_end_reason)" lcp-echo-timeout "end reason"
[ $elapsed -le 8 ] || fail "dead AC detected after $elapsed s (lqrperiod 1 x 5 failures)"
echo "dead AC detected after ~$elapsed s"
sleep 4  # redials (1 s, then 2, 3 s apart with +1-3) find no AC
[ "$(pppoec_stat .discovery.padi_sent)" -ge 3 ] || fail "no redial while the AC was frozen"
kill -CONT $pids
wait_client .stage up 20
sub_ping -c 2 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "ping after the AC came back"
pppoec_stop
wait_stat .sessions.total 0 5

# -foreground with `set reconnect 1 1`: a session the AC ends is dialled again (the count of
# tries starts afresh each time it is up); with `set reconnect 1 0` the loss ends the process
# (exit 0: it had been up).
sed -i 's/ set reconnect 1 100/ set reconnect 1 1/' "$LAB_LOGS/ppp.conf"
pppoec_start "$LAB_LOGS/ppp.conf" -foreground isp
wait_client .stage up 10
pppoectl_lab kill session "$(pppoec_stat .session_id)" >/dev/null || fail "kill session"
wait_client .sessions_up 2 10
pppoec_stop
wait_stat .sessions.total 0 5
sed -i 's/ set reconnect 1 1$/ set reconnect 1 0/' "$LAB_LOGS/ppp.conf"
pppoec_start "$LAB_LOGS/ppp.conf" -foreground isp
wait_client .stage up 10
pppoectl_lab kill session "$(pppoec_stat .session_id)" >/dev/null || fail "kill session"
for _ in $(seq 1 50); do kill -0 "$PPPOEC_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PPPOEC_PID" 2>/dev/null && fail "-foreground without reconnect tries did not exit"
wait "$PPPOEC_PID"; rc=$?; PPPOEC_PID=
expect_eq "$rc" 0 "-foreground exit code after a session that was up"
exit 0
