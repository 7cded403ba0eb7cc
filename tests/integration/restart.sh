#!/bin/bash
# Restart and upgrade without dropping sessions (issue 15, case 2): SIGUSR2 makes pppoed hand
# its sessions over through the state file and exit; a new pppoed (a copy of the binary: the
# upgrade path) continues them: no PADT, no discovery, no re-authentication, traffic resumes.
# Then what must not be continued: a state file of another format version (an upgrade that
# changed the record) ends its sessions properly (PADT), a garbage file is refused, and SIGTERM
# still ends every session.
. "$(dirname "$0")/common.sh"
start() { pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 2 "$@"; }
handover() {  # sends SIGUSR2 and waits for the exit
  kill -USR2 "$PPPOED_PID"
  for _ in $(seq 1 100); do kill -0 "$PPPOED_PID" 2>/dev/null || break; sleep 0.05; done
  wait "$PPPOED_PID" 2>/dev/null
  [ -s "$LAB_LOGS/pppoed.sessions" ] || fail "no state file after the handover"
}
start || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 300 --target $NET_HOST --hold 12 --traffic-interval 20 --traffic-sessions 100 \
  --format json >"$LAB_LOGS/out.json" &
holder=$!
wait_stat .sessions.up 300 30
sleep 2
t0=$(date +%s%N)
handover
wait_log "handed over 300 sessions in $LAB_LOGS/pppoed.sessions" 5 || fail "handover not logged"
# The upgrade: another binary file (here a copy of the same build) takes over.
mkdir -p "$LAB_LOGS/newbin" && cp "${BIN:-build/bin}/pppoed" "$LAB_LOGS/newbin/"
BIN=$LAB_LOGS/newbin start || fail "the new pppoed did not start"
wait_log "continued 300 sessions handed over by the previous pppoed" 5 || fail "resume not logged"
echo "handover to the new process: $(( ($(date +%s%N) - t0) / 1000000 )) ms until its control socket answered"
[ -e "$LAB_LOGS/pppoed.sessions" ] && fail "the state file was not consumed"
wait_stat .sessions.up 300 5
expect_eq "$(stat .discovery.padi_rx)" 0 "PADIs at the new pppoed (no client rediscovered)"
if [ "${PPPOED_FAST_PATH:-no}" = yes ]; then  # the continued sessions are on the new fast path
  sid=$(pppoectl_lab -j show sessions | jq '.sessions[0].session_id')
  expect_eq "$(pppoectl_lab -j show session "$sid" | jq -r .session.fast_path.state)" fast "a continued session's path"
fi
wait $holder
res=$(cat "$LAB_LOGS/out.json")
echo "$res" | jq -c '{established, closed_by_server, reconnected, flapped, reauthenticated, hold}'
expect_eq "$(echo "$res" | jq .closed_by_server)" 0 "sessions the restart ended"
expect_eq "$(echo "$res" | jq .flapped)" 0 "sessions whose LCP went down"
expect_eq "$(echo "$res" | jq .reauthenticated)" 0 "sessions authenticated again"
[ "$(echo "$res" | jq .hold.received)" -gt 0 ] || fail "no traffic"
wait_stat .sessions.total 0 10
expect_eq "$(stat .pool.in_use)" 0 "addresses back in the pool after the continued sessions ended"

# A state file of another format version: read only to end its sessions (PADT), not continued.
pppoetest_lab -m create -i sub0 -n 40 --hold 8 --format json >"$LAB_LOGS/out2.json" &
holder=$!
wait_stat .sessions.up 40 20
handover
printf '\x00\x00\x00\x63' | dd of="$LAB_LOGS/pppoed.sessions" bs=1 seek=8 conv=notrunc status=none  # version 99
start || fail "pppoed did not start after a foreign-version state file"
wait_log "format version 99 is not this pppoed's \([0-9]+\): an upgrade that changed the session record; ending its 40 sessions" 5 ||
  fail "version refusal not logged"
wait $holder
expect_eq "$(jq .closed_by_server "$LAB_LOGS/out2.json")" 40 "sessions ended (PADT) instead of misread"
stop_pid "$PPPOED_PID"

# Garbage in the state file: refused with a reason, pppoed serves anyway.
head -c 3000 /dev/urandom > "$LAB_LOGS/pppoed.sessions"
start || fail "pppoed did not start after a garbage state file"
wait_log "state file $LAB_LOGS/pppoed.sessions refused: " 5 || fail "garbage not refused"
# SIGTERM still ends every session (and leaves no state file).
pppoetest_lab -m create -i sub0 -n 20 --hold 6 --format json >"$LAB_LOGS/out3.json" &
holder=$!
wait_stat .sessions.up 20 20
stop_pid "$PPPOED_PID"
wait $holder
expect_eq "$(jq .closed_by_server "$LAB_LOGS/out3.json")" 20 "sessions SIGTERM ended"
[ -e "$LAB_LOGS/pppoed.sessions" ] && fail "SIGTERM left a state file"
exit 0
