#!/bin/bash
# Prometheus metrics (issue 19): `metrics-listen` serves the text format (OpenMetrics when
# asked); during a 500-session run against a real FreeRADIUS the values equal what `pppoectl -j`
# reports, `promtool check metrics` finds nothing to say, the RADIUS server's request counters
# and latency histogram are there, and every metric the shipped Grafana dashboard queries exists.
# A worker killed and a reload that rebuilds the RADIUS clients do not set the counters back.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
for t in curl promtool; do command -v $t >/dev/null || fail "$t is missing: run scripts/install-deps.sh"; done
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<<"metrics-listen 127.0.0.1:9469"
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start"
wait_log "metrics on http://127.0.0.1:9469/metrics" 5 || fail "metrics endpoint not logged"
scrape() { ip netns exec "$AC" curl -sf "$@" http://127.0.0.1:9469/metrics; }
value() {  # value 'NAME{LABELS}' from the last scrape
  awk -v k="$1" '$1 == k {print $2}' "$LAB_LOGS/metrics.txt"
}

pppoetest_lab -m create -i sub0 -n 500 --auth pap --user alice --password wonderland --no-ipv6 --hold 15 \
  --format json >"$LAB_LOGS/held.json" 2>&1 &
holder=$!
wait_stat .sessions.up 500 60
sleep 1.5  # the workers publish their counters after each loop turn; the RADIUS ones each tick
scrape >"$LAB_LOGS/metrics.txt" || fail "no answer from /metrics"
pppoectl_lab -j show summary >"$LAB_LOGS/summary.json"
pppoectl_lab -j show radius >"$LAB_LOGS/radius.json"
j() { jq -r "$1" "$LAB_LOGS/summary.json"; }

promtool check metrics <"$LAB_LOGS/metrics.txt" >"$LAB_LOGS/promtool.txt" 2>&1 ||
  fail "promtool check metrics: $(head -20 "$LAB_LOGS/promtool.txt")"
expect_eq "$(value 'pppoed_sessions{state="up"}')" "$(j .sessions.up)" "sessions up"
expect_eq "$(value 'pppoed_sessions{state="up"}')" 500 "sessions up"
expect_eq "$(value 'pppoed_sessions_established_total')" "$(j .sessions_total.up)" "sessions established"
expect_eq "$(value 'pppoed_sessions_started_total')" "$(j .sessions_total.created)" "sessions started"
expect_eq "$(value 'pppoed_discovery_packets_total{code="PADI",direction="rx"}')" "$(j .discovery.padi_rx)" "PADIs"
expect_eq "$(value 'pppoed_discovery_packets_total{code="PADS",direction="tx"}')" "$(j .discovery.pads_tx)" "PADSs"
expect_eq "$(value 'pppoed_pool_addresses{pool="default",state="used"}')" "$(j .pool.in_use)" "pool addresses used"
expect_eq "$(value 'pppoed_drops_total{reason="bad_cookie"}')" "$(j .drops.bad_cookie)" "bad_cookie drops"
expect_eq "$(value 'pppoed_authentications_total{method="pap",result="accepted"}')" 500 "PAP accepts"
expect_eq "$(value 'pppoed_radius_events_total{event="access_accepts"}')" "$(jq .counters.access_accepts "$LAB_LOGS/radius.json")" \
  "RADIUS access accepts"
workers_sum=$(awk '$1 ~ /^pppoed_worker_sessions\{/ {s += $2} END {print s}' "$LAB_LOGS/metrics.txt")
expect_eq "$workers_sum" "$(j .sessions.total)" "sessions summed over the workers"
expect_eq "$(value 'pppoed_workers{state="ACTIVE"}')" 2 "active workers"
expect_eq "$(value 'pppoed_radius_server_requests_total{kind="auth",server="127.0.0.1:18120"}')" 500 "requests to the server"
expect_eq "$(value 'pppoed_radius_server_latency_seconds_count{kind="auth",server="127.0.0.1:18120"}')" \
  "$(value 'pppoed_radius_server_responses_total{kind="auth",server="127.0.0.1:18120"}')" "latency observations"
[ "$(value 'pppoed_radius_server_latency_seconds_bucket{kind="auth",server="127.0.0.1:18120",le="+Inf"}')" -ge 500 ] ||
  fail "latency histogram"
[ "$(value 'pppoed_process_resident_memory_bytes{process="master"}')" -gt 1000000 ] || fail "master's memory"
grep -q '^pppoed_build_info{version="' "$LAB_LOGS/metrics.txt" || fail "no build info"
grep -q "$RADIUS_SECRET" "$LAB_LOGS/metrics.txt" && fail "a secret in the metrics"

# OpenMetrics when asked for, as Prometheus does.
scrape -D "$LAB_LOGS/om.headers" -H 'Accept: application/openmetrics-text; version=1.0.0' >"$LAB_LOGS/om.txt"
grep -qi '^content-type: application/openmetrics-text' "$LAB_LOGS/om.headers" || fail "OpenMetrics content type"
expect_eq "$(tail -n 1 "$LAB_LOGS/om.txt")" "# EOF" "OpenMetrics ends with # EOF"
grep -q '^# TYPE pppoed_sessions_established counter$' "$LAB_LOGS/om.txt" || fail "OpenMetrics counter family name"

# The dashboard: every series it queries is served.
dash=$ROOT/etc/grafana/pppoed-dashboard.json
jq -e . "$dash" >/dev/null || fail "the dashboard is not JSON"
for name in $(jq -r '.. | .expr? // empty' "$dash" | grep -oE 'pppoed_[a-z0-9_]+' | sort -u); do
  grep -qE "^$name(\{| )" "$LAB_LOGS/metrics.txt" || fail "the dashboard queries $name, which pppoed does not serve"
done
echo "dashboard: $(jq '[.panels[] | select(.targets)] | length' "$dash") panels, their metrics all served"

# What a scrape costs the master: 20 scrapes with 500 sessions up.
t0=$(date +%s%N)
for _ in $(seq 1 20); do scrape >/dev/null || fail "scrape failed"; done
echo "scrape with 500 sessions: $(( ($(date +%s%N) - t0) / 20000 )) us each (curl included), $(wc -c <"$LAB_LOGS/metrics.txt") bytes"
wait $holder

# A worker killed (its replacement starts from zero) and a reload that rebuilds the RADIUS
# clients: the per-server counters go on from where they were.
wait_stat .sessions.total 0 20
victim=$(pppoectl_lab sysctl net.graph.pppoe_lb.workers.1.pid | awk '{print $2}')
kill -9 "$victim"
wait_stat .worker_crashes 1 5
sed -i 's/^radius-timeout 1$/radius-timeout 2/' "$RADIUS_CONF"
pppoectl_lab reload | grep -q "applied: radius-timeout" || fail "the RADIUS timeout was not reloaded"
pppoetest_lab -m create -i sub0 -n 20 --auth pap --user alice --password wonderland --no-ipv6 --format json \
  >"$LAB_LOGS/after.json" 2>&1 || fail "sessions after the reload: $(cat "$LAB_LOGS/after.json")"
sleep 1.5
scrape >"$LAB_LOGS/metrics.txt" || fail "no answer from /metrics"
expect_eq "$(value 'pppoed_radius_server_requests_total{kind="auth",server="127.0.0.1:18120"}')" 520 \
  "requests to the server after a worker crash and a reload"
expect_eq "$(value 'pppoed_radius_server_latency_seconds_count{kind="auth",server="127.0.0.1:18120"}')" 520 \
  "latency observations after a worker crash and a reload"
expect_eq "$(value 'pppoed_sessions_established_total')" 520 "sessions established after a worker crash"
expect_eq "$(value 'pppoed_radius_server_outstanding{kind="auth",server="127.0.0.1:18120"}')" 0 \
  "requests outstanding at rest"
# A server that does not answer: the requests sent to it show as outstanding.
kill -STOP "$(cat "$LAB_LOGS/primary/pid")"
pppoetest_lab -m create -i sub0 -n 5 --auth pap --user alice --password wonderland --no-ipv6 --timeout 4 \
  --format json >"$LAB_LOGS/stalled.json" 2>&1 &
stalled=$!
sleep 1.5  # the workers publish their RADIUS figures each second; the requests wait up to 3 s
scrape >"$LAB_LOGS/metrics.txt" || fail "no answer from /metrics"
kill -CONT "$(cat "$LAB_LOGS/primary/pid")"
wait $stalled
expect_eq "$(value 'pppoed_radius_server_outstanding{kind="auth",server="127.0.0.1:18120"}')" 5 \
  "requests outstanding while the server is stopped"
