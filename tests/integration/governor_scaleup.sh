#!/bin/bash
# The governor under real CPU load: traffic through a single worker pushes cpu_usage over
# cpu_threshold and the governor creates a worker, logging it in the seed's words; settings
# are applied at run time with `pppoectl -f` (sysctl.conf lines).
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" -L -w 1 -G 2 || fail "pppoed did not start"
cat > "$LAB_LOGS/gov.conf" <<'CONF'
# scale up early and fast, never scale down during the test
net.graph.pppoe_lb.governor.cpu_low_threshold=1
net.graph.pppoe_lb.governor.cpu_threshold=10
net.graph.pppoe_lb.governor.scale_up_interval=1
CONF
pppoectl_lab -f "$LAB_LOGS/gov.conf" | grep -q "cpu_threshold: 10" || fail "pppoectl -f"
val() { pppoectl_lab sysctl "net.graph.pppoe_lb.$1" | awk '{print $2}'; }
expect_eq "$(val governor.current_workers)" 1 "one worker before the load"
pppoetest_lab -m create -i sub0 -n 50 --target $NET_HOST --flood 15 --format json >"$LAB_LOGS/load.json" &
pid=$!
peak=0
for _ in $(seq 1 60); do
  cpu=$(val governor.cpu_usage)
  [ "$cpu" -gt "$peak" ] && peak=$cpu
  [ "$(val governor.current_workers)" = 2 ] && break
  sleep 0.25
done
echo "cpu_usage peak seen: $peak%"
expect_eq "$(val governor.current_workers)" 2 "workers after the load"
expect_eq "$(val governor.last_decision) $(val governor.last_reason)" "scale_up cpu_high" "last decision"
grep -q "governor: scale up (reason: cpu_high)" "$LAB_LOGS/pppoed.log" || fail "no scale-up log line"
grep -q "created worker 1 (now 2 workers)" "$LAB_LOGS/pppoed.log" || fail "no creation log line"
pppoectl_lab msg showgovernor | grep -qx "Last Decision: scale_up (reason: cpu_high)" || fail "showgovernor"
wait $pid
jq -c '{established, flood}' "$LAB_LOGS/load.json"
exit 0
