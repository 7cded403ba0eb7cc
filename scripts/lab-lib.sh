# Shared by the demo and the integration tests: a lab of network namespaces.
#
#   <prefix>-sub (subscribers: pppoetest)  --veth--  <prefix>-ac (pppoed, TUN)  --veth--  <prefix>-net (a host behind)
#
# Every namespace and interface is named from $LAB and removed by lab_down, also on failure
# (the caller installs `trap lab_down EXIT`). Cleanup must not fail under `set -e`.

LAB=${LAB:-pppl$$}
SUB=$LAB-sub
AC=$LAB-ac
NET=$LAB-net
NET_HOST=198.51.100.1
NET_HOST6=2001:db8:ffff::1
LAB_LOGS=${LAB_LOGS:-$(mktemp -d /tmp/$LAB.XXXX)}
PPPOED_PID=

# Each lab leaves a marker naming the shell that made it; a lab whose shell is gone (a test
# killed by a timeout cannot run its EXIT trap) is removed by the next lab_up.
LAB_MARKS=/run/pppoed-labs
lab_reap_stale() {
  [ -d "$LAB_MARKS" ] || return 0
  for mark in "$LAB_MARKS"/*; do
    [ -f "$mark" ] || continue
    kill -0 "$(cat "$mark")" 2>/dev/null && continue
    local stale
    stale=$(basename "$mark")
    for suffix in sub ac net lan ra rb host sa sb m1 m2 m3; do
      ip netns pids "$stale-$suffix" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      ip netns del "$stale-$suffix" 2>/dev/null || true
    done
    rm -f "$mark"
  done
}

lab_up() {
  lab_reap_stale
  lab_down
  mkdir -p "$LAB_MARKS" && echo $$ > "$LAB_MARKS/$LAB"
  ip netns add "$SUB" && ip netns add "$AC" && ip netns add "$NET" || return 1
  ip -n "$AC" link add ac0 type veth peer name sub0 netns "$SUB" || return 1
  ip -n "$AC" link add up0 type veth peer name net0 netns "$NET" || return 1
  for ns in "$SUB" "$AC" "$NET"; do ip -n "$ns" link set lo up; done
  ip -n "$AC" link set ac0 up
  ip -n "$SUB" link set sub0 up
  ip -n "$AC" addr add 198.51.100.254/24 dev up0
  ip -n "$AC" link set up0 up
  ip -n "$NET" addr add $NET_HOST/24 dev net0
  ip -n "$NET" link set net0 up
  ip -n "$NET" route add default via 198.51.100.254
  ip netns exec "$AC" sysctl -qw net.ipv4.ip_forward=1
  # IPv6 behind the AC as well (subscribers' /64s are routed through pppoed's TUN); a lab whose
  # AC has IPv6 switched off (tests/integration/ipv6_disabled.sh) simply goes without.
  ip -n "$AC" -6 addr add 2001:db8:ffff::fe/64 dev up0 nodad 2>/dev/null
  ip -n "$NET" -6 addr add $NET_HOST6/64 dev net0 nodad 2>/dev/null
  ip -n "$NET" -6 route add default via 2001:db8:ffff::fe 2>/dev/null
  ip netns exec "$AC" sysctl -qw net.ipv6.conf.all.forwarding=1 2>/dev/null
  # AC and host know each other's MAC from the start: a burst of pings from hundreds of
  # sessions must not wait in neighbour discovery's queue, which holds a few packets (the
  # rest is dropped: hundreds of lost IPv6 pings on the first burst otherwise).
  local ac_mac net_mac
  ac_mac=$(ip -n "$AC" -br link show up0 | awk '{print $3}')
  net_mac=$(ip -n "$NET" -br link show net0 | awk '{print $3}')
  ip -n "$AC" neigh replace $NET_HOST lladdr "$net_mac" dev up0 nud permanent
  ip -n "$NET" neigh replace 198.51.100.254 lladdr "$ac_mac" dev net0 nud permanent
  ip -n "$AC" -6 neigh replace $NET_HOST6 lladdr "$net_mac" dev up0 nud permanent 2>/dev/null
  ip -n "$NET" -6 neigh replace 2001:db8:ffff::fe lladdr "$ac_mac" dev net0 nud permanent 2>/dev/null
  return 0
}

# A host behind the NET namespace: $LAB-host at 10.2.0.2, NET at 10.2.0.1 forwarding to it.
# What an LNS in NET routes its subscribers to (tests/integration/l2tp_lns.sh, bench/l2tp_lns.sh).
lab_host_up() {
  local host=$LAB-host
  ip netns add "$host" || return 1
  ip -n "$NET" link add lan0 type veth peer name host0 netns "$host" || return 1
  ip -n "$NET" addr add 10.2.0.1/24 dev lan0
  ip -n "$NET" link set lan0 up
  ip -n "$host" addr add 10.2.0.2/24 dev host0
  ip -n "$host" link set host0 up
  ip -n "$host" link set lo up
  ip -n "$host" route add default via 10.2.0.1
  ip netns exec "$NET" sysctl -qw net.ipv4.ip_forward=1
}

# Starts pppoed in the AC namespace with extra options "$@"; waits for its control socket.
# PPPOED_FAST_PATH=yes: with the kernel fast path (the tests' fast-path runs, tests/CMakeLists.txt).
pppoed_start() {
  local bin=${BIN:-build/bin} fast=()
  [ "${PPPOED_FAST_PATH:-no}" = yes ] && fast=(--fast-path yes)
  ip netns exec "$AC" "$bin/pppoed" --control "$LAB_LOGS/pppoed.sock" --state-file "$LAB_LOGS/pppoed.sessions" --local-ip 10.0.0.1 "${fast[@]}" "$@" ac0 \
    >>"$LAB_LOGS/pppoed.log" 2>&1 &
  PPPOED_PID=$!
  wait_control_socket "$LAB_LOGS/pppoed.sock" "$PPPOED_PID" "$LAB_LOGS/pppoed.log"
}

# wait_control_socket SOCKET PID LOG: until a starting pppoed opens its control socket; its log
# if it exited instead.
wait_control_socket() {
  for _ in $(seq 1 100); do
    [ -S "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "pppoed exited:"; tail -n 60 "$3"; return 1; }
    sleep 0.05
  done
  echo "pppoed did not open its control socket $1"; return 1
}

# newest_worker: "SLOT PID" of pppoed's newest worker process (its TUN queue is the last one
# attached, so its exit moves no other queue: the operator guide's "Limits of this version").
newest_worker() {
  local best=0 slot=0 p
  for w in $(seq 0 7); do
    p=$(pppoectl_lab sysctl "net.graph.pppoe_lb.workers.$w.pid" 2>/dev/null | awk '{print $2}')
    [ -n "$p" ] && [ "$p" -gt "$best" ] && best=$p slot=$w
  done
  echo "$slot $best"
}
pppoectl_lab() { ip netns exec "$AC" "${BIN:-build/bin}/pppoectl" -s "$LAB_LOGS/pppoed.sock" "$@"; }
pppoetest_lab() { ip netns exec "$SUB" "${BIN:-build/bin}/pppoetest" "$@"; }

# wait_until VALUE SECONDS CMD...: until CMD prints VALUE; after SECONDS says what it printed
# instead and returns 1.
wait_until() {
  local want=$1 secs=$2 deadline=$((SECONDS + $2))
  shift 2
  while [ $SECONDS -lt $deadline ]; do
    [ "$("$@")" == "$want" ] && return 0
    sleep 0.1
  done
  echo "$*: not $want after $secs s (now $("$@"))"
  return 1
}

# stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL; reaps it.
stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"
    for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
  fi
  [ -z "$1" ] || wait "$1" 2>/dev/null || true
}

pppoed_stop() {
  stop_pid "$PPPOED_PID"
  PPPOED_PID=
}

lab_down() {
  pppoed_stop
  for ns in "$SUB" "$AC" "$NET" "$LAB-lan" "$LAB-ra" "$LAB-rb" "$LAB-host" "$LAB-sa" "$LAB-sb" "$LAB-m1" "$LAB-m2" "$LAB-m3"; do
    if ip netns list | grep -qw "$ns"; then
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      ip netns del "$ns" || true
    fi
  done
  rm -f "$LAB_MARKS/$LAB"
}
