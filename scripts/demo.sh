#!/bin/bash
# The main job: installs, builds, then runs a lab in network namespaces where pppoed serves
# N sessions (default 100) opened by pppoetest, dual-stack (a /64 by Router Advertisement and
# a /56 by DHCPv6-PD each), pings through every one of them to a host behind the access
# concentrator over IPv4 and IPv6, and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${1:-100}
[ "$(id -u)" = 0 ] || { echo "demo.sh needs root (network namespaces)"; exit 2; }
scripts/install-deps.sh
scripts/build.sh release pppoed pppoectl pppoetest
BIN=$PWD/build/bin
LAB=pppdemo
. scripts/lab-lib.sh
trap lab_down EXIT
printf '# demo users (ppp.secret format: user secret [ip])\ndemo demo-password\n' > "$LAB_LOGS/ppp.secret"
chmod 600 "$LAB_LOGS/ppp.secret"

echo "== lab: $SUB (pppoetest) -- $AC (pppoed) -- $NET (host $NET_HOST)"
lab_up
printf 'ipv6-pool 2001:db8:1000::/48 64\nipv6-delegate-pool 2001:db8:2000::/40 56\nipv6-dns 2001:db8:ffff::53\n' \
  > "$LAB_LOGS/ipv6.conf"
pppoed_start -f "$LAB_LOGS/ipv6.conf" --secrets "$LAB_LOGS/ppp.secret" --pool 10.0.0.10-10.0.3.250 --dns 198.51.100.53 \
  --lcp-echo-interval 5 -L -w 2
echo "== pppoetest: $SESSIONS dual-stack sessions, 3 pings each to $NET_HOST and 6 to $NET_HOST6"
pppoetest_lab -m create -i sub0 -n "$SESSIONS" --user demo --password demo-password --target "$NET_HOST" \
  --target6 "$NET_HOST6" --pd --hold 3 > "$LAB_LOGS/report.txt" &
tester=$!
for _ in $(seq 1 100); do
  [ "$(pppoectl_lab -j show summary | jq .sessions.up)" = "$SESSIONS" ] && break
  sleep 0.1
done
sleep 1.5  # the pings have passed; the sessions are held
echo "== pppoectl show sessions (first 10 of $SESSIONS, while held)"
pppoectl_lab show sessions > "$LAB_LOGS/sessions.txt"
head -n 11 "$LAB_LOGS/sessions.txt"
echo "== pppoectl msg showworkers"
pppoectl_lab msg showworkers
rc=0
wait $tester || rc=$?
echo
cat "$LAB_LOGS/report.txt"
echo
echo "== pppoed counters after the clients sent PADT"
pppoectl_lab -j show summary | jq -c '{sessions, pool, ipv6_pool, delegate_pool, discovery: .discovery | {padi_rx, pado_tx, padr_rx, pads_tx, padt_rx}, traffic}'
pppoectl_lab sysctl net.graph.pppoe_lb.workers | grep -E "sessions|session_frames|foreign_frames|bytes"
echo
echo "logs (pppoed.log, the report, the session list): $LAB_LOGS"
if [ $rc = 0 ]; then echo "DEMO PASSED: $SESSIONS/$SESSIONS dual-stack sessions up with IPv4 and IPv6 traffic through each"; else echo "DEMO FAILED (see $LAB_LOGS)"; fi
exit $rc
