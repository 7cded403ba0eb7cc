# Several access concentrators on one access segment (docs/scaling.md "Several boxes"),
# sourced after lab-lib.sh by tests/integration/multibox_*.sh. On top of the lab's SUB namespace:
#
#   $SUB:                 bridge acc, the access segment: the subscribers (pppoetest on t0, the
#                         other end of the bridge port s0) and each box's ac0 (port b<N>)
#   $LAB-m1 .. $LAB-m3:   the boxes, each a pppoed with its own MAC, its own pool
#                         (10.2N.0.0/18) and its files in $LAB_LOGS/m<N>/
#
# The namespaces go with lab_down (lab-lib.sh), also on failure.
declare -A MULTIBOX_PID
MULTIBOX_COUNT=0

multibox_ns() { echo "$LAB-m$1"; }
multibox_dir() { echo "$LAB_LOGS/m$1"; }

# multibox_up N: N boxes (at most 3) on the bridge.
multibox_up() {
  MULTIBOX_COUNT=$1
  ip -n "$SUB" link add acc type bridge || return 1
  ip -n "$SUB" link set acc type bridge ageing_time 3000
  ip -n "$SUB" link add t0 type veth peer name s0
  ip -n "$SUB" link set s0 master acc
  for i in $(seq 1 "$1"); do
    local ns
    ns=$(multibox_ns "$i")
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$SUB" link add b$i type veth peer name ac0 netns "$ns"
    ip -n "$SUB" link set b$i master acc
    ip -n "$SUB" link set b$i up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.ac0.disable_ipv6=1
    ip -n "$ns" link set ac0 up
    mkdir -p "$(multibox_dir "$i")"
  done
  for l in s0 t0 acc; do ip -n "$SUB" link set $l up; done
}

# multibox_start N [PPPOED ARGS...]: box N's pppoed with $(multibox_dir N)/pppoed.conf if it
# exists, the lab's users, its own pool; waits for its control socket.
multibox_start() {
  local i=$1 d
  shift
  d=$(multibox_dir "$i")
  local conf=()
  [ -f "$d/pppoed.conf" ] && conf=(-f "$d/pppoed.conf")
  ip netns exec "$(multibox_ns "$i")" "$BIN/pppoed" "${conf[@]}" --control "$d/pppoed.sock" \
    --state-file "$d/pppoed.sessions" --local-ip 10.2$i.0.1 --pool 10.2$i.0.2-10.2$i.63.254 --secrets "$SECRETS" \
    -L "$@" ac0 >>"$d/pppoed.log" 2>&1 &
  MULTIBOX_PID[$i]=$!
  wait_control_socket "$d/pppoed.sock" "${MULTIBOX_PID[$i]}" "$d/pppoed.log"
}

multibox_stop() { stop_pid "${MULTIBOX_PID[$1]:-}"; MULTIBOX_PID[$1]=; }
multibox_down() { for i in $(seq 1 "$MULTIBOX_COUNT"); do multibox_stop "$i"; done; }
multiboxctl() { ip netns exec "$(multibox_ns "$1")" "$BIN/pppoectl" -s "$(multibox_dir "$1")/pppoed.sock" "${@:2}"; }
multibox_stat() { multiboxctl "$1" -j show summary 2>/dev/null | jq -r "$2"; }

# multibox_radius_net: a RADIUS network, bridge radbr at 10.252.0.1/24 in the lab's AC namespace
# (where FreeRADIUS and PostgreSQL run), box N at 10.252.0.1N on its rad0. Each box then reaches
# RADIUS from its own address: its NAS-IP-Address.
multibox_radius_net() {
  ip -n "$AC" link add radbr type bridge || return 1
  ip -n "$AC" addr add 10.252.0.1/24 dev radbr
  ip -n "$AC" link set radbr up
  for i in $(seq 1 "$MULTIBOX_COUNT"); do
    ip -n "$AC" link add r$i type veth peer name rad0 netns "$(multibox_ns "$i")"
    ip -n "$AC" link set r$i master radbr
    ip -n "$AC" link set r$i up
    ip -n "$(multibox_ns "$i")" addr add 10.252.0.1$i/24 dev rad0
    ip -n "$(multibox_ns "$i")" link set rad0 up
  done
}

# multibox_sum FIELD: a `show summary` figure summed over the boxes (a dead box counts 0).
multibox_sum() {
  local n=0 v
  for i in $(seq 1 "$MULTIBOX_COUNT"); do v=$(multibox_stat "$i" "$1"); n=$((n + ${v:-0})); done
  echo $n
}
