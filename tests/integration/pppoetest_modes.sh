#!/bin/bash
# pppoetest's diagnose modes (30.6.11.4-9) in every format against a live pppoed: balanced,
# deliberately unbalanced (a draining worker during a storm) and an affinity violation (a
# session re-dispatched by the debug command, off unless enabled); and every exit code.
. "$(dirname "$0")/common.sh"
printf 'debug-commands yes\n' > "$LAB_LOGS/pppoed.conf"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" -L -w 3 || fail "pppoed did not start"
T() { ip netns exec "$AC" "$BIN/pppoetest" -s "$LAB_LOGS/pppoed.sock" "$@"; }
ctl() { ip netns exec "$AC" python3 -c "
import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect('$LAB_LOGS/pppoed.sock'); s.send(sys.argv[1].encode()+b'\n'); print(s.recv(9999).decode())" "$1"; }

# Background processes are started directly (not through a shell function) so that $! is the
# program itself and signals reach it.
ip netns exec "$SUB" "$BIN/pppoetest" -m create -i sub0 -n 90 --pings 1 --hold 40 >/dev/null &
holder=$!
wait_stat .sessions.up 90 15

# Balanced: every mode and format passes; JSON validates with jq, TAP with prove.
for mode in "" --health-score --check-balance --check-affinity --show-workers; do
  T $mode >/dev/null; expect_eq "$?" 0 "balanced ${mode:-diagnose} exit code"
  T $mode --format json | jq -e . >/dev/null || fail "${mode:-diagnose} json"
  T $mode --format jsonl | jq -e -c . >/dev/null || fail "${mode:-diagnose} jsonl"
  T $mode --format tap > "$LAB_LOGS/out.tap"; prove -Q --exec cat "$LAB_LOGS/out.tap" >/dev/null || fail "${mode:-diagnose} tap: $(cat "$LAB_LOGS/out.tap")"
  T $mode --format csv | head -1 | grep -q , || fail "${mode:-diagnose} csv"
done
T --format json | jq -e '.type == "diagnostic_report" and .workers == 3 and .sessions == 90 and .health_score >= 90 and .status == "pass"' >/dev/null ||
  fail "diagnostic_report fields"
T --format csv | head -1 | grep -qx "worker_id,state,sessions,bytes_in,bytes_out" || fail "csv header"
T --format jsonl | jq -s -e '[.[] | select(.type == "worker_status")] | length == 3' >/dev/null || fail "jsonl worker_status rows"
T --format tap | grep -qx "ok 4 - Health score >= 70" || fail "tap health line"
T | grep -q "^Health Score: 100/100 OK$" || fail "plain console mark"
T --show-workers | grep -q "ACTIVE" || fail "show-workers"
# On a terminal (script(1) provides one): box drawing and colour; --no-color: plain ASCII.
tty_out=$(script -qec "ip netns exec $AC $BIN/pppoetest -s $LAB_LOGS/pppoed.sock --check-balance" /dev/null)
echo "$tty_out" | grep -q "┌" && echo "$tty_out" | grep -q $'\e\[32m' || fail "no box drawing or colour on a terminal"
tty_out=$(script -qec "ip netns exec $AC $BIN/pppoetest -s $LAB_LOGS/pppoed.sock --check-balance --no-color" /dev/null)
echo "$tty_out" | grep -q "┌" && fail "--no-color still draws boxes"
echo "$tty_out" | grep -q $'\e\[' && fail "--no-color still colours"
T --health-score | grep -q "Status: PASS" || fail "health PASS"

# Monitor: samples, columns, a change detected, stops on Ctrl+C.
T --monitor --interval 1 --count 2 --format jsonl | jq -s -e 'length == 2 and .[1].sessions == 90' >/dev/null || fail "monitor jsonl"
ip netns exec "$AC" "$BIN/pppoetest" -s "$LAB_LOGS/pppoed.sock" --monitor --interval 1 > "$LAB_LOGS/monitor.txt" &
mon=$!
sleep 1.5
pppoetest_lab -m create -i sub0 -n 10 --pings 1 --hold 3 >/dev/null &
sleep 2
kill -INT $mon; wait $mon; expect_eq "$?" 0 "monitor exit after Ctrl+C"
grep -q "Now.*5s ago.*30s ago.*5m ago" "$LAB_LOGS/monitor.txt" || fail "monitor columns"
grep -q "Sessions: 90 -> 100" "$LAB_LOGS/monitor.txt" || fail "monitor change: $(cat "$LAB_LOGS/monitor.txt")"
wait_stat .sessions.total 90 10

# Unbalanced: worker 2 drains during a storm of new sessions.
pppoectl_lab sysctl net.graph.pppoe_lb.workers.2.state=1 >/dev/null
# 120 new sessions on the two ACTIVE workers: 90/90/30 of 210, +29 % against a 20 % threshold
# (the handbook's WARN example has 28 %).
ip netns exec "$SUB" "$BIN/pppoetest" -m create -i sub0 -n 120 --pings 1 --hold 10 >/dev/null &
storm=$!
wait_stat .sessions.up 210 15
T --check-balance > "$LAB_LOGS/balance.txt"; expect_eq "$?" 1 "unbalanced check-balance exit code"
grep -q "Status: WARN WARNING - Load distribution exceeds threshold" "$LAB_LOGS/balance.txt" || fail "balance WARN: $(cat "$LAB_LOGS/balance.txt")"
grep -q "Worker 2 is in DRAINING state" "$LAB_LOGS/balance.txt" || fail "balance recommendation"
T --check-balance --balance-threshold 50 >/dev/null; expect_eq "$?" 0 "a looser threshold passes"
T --health-score --format json | jq -e '.status == "warn" and .score < 90 and .score >= 70' >/dev/null ||
  fail "health should be WARN: $(T --health-score --format json | jq -c '{score, status}')"
T --format tap | grep -q "^ok 3 - Worker 2 is DRAINING$" || fail "tap draining line"
wait $storm
pppoectl_lab sysctl net.graph.pppoe_lb.workers.2.state=0 >/dev/null

# Affinity violation: one session's frames deliberately sent to another worker.
sid=$(pppoectl_lab -j show sessions | jq '[.sessions[] | select(.worker == 0)][0].session_id')
ctl '{"cmd":"debug","what":"redispatch","id":'"$sid"',"worker":1}' | grep -q '"ok":true' || fail "redispatch"
T --check-affinity > "$LAB_LOGS/affinity.txt"; expect_eq "$?" 1 "affinity violation exit code"
grep -q "Failed: 1 (session drift detected)" "$LAB_LOGS/affinity.txt" || fail "affinity report"
T --check-affinity --format json | jq -e ".failed == 1 and ([.sessions[] | select(.status == \"drift\")][0].session_id == $sid)" >/dev/null ||
  fail "affinity json"
T --health-score | grep -q "Session Affinity: 99/100 (1 drift detected)" || fail "health affinity component"
kill $holder 2>/dev/null; wait $holder 2>/dev/null

# Exit codes: 2 usage, 3 connection, 4 timeout, 5 internal.
T --no-such-flag >/dev/null 2>&1; expect_eq "$?" 2 "bad flag"
T --format xml >/dev/null 2>&1; expect_eq "$?" 2 "bad format"
ip netns exec "$AC" "$BIN/pppoetest" -s /nonexistent.sock >/dev/null 2>&1; expect_eq "$?" 3 "no pppoed"
PPPOETEST_SECRET=whatever T -h pppoe-server.example.invalid >/dev/null 2>&1; expect_eq "$?" 3 "unknown remote host"
T -h 198.51.100.254 >/dev/null 2>&1; expect_eq "$?" 2 "remote diagnose without a secret"
python3 "$HERE/fake_pppoed.py" "$LAB_LOGS/silent.sock" silent & fake=$!
sleep 0.3
ip netns exec "$AC" "$BIN/pppoetest" -s "$LAB_LOGS/silent.sock" --timeout 1 >/dev/null 2>&1; expect_eq "$?" 4 "timeout"
kill $fake
python3 "$HERE/fake_pppoed.py" "$LAB_LOGS/garbage.sock" garbage & fake=$!
sleep 0.3
ip netns exec "$AC" "$BIN/pppoetest" -s "$LAB_LOGS/garbage.sock" >/dev/null 2>&1; expect_eq "$?" 5 "internal error"
kill $fake
# Debug commands stay off unless configured.
pppoed_stop
pppoed_start --secrets "$SECRETS" || fail "restart"
ctl '{"cmd":"debug","what":"redispatch","id":1,"worker":0}' | grep -q "debug commands are off" || fail "debug commands not refused"
exit 0
