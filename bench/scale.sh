#!/bin/bash
# bench/scale.sh [SESSIONS] [HOLD_SECONDS] - many concurrent sessions on one interface (default
# 64,000, the session-ID space) with LCP keep-alive at the default 10 s: memory per session of
# master and workers together (RSS, proportional set size and private RSS before and with the
# sessions up; PSS counts the shared session table once, RSS once per process) and the
# workers' CPU while the sessions only keep alive. Baseline in the same run: the same pppoed
# with no sessions. 2 workers. Needs root (network namespaces). IPV6=1: dual-stack sessions,
# each with a /64 by Router Advertisement and a /56 by DHCPv6-PD (ipv6-pool, ipv6-delegate-pool).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-64000}
HOLD=${2:-60}
. bench/bench-lib.sh
bench_lab pppscale
IPV6=${IPV6:-0}
printf 'ipv6-pool 2001:db8:1000::/40 64\nipv6-delegate-pool 2001:db8:8000::/33 56\n' > "$LAB_LOGS/ipv6.conf"
conf=()
client_ipv6=(--no-ipv6)
if [ "$IPV6" = 1 ]; then conf=(-f "$LAB_LOGS/ipv6.conf"); client_ipv6=(--pd); fi
pppoed_start "${conf[@]}" --secrets "$LAB_LOGS/ppp.secret" --auth pap -L -w 2 >/dev/null || { echo "pppoed did not start"; exit 1; }
sleep 1
procs() { echo "$PPPOED_PID $(pgrep -P "$PPPOED_PID" | tr '\n' ' ')"; }
sum_status() {  # field -> KiB summed over master and workers
  local t=0; for p in $(procs); do t=$((t + $(awk -v f="$1:" '$1 == f {print $2}' /proc/"$p"/status))); done; echo $t
}
sum_pss() {  # KiB of proportional set size summed over master and workers
  local t=0; for p in $(procs); do t=$((t + $(awk '$1 == "Pss:" {print $2}' /proc/"$p"/smaps_rollup))); done; echo $t
}
cpu_ticks() {  # utime+stime of the workers
  local t=0; for p in $(pgrep -P "$PPPOED_PID"); do t=$((t + $(awk '{print $14 + $15}' /proc/"$p"/stat))); done; echo $t
}
by_process() {  # private KiB of each process, master first
  for p in $(procs); do printf '%s %s KiB  ' "$(cat /proc/"$p"/comm)" "$(awk '$1 == "RssAnon:" {print $2}' /proc/"$p"/status)"; done
}
rss0=$(sum_status VmRSS) anon0=$(sum_status RssAnon) pss0=$(sum_pss) split0=$(by_process)
pppoetest_lab -m create -i sub0 -n "$N" --auth pap --user bench --password bench --pings 0 "${client_ipv6[@]}" \
  --timeout 300 --hold "$((HOLD + 30))" --format json > "$LAB_LOGS/client.json" 2>"$LAB_LOGS/client.err" &
client=$!
for _ in $(seq 1 300); do
  up=$(pppoectl_lab -j show stats | jq .sessions.up)
  [ "$up" -ge "$N" ] && break
  sleep 1
done
sleep 12  # past one keep-alive interval: every session has had its first echo
rss1=$(sum_status VmRSS) anon1=$(sum_status RssAnon) pss1=$(sum_pss) split1=$(by_process)
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks); t0=$(date +%s.%N)
sleep "$HOLD"
c1=$(cpu_ticks); t1=$(date +%s.%N)
up_end=$(pppoectl_lab -j show stats | jq .sessions.up)
cpu=$(echo "100 * ($c1 - $c0) / $hz / ($t1 - $t0)" | bc -l)
echo
echo "$N sessions requested, $up sessions up after setup, $up_end still up after $HOLD s of keep-alive"
[ "$IPV6" = 1 ] && echo "dual-stack: $(pppoectl_lab -j show stats | jq -c '{ipv6_pool: .ipv6_pool.in_use, delegate_pool: .delegate_pool.in_use}')"
printf '%-44s %12s %12s %12s\n' "master + 2 workers" "RSS KiB" "PSS KiB" "private KiB"
printf '%-44s %12s %12s %12s\n' "no sessions (baseline)" "$rss0" "$pss0" "$anon0"
printf '%-44s %12s %12s %12s\n' "$up sessions" "$rss1" "$pss1" "$anon1"
printf '%-44s %12.2f %12.2f %12.2f\n' "per session (KiB)" "$(echo "($rss1 - $rss0) / $up" | bc -l)" \
  "$(echo "($pss1 - $pss0) / $up" | bc -l)" "$(echo "($anon1 - $anon0) / $up" | bc -l)"
echo "private memory by process, no sessions: $split0"
echo "private memory by process, $up sessions: $split1"
printf 'keep-alive CPU of the workers: %.2f %% of one core over %s s (echo every 10 s per session)\n' "$cpu" "$HOLD"
kill "$client" 2>/dev/null || true
wait "$client" 2>/dev/null || true
