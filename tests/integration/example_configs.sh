#!/bin/bash
# The three example configurations of handbook 30.6.10, run as documented (etc/examples/),
# with `ngctl msg pppoe_lb:pppoed X` spelled `pppoectl msg X` and `sysctl` spelled
# `pppoectl sysctl`; and run-time worker management (30.6.6).
. "$(dirname "$0")/common.sh"
EX=$ROOT/etc/examples
val() { pppoectl_lab sysctl "net.graph.pppoe_lb.$1" | awk '{print $2}'; }

# 30.6.10.1 Basic Two-Worker Setup: pppoed -L -w 2, governor disabled.
pppoed_start --secrets "$SECRETS" -S "$EX/basic-two-worker.sysctl.conf" -L -w 2 || fail "basic"
sleep 0.3
expect_eq "$(pgrep -c -P "$PPPOED_PID")" 2 "basic: worker processes"
pppoectl_lab sysctl net.graph.pppoe_lb.governor.current_workers | grep -qx "net.graph.pppoe_lb.governor.current_workers: 2" ||
  fail "basic: current_workers"
pppoectl_lab msg showworkers > "$LAB_LOGS/showworkers.txt"
grep -qx "Worker Status:" "$LAB_LOGS/showworkers.txt" && grep -q "^Worker 0: ACTIVE (0 sessions, .* uptime)$" "$LAB_LOGS/showworkers.txt" &&
  grep -q "^Worker 1: ACTIVE (0 sessions, .* uptime)$" "$LAB_LOGS/showworkers.txt" || fail "basic: showworkers: $(cat "$LAB_LOGS/showworkers.txt")"
pppoetest_lab -m create -i sub0 -n 20 --pings 1 --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 20 10
expect_eq "$(val workers.0.sessions) $(val workers.1.sessions)" "10 10" "basic: new sessions go to the worker with fewer"
wait $pid || fail "basic: sessions"
# Manual worker management (30.6.6.1): addworker, desired_workers, setworkers.
pppoectl_lab msg addworker | grep -q "created worker 2 (now 3 workers)" || fail "addworker"
pppoectl_lab sysctl net.graph.pppoe_lb.governor.desired_workers=5 >/dev/null || fail "desired_workers"
expect_eq "$(val governor.current_workers)" 5 "desired_workers=5"
pppoectl_lab msg setworkers 2 >/dev/null || fail "setworkers 2"
for _ in $(seq 1 30); do [ "$(val governor.current_workers)" = 2 ] && break; sleep 0.2; done
expect_eq "$(val governor.current_workers)" 2 "setworkers 2 (idle workers drain and go)"
pppoectl_lab msg setworkers x 2>&1 | grep -q "expected a worker count" || fail "setworkers usage"
pppoed_stop

# 30.6.10.2 Auto-Scaling Production Setup: pppoed -L -w 2 -G 0 with its sysctl.conf.
pppoed_start --secrets "$SECRETS" -S "$EX/auto-scaling.sysctl.conf" -L -w 2 -G 0 || fail "auto-scaling"
cpus=$(nproc)
pppoectl_lab sysctl net.graph.pppoe_lb.governor.enabled net.graph.pppoe_lb.governor.mode > "$LAB_LOGS/g.txt"
printf 'net.graph.pppoe_lb.governor.enabled: 1\nnet.graph.pppoe_lb.governor.mode: 1\n' | diff - "$LAB_LOGS/g.txt" || fail "auto: enabled/mode"
pppoectl_lab msg showgovernor > "$LAB_LOGS/showgovernor.txt"
printf 'Governor Status:\nEnabled: Yes\nMode: Auto\nMin Workers: 2\nMax Workers: %s\nCurrent Workers: 2\nActive Workers: 2\nDraining Workers: 0\nPending Removals: 0\nLast Decision: none\n' "$cpus" |
  diff - "$LAB_LOGS/showgovernor.txt" || fail "auto: showgovernor"
pppoectl_lab sysctl net.graph.pppoe_lb.governor > "$LAB_LOGS/tree.txt"
for line in "min_workers: 2" "max_workers: 0" "cpu_threshold: 80" "cpu_low_threshold: 30" "scale_up_interval: 10" \
            "scale_down_interval: 60" "drain_timeout: 30" "current_workers: 2" "active_workers: 2" \
            "draining_workers: 0" "total_sessions: 0" "last_decision: none" "last_reason: none"; do
  grep -qx "net.graph.pppoe_lb.governor.$line" "$LAB_LOGS/tree.txt" || fail "auto: missing '$line'"
done
for leaf in cpu_usage avg_sessions_worker pending_removals desired_workers; do
  grep -q "^net.graph.pppoe_lb.governor.$leaf: " "$LAB_LOGS/tree.txt" || fail "auto: no $leaf"
done
pppoectl_lab sysctl net.graph.pppoe_lb.governor.cpu_low_threshold=90 2>&1 | grep -q "must be below cpu_threshold (80)" ||
  fail "auto: threshold check"
pppoed_stop

# 30.6.10.3 High-Load Setup: pppoed -L -w 8 -G 0; sessions within 20 % of the average.
pppoed_start --secrets "$SECRETS" -S "$EX/high-load.sysctl.conf" -L -w 8 -G 0 --pool 10.0.0.10-10.0.7.250 || fail "high-load"
expect_eq "$(val governor.current_workers)" 8 "high-load: 8 workers"
expect_eq "$(val governor.min_workers) $(val governor.cpu_threshold) $(val governor.cpu_low_threshold)" "4 70 40" "high-load thresholds"
expect_eq "$(val governor.sess_per_worker) $(val governor.scale_up_interval) $(val governor.scale_down_interval) $(val governor.drain_timeout)" \
  "1000 5 120 60" "high-load timing"
pppoetest_lab -m create -i sub0 -n 400 --pings 1 --hold 2 >/dev/null &
pid=$!
wait_stat .sessions.up 400 30
for i in $(seq 0 7); do
  n=$(val workers.$i.sessions)
  [ "$n" -ge 40 ] && [ "$n" -le 60 ] || fail "high-load: worker $i has $n sessions"
done
avg=$(val governor.avg_sessions_worker)
expect_eq "$avg" 50 "avg_sessions_worker"
[ "$(val health.load_imbalance_pct)" -le 20 ] || fail "load_imbalance_pct"
wait $pid || fail "high-load sessions"
pppoectl_lab sysctl net.graph.pppoe_lb.stats.total_errors | grep -q "^net.graph.pppoe_lb.stats.total_errors: " || fail "stats"
pppoectl_lab msg showstats | grep -q "^Total: " || fail "showstats"
exit 0
