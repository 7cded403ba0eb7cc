#!/bin/bash
# bench/radius_setup.sh [SESSIONS] - session setup rate with RADIUS (PAP against a real
# FreeRADIUS, with accounting Start records) next to the rate with the local ppp.secret file,
# measured in the same run with the same pppoed (-L -w 2) and client. Default 5000 sessions.
# Needs root (network namespaces) and FreeRADIUS (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5000}
[ "$(id -u)" = 0 ] || { echo "bench/radius_setup.sh needs root"; exit 2; }
scripts/install-deps.sh >/dev/null
scripts/build.sh release >/dev/null
BIN=$PWD/build/bin
LAB=pppbenchr
. scripts/lab-lib.sh
RADIUS_SECRET=bench-secret
. scripts/radius-lib.sh
fail() { echo "bench: $*"; exit 1; }
trap lab_down EXIT
lab_up
radius_start bench 18120 || fail "FreeRADIUS did not start"
printf 'bench bench\n' > "$LAB_LOGS/ppp.secret"
chmod 600 "$LAB_LOGS/ppp.secret"
cat > "$LAB_LOGS/radius.conf" <<CONF
radius-auth-server 127.0.0.1:18120 $RADIUS_SECRET
radius-acct-server 127.0.0.1:18121 $RADIUS_SECRET
radius-acct-spool $LAB_LOGS/spool
CONF
chmod 600 "$LAB_LOGS/radius.conf"
CLIENT=(-m create -i sub0 -n "$N" --user bench --password bench --auth pap --pings 0 --no-ipv6 --timeout 300 --format json)
COMMON=(--pool 10.0.0.10-10.0.255.250 --auth pap --lcp-echo-interval 30 -L -w 2)

run() {  # name, pppoed options...
  local name=$1; shift
  pppoed_start "${COMMON[@]}" "$@" || fail "pppoed did not start"
  sleep 0.5
  ip netns exec "$SUB" "$BIN/pppoetest" "${CLIENT[@]}" > "$LAB_LOGS/$name.json" || true
  pppoectl_lab -j show radius > "$LAB_LOGS/$name.radius.json" 2>/dev/null || true
  pppoed_stop
  rm -f "$LAB_LOGS/pppoed.sock"
}
row() {
  local j=$LAB_LOGS/$2.json
  printf '%-34s %8s/%-6s %10.0f %8.2f %10.1f %10.1f\n' "$1" "$(jq .established "$j")" "$N" "$(jq .setup_rate "$j")" \
    "$(echo "$(jq .setup_rate "$j") / $3" | bc -l)" "$(jq .setup_ms.p50 "$j")" "$(jq .setup_ms.p95 "$j")"
}
echo "== local ppp.secret ($N sessions)"
run local --secrets "$LAB_LOGS/ppp.secret"
echo "== FreeRADIUS PAP + accounting ($N sessions)"
run radius -f "$LAB_LOGS/radius.conf"
local_rate=$(jq .setup_rate "$LAB_LOGS/local.json")
echo
printf '%-34s %15s %10s %8s %10s %10s\n' "setup of $N sessions, 2 workers" "established" "sessions/s" "ratio" "p50 ms" "p95 ms"
row "local ppp.secret (baseline)" local "$local_rate"
row "RADIUS (FreeRADIUS, PAP + Start)" radius "$local_rate"
jq -r '.counters | "radius: \(.access_requests) access requests, \(.access_accepts) accepts, \(.accounting_starts) starts, \(.retransmits) retransmits, \(.timeouts) timeouts"' \
  "$LAB_LOGS/radius.radius.json"
echo "(ratio = relative to the local-file rate measured in this run; $(nproc) CPUs shared by client, pppoed and FreeRADIUS)"
