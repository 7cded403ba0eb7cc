#!/bin/bash
# Session and idle timeouts end sessions on time, with LCP Terminate and PADT, and return the
# address to the pool.
. "$(dirname "$0")/common.sh"
cfg=$LAB_LOGS/pppoed.conf
for kind in session idle; do
  printf '%s-timeout 2\n' "$kind" > "$cfg"
  pppoed_start -f "$cfg" --secrets "$SECRETS" || fail "pppoed did not start"
  start=$SECONDS
  out=$(pppoetest_lab -m create -i sub0 -n 3 --pings 1 --hold 6 --format json)
  expect_eq "$(echo "$out" | jq .closed_by_server)" 3 "$kind timeout: sessions ended by the AC"
  # IPv6CP opened before the AC ended them: counted, whatever ended them (issue 19).
  expect_eq "$(echo "$out" | jq .ipv6_up)" 3 "$kind timeout: sessions whose IPv6CP opened"
  expect_eq "$(stat ".sessions_total.ended_by_reason[\"$kind-timeout\"]")" 3 "$kind timeout reason"
  expect_eq "$(stat .pool.in_use)" 0 "$kind timeout: addresses back"
  pppoed_stop
done
exit 0
