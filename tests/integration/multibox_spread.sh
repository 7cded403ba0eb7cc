#!/bin/bash
# Several boxes on one access segment (issue 21; docs/scaling.md "Several boxes"): three pppoed
# on one bridge, each answering PADI after a delay that grows with its sessions, counted per
# session (pado-delay-per-1000 200: 0.2 ms per session). New subscribers land on the least
# loaded box: the first 150 and then 1,500, arriving at 300 a second, spread within 20 % of even
# (the figures are printed). A burst faster than a PADR's round trip is not spread: every box
# sees the same load until the first sessions exist (the operator guide says so).
# pppoetest reads the three boxes side by side over their remote control port (a management
# network) and judges the spread. Then a box at its pado-stop-sessions stops answering and the
# others take the newcomers, as they do while a box's workers all drain; a box that is gone gets
# its row and exit code 3.
. "$(dirname "$0")/common.sh"
. "$ROOT/scripts/multibox-lib.sh"
multibox_finish() {
  local rc=$?
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    for i in 1 2 3; do echo "--- box $i pppoed ---"; tail -n 20 "$(multibox_dir $i)/pppoed.log"; done
  fi
  multibox_down
  (exit $rc)
  finish
}
trap multibox_finish EXIT

SECRET=multibox-remote-Secret
multibox_up 3 || fail "multibox lab"
multibox_radius_net || fail "management network"
for i in 1 2 3; do
  printf 'pado-delay-per-1000 200\nremote-control 9101\nremote-secret "%s"\n' "$SECRET" >"$(multibox_dir $i)/pppoed.conf"
  chmod 600 "$(multibox_dir $i)/pppoed.conf"
  multibox_start $i -w 1 || fail "box $i"
done
counts() { for i in 1 2 3; do multibox_stat $i .sessions.total; done | paste -sd' '; }
total() { multibox_sum .sessions.total; }
# within N PERCENT COUNTS...: every count within PERCENT of their mean.
within() {
  local pct=$1
  shift
  local total=0
  for c in "$@"; do total=$((total + c)); done
  for c in "$@"; do
    local dev=$(( (c * $# - total) * 100 / total ))
    [ ${dev#-} -le "$pct" ] || return 1
  done
}

run() {  # run N HOLD: N subscribers, held HOLD seconds in the background
  pppoetest_lab -m create -i t0 -n "$1" --rate 300 --hold "$2" --no-ipv6 --format json >"$LAB_LOGS/run$1.json" 2>&1 &
  HOLDER=$!
}
run 150 4
wait_until 150 30 total || fail "150 sessions did not come up"
first=$(counts)
wait $HOLDER || fail "150 sessions: $(cat "$LAB_LOGS/run150.json")"
echo "first 150 subscribers per box: $first"
# shellcheck disable=SC2086
within 20 $first || fail "the first 150 are not spread within 20 %: $first"
for i in 1 2 3; do wait_until 0 20 multibox_stat $i .sessions.total || fail "box $i kept sessions"; done

# side_by_side ARGS...: pppoetest -m diagnose of the three boxes from the management network.
side_by_side() {
  ip netns exec "$AC" env PPPOETEST_SECRET=$SECRET "$BIN/pppoetest" -h 10.252.0.11,10.252.0.12,10.252.0.13 -p 9101 "$@"
}
run 1500 8
wait_until 1500 60 total || fail "1,500 sessions did not come up"
all=$(counts)
side_by_side --check-balance --no-color
side_by_side --check-balance --format json >"$LAB_LOGS/boxes.json"
expect_eq "$?" 0 "side by side: exit code with 1,500 spread"
expect_eq "$(jq .total.sessions "$LAB_LOGS/boxes.json")" 1500 "side by side: total sessions"
expect_eq "$(jq -r '[.boxes[].sessions] | join(" ")' "$LAB_LOGS/boxes.json")" "$all" "side by side: sessions per box"
[ "$(jq .total.imbalance_pct "$LAB_LOGS/boxes.json")" -le 20 ] || fail "side by side: spread $(jq .total "$LAB_LOGS/boxes.json")"
jq -e '[.boxes[] | .reachable and .health_score >= 70 and .workers == 1] | all' "$LAB_LOGS/boxes.json" >/dev/null ||
  fail "side by side: a box unhealthy: $(cat "$LAB_LOGS/boxes.json")"
wait $HOLDER || fail "1,500 sessions: $(cat "$LAB_LOGS/run1500.json")"
echo "1,500 subscribers per box: $all"
expect_eq "$(jq .established "$LAB_LOGS/run1500.json")" 1500 "sessions established"
# shellcheck disable=SC2086
within 20 $all || fail "1,500 are not spread within 20 %: $all"
echo "setup rate over three boxes: $(jq -r .setup_rate "$LAB_LOGS/run1500.json") sessions/s"
for i in 1 2 3; do wait_until 0 20 multibox_stat $i .sessions.total || fail "box $i kept sessions"; done

# A box at its stop threshold says nothing: box 1 stops at 20 sessions, the others take the rest.
multiboxctl 1 sysctl net.graph.pppoe_lb.limits.pado_stop_sessions=20 >/dev/null || fail "sysctl"
run 120 3
wait_until 120 30 total || fail "120 sessions did not come up"
stopped=$(counts)
wait $HOLDER || fail "120 sessions with box 1 full: $(cat "$LAB_LOGS/run120.json")"
echo "120 subscribers with box 1 stopping at 20: $stopped"
# PADOs sent at 19 sessions may still bring a PADR each: a few more than 20, never many.
[ "$(echo "$stopped" | awk '{print $1}')" -le 25 ] || fail "box 1 answered past its stop threshold: $stopped"
[ "$(multibox_stat 1 .drops.pado_suppressed)" -gt 0 ] || fail "box 1 counted no suppressed PADO"

# A box whose workers all drain says nothing either (its PADR would be refused): box 2's only
# worker drains, box 1 answers again, and the newcomers go to boxes 1 and 3.
multiboxctl 1 sysctl net.graph.pppoe_lb.limits.pado_stop_sessions=0 >/dev/null || fail "sysctl"
multiboxctl 2 sysctl net.graph.pppoe_lb.workers.0.state=1 >/dev/null || fail "drain box 2"
suppressed=$(multibox_stat 2 .drops.pado_suppressed)
run 60 2
wait_until 60 30 total || fail "60 sessions did not come up with box 2 draining"
drained=$(counts)
wait $HOLDER || fail "60 sessions with box 2 draining: $(cat "$LAB_LOGS/run60.json")"
echo "60 subscribers with box 2 draining: $drained"
expect_eq "$(echo "$drained" | awk '{print $2}')" 0 "sessions on the draining box"
[ "$(multibox_stat 2 .drops.pado_suppressed)" -gt "$suppressed" ] || fail "box 2 counted no suppressed PADO while draining"

# A box that is gone: its row says why, the others are still read, exit code 3.
multibox_stop 3
side_by_side --format json >"$LAB_LOGS/boxes-gone.json"
expect_eq "$?" 3 "side by side with box 3 stopped: exit code"
jq -e '.boxes[2].reachable == false and (.boxes[2].error | length) > 0 and .total.reachable == 2' "$LAB_LOGS/boxes-gone.json" \
  >/dev/null || fail "side by side with box 3 gone: $(cat "$LAB_LOGS/boxes-gone.json")"
side_by_side --no-color | grep -q "total (2/3 answered)" || fail "console report without box 3"
exit 0
