#!/bin/bash
# 500 sessions at once, ICMP through every one of them to a host behind the AC.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 500 --target $NET_HOST --hold 1 --format json >"$LAB_LOGS/out.json" &
pid=$!
wait_stat .sessions.up 500 30
wait $pid
rc=$?
out=$(cat "$LAB_LOGS/out.json")
echo "$out" | jq -c '{established, setup_ms, setup_rate, traffic}'
expect_eq "$rc" 0 "pppoetest exit code"
expect_eq "$(echo "$out" | jq .traffic.sessions_ok)" 500 "sessions passing traffic"
wait_stat .sessions.total 0 5
expect_eq "$(stat .pool.in_use)" 0 "pool addresses returned"
exit 0
