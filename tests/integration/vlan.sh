#!/bin/bash
# 802.1Q and QinQ subscribers (tagged by pppoetest itself; the kernel has no VLAN devices
# here): replies keep the tags, traffic flows, and pppoed shows each session's VLAN stack.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
# Held 6 s: both groups must be up at once even if one needs a discovery retry (3 s; seen in CI
# twice: one client's whole first round went unanswered, cause not yet found).
pppoetest_lab -m create -i sub0 --vlan 100 -n 20 --target $NET_HOST --hold 6 >"$LAB_LOGS/vlan.txt" &
p1=$!
pppoetest_lab -m create -i sub0 --vlan 200.300 -n 20 --target $NET_HOST --hold 6 >"$LAB_LOGS/qinq.txt" &
p2=$!
wait_stat .sessions.up 40 15
vlans=$(pppoectl_lab -j show sessions | jq -r '[.sessions[].vlans | map(tostring) | join(".")] | unique | join(" ")')
expect_eq "$vlans" "100 200.300" "VLAN stacks seen by pppoed"
wait $p1 || { cat "$LAB_LOGS/vlan.txt"; fail "802.1Q sessions"; }
wait $p2 || { cat "$LAB_LOGS/qinq.txt"; fail "QinQ sessions"; }
exit 0
