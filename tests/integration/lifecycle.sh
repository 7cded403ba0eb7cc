#!/bin/bash
# Client PADT tears down at once; a vanished client is found by LCP echo and cleaned up;
# an operator disconnect sends PADT.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --lcp-echo-interval 1 --lcp-echo-failure 3 || fail "pppoed did not start"

pppoetest_lab -m create -i sub0 -n 10 >/dev/null || fail "10 sessions"
wait_stat .sessions.total 0 2
expect_eq "$(stat .discovery.padt_rx)" 10 "PADTs received"

pppoetest_lab -m create -i sub0 -n 5 --vanish >/dev/null || fail "5 sessions"
expect_eq "$(stat .sessions.up)" 5 "sessions up after the clients vanished"
wait_stat .sessions.total 0 8
expect_eq "$(stat '.sessions_total.ended_by_reason["lcp-echo-timeout"]')" 5 "echo timeouts"
expect_eq "$(stat .pool.in_use)" 0 "addresses back in the pool"

pppoetest_lab -m create -i sub0 -n 1 --hold 3 --format json > "$LAB_LOGS/held.json" &
pid=$!
wait_stat .sessions.up 1 5
id=$(pppoectl_lab -j show sessions | jq '.sessions[0].session_id')
pppoectl_lab show session "$id" | grep -q "lcp_state: Opened" || fail "session detail"
pppoectl_lab disconnect "$id" >/dev/null || fail "disconnect"
wait $pid
expect_eq "$(jq .closed_by_server "$LAB_LOGS/held.json")" 1 "client saw the disconnect"
wait_stat .sessions.total 0 5
exit 0
