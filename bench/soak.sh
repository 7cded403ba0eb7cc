#!/bin/bash
# bench/soak.sh [SECONDS] - a bounded soak with fault injection (default 600 s): sessions churn
# without pause (connect, traffic, PADT), other clients vanish without PADT (LCP echo cleans
# them up), a random worker is killed with SIGKILL every 20 s, and the governor (up to 4
# workers) scales up in load phases (15 s of ping floods through 20 sessions every 35 s) and
# down between them; the run fails unless it did both. Afterwards, with no
# session left: no leaked session IDs, pool addresses, index entries, BPF dispatch entries or
# shared-table slots; file descriptors back to their start values; private RSS (RssAnon) of
# the master within 5 % of its start and of each worker within 5 % of a fresh worker's. Prints the figures and
# exits 1 on any leak. Needs root (network namespaces). tests/integration/soak_short.sh runs
# 60 s of it in CI.
set -uo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-600}
[ "$(id -u)" = 0 ] || { echo "bench/soak.sh needs root"; exit 2; }
BIN=${BIN:-$PWD/build/bin}
[ -x "$BIN/pppoed" ] || scripts/build.sh release >/dev/null
LAB=${LAB:-pppsoak}
. scripts/lab-lib.sh
trap lab_down EXIT
lab_up || { echo "lab failed"; exit 1; }
printf 'soak soak\n' > "$LAB_LOGS/ppp.secret"; chmod 600 "$LAB_LOGS/ppp.secret"
cat > "$LAB_LOGS/soak.sysctl.conf" <<'CONF'
net.graph.pppoe_lb.governor.enabled=1
net.graph.pppoe_lb.governor.min_workers=1
net.graph.pppoe_lb.governor.cpu_low_threshold=3
net.graph.pppoe_lb.governor.cpu_threshold=8
net.graph.pppoe_lb.governor.scale_up_interval=5
net.graph.pppoe_lb.governor.scale_down_interval=10
net.graph.pppoe_lb.governor.drain_timeout=10
CONF
pppoed_start --secrets "$LAB_LOGS/ppp.secret" --auth pap --lcp-echo-interval 2 --lcp-echo-failure 2 \
  -L -w 2 -G 4 -S "$LAB_LOGS/soak.sysctl.conf" || { echo "pppoed did not start"; exit 1; }
sleep 1
res() { pppoectl_lab -j show resources; }
# Warm-up: one burst above the soak's peak, so one-time growth (hash tables, allocator arenas)
# is in the baseline and only a leak can show at the end.
pppoetest_lab -m create -i sub0 -n 300 --auth pap --user soak --password soak --pings 1 --timeout 30 >/dev/null 2>&1
for _ in $(seq 1 30); do [ "$(res | jq .sessions)" = 0 ] && break; sleep 1; done
start=$(res)
workers0=$(echo "$start" | jq '[.processes[] | select(.role!="master")] | length')
master_rss0=$(echo "$start" | jq '.processes[] | select(.role=="master") | .rss_anon_kib')
# The master holds one channel per worker: compare descriptors net of those.
master_fds0=$(( $(echo "$start" | jq '.processes[] | select(.role=="master") | .fds') - workers0 ))
worker_rss0=$(echo "$start" | jq '[.processes[] | select(.role!="master") | .rss_anon_kib] | max')
worker_fds0=$(echo "$start" | jq '[.processes[] | select(.role!="master") | .fds] | max')

end=$((SECONDS + DURATION))
churn() {  # connect, traffic, PADT; again and again
  local n=0
  while [ $SECONDS -lt $end ]; do
    pppoetest_lab -m create -i sub0 -n 100 --auth pap --user soak --password soak --pings 2 --hold 2 \
      --timeout 30 --format json > "$LAB_LOGS/churn.json" 2>/dev/null
    n=$((n + $(jq '.established // 0' "$LAB_LOGS/churn.json" 2>/dev/null || echo 0)))
    echo "$n" > "$LAB_LOGS/churn.count"
  done
}
vanish() {  # clients that lose power: no PADT
  local n=0
  while [ $SECONDS -lt $end ]; do
    pppoetest_lab -m create -i sub0 -n 30 --auth pap --user soak --password soak --pings 1 --hold 1 --vanish \
      --timeout 30 --format json > "$LAB_LOGS/vanish.json" 2>/dev/null
    n=$((n + $(jq '.established // 0' "$LAB_LOGS/vanish.json" 2>/dev/null || echo 0)))
    echo "$n" > "$LAB_LOGS/vanish.count"
    sleep 1
  done
}
surge() {  # load phases for the governor: 15 s of back-to-back pings through 20 sessions, then quiet
  while [ $SECONDS -lt $((end - 20)) ]; do
    pppoetest_lab -m create -i sub0 -n 20 --auth pap --user soak --password soak --pings 1 --flood 15 \
      --timeout 30 >/dev/null 2>&1
    sleep 20
  done
}
churn & c1=$!
vanish & c2=$!
surge & c3=$!
kills=0 max_workers=0 min_workers=99
while [ $SECONDS -lt $end ]; do
  for _ in 1 2 3 4; do
    sleep 5
    w=$(pgrep -P "$PPPOED_PID" | wc -l)
    [ "$w" -gt $max_workers ] && max_workers=$w
    [ "$w" -lt $min_workers ] && min_workers=$w
  done
  victim=$(pgrep -P "$PPPOED_PID" | shuf -n 1)
  [ -n "$victim" ] && kill -KILL "$victim" && kills=$((kills + 1))
done
wait $c1 $c2 $c3
# Vanished clients are found by LCP echo (2 x 2 s); drains end within their timeout.
for _ in $(seq 1 60); do
  [ "$(res | jq .sessions)" = 0 ] && break
  sleep 1
done
sleep 2
after=$(res)
summary=$(pppoectl_lab -j show summary)
fail=0
check() {  # name value wanted
  local ok=FAIL
  [ "$2" = "$3" ] && ok=ok || fail=1
  printf '  %-34s %10s   (want %s) %s\n' "$1" "$2" "$3" "$ok"
}
within() {  # name value reference percent
  local limit=$(( $3 * (100 + $4) / 100 )) ok=FAIL
  [ "$2" -le "$limit" ] && ok=ok || fail=1
  printf '  %-34s %10s   (start %s, limit %s) %s\n' "$1" "$2" "$3" "$limit" "$ok"
}
ups=$(grep -c 'governor: scale up' "$LAB_LOGS/pppoed.log")
downs=$(grep -c 'governor: scale down' "$LAB_LOGS/pppoed.log")
echo "soak: $DURATION s, $(cat "$LAB_LOGS/churn.count" 2>/dev/null || echo 0) sessions churned with PADT," \
  "$(cat "$LAB_LOGS/vanish.count" 2>/dev/null || echo 0) vanished without PADT, $kills workers killed (SIGKILL)," \
  "workers between $min_workers and $max_workers, $(echo "$summary" | jq .worker_crashes) crashes seen by the master," \
  "governor: $ups scale-ups, $downs scale-downs"
check "sessions" "$(echo "$after" | jq .sessions)" 0
check "free session IDs" "$(echo "$after" | jq .free_session_ids)" 65534
check "shared table slots used" "$(echo "$after" | jq .session_table_used)" 0
check "BPF dispatch entries to workers" "$(echo "$after" | jq .dispatch_entries_to_workers)" 0
check "pool addresses in use" "$(echo "$after" | jq .pool_in_use)" 0
check "IPv4 index entries" "$(echo "$after" | jq .ipv4_index)" 0
check "IPv6 index entries" "$(echo "$after" | jq .ipv6_index)" 0
workers1=$(echo "$after" | jq '[.processes[] | select(.role!="master")] | length')
check "master fds (net of worker channels)" "$(( $(echo "$after" | jq '.processes[] | select(.role=="master") | .fds') - workers1 ))" "$master_fds0"
check "worker file descriptors (max)" "$(echo "$after" | jq '[.processes[] | select(.role!="master") | .fds] | max')" "$worker_fds0"
if ldd "$BIN/pppoed" | grep libasan >/dev/null; then  # not grep -q: under pipefail, ldd killed by SIGPIPE would read as "no"
  # An ASan build keeps freed memory in quarantine, so RSS says nothing; LeakSanitizer checks
  # the master's heap when it exits instead.
  pppoed_stop
  if grep -q "ERROR: LeakSanitizer" "$LAB_LOGS/pppoed.log"; then
    echo "  LeakSanitizer at exit                  leaks FAIL"; fail=1
  else
    echo "  LeakSanitizer at exit (ASan build)     none ok"
  fi
else
  within "master private RSS KiB" "$(echo "$after" | jq '.processes[] | select(.role=="master") | .rss_anon_kib')" "$master_rss0" 5
  within "worker private RSS KiB (max)" "$(echo "$after" | jq '[.processes[] | select(.role!="master") | .rss_anon_kib] | max')" "$worker_rss0" 5
fi
echo "  (shared session table pages touched by the master: $(echo "$start" | jq '.processes[] | select(.role=="master") | .rss_shmem_kib') -> $(echo "$after" | jq '.processes[] | select(.role=="master") | .rss_shmem_kib') KiB; use, not a leak)"
[ -n "$PPPOED_PID" ] || true
[ "$kills" -gt 0 ] || { echo "  no worker was killed"; fail=1; }
[ "$ups" -gt 0 ] && [ "$downs" -gt 0 ] || { echo "  the governor did not scale both ways"; fail=1; }
exit $fail
