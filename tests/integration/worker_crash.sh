#!/bin/bash
# kill -9 of a worker: a replacement in the same slot adopts its sessions from the shared
# records (operator guide "High availability"): no PADT, no new discovery or authentication,
# the clients notice nothing but the pings in flight; the other workers' sessions lose
# nothing. Then a second crash, of the replacement itself, with the same outcome.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 3 -G 3 || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 300 --target $NET_HOST --reconnect --hold 10 --traffic-interval 100 --format json \
  >"$LAB_LOGS/out.json" &
pid=$!
wait_stat .sessions.up 300 30
# The victim is the worker that attached its TUN queue last: the kernel detaches a dead
# worker's queue by moving the last queue into its place, and packets steered to the moved
# queue while it does (an RCU grace period) are dropped (tun.c __tun_detach; the operator
# guide's "Limits of this version"). Killing the last one moves nothing, so the other workers'
# sessions must lose nothing at all.
read -r slot victim < <(newest_worker)
on_victim=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$slot.sessions | awk '{print $2}')
[ "$on_victim" -gt 0 ] || fail "worker $slot had no sessions"
sleep 2
padi_before=$(stat .discovery.padi_rx)
kill -9 "$victim"
wait_stat .worker_crashes 1 5
wait_stat .sessions_adopted "$on_victim" 5
# Noticed when its channel closes (before the kernel's teardown of its sockets ends), or at
# the reap, whichever the master sees first.
grep -qE "worker $slot \(pid $victim\) (died by signal 9|is gone \(its channel closed\)); worker $slot \(pid [0-9]+\) adopts its $on_victim sessions; 0 ended" \
  "$LAB_LOGS/pppoed.log" || fail "adoption not logged as expected"
new_pid=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$slot.pid | awk '{print $2}')
[ "$new_pid" != "$victim" ] && [ "$new_pid" -gt 0 ] || fail "no replacement in slot $slot"
sleep 3
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$slot.sessions | awk '{print $2}')" "$on_victim" \
  "sessions on the replacement"
expect_eq "$(stat .sessions.up)" 300 "sessions up after the crash"
# The replacement itself dies (it now holds adopted sessions only): adopted again.
kill -9 "$new_pid"
wait_stat .worker_crashes 2 5
wait_stat .sessions_adopted $((2 * on_victim)) 5
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers | awk '{print $2}')" 3 "workers"
wait $pid
out=$(cat "$LAB_LOGS/out.json")
echo "$out" | jq -c '{established, closed_by_server, reconnected, flapped, reauthenticated, hold}'
expect_eq "$(echo "$out" | jq .closed_by_server)" 0 "sessions the crashes ended"
expect_eq "$(echo "$out" | jq .reconnected)" 0 "sessions that had to reconnect"
expect_eq "$(echo "$out" | jq .flapped)" 0 "sessions whose LCP went down"
expect_eq "$(echo "$out" | jq .reauthenticated)" 0 "sessions authenticated again"
# A ping every 100 ms per session: a gap under a second costs each adopted session at most 10
# per crash (the figure itself is bench/survival.sh's).
lost=$(echo "$out" | jq .hold.lost_stable)
[ "$lost" -le $((20 * on_victim)) ] || fail "$lost pings lost (a gap of a second or more)"
grep -q "authentication failed\|tore down" "$LAB_LOGS/pppoed.log" && fail "a session was torn down or re-authenticated"
padi_after=$(stat .discovery.padi_rx)
expect_eq "$padi_after" "$padi_before" "PADIs after the crashes (no client rediscovered)"
wait_stat .sessions.total 0 10
expect_eq "$(stat .pool.in_use)" 0 "addresses back in the pool"
if [ "${PPPOED_FAST_PATH:-no}" = yes ]; then  # nothing forwarded for sessions that are gone
  expect_eq "$(pppoectl_lab -j show summary | jq -c .fast_path)" '{"kernel_addresses":0,"kernel_prefixes6":0,"kernel_sessions":0}' "kernel entries left"
fi
exit 0
