#!/bin/bash
# bench/client.sh [SECONDS] - pppoec's data plane next to the raw baseline, in the same run:
# packets/s through one session in both directions with 64- and 1400-octet IP packets, and the
# system calls and context switches per packet of the forwarding process (perf stat).
#
#   up   (LAN -> WAN): UDP datagrams routed into ppp0 -> pppoec reads the TUN (multishot
#        io_uring) -> PPPoE frames on sub0 (sendmmsg batches)
#   down (WAN -> LAN): PPPoE frames of the session sent at sub0 by bench/packet_blaster from the
#        AC's namespace -> pppoec's receive ring -> TUN writes batched through io_uring
#
# The session is a real one with pppoed; pppoed is then stopped with SIGKILL (no PADT) and the
# client's keep-alive is off, so the client alone does the work and keeps its session. Baseline:
# bench/raw_forwarder with the same I/O and no PPPoE logic, in the subscriber's namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
. bench/bench-lib.sh
bench_need_perf
bench_lab pppclient
cat > "$LAB_LOGS/ppp.conf" <<CONF
bench:
 set device PPPoE:sub0
 set authname bench
 set authkey bench
 disable echo lqr ipv6cp
 set mtu 1492
 add default HISADDR
 set server $LAB_LOGS/pppoec.sock "" 0177
CONF
pppoed_start --secrets "$LAB_LOGS/ppp.secret" --auth pap --lcp-echo-interval 0 >/dev/null || { echo "pppoed did not start"; exit 1; }
ip netns exec "$SUB" "$BIN/pppoec" -f "$LAB_LOGS/ppp.conf" --no-state -ddial bench > "$LAB_LOGS/pppoec.log" 2>&1 &
client=$!
ctl() { ip netns exec "$SUB" "$BIN/pppctl" -j "$LAB_LOGS/pppoec.sock" show link | jq -r ".status$1"; }
for _ in $(seq 1 100); do [ "$(ctl .stage 2>/dev/null)" = up ] && break; sleep 0.1; done
[ "$(ctl .stage)" = up ] || { echo "the session did not come up"; cat "$LAB_LOGS/pppoec.log"; exit 1; }
SID=$(ctl .session_id); AC_MAC=$(ctl .ac_mac); OUR_MAC=$(ctl .our_mac); MYIP=$(ctl .ipcp.local)
pkill -STOP -P "$PPPOED_PID"; kill -STOP "$PPPOED_PID"  # frozen, not ended: no PADT
pkill -KILL -P "$PPPOED_PID"; kill -KILL "$PPPOED_PID"; PPPOED_PID=
ip -n "$SUB" route add blackhole 198.18.0.0/15 table 100 2>/dev/null || true
# Downstream packets (to 198.18.0.1 from the session) are dropped by the subscriber's kernel.
ip -n "$SUB" rule add iif ppp0 lookup 100
echo "$SID $AC_MAC $MYIP" > "$LAB_LOGS/session"      # packet_blaster up: frames from the AC to us
echo "0 00:00:00:00:00:00 198.18.0.1" > "$LAB_LOGS/target"  # packet_blaster down: UDP to 198.18.0.1

blast() {  # up|down SIZE
  if [ "$1" = up ]; then
    ip netns exec "$SUB" "$BIN/packet_blaster" down "$LAB_LOGS/target" "$2" "$T"
  else
    ip netns exec "$AC" "$BIN/packet_blaster" up ac0 "$OUR_MAC" "$LAB_LOGS/session" "$2" "$T"
  fi
}
ROWS=()
row() {  # label dir size packets syscalls ctxsw
  ROWS+=("$1|$2|$3|$(echo "$4 / $T" | bc -l)|$(echo "$5 / ($4 + 1)" | bc -l)|$(echo "$6 / ($4 + 1)" | bc -l)")
}
for size in 64 1400; do
  for dir in up down; do
    key=$([ $dir = up ] && echo packets_out || echo packets_in)
    before=$(ctl ".traffic.$key")
    perf_stat "$client" "$T" > "$LAB_LOGS/perf" &
    perfpid=$!
    blast $dir $size >/dev/null
    wait $perfpid
    sleep 0.3
    after=$(ctl ".traffic.$key")
    read -r sys ctx cpu < "$LAB_LOGS/perf"
    row pppoec $dir $size $((after - before)) "$sys" "$ctx"
  done
done
[ "$(ctl .sessions_up)" = 1 ] || { echo "the session was lost during the run"; cat "$LAB_LOGS/pppoec.log"; exit 1; }
kill -TERM "$client"; wait "$client" 2>/dev/null || true

ip -n "$SUB" rule del iif ppp0 lookup 100 2>/dev/null || true
for size in 64 1400; do
  for dir in up down; do
    if [ $dir = up ]; then
      ip netns exec "$SUB" "$BIN/raw_forwarder" down rawtun0 sub0 "$AC_MAC" $((T + 1)) > "$LAB_LOGS/fwd" &
    else
      ip netns exec "$SUB" "$BIN/raw_forwarder" up sub0 rawtun0 $((T + 1)) > "$LAB_LOGS/fwd" &
    fi
    fwd=$!
    for _ in $(seq 1 50); do ip -n "$SUB" link show rawtun0 >/dev/null 2>&1 && break; sleep 0.05; done
    ip -n "$SUB" route replace 198.18.0.0/15 dev rawtun0
    ip -n "$SUB" rule add iif rawtun0 lookup 100 2>/dev/null || true
    sleep 0.2
    perf_stat "$(pgrep -f "raw_forwarder $dir" | head -1)" "$T" > "$LAB_LOGS/perf" &
    perfpid=$!
    blast $dir $size >/dev/null
    wait $perfpid $fwd
    read -r sys ctx cpu < "$LAB_LOGS/perf"
    row "raw baseline" $dir $size "$(cat "$LAB_LOGS/fwd")" "$sys" "$ctx"
    ip -n "$SUB" rule del iif rawtun0 lookup 100 2>/dev/null || true
  done
done

echo
printf '%-14s %-5s %5s %12s %7s %13s %10s\n' "" dir size "packets/s" ratio "syscalls/pkt" "ctxsw/pkt"
for r in "${ROWS[@]}"; do
  IFS='|' read -r label dir size rate sysp ctxp <<<"$r"
  base=1
  for b in "${ROWS[@]}"; do
    IFS='|' read -r l d s rr _ <<<"$b"
    if [ "$l" = "raw baseline" ] && [ "$d" = "$dir" ] && [ "$s" = "$size" ]; then base=$rr; fi
  done
  printf '%-14s %-5s %5s %12.0f %7.2f %13.4f %10.4f\n' "$label" "$dir" "$size" "$rate" "$(echo "$rate / $base" | bc -l)" "$sysp" "$ctxp"
done
echo "(up = LAN -> WAN through the TUN, down = WAN -> LAN; ratio to the raw baseline of the same"
echo " direction and size in this run; $(nproc) CPUs shared by generator, kernel and forwarder)"
