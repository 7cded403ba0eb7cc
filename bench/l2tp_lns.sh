#!/bin/bash
# bench/l2tp_lns.sh [SECONDS] - L2TP end to end (issue 20): PPPoE -> pppoed as LAC -> pppoed
# as LNS -> host and back, next to a raw baseline chain in the same run, 64- and 1400-octet IP
# packets, one worker in each pppoed; system calls and context switches per packet of the two
# forwarding processes together (perf stat); then the session setup rate through the tunnel
# pair (LAC and LNS with two workers each).
#
#   $SUB --ac0-- $AC (LAC) --up0/net0-- $NET (LNS, $NET_HOST:1701) --lan0-- $HOST (10.2.0.2)
#
# Upstream: bench/packet_blaster sends PPPoE frames of the sessions (each from its address at
# the LNS, to 198.18.0.1, routed from the LNS's TUN to the host); counted where they leave the
# chain: the LNS's frames_from_lac. Downstream: packet_blaster sends UDP to the sessions'
# addresses from the LNS's namespace (routed into its TUN); counted at the LAC's
# frames_from_lns, which it turns into PPPoE frames. Baseline: the same two hops with the same
# I/O and no logic, bench/raw_forwarder l2tp-up + lns-up, and lns-down + l2tp-down.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
SESSIONS=${SESSIONS:-16}
SETUP_SESSIONS=${SETUP_SESSIONS:-2000}
. bench/bench-lib.sh
bench_need_perf
bench_lab l2tplns
AC_MAC=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
SUB_MAC=$(ip -n "$SUB" -j link show sub0 | jq -r '.[0].address')
LNS_PID=
cleanup() {
  [ -z "$LNS_PID" ] || kill "$LNS_PID" 2>/dev/null || true
  lab_down
}
trap cleanup EXIT
lab_host_up
ip -n "$NET" route add 198.18.0.0/15 via 10.2.0.2  # the upstream packets' destination: the host drops them
ip -n "$NET" link add lnsppp type veth peer name lnspeer
ip -n "$NET" link set lnsppp up
ip -n "$NET" link set lnspeer up
printf 'bench@wholesale bench\n' > "$LAB_LOGS/lns.secret"
chmod 600 "$LAB_LOGS/lns.secret"
cat > "$LAB_LOGS/lac.conf" <<CONF
auth pap
lcp-echo-interval 0
l2tp-tunnel wholesale lns $NET_HOST
l2tp-tunnel wholesale hostname bench-lac
l2tp-realm wholesale wholesale
CONF
cat > "$LAB_LOGS/lns.conf" <<CONF
auth pap
lcp-echo-interval 0
pool 10.1.0.10-10.1.255.254
l2tp-listen $NET_HOST
CONF
lns_start() {  # WORKERS
  rm -f "$LAB_LOGS/lns.sock"
  ip netns exec "$NET" "$BIN/pppoed" --control "$LAB_LOGS/lns.sock" --local-ip 10.1.0.1 -f "$LAB_LOGS/lns.conf" \
    --secrets "$LAB_LOGS/lns.secret" -L -w "$1" lnsppp >>"$LAB_LOGS/lns.log" 2>&1 &
  LNS_PID=$!
  for _ in $(seq 1 100); do [ -S "$LAB_LOGS/lns.sock" ] && return 0; sleep 0.05; done
  echo "the LNS did not start"; cat "$LAB_LOGS/lns.log"; exit 1
}
lns_stop() { kill "$LNS_PID" 2>/dev/null || true; wait "$LNS_PID" 2>/dev/null || true; LNS_PID=; }
pppoectl_lns() { ip netns exec "$NET" "$BIN/pppoectl" -s "$LAB_LOGS/lns.sock" "$@"; }
blast() {  # up|down SIZE
  if [ "$1" = up ]; then
    ip netns exec "$SUB" "$BIN/packet_blaster" up sub0 "$AC_MAC" "$LAB_LOGS/sessions" "$2" "$T"
  else
    ip netns exec "$NET" "$BIN/packet_blaster" down "$LAB_LOGS/sessions" "$2" "$T"
  fi
}
counter() {  # up|down: packets through the whole chain so far
  if [ "$1" = up ]; then pppoectl_lns -j show system | jq .l2tp.lns_counters.frames_from_lac
  else pppoectl_lab -j show ac | jq .counters.frames_from_lns; fi
}

# --- pppoed as LAC and as LNS, one worker each -------------------------------------------
lns_start 1
pppoed_start -f "$LAB_LOGS/lac.conf" -L -w 1 >/dev/null || { echo "pppoed (LAC) did not start"; exit 1; }
pppoetest_lab -m create -i sub0 -n "$SESSIONS" --auth pap --user bench@wholesale --password bench --pings 0 \
  --no-ipv6 --vanish --timeout 30 >/dev/null || { echo "sessions did not come up through LAC and LNS"; exit 1; }
# The LAC knows each subscriber's session ID and MAC, the LNS (by the Calling Number) its address.
pppoectl_lns -j show sessions | jq -r '.sessions[] | "\(.mac) \(.ip)"' | sort > "$LAB_LOGS/lns-addresses"
pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.l2tp != null) | "\(.mac) \(.session_id)"' | sort \
  | join - "$LAB_LOGS/lns-addresses" | awk '{print $2, $1, $3}' > "$LAB_LOGS/sessions"
[ "$(wc -l < "$LAB_LOGS/sessions")" = "$SESSIONS" ] || { echo "only $(wc -l < "$LAB_LOGS/sessions") sessions end to end"; exit 1; }
pids="$(pgrep -P "$PPPOED_PID" | paste -sd,),$(pgrep -P "$LNS_PID" | paste -sd,)"
for size in ${SIZES:-64 1400}; do
  for dir in up down; do
    before=$(counter $dir)
    perf_stat "$pids" "$T" > "$LAB_LOGS/perf" &
    perfpid=$!
    sent=$(blast $dir $size)
    wait $perfpid
    sleep 0.3
    after=$(counter $dir)
    read -r sys ctx cpu < "$LAB_LOGS/perf"
    forward_row "pppoed LAC + LNS" $dir $size $((after - before)) "$sys" "$ctx" "$sent" "$cpu"
  done
done
pppoed_stop
lns_stop

# --- raw baseline chain ------------------------------------------------------------------
ip -n "$NET" tuntap add dev rawtun mode tun multi_queue 2>/dev/null || true
for size in ${SIZES:-64 1400}; do
  for dir in up down; do
    if [ $dir = up ]; then
      ip netns exec "$AC" "$BIN/raw_forwarder" l2tp-up ac0 "$NET_HOST" $((T + 1)) > "$LAB_LOGS/fwd1" &
      f1=$!
      ip netns exec "$NET" "$BIN/raw_forwarder" lns-up rawtun $((T + 1)) > "$LAB_LOGS/fwd2" &
      f2=$!
    else
      ip netns exec "$NET" "$BIN/raw_forwarder" lns-down rawtun 198.51.100.254 $((T + 1)) > "$LAB_LOGS/fwd1" &
      f1=$!
      ip netns exec "$AC" "$BIN/raw_forwarder" l2tp-down ac0 "$SUB_MAC" $((T + 1)) > "$LAB_LOGS/fwd2" &
      f2=$!
    fi
    sleep 0.3
    ip -n "$NET" route replace 10.1.0.0/16 dev rawtun
    fpids=$(pgrep -f "raw_forwarder (l2tp|lns)-$dir" | paste -sd,)
    perf_stat "$fpids" "$T" > "$LAB_LOGS/perf" &
    perfpid=$!
    sent=$(blast $dir $size)
    wait $perfpid $f1 $f2
    read -r sys ctx cpu < "$LAB_LOGS/perf"
    # The chain delivers what its last hop forwarded.
    forward_row "raw baseline" $dir $size "$(cat "$LAB_LOGS/fwd2")" "$sys" "$ctx" "$sent" "$cpu"
  done
done

# --- session setup through the tunnel pair ------------------------------------------------
lns_start 2
pppoed_start -f "$LAB_LOGS/lac.conf" -L -w 2 >/dev/null || { echo "pppoed (LAC) did not start"; exit 1; }
setup=$(pppoetest_lab -m create -i sub0 -n "$SETUP_SESSIONS" --auth pap --user bench@wholesale --password bench \
  --pings 0 --no-ipv6 --timeout 60 --format json) || true
lns_up=$(pppoectl_lns -j show summary | jq .sessions_total.up)
# Where setup time went: control retransmissions on either side, frames before their session.
setup_counters="LAC retransmitted $(pppoectl_lab -j show ac | jq .counters.control_retransmitted), LNS retransmitted \
$(pppoectl_lns -j show system | jq .l2tp.lns_counters.control_retransmitted), frames before the LNS session \
$(pppoectl_lns -j show system | jq .l2tp.lns_counters.frames_call_not_ready)"
pppoed_stop
lns_stop

# --- table ---------------------------------------------------------------------------------
forward_table 20
echo
echo "setup through LAC and LNS (2 workers each): $(echo "$setup" | jq -r '"\(.established) of \(.attempted) sessions, \(.setup_rate | floor) sessions/s, p50 \(.setup_ms.p50) ms, p95 \(.setup_ms.p95) ms"'); LNS sessions up: $lns_up"
echo "($setup_counters)"
