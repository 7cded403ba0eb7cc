#!/bin/bash
# Two pppoed instances side by side, as docs/scaling.md builds a million sessions from
# 65,534-session instances: one per interface (each its own MAC and session-ID space), with its
# own TUN, pool and control socket. Both serve sessions with traffic at the same time, each
# knows only its own, and stopping one leaves the other's sessions up.
. "$(dirname "$0")/common.sh"
ip -n "$AC" link add ac1 type veth peer name sub1 netns "$SUB" || fail "second veth pair"
ip -n "$AC" link set ac1 up
ip -n "$SUB" link set sub1 up

pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.0.250 -L -w 2 || fail "instance A did not start"
ip netns exec "$AC" "$BIN/pppoed" --control "$LAB_LOGS/b.sock" --local-ip 10.1.0.1 --tun pppoe1 \
  --pool 10.1.0.10-10.1.0.250 --secrets "$SECRETS" -L -w 1 ac1 >>"$LAB_LOGS/pppoed-b.log" 2>&1 &
b=$!
for _ in $(seq 1 100); do [ -S "$LAB_LOGS/b.sock" ] && break; sleep 0.05; done
[ -S "$LAB_LOGS/b.sock" ] || fail "instance B did not start: $(cat "$LAB_LOGS/pppoed-b.log")"
ctl_b() { ip netns exec "$AC" "$BIN/pppoectl" -s "$LAB_LOGS/b.sock" "$@"; }

# 40 sessions on A, 30 on B, at once; each pings its AC through its own session.
pppoetest_lab -m create -i sub0 -n 40 --user test --password test --pings 3 --hold 6 --format json \
  > "$LAB_LOGS/a.json" 2>&1 &
ca=$!
pppoetest_lab -m create -i sub1 -n 30 --user test --password test --pings 3 --hold 6 --format json \
  > "$LAB_LOGS/b.json" 2>&1 &
cb=$!
sleep 4
expect_eq "$(pppoectl_lab -j show stats | jq .sessions.up)" 40 "sessions up on instance A"
expect_eq "$(ctl_b -j show stats | jq .sessions.up)" 30 "sessions up on instance B"
# Each instance's addresses come from its own pool.
expect_eq "$(pppoectl_lab -j show sessions | jq '[.sessions[].ip | select(startswith("10.0.0."))] | length')" 40 "A's pool"
expect_eq "$(ctl_b -j show sessions | jq '[.sessions[].ip | select(startswith("10.1.0."))] | length')" 30 "B's pool"
wait $ca; expect_eq "$?" 0 "client of A"
wait $cb; expect_eq "$?" 0 "client of B"
jq -e '.established == 40 and .traffic.lost == 0 and .traffic.sent >= 120' "$LAB_LOGS/a.json" >/dev/null || fail "A: $(cat "$LAB_LOGS/a.json")"
jq -e '.established == 30 and .traffic.lost == 0 and .traffic.sent >= 90' "$LAB_LOGS/b.json" >/dev/null || fail "B: $(cat "$LAB_LOGS/b.json")"

# Stopping A leaves B's sessions up.
pppoetest_lab -m create -i sub1 -n 10 --user test --password test --pings 0 --hold 8 --format json \
  > "$LAB_LOGS/b2.json" 2>&1 &
cb=$!
sleep 3
expect_eq "$(ctl_b -j show stats | jq .sessions.up)" 10 "B's new sessions"
pppoed_stop
sleep 1
expect_eq "$(ctl_b -j show stats | jq .sessions.up)" 10 "B's sessions after A stopped"
wait $cb; expect_eq "$?" 0 "client of B after A stopped"
kill -TERM $b; wait $b
exit 0
