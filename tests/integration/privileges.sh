#!/bin/bash
# Least privilege: after start-up the master and every worker (also one added later) hold
# only CAP_NET_RAW, CAP_NET_ADMIN and CAP_BPF, in the bounding set too, with no_new_privs; they
# still serve sessions. The control socket is 0600; a config file holding secrets that others
# can read draws a warning.
. "$(dirname "$0")/common.sh"
printf 'radius-auth-server 127.0.0.1 a-radius-secret\nradius-fallback-local yes\nradius-timeout 1\nradius-retries 1\nsecrets %s\n' \
  "$SECRETS" > "$LAB_LOGS/world-readable.conf"
chmod 644 "$LAB_LOGS/world-readable.conf"
pppoed_start -f "$LAB_LOGS/world-readable.conf" -L -w 2 || fail "pppoed did not start"
# The control socket exists before the capabilities go (they are dropped as run() begins).
for _ in $(seq 1 50); do grep -q "capabilities: kept" "$LAB_LOGS/pppoed.log" && break; sleep 0.1; done
wait_stat '.workers | length' 2 5
grep -q "world-readable.conf: holds secrets but is readable by group or others" "$LAB_LOGS/pppoed.log" ||
  fail "no warning for a world-readable config with secrets"
grep -q "a-radius-secret" "$LAB_LOGS/pppoed.log" && fail "the secret appeared in the log"
expect_eq "$(command stat -c %a "$LAB_LOGS/pppoed.sock")" 600 "control socket mode"
# CAP_NET_ADMIN (12), CAP_NET_RAW (13), CAP_BPF (39)
want=0000008000003000
check_caps() {
  local pid=$1 who=$2
  expect_eq "$(awk '/^CapEff/ {print $2}' /proc/"$pid"/status)" $want "$who effective capabilities"
  expect_eq "$(awk '/^CapPrm/ {print $2}' /proc/"$pid"/status)" $want "$who permitted capabilities"
  expect_eq "$(awk '/^CapBnd/ {print $2}' /proc/"$pid"/status)" $want "$who bounding set"
  expect_eq "$(awk '/^NoNewPrivs/ {print $2}' /proc/"$pid"/status)" 1 "$who no_new_privs"
}
check_caps "$PPPOED_PID" master
for w in $(pgrep -P "$PPPOED_PID"); do check_caps "$w" "worker $w"; done
pppoectl_lab msg addworker >/dev/null || fail "addworker"
sleep 0.5
expect_eq "$(pgrep -P "$PPPOED_PID" | wc -l)" 3 "three workers"
for w in $(pgrep -P "$PPPOED_PID"); do check_caps "$w" "worker $w"; done
# No RADIUS server answers here: ppp.secret is the fallback, on every worker, new one included.
out=$(pppoetest_lab -m create -i sub0 -n 30 --auth chap --user alice --password wonderland --timeout 20 --format json)
expect_eq "$(echo "$out" | jq .established)" 30 "sessions established without the dropped capabilities"
expect_eq "$(echo "$out" | jq .traffic.lost)" 0 "traffic"
[ "$(pppoectl_lab -j show radius | jq .counters.fallback_local)" -ge 30 ] || fail "fallback to ppp.secret not counted"
exit 0
