#!/bin/bash
# bench/fast_path.sh [SECONDS] - the kernel fast path (issue 18) next to the userland path and
# the physical limit of this machine, measured in the same run: packets/s upstream (PPPoE ->
# routed) and downstream (routed -> PPPoE) with 64- and 1400-octet IPv4 packets, 16 and 1,000
# sessions, and the workers' system calls, context switches and CPU time per packet.
#
# Baseline ("kernel forwarding"): the kernel's own IPv4 forwarding between the same two veth
# interfaces, no PPPoE and no pppoed: upstream the same IPv4 packets in plain Ethernet frames
# (packet_blaster up-ip), downstream the same datagrams routed out of ac0 to the subscriber
# side. Traffic: bench/packet_blaster on one core (upstream from the subscriber namespace on a
# packet socket; downstream from the network namespace behind the AC, so the AC forwards it).
# Counted where every path passes: upstream by an nftables counter in the AC's prerouting (the
# fast path and the TUN write both enter the stack on pppoe0), downstream by the subscriber
# veth's receive counter. 1 worker: the userland path's figure per core. Then the round-trip
# time of a ping every millisecond through one more session on each path (p50, p99).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:-5}
. bench/bench-lib.sh
bench_need_perf
bench_lab pppfast
ip -n "$AC" route add blackhole 198.18.0.0/15  # where upstream packets go
AC_MAC=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
SUB_MAC=$(ip -n "$SUB" -j link show sub0 | jq -r '.[0].address')
ip netns exec "$AC" nft -f - <<'NFT'
table inet fpbench {
  counter routed {}
  counter plain {}
  chain pre {
    type filter hook prerouting priority -300;
    iifname "pppoe0" ip daddr 198.18.0.0/15 counter name routed
    iifname "ac0" ip daddr 198.18.0.0/15 counter name plain
  }
}
NFT
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }  # user nice system irq softirq steal
declare -A MACHINE  # "label|dir|size" -> the whole machine's CPU us per forwarded packet (generator included)
nft_count() { ip netns exec "$AC" nft -j list counter inet fpbench "$1" | jq '.nftables[1].counter.packets'; }
sub_rx() { ip netns exec "$SUB" cat /sys/class/net/sub0/statistics/rx_packets; }

measure() {  # LABEL UP_MODE COUNTER: both sizes and directions; workers in $pids ("" for none)
  local label=$1 mode=$2 counter=$3 size dir before after sent perfpid sys ctx cpu
  for size in 64 1400; do
    for dir in up down; do
      if [ $dir = up ]; then before=$(nft_count "$counter"); else before=$(sub_rx); fi
      busy0=$(busy_jiffies)
      if [ -n "$pids" ]; then perf_stat "$pids" "$T" > "$LAB_LOGS/perf" & perfpid=$!; else echo "0 0 0" > "$LAB_LOGS/perf"; perfpid=; fi
      if [ $dir = up ]; then
        sent=$(ip netns exec "$SUB" "$BIN/packet_blaster" "$mode" sub0 "$AC_MAC" "$LAB_LOGS/sessions" "$size" "$T")
      else
        sent=$(ip netns exec "$NET" "$BIN/packet_blaster" down "$LAB_LOGS/sessions" "$size" "$T")
      fi
      [ -z "$perfpid" ] || wait "$perfpid"
      sleep 0.3
      if [ $dir = up ]; then after=$(nft_count "$counter"); else after=$(sub_rx); fi
      MACHINE["$label|$dir|$size"]=$(echo "($(busy_jiffies) - $busy0) * 1000000 / $(getconf CLK_TCK) / ($after - $before + 1)" | bc -l)
      read -r sys ctx cpu < "$LAB_LOGS/perf"
      forward_row "$label" $dir $size $((after - before)) "$sys" "$ctx" "$sent" "$cpu"
    done
  done
}

# The generator alone: the same traffic, dropped as it arrives at the AC (nftables netdev
# ingress on ac0 upstream, on up0 downstream). A path's machine CPU per packet minus this is
# what forwarding costs the cores besides the generator's: the "per core" of the forwarder.
declare -A FLOOR  # "N|dir|size" -> machine CPU us per packet of the generator and the arrival
measure_floor() {  # N
  local n=$1 size dir dev busy0 sunk
  for size in 64 1400; do
    for dir in up down; do
      if [ $dir = up ]; then dev=ac0; else dev=up0; fi
      ip netns exec "$AC" nft -f - <<NFT
table netdev fpfloor {
  counter sunk {}
  chain sink {
    type filter hook ingress device "$dev" priority -500;
    counter name sunk drop
  }
}
NFT
      busy0=$(busy_jiffies)
      if [ $dir = up ]; then
        ip netns exec "$SUB" "$BIN/packet_blaster" up sub0 "$AC_MAC" "$LAB_LOGS/sessions" "$size" "$T" >/dev/null
      else
        ip netns exec "$NET" "$BIN/packet_blaster" down "$LAB_LOGS/sessions" "$size" "$T" >/dev/null
      fi
      sleep 0.3
      sunk=$(ip netns exec "$AC" nft -j list counter netdev fpfloor sunk | jq '.nftables[1].counter.packets')
      FLOOR["$n|$dir|$size"]=$(echo "($(busy_jiffies) - $busy0) * 1000000 / $(getconf CLK_TCK) / ($sunk + 1)" | bc -l)
      ip netns exec "$AC" nft delete table netdev fpfloor
    done
  done
}

LATENCY=()
for n in 16 1000; do
  for path in fast userland; do
    fast=(); [ $path = fast ] && fast=(--fast-path yes)
    pppoed_start "${fast[@]}" --secrets "$LAB_LOGS/ppp.secret" --auth pap --lcp-echo-interval 0 -L -w 1 \
      --pool 10.0.0.10-10.0.7.250 >/dev/null || { echo "pppoed did not start"; exit 1; }
    for _ in $(seq 1 50); do grep -q "fast path" "$LAB_LOGS/pppoed.log" && break; sleep 0.1; done
    if [ $path = fast ] && ! grep -q "fast path: XDP on" "$LAB_LOGS/pppoed.log"; then
      echo "the fast path did not load:"; grep "fast path" "$LAB_LOGS/pppoed.log"; exit 1
    fi
    # XDP on a veth runs in the NAPI of the sending CPU's softirq, which here is also the
    # generator's; threaded NAPI lets the scheduler put it on the other CPU, as a NIC's
    # interrupts would (RSS, IRQ affinity). Only the fast path has a NAPI on ac0 to thread.
    # (The device keeps the setting for the NAPI of the next run; writing it then fails.)
    [ $path = fast ] && ip netns exec "$AC" sh -c 'echo 1 > /sys/class/net/ac0/threaded' 2>/dev/null || true
    [ $path = fast ] && echo "ac0 threaded NAPI: $(ip netns exec "$AC" cat /sys/class/net/ac0/threaded)"
    pppoetest_lab -m create -i sub0 -n "$n" --auth pap --user bench --password bench --pings 0 --no-ipv6 \
      --vanish --timeout 60 >/dev/null || { echo "$n sessions did not come up"; exit 1; }
    pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.state=="up") | "\(.session_id) \(.mac) \(.ip)"' \
      > "$LAB_LOGS/sessions"
    if [ "$(wc -l < "$LAB_LOGS/sessions")" != "$n" ]; then
      echo "only $(wc -l < "$LAB_LOGS/sessions") sessions up; states:"
      pppoectl_lab -j show sessions | jq -r '.sessions[].state' | sort | uniq -c
      grep -iE "warn|error|ended|terminat" "$LAB_LOGS/pppoed.log" | tail -20
      exit 1
    fi
    if [ $path = fast ]; then
      on=$(pppoectl_lab -j show session "$(head -1 "$LAB_LOGS/sessions" | cut -d' ' -f1)" | jq -r .session.fast_path.state)
      [ "$on" = fast ] || { echo "the first session is not on the fast path: $on"; exit 1; }
    fi
    pids=$(pgrep -P "$PPPOED_PID" | paste -sd,)
    measure "$path path, $n sessions" up routed
    if [ "$n" = 16 ]; then
      # Latency: one more session, a ping every millisecond to the host behind the AC.
      pppoetest_lab -m create -i sub0 -n 1 --auth pap --user bench --password bench --no-ipv6 --target $NET_HOST \
        --hold $((T + 1)) --traffic-interval 1 --format json > "$LAB_LOGS/rtt_$path.json" || true
      LATENCY+=("$(printf '%-14s %10s %10s %10s %10s' "$path path" "$(jq .hold.rtt_ms.samples "$LAB_LOGS/rtt_$path.json")" \
        "$(jq .hold.rtt_ms.p50 "$LAB_LOGS/rtt_$path.json")" "$(jq .hold.rtt_ms.p99 "$LAB_LOGS/rtt_$path.json")" \
        "$(jq .hold.lost_stable "$LAB_LOGS/rtt_$path.json")")")
    fi
    pppoed_stop
    rm -f "$LAB_LOGS/pppoed.sock"
  done
  # The machine's limit: the kernel forwarding the same packets between the same veths.
  ip -n "$AC" addr add 192.0.2.1/24 dev ac0
  ip -n "$AC" neigh replace 192.0.2.2 lladdr "$SUB_MAC" dev ac0 nud permanent
  ip -n "$AC" route replace 10.0.0.0/16 via 192.0.2.2 dev ac0
  pids=
  measure "kernel forwarding, $n sessions" up-ip plain
  ip -n "$AC" route del 10.0.0.0/16
  ip -n "$AC" addr del 192.0.2.1/24 dev ac0
  measure_floor "$n"
done

FORWARD_BASELINE="kernel forwarding, 16 sessions"
forward_table 30
echo
echo "Round-trip time through one session (pppoetest, a ping every ms to the host behind the AC):"
printf '%-14s %10s %10s %10s %10s\n' "" samples "p50 ms" "p99 ms" lost
printf '%s\n' "${LATENCY[@]}"
echo
echo "fast path against the userland path and against kernel forwarding (same sessions, direction, size);"
echo "machine CPU: all CPUs' busy time per forwarded packet, generator included (fast / userland / kernel):"
for r in "${FORWARD_ROWS[@]}"; do
  IFS='|' read -r label dir size rate _ <<<"$r"
  case "$label" in "fast path, "*) ;; *) continue ;; esac
  n=${label#fast path, }
  for b in "${FORWARD_ROWS[@]}"; do
    IFS='|' read -r l d s r0 _ <<<"$b"
    [ "$d" = "$dir" ] && [ "$s" = "$size" ] || continue
    [ "$l" = "userland path, $n" ] && u=$r0
    [ "$l" = "kernel forwarding, $n" ] && k=$r0
  done
  printf "  %-14s %-5s %5s  fast %9s  x%.2f of userland (%s)  %.2f of kernel forwarding (%s)  machine CPU us/pkt %.2f / %.2f / %.2f\n" \
    "$n" "$dir" "$size" "$rate" "$(echo "$rate / $u" | bc -l)" "$u" "$(echo "$rate / $k" | bc -l)" "$k" \
    "${MACHINE["fast path, $n|$dir|$size"]}" "${MACHINE["userland path, $n|$dir|$size"]}" "${MACHINE["kernel forwarding, $n|$dir|$size"]}"
done
echo
echo "forwarding CPU per packet: machine CPU minus the generator alone (its traffic dropped as it arrives);"
echo "fast / userland / kernel us/pkt, and how many times the fast path's packets a core forwards against the userland path's:"
for r in "${FORWARD_ROWS[@]}"; do
  IFS='|' read -r label dir size _ <<<"$r"
  case "$label" in "fast path, "*) ;; *) continue ;; esac
  n=${label#fast path, }
  floor=${FLOOR["${n% sessions}|$dir|$size"]}
  f=$(echo "${MACHINE["fast path, $n|$dir|$size"]} - $floor" | bc -l)
  u=$(echo "${MACHINE["userland path, $n|$dir|$size"]} - $floor" | bc -l)
  k=$(echo "${MACHINE["kernel forwarding, $n|$dir|$size"]} - $floor" | bc -l)
  printf "  %-14s %-5s %5s  generator %.2f  forwarding %.2f / %.2f / %.2f  per core x%.2f of userland, %.2f of kernel forwarding\n" \
    "$n" "$dir" "$size" "$floor" "$f" "$u" "$k" "$(echo "$u / $f" | bc -l)" "$(echo "$k / $f" | bc -l)"
done
