#!/bin/bash
# An exhausted pool refuses cleanly and recovers when addresses come back.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.0.14 || fail "pppoed did not start"
out=$(pppoetest_lab -m create -i sub0 -n 8 --format json)
expect_eq "$?" 1 "exit code with too few addresses"
expect_eq "$(echo "$out" | jq .established)" 5 "sessions that got an address"
expect_eq "$(echo "$out" | jq '.failed_by_phase.auth')" 3 "sessions refused"
expect_eq "$(stat .sessions_total.pool_exhausted)" 3 "pool exhaustion counted"
wait_stat .pool.in_use 0 5
out=$(pppoetest_lab -m create -i sub0 -n 5 --format json)
expect_eq "$?" 0 "all 5 sessions after recovery"
exit 0
