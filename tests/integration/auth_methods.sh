#!/bin/bash
# One session with each authentication method, and a wrong password refused.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
for method in pap chap mschapv2; do
  out=$(pppoetest_lab -m create -i sub0 -n 1 --auth $method --user alice --password wonderland --format json)
  rc=$?
  expect_eq "$rc" 0 "$method exit code"
  expect_eq "$(echo "$out" | jq .established)" 1 "$method established"
  expect_eq "$(echo "$out" | jq .traffic.lost)" 0 "$method traffic lost"
done
# A password with a blank, from a quoted ppp.secret field; the fixed address from its third
# field, outside every pool: pppoed routes it to the TUN for the session's life.
pppoetest_lab -m create -i sub0 -n 1 --auth chap --user bob --password "builder pass" --target $NET_HOST \
  --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 1 5
expect_eq "$(pppoectl_lab -j show sessions | jq -r '.sessions[0].ip')" 10.9.9.9 "fixed address from ppp.secret"
ip -n "$AC" route show 10.9.9.9 | grep -q pppoe0 || fail "no host route for the fixed address"
wait $pid || fail "bob's session with traffic"
wait_stat .sessions.total 0 3
ip -n "$AC" route show 10.9.9.9 | grep -q . && fail "host route left behind"
for method in pap chap mschapv2; do
  out=$(pppoetest_lab -m create -i sub0 -n 1 --auth $method --user alice --password wrong --format json)
  rc=$?
  expect_eq "$rc" 1 "$method wrong password exit code"
  expect_eq "$(echo "$out" | jq -r '.failed_by_phase.auth')" 1 "$method failure phase"
done
expect_eq "$(stat .sessions_total.auth_failures)" 3 "auth failures counted"
grep -q "wonderland\|builder pass" "$LAB_LOGS/pppoed.log" && fail "a secret appeared in the log"
grep -q "authentication failed for user 'alice'" "$LAB_LOGS/pppoed.log" || fail "auth failure not logged"
exit 0
