#!/bin/bash
# bench/setup.sh [SESSIONS] - session setup rate of pppoed with 1, 2 and 4 workers (local PAP),
# next to the raw baseline measured in the same run: the same pppoetest client against
# bench/trivial_responder (canned answers, no FSM, no authentication). Prints sessions/s, the
# ratio to the baseline, setup latency, retransmissions, kernel drops and pppoed's system calls
# per session. Needs root (network namespaces) and perf.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
. bench/bench-lib.sh
bench_need_perf
bench_lab pppbench
CLIENT=(-m create -i sub0 -n "$N" --user bench --password bench --pings 0 --no-ipv6 --timeout 300 --format json)

run_client() { ip netns exec "$SUB" "$BIN/pppoetest" "${CLIENT[@]}" "$@" > "$LAB_LOGS/run.json" || true; cat "$LAB_LOGS/run.json"; }
row() {  # name json baseline_rate server_drops syscalls_per_session
  local rate est p50 p95 wall retx cdrop
  rate=$(jq .setup_rate <<<"$2"); est=$(jq .established <<<"$2"); wall=$(jq .setup_wall_s <<<"$2")
  p50=$(jq .setup_ms.p50 <<<"$2"); p95=$(jq .setup_ms.p95 <<<"$2")
  retx=$(jq .discovery_retransmits <<<"$2"); cdrop=$(jq .rx_dropped <<<"$2")
  printf '%-22s %8s/%-6s %10.0f %8.2f %9.2f %10.1f %10.1f %8s %8s %8s %9s\n' "$1" "$est" "$N" "$rate" \
    "$(echo "$rate / $3" | bc -l)" "$wall" "$p50" "$p95" "$retx" "$4" "$cdrop" "$5"
}
# Frames pppoed's processes dropped for want of room in their receive rings.
server_drops() { pppoectl_lab -j show stats | jq '.drops.rx_queue_full // 0'; }

echo "== baseline: pppoetest against trivial_responder ($N sessions)"
ip netns exec "$AC" "$BIN/trivial_responder" ac0 &
responder=$!
sleep 0.3
base=$(run_client --auth pap)
kill "$responder"; wait "$responder" 2>/dev/null || true
base_rate=$(jq .setup_rate <<<"$base")
results=()
drops=()
syscalls=()
for w in 1 2 4; do
  echo "== pppoed -L -w $w ($N sessions, local PAP)"
  pppoed_start --secrets "$LAB_LOGS/ppp.secret" --pool 10.0.0.10-10.0.255.250 --auth pap --lcp-echo-interval 30 -L -w "$w"
  sleep 0.5
  # System calls of pppoed (master and workers) from the first PADI until all N are up.
  pids="$PPPOED_PID,$(pgrep -P "$PPPOED_PID" | paste -sd,)"
  perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$pids" -o "$LAB_LOGS/perf" &
  perfpid=$!
  sleep 0.3
  run_client --auth pap > "$LAB_LOGS/result" &
  client=$!
  while kill -0 "$client" 2>/dev/null && [ "$(pppoectl_lab -j show stats | jq .sessions.up)" -lt "$N" ]; do sleep 0.05; done
  kill -INT "$perfpid"; wait "$perfpid" || true
  wait "$client" || true
  results+=("$(cat "$LAB_LOGS/result")")
  syscalls+=("$(awk -F, -v n="$N" '$3 ~ /sys_enter/ {printf "%.2f", $1 / n}' "$LAB_LOGS/perf")")
  drops+=("$(server_drops)")
  pppoed_stop
  rm -f "$LAB_LOGS/pppoed.sock"
done
echo
printf '%-22s %15s %10s %8s %9s %10s %10s %8s %8s %8s %9s\n' "setup of $N sessions" "established" "sessions/s" "ratio" \
  "wall s" "p50 ms" "p95 ms" "retx" "ac drop" "cl drop" "sys/sess"
row "raw baseline" "$base" "$base_rate" "-" "-"
i=0
for w in 1 2 4; do row "pppoed, $w worker(s)" "${results[$i]}" "$base_rate" "${drops[$i]}" "${syscalls[$i]}"; i=$((i + 1)); done
echo "(ratio = sessions/s relative to the raw baseline measured in this run; $(nproc) CPUs shared by client and server;"
echo " retx = PADI/PADR retransmissions by the client; ac drop / cl drop = frames the kernel dropped for"
echo " want of room in pppoed's / the client's receive rings; sys/sess = system calls of pppoed's"
echo " processes per session from the first PADI until all are up, perf stat)"
