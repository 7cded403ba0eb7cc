#!/bin/bash
# bench/l2tp_lac.sh [SECONDS] - the LAC's data path (issue 20) next to its raw baseline, measured
# in the same run: packets/s PPPoE -> L2TP (upstream: decapsulate, look up the call, encapsulate
# into an L2TPv2 data message to the LNS) and L2TP -> PPPoE (downstream), 64- and 1400-octet IP
# packets, 1 and 2 workers, with system calls and context switches per packet of the forwarding
# processes (perf stat); then the session setup rate through the LAC.
#
# The calls are real: pppoetest opens sessions of a realm, pppoed switches them into tunnels to
# the RFC 2661 LNS of the tests (tests/integration/lib/l2tp_lns.py), and pppoetest vanishes.
# For the traffic the LNS is replaced by a socket that never reads (upstream: the datagrams
# are dropped at its full buffer) or by bench/packet_blaster sending the LNS's data messages
# (downstream). Baseline: bench/raw_forwarder l2tp-up / l2tp-down, the same I/O as a LAC worker
# (packet ring batches, recvmmsg/sendmmsg batches on UDP port 1701) without any L2TP or PPPoE
# logic. Needs root and perf.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
SESSIONS=${SESSIONS:-16}
SETUP_SESSIONS=${SETUP_SESSIONS:-1000}
. bench/bench-lib.sh
bench_need_perf
bench_lab l2tplac
AC_MAC=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
SUB_MAC=$(ip -n "$SUB" -j link show sub0 | jq -r '.[0].address')
LNS_PID=
SINK_PID=
cleanup() {
  for p in $LNS_PID $SINK_PID; do kill "$p" 2>/dev/null || true; done
  lab_down
}
trap cleanup EXIT
cat > "$LAB_LOGS/pppoed.conf" <<CONF
auth pap
lcp-echo-interval 0
l2tp-tunnel wholesale lns $NET_HOST
l2tp-realm wholesale wholesale
CONF
lns_start() {
  ip netns exec "$NET" /usr/bin/python3 tests/integration/lib/l2tp_lns.py "$NET_HOST" "$LAB_LOGS/lns.json" \
    --users "bench@wholesale:bench" >>"$LAB_LOGS/lns.log" 2>&1 &
  LNS_PID=$!
  sleep 0.5
}
lns_stop() { kill "$LNS_PID" 2>/dev/null || true; wait "$LNS_PID" 2>/dev/null || true; LNS_PID=; }
sink_start() {  # a socket on the LNS's port that never reads: datagrams end at its full buffer
  ip netns exec "$NET" /usr/bin/python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(('$NET_HOST', 1701))
time.sleep(3600)" &
  SINK_PID=$!
  sleep 0.3
}
sink_stop() { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=; }
blast() {  # up|down SIZE
  if [ "$1" = up ]; then
    ip netns exec "$SUB" "$BIN/packet_blaster" up sub0 "$AC_MAC" "$LAB_LOGS/sessions" "$2" "$T"
  else
    ip netns exec "$NET" "$BIN/packet_blaster" l2tp-down 198.51.100.254 "$LAB_LOGS/calls" "$2" "$T"
  fi
}
lac_counter() { pppoectl_lab -j show ac | jq ".counters.$1"; }

# --- pppoed as LAC: 1 and 2 workers -------------------------------------------------------
for w in 1 2; do
  lns_start
  pppoed_start -f "$LAB_LOGS/pppoed.conf" -L -w "$w" >/dev/null || { echo "pppoed did not start"; exit 1; }
  pppoetest_lab -m create -i sub0 -n "$SESSIONS" --auth pap --user bench@wholesale --password bench --pings 1 \
    --no-ipv6 --vanish --timeout 30 >/dev/null || { echo "sessions did not come up through the LAC"; exit 1; }
  pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.l2tp != null) | "\(.session_id) \(.mac) 10.99.0.2"' \
    > "$LAB_LOGS/sessions"
  pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.l2tp != null) | "\(.l2tp.tunnel_id) \(.l2tp.session_id)"' \
    > "$LAB_LOGS/calls"
  [ "$(wc -l < "$LAB_LOGS/calls")" = "$SESSIONS" ] || { echo "only $(wc -l < "$LAB_LOGS/calls") calls up"; exit 1; }
  lns_stop
  pids=$(pgrep -P "$PPPOED_PID" | paste -sd,)
  for size in 64 1400; do
    for dir in up down; do
      key=$([ $dir = up ] && echo frames_to_lns || echo frames_from_lns)
      [ $dir = up ] && sink_start
      before=$(lac_counter $key)
      perf_stat "$pids" "$T" > "$LAB_LOGS/perf" &
      perfpid=$!
      sent=$(blast $dir $size)
      wait $perfpid
      sleep 0.3
      after=$(lac_counter $key)
      [ $dir = up ] && sink_stop
      read -r sys ctx cpu < "$LAB_LOGS/perf"
      forward_row "pppoed LAC, $w worker(s)" $dir $size $((after - before)) "$sys" "$ctx" "$sent" "$cpu"
    done
  done
  pppoed_stop
  rm -f "$LAB_LOGS/pppoed.sock"
done

# --- raw baseline -------------------------------------------------------------------------
for size in 64 1400; do
  for dir in up down; do
    [ $dir = up ] && sink_start
    if [ $dir = up ]; then
      ip netns exec "$AC" "$BIN/raw_forwarder" l2tp-up ac0 "$NET_HOST" $((T + 1)) > "$LAB_LOGS/fwd" &
    else
      ip netns exec "$AC" "$BIN/raw_forwarder" l2tp-down ac0 "$SUB_MAC" $((T + 1)) > "$LAB_LOGS/fwd" &
    fi
    fwd=$!
    sleep 0.3
    fpid=$(pgrep -f "raw_forwarder l2tp-$dir" | head -1)
    perf_stat "$fpid" "$T" > "$LAB_LOGS/perf" &
    perfpid=$!
    sent=$(blast $dir $size)
    wait $perfpid $fwd
    [ $dir = up ] && sink_stop
    read -r sys ctx cpu < "$LAB_LOGS/perf"
    forward_row "raw baseline" $dir $size "$(cat "$LAB_LOGS/fwd")" "$sys" "$ctx" "$sent" "$cpu"
  done
done

# --- session setup through the LAC --------------------------------------------------------
lns_start
pppoed_start -f "$LAB_LOGS/pppoed.conf" -L -w 2 >/dev/null || { echo "pppoed did not start"; exit 1; }
setup=$(pppoetest_lab -m create -i sub0 -n "$SETUP_SESSIONS" --auth pap --user bench@wholesale --password bench \
  --pings 0 --no-ipv6 --timeout 60 --format json) || true
pppoed_stop
lns_stop

# --- table ---------------------------------------------------------------------------------
forward_table 26
echo
echo "setup through the LAC (2 workers, LNS in Python): $(echo "$setup" | jq -r '"\(.established) of \(.attempted) sessions, \(.setup_rate | floor) sessions/s, p50 \(.setup_ms.p50) ms, p95 \(.setup_ms.p95) ms"')"
