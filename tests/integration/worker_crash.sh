#!/bin/bash
# kill -9 of a worker: the master tears its sessions down (PADT to each client, addresses back
# to the pool), the clients reconnect and come up on the other workers, and the sessions of the
# other workers lose no traffic. With the governor on, the dead worker is replaced.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.7.250 -L -w 3 -G 3 || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n 300 --target $NET_HOST --reconnect --hold 10 --hold-ping --format json \
  >"$LAB_LOGS/out.json" &
pid=$!
wait_stat .sessions.up 300 30
# The victim is the worker that attached its TUN queue last: the kernel detaches a dead
# worker's queue by moving the last queue into its place, and packets steered to the moved
# queue while it does (an RCU grace period) are dropped (tun.c __tun_detach; the operator
# guide's "Limits of this version"). Killing the last one moves nothing, so the other workers'
# sessions must lose nothing at all.
slot=0 victim=0
for w in 0 1 2; do
  p=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$w.pid | awk '{print $2}')
  if [ "$p" -gt "$victim" ]; then victim=$p; slot=$w; fi
done
on_victim=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.$slot.sessions | awk '{print $2}')
[ "$on_victim" -gt 0 ] || fail "worker $slot had no sessions"
sleep 2
kill -9 "$victim"
wait_stat .worker_crashes 1 5
grep -q "worker $slot (pid $victim) died by signal 9; tore down its $on_victim sessions" "$LAB_LOGS/pppoed.log" ||
  fail "crash not logged as expected"
wait_stat .sessions.up 300 15   # the victims reconnected
expect_eq "$(pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers | awk '{print $2}')" 3 "replaced worker"
wait $pid
out=$(cat "$LAB_LOGS/out.json")
echo "$out" | jq -c '{established, closed_by_server, reconnected, hold}'
expect_eq "$(echo "$out" | jq .closed_by_server)" "$on_victim" "sessions the crash ended"
expect_eq "$(echo "$out" | jq .reconnected)" "$on_victim" "sessions that came back"
expect_eq "$(echo "$out" | jq .hold.lost_stable)" 0 "pings lost by other workers' sessions"
wait_stat .sessions.total 0 5
expect_eq "$(stat .pool.in_use)" 0 "addresses back in the pool"
exit 0
