#!/bin/bash
# A host with IPv6 disabled (net.ipv6.conf.all.disable_ipv6=1, as some operators set it) still
# gets IPv4 service: pppoed starts, says in its log why it serves IPv4 only, rejects IPv6CP,
# and forwards IPv4.
. "$(dirname "$0")/common.sh"
ip netns exec "$AC" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start with IPv6 disabled"
grep -q "IPv6 is not available here: net.ipv6.conf.pppoe0.disable_ipv6 is 1" "$LAB_LOGS/pppoed.log" ||
  fail "pppoed does not say why it serves IPv4 only"
pppoetest_lab -m create -i sub0 -n 5 --target $NET_HOST --format json >"$LAB_LOGS/run.json" || fail "5 sessions"
expect_eq "$(jq .established "$LAB_LOGS/run.json")" 5 "sessions established"
expect_eq "$(jq .ipv6_up "$LAB_LOGS/run.json")" 0 "sessions with IPv6CP opened"
expect_eq "$(jq .traffic.lost "$LAB_LOGS/run.json")" 0 "IPv4 pings lost"
[ "$(jq .traffic.sent "$LAB_LOGS/run.json")" -gt 0 ] || fail "no IPv4 traffic was sent"
exit 0
