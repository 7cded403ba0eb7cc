#!/bin/bash
# pppoetest -m create and -m mixed in every output format; progress lines when not on a terminal.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
C() { pppoetest_lab -m create -i sub0 -n 5 --pings 1 "$@"; }
C --format json | jq -e '.type == "create_report" and .established == 5 and .status == "pass"' >/dev/null || fail "create json"
C --format jsonl | jq -e -c '.established == 5' >/dev/null || fail "create jsonl"
C --format csv | head -1 | grep -q "^attempted,established,failed," || fail "create csv"
C --format tap > "$LAB_LOGS/create.tap"; prove -Q --exec cat "$LAB_LOGS/create.tap" >/dev/null || fail "create tap: $(cat "$LAB_LOGS/create.tap")"
# No -i: the handbook's em0 does not exist here, so the first other interface is used, and said.
pppoetest_lab -m create -n 1 --pings 1 2>"$LAB_LOGS/em0.txt" >/dev/null || fail "create without -i"
grep -q "no interface em0 (the handbook's default); using sub0" "$LAB_LOGS/em0.txt" || fail "em0 fallback: $(cat "$LAB_LOGS/em0.txt")"
# Not a terminal: plain periodic progress lines on stderr.
pppoetest_lab -m create -i sub0 -n 150 --rate 60 --pings 1 2>"$LAB_LOGS/progress.txt" >/dev/null || fail "paced create"
grep -q "^progress: [0-9]* up, 0 failed, [0-9]* pending, [0-9]* sessions/s$" "$LAB_LOGS/progress.txt" ||
  fail "no progress lines: $(cat "$LAB_LOGS/progress.txt")"
# Mixed: observe the existing sessions, create new ones, report both.
pppoetest_lab -m create -i sub0 -n 20 --pings 1 --hold 8 >/dev/null &
holder=$!
wait_stat .sessions.up 20 10
out=$(pppoetest_lab -m mixed -i sub0 -n 10 --pings 1 -s "$LAB_LOGS/pppoed.sock")
expect_eq "$?" 0 "mixed exit code"
echo "$out" | grep -q "Existing sessions: 20 before, 20 after" || fail "mixed report: $out"
echo "$out" | grep -q "^Health Score: " || fail "mixed diagnose part"
wait $holder
exit 0
