#!/bin/bash
# Service-Name matching (RFC 2516 section 5.2): offered names are served, others get no PADO;
# an empty name ("any service") is served unless accept-empty-service is off.
. "$(dirname "$0")/common.sh"
cfg=$LAB_LOGS/pppoed.conf
printf 'service-name internet voip\n' > "$cfg"
pppoed_start -f "$cfg" --secrets "$SECRETS" || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 1 --service internet --pings 1 >/dev/null || fail "offered service 'internet'"
pppoetest_lab -m create -i sub0 -n 1 --service voip --pings 1 >/dev/null || fail "offered service 'voip'"
pppoetest_lab -m create -i sub0 -n 1 --pings 1 >/dev/null || fail "empty Service-Name"
out=$(pppoetest_lab -m create -i sub0 -n 1 --service iptv --timeout 8 --format json)
expect_eq "$?" 1 "exit code for a service not offered"
expect_eq "$(echo "$out" | jq -r .failed_by_phase.discovery)" 1 "failed in discovery"
[ "$(stat .drops.service_unavailable)" -ge 1 ] || fail "service_unavailable not counted"
pppoed_stop
printf 'service-name internet\naccept-empty-service no\n' > "$cfg"
pppoed_start -f "$cfg" --secrets "$SECRETS" || fail "pppoed restart"
out=$(pppoetest_lab -m create -i sub0 -n 1 --timeout 8 --format json)
expect_eq "$(echo "$out" | jq -r .failed_by_phase.discovery)" 1 "empty name refused when disabled"
exit 0
