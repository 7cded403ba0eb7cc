#!/bin/bash
# Two routers, one PPPoE session (pppoec "Redundant pair"): real keepalived (VRRPv3, a sync
# group of the LAN and WAN instances, use_vmac, preemption back to router a) and real
# conntrackd (FTFW on the sync link). The LAN host keeps one TCP connection through the NAT
# to a server behind the AC the whole time. Each failure of the MASTER hands the session to
# the other router and back (failback): the same session ID throughout, no PADI and no new
# session at the AC, the TCP connection alive, the BACKUP silent. Then a split brain (VRRP
# cut, nothing else) must not end the session, and a sync peer with the wrong key is refused.
# Gaps are printed, not asserted (bench/pair.sh measures them).
. "$(dirname "$0")/common.sh"
. "$ROOT/scripts/pair-lib.sh"
for t in keepalived conntrackd fping nft; do command -v $t >/dev/null || fail "$t is missing: run scripts/install-deps.sh"; done
pair_finish() {
  local rc=$?
  [ -n "${PAIR_FPING_PID:-}" ] && stop_pid "$PAIR_FPING_PID"
  [ -n "${PAIR_TCP_PID:-}" ] && stop_pid "$PAIR_TCP_PID"
  [ -n "${PAIR_ECHO_PID:-}" ] && stop_pid "$PAIR_ECHO_PID"
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    for r in a b; do echo "--- router $r pppoec ---"; tail -n 25 "$(pair_dir $r)/pppoec.log"; echo "--- router $r keepalived ---"; tail -n 12 "$(pair_dir $r)/keepalived.log"; done
  fi
  pair_down
  (exit $rc)
  finish
}
trap pair_finish EXIT

pair_up || fail "pair lab"
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pair_configure 0.1 preempt
pair_start_all a || fail "router a"
pair_wait a .pair.role MASTER 15 || fail "router a did not become MASTER"
pair_start_all b || fail "router b"
pair_wait a .stage up 15 || fail "router a's session did not come up"
pair_wait b .pair.held_session_id "$(pair_stat a .session_id)" 5 || fail "router b does not hold the session"
expect_eq "$(pair_stat b .pair.role)" BACKUP "router b's role"
SID=$(pair_stat a .session_id)
PADI=$(ac_stat .discovery.padi_rx)
CREATED=$(ac_stat .sessions_total.created)
echo "session $SID on router a; AC: $PADI PADI, $CREATED sessions created"
ip netns exec "$LANNS" ping -c 3 -i 0.2 -W 2 "$NET_HOST" >/dev/null || fail "LAN host through the pair"
pair_tcp_start
sleep 1
pair_tcp_alive || fail "the TCP connection did not start: $(cat "$LAB_LOGS/tcp_client.out")"

# same_session ROUTER STEP: the session continues on ROUTER, unchanged at the AC.
same_session() {
  expect_eq "$(pair_stat "$1" .session_id)" "$SID" "$2: session ID on router $1"
  expect_eq "$(ac_stat .discovery.padi_rx)" "$PADI" "$2: PADIs at the AC"
  expect_eq "$(ac_stat .sessions_total.created)" "$CREATED" "$2: sessions created at the AC (re-authentications)"
  expect_eq "$(ac_stat .sessions.up)" 1 "$2: sessions up at the AC"
  pair_tcp_alive || fail "$2: the TCP connection broke: $(cat "$LAB_LOGS/tcp_client.out")"
  local other=a
  [ "$1" == a ] && other=b
  [ -n "$(pair_stat $other .stage)" ] || return 0  # its pppoec is the part that failed
  expect_eq "$(pair_stat $other .drops.standby_silenced)" 0 "$2: frames the BACKUP (router $other) would have sent"
  expect_eq "$(pair_stat $other .stage)" standby "$2: router $other's stage"
}

pair_step "uplink cut" a b ip -n "$RA" link set wan0 down || fail "uplink cut: no takeover"
same_session b "uplink cut"
pair_step "failback (uplink back)" b a ip -n "$RA" link set wan0 up || fail "uplink back: no failback"
same_session a "failback after the uplink"

pair_step "pppoec SIGKILL" a b 'kill -KILL ${PAIR_PPPOEC_PID[a]}' || fail "pppoec killed: no takeover"
same_session b "pppoec SIGKILL"
pair_start_pppoec a || fail "router a's pppoec did not restart"
pair_step "failback (pppoec restarted)" b a true || fail "pppoec back: no failback"
same_session a "failback after pppoec"

pair_step "keepalived SIGTERM" a b 'stop_pid ${PAIR_KEEPALIVED_PID[a]}' || fail "keepalived stopped: no takeover"
same_session b "keepalived SIGTERM"
pair_step "failback (keepalived restarted)" b a pair_start_keepalived a || fail "keepalived back: no failback"
same_session a "failback after keepalived"

pair_step "all links down" a b 'for l in lan0 wan0 sync0; do ip -n "$RA" link set $l down; done' || fail "links down: no takeover"
same_session b "all of router a's links down"
pair_step "failback (links up)" b a 'for l in lan0 wan0 sync0; do ip -n "$RA" link set $l up; done' || fail "links up: no failback"
same_session a "failback after the links"

# Split brain: VRRP between the routers cut, nothing else. Both MASTER for a while; the session
# must live on (neither router sends Terminate or PADT), and afterwards one speaks again.
cat > "$LAB_LOGS/vrrp_cut.nft" <<NFT
table inet pair_cut {
  chain in { type filter hook input priority -300; ip protocol vrrp drop; }
  chain out { type filter hook output priority -300; ip protocol vrrp drop; }
}
NFT
ip netns exec "$RA" nft -f "$LAB_LOGS/vrrp_cut.nft"
pair_wait b .pair.role MASTER 10 || fail "split brain: router b did not become MASTER as well"
expect_eq "$(pair_stat a .pair.role)" MASTER "split brain: router a"
sleep 3
ip netns exec "$RA" nft delete table inet pair_cut
pair_wait b .pair.role BACKUP 10 || fail "split brain over: router b did not return to BACKUP"
sleep 1
same_session a "after the split brain"
expect_eq "$(pair_stat a .stage)" up "after the split brain: router a's stage"

# 50 handoffs in a row (router a's uplink down and up again, 25 times: takeover and failback),
# with the pinger running: not one session lost, not one re-authentication.
before_a=$(pair_stat a .pair.takeovers_resumed)
before_b=$(pair_stat b .pair.takeovers_resumed)
pair_fping_start
for i in $(seq 1 25); do
  ip -n "$RA" link set wan0 down
  pair_wait b .pair.role MASTER 10 >/dev/null || fail "handoff $((2 * i - 1)): router b did not take over"
  pair_wait b .stage up 10 >/dev/null || fail "handoff $((2 * i - 1)): router b's session not up"
  ip -n "$RA" link set wan0 up
  pair_wait a .pair.role MASTER 10 >/dev/null || fail "handoff $((2 * i)): router a did not take back"
  pair_wait a .stage up 10 >/dev/null || fail "handoff $((2 * i)): router a's session not up"
done
sleep 1.5
handoff_pings=$(pair_fping_stop)
resumed=$(( $(pair_stat a .pair.takeovers_resumed) - before_a + $(pair_stat b .pair.takeovers_resumed) - before_b ))
echo "50 handoffs: $resumed resumed by the AC's echo; largest ping gap and replies: $handoff_pings"
expect_eq "$resumed" 50 "handoffs confirmed by the AC"
same_session a "after 50 handoffs"

# The sync channel refuses a peer that does not hold the key, and says so.
ip netns exec "$RB" /usr/bin/python3 - <<'PY' || fail "could not reach router a's sync port"
import socket, struct, os
s = socket.create_connection(("10.254.0.1", 4791), timeout=2)
body = os.urandom(16) + b"intruder"
s.sendall(struct.pack(">IBBHQ", 0x50505359, 1, 1, len(body), 0) + body + os.urandom(32))
s.settimeout(2)
assert s.recv(100) == b""  # closed on us
PY
[ "$(pair_stat a .pair.refused.bad_mac)" -ge 1 ] || fail "a HELLO with a wrong MAC was not counted"
grep -q "pair: refused a message from 10.254.0.2:[0-9]* (bad_mac)" "$(pair_dir a)/pppoec.log" || fail "the refusal was not logged"
grep -q "$PAIR_KEY" "$(pair_dir a)/pppoec.log" "$(pair_dir b)/pppoec.log" && fail "the sync key appears in a log"
eval "$BIN/pppctl $(pair_dir a)/pppoec.sock show pair" | grep -q "$PAIR_KEY" && fail "the sync key is shown"

pair_tcp_stop
result=$(cat "$LAB_LOGS/tcp_client.out")
echo "TCP connection: $result"
[[ "$result" == alive* ]] || fail "the TCP connection through the NAT did not survive: $result"
expect_eq "$(ac_stat .discovery.padi_rx)" "$PADI" "PADIs at the AC over the whole run"
echo "router a: $(pair_stat a .pair | jq -c '{takeovers, takeovers_resumed, demotions}'), router b: $(pair_stat b .pair | jq -c '{takeovers, takeovers_resumed, demotions}')"
exit 0
