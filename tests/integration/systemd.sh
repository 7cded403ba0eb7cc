#!/bin/bash
# systemd (issue 19): pppoed speaks sd_notify(3) to a NOTIFY_SOCKET of this test's own, as
# under Type=notify: READY=1 only once discovery answers, STATUS= with sessions and workers,
# WATCHDOG=1 every second when WatchdogSec= asks for it, RELOADING=1 with MONOTONIC_USEC= then
# READY=1 around a reload (also a refused one), STOPPING=1 at the end. The shipped units pass
# `systemd-analyze verify`.
. "$(dirname "$0")/common.sh"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing"
notes=$LAB_LOGS/notify.txt
python3 "$HERE/lib/notify_listener.py" "$LAB_LOGS/notify.sock" "$notes" &
listener=$!
trap 'rc=$?; kill $listener 2>/dev/null; (exit $rc); finish' EXIT
for _ in $(seq 1 50); do [ -S "$LAB_LOGS/notify.sock" ] && break; sleep 0.05; done
printf 'lcp-echo-interval 10\n' >"$LAB_LOGS/pppoed.conf"
export NOTIFY_SOCKET=$LAB_LOGS/notify.sock WATCHDOG_USEC=2000000
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
unset NOTIFY_SOCKET WATCHDOG_USEC
wait_note() { local d=$((SECONDS + $2)); while [ $SECONDS -lt $d ]; do grep -qE "$1" "$notes" && return 0; sleep 0.1; done; return 1; }
wait_note " READY=1$" 5 || fail "no READY=1"
grep -qE " STATUS=0 sessions up, 0 negotiating; 2 workers$" "$notes" || fail "STATUS with READY: $(cat "$notes")"
# READY=1 came after the workers: a PADI is answered at once.
pppoetest_lab -m create -i sub0 -n 3 --user test --password test --hold 6 --format json >"$LAB_LOGS/out.json" &
holder=$!
sleep 3.5
dogs=$(grep -c " WATCHDOG=1$" "$notes")
[ "$dogs" -ge 2 ] || fail "$dogs WATCHDOG=1 in 3.5 s (WATCHDOG_USEC=2000000)"
wait_note " STATUS=3 sessions up, 0 negotiating; 2 workers$" 6 || fail "STATUS with the sessions: $(tail -3 "$notes")"

kill -HUP "$PPPOED_PID"
wait_note " RELOADING=1$" 5 || fail "no RELOADING=1"
grep -qE " MONOTONIC_USEC=[0-9]+$" "$notes" || fail "RELOADING=1 without MONOTONIC_USEC"
ready_again() {  # READY=1 follows the last RELOADING=1 (within 5 s: the reload ends, then it is sent)
  local d=$((SECONDS + 5))
  while [ $SECONDS -lt $d ]; do
    [ "$(grep -E " (RELOADING|READY)=1$" "$notes" | tail -n 1 | awk '{print $2}')" = READY=1 ] && return 0
    sleep 0.1
  done
  return 1
}
ready_again || fail "no READY=1 after the reload"
echo "bogus-setting 1" >>"$LAB_LOGS/pppoed.conf"
pppoectl_lab reload >/dev/null 2>&1 && fail "a broken file was accepted"
for _ in $(seq 1 50); do [ "$(grep -cE " RELOADING=1$" "$notes")" = 2 ] && break; sleep 0.1; done
expect_eq "$(grep -cE " RELOADING=1$" "$notes")" 2 "RELOADING=1 for the refused reload too"
ready_again || fail "no READY=1 after a refused reload"
wait $holder
expect_eq "$(jq .closed_by_server "$LAB_LOGS/out.json")" 0 "sessions ended by the reloads"
stop_pid "$PPPOED_PID"
grep -q " STOPPING=1$" "$notes" || fail "no STOPPING=1"
echo "notifications: $(awk '{print $2}' "$notes" | cut -d= -f1 | sort | uniq -c | tr -s ' ' | tr '\n' ',')"

# log-syslog yes: the lines go to syslog(3) instead (a datagram listener of ours at /dev/log,
# only where nothing else has it; removed at the end).
if [ ! -e /dev/log ]; then
  python3 "$HERE/lib/notify_listener.py" /dev/log "$LAB_LOGS/syslog.txt" &
  syslogd=$!
  trap 'rc=$?; kill $listener $syslogd 2>/dev/null; rm -f /dev/log; (exit $rc); finish' EXIT
  for _ in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.05; done
  printf 'log-syslog yes\n' >"$LAB_LOGS/syslog.conf"
  pppoed_start -f "$LAB_LOGS/syslog.conf" --secrets "$SECRETS" || fail "pppoed (syslog) did not start"
  # The worker announces itself after the master's "serving" line: wait for both.
  for _ in $(seq 1 50); do
    grep -q "serving PPPoE" "$LAB_LOGS/syslog.txt" 2>/dev/null &&
      grep -q "worker 0 ready" "$LAB_LOGS/syslog.txt" && break
    sleep 0.1
  done
  grep -qE " <30>.*pppoed\[$PPPOED_PID\]: serving PPPoE on ac0" "$LAB_LOGS/syslog.txt" ||
    fail "no daemon.info line from pppoed in syslog: $(head -3 "$LAB_LOGS/syslog.txt")"
  grep -qE "pppoed-worker0\[[0-9]+\]: worker 0 ready" "$LAB_LOGS/syslog.txt" || fail "the worker's lines are not in syslog"
  stop_pid "$PPPOED_PID"
  kill $syslogd 2>/dev/null; wait $syslogd 2>/dev/null; rm -f /dev/log
  echo "syslog: $(wc -l <"$LAB_LOGS/syslog.txt") lines, e.g. $(head -1 "$LAB_LOGS/syslog.txt" | cut -c1-100)"
else
  echo "syslog: /dev/log exists here; the log-syslog check needs a /dev/log of its own and was left out"
fi

# The units: systemd-analyze verify with ExecStart pointing at this build.
for unit in pppoed.service pppoed@.service; do
  target=$LAB_LOGS/units/$unit
  [ "$unit" = pppoed@.service ] && target=$LAB_LOGS/units/pppoed@lab.service
  mkdir -p "$LAB_LOGS/units"
  sed "s|/usr/sbin/pppoed|$BIN/pppoed|g" "$ROOT/etc/$unit" >"$target"
  systemd-analyze verify --man=no "$target" >"$LAB_LOGS/verify.txt" 2>&1 || fail "systemd-analyze verify $unit: $(cat "$LAB_LOGS/verify.txt")"
done
