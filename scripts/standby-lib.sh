# The standby-pair lab (operator guide "High availability", the standby box), sourced after
# lab-lib.sh by tests/integration/standby_pair.sh and bench/standby.sh. On top of the lab's SUB
# namespace:
#
#   $SUB:            bridge acc, the access segment: the subscribers (pppoetest on t0, the
#                    other end of the bridge port s0) and both boxes' ac0
#   $LAB-sa, $LAB-sb: the two access concentrators, box a and box b. ac0 carries PPPoE with the
#                    shared AC MAC and VRRP (10.253.0.1/.2); sync0 (10.254.1.1/.2) is the
#                    dedicated sync link for pppoed's session stream
#
# Each box runs pppoed (standby-* settings) and keepalived: one VRRP instance on ac0, both
# BACKUP at start, nopreempt, track_file on pppoed's ready file (weight 0: not ready = FAULT), a
# track_script that pppoed answers at all, vrrp_notify_fifo read by pppoed. Everything lives in $LAB_LOGS/s<box>/ and goes with the
# namespaces.
SA=$LAB-sa
SB=$LAB-sb
STANDBY_MAC=02:50:50:44:00:01
STANDBY_KEY=standby-sync-key-for-the-lab-0123456789
declare -A STANDBY_PPPOED_PID STANDBY_KEEPALIVED_PID

standby_ns() { [ "$1" == a ] && echo "$SA" || echo "$SB"; }
standby_dir() { echo "$LAB_LOGS/s$1"; }
standby_other() { [ "$1" == a ] && echo b || echo a; }

standby_up() {
  ip netns add "$SA" && ip netns add "$SB" || return 1
  ip -n "$SUB" link add acc type bridge
  ip -n "$SUB" link set acc type bridge ageing_time 3000  # 30 s, as access switches
  ip -n "$SUB" link add t0 type veth peer name s0
  ip -n "$SUB" link set s0 master acc
  local n=1
  for b in a b; do
    local ns
    ns=$(standby_ns $b)
    ip -n "$ns" link set lo up
    ip -n "$SUB" link add b$b type veth peer name ac0 netns "$ns"
    ip -n "$SUB" link set b$b master acc
    ip -n "$SUB" link set b$b up
    # The same MAC on both boxes: the subscribers' sessions are bound to it. The BACKUP must
    # never send from it (pppoed mutes itself; the kernel has nothing to say on ac0 without
    # IPv6 and with nobody asking for its address).
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.ac0.disable_ipv6=1
    ip -n "$ns" link set ac0 address $STANDBY_MAC
    ip -n "$ns" addr add 10.253.0.$n/24 dev ac0
    ip -n "$ns" link set ac0 up
    mkdir -p "$(standby_dir $b)"
    n=$((n + 1))
  done
  ip -n "$SA" link add sync0 type veth peer name sync0 netns "$SB"
  ip -n "$SA" addr add 10.254.1.1/30 dev sync0
  ip -n "$SB" addr add 10.254.1.2/30 dev sync0
  ip -n "$SA" link set sync0 up
  ip -n "$SB" link set sync0 up
  ip -n "$SUB" link set s0 up
  ip -n "$SUB" link set t0 up
  ip -n "$SUB" link set acc up
}

# standby_radius_up: FreeRADIUS (radius-lib.sh, $RADIUS_SECRET) in the lab's AC namespace at
# 10.252.0.1, reached by both boxes over their rad0 links (10.252.0.11 and .12); prints the
# pppoed lines that use it. Both boxes present one NAS to RADIUS (the same NAS-Identifier and
# NAS-IP-Address), so that a session's accounting stays one record whichever box sends it.
standby_radius_up() {
  ip -n "$AC" link add radbr type bridge
  ip -n "$AC" addr add 10.252.0.1/24 dev radbr
  ip -n "$AC" link set radbr up
  local n=1
  for b in a b; do
    ip -n "$AC" link add r$b type veth peer name rad0 netns "$(standby_ns $b)"
    ip -n "$AC" link set r$b master radbr
    ip -n "$AC" link set r$b up
    ip -n "$(standby_ns $b)" addr add 10.252.0.1$n/24 dev rad0
    ip -n "$(standby_ns $b)" link set rad0 up
    n=$((n + 1))
  done
  RADIUS_LISTEN=10.252.0.1 RADIUS_CLIENTS=10.252.0.0/24 radius_start standby 18120 >/dev/null || return 1
  cat <<CONF
radius-auth-server 10.252.0.1:18120 $RADIUS_SECRET
radius-acct-server 10.252.0.1:18121 $RADIUS_SECRET
radius-timeout 1
radius-nas-identifier standby-pair
radius-nas-ip-address 10.252.0.254
CONF
}

standby_down() {
  for b in a b; do standby_stop_all $b; done
  for ns in "$SA" "$SB"; do
    if ip netns list | grep -qw "$ns"; then
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

# standby_configure ADVERT_INT [EXTRA PPPOED LINES]: pppoed and keepalived configurations for
# both boxes (box a has the higher priority; nopreempt: a box that comes back stays BACKUP).
standby_configure() {
  local advert=$1 extra=${2:-}
  local n=1
  for b in a b; do
    local d peer prio side
    d=$(standby_dir $b)
    [ $b == a ] && peer=2 || peer=1
    [ $b == a ] && prio=150 || prio=100
    [ $b == a ] && side=a || side=b
    cat > "$d/pppoed.conf" <<CONF
interface ac0
local-ip 10.0.0.1
pool 10.100.0.1-10.100.15.250
auth pap chap
lcp-echo-interval 5
control-socket $d/pppoed.sock
state-file $d/pppoed.sessions
tun pppoe0
standby-listen 10.254.1.$n:7070
standby-peer 10.254.1.$peer:7070
standby-key $STANDBY_KEY
standby-vrrp $d/vrrp.fifo acc
standby-ready-file $d/ready
standby-side $side
standby-sync-interval 500
$extra
CONF
    chmod 600 "$d/pppoed.conf"
    cat > "$d/keepalived.conf" <<KA
global_defs {
  router_id standby_$b
  vrrp_version 3
  vrrp_notify_fifo $d/vrrp.fifo
  script_user root
}
track_file pppoed_ready {
  file $d/ready
  weight 0
}
# pppoed itself answering (a killed pppoed writes no ready file): two failures in a row, so
# that a restart (SIGUSR2, ~200 ms without a control socket) is not a failover.
vrrp_script pppoed_alive {
  script "$BIN/pppoectl -s $d/pppoed.sock show standby"
  interval 1
  fall 2
  rise 1
}
vrrp_instance acc {
  state BACKUP
  interface ac0
  virtual_router_id 61
  priority $prio
  advert_int $advert
  nopreempt
  virtual_ipaddress {
    10.253.0.254/24
  }
  track_file {
    pppoed_ready
  }
  track_script {
    pppoed_alive
  }
}
KA
    n=$((n + 1))
  done
}

# standby_start_pppoed B [BINDIR]: pppoed of box B, waits for its control socket.
standby_start_pppoed() {
  local d bin=${2:-$BIN} fast=()
  d=$(standby_dir "$1")
  [ "${PPPOED_FAST_PATH:-no}" = yes ] && fast=(--fast-path yes)  # as pppoed_start (lab-lib.sh)
  ip netns exec "$(standby_ns "$1")" "$bin/pppoed" -f "$d/pppoed.conf" --secrets "$SECRETS" -L -w 2 "${fast[@]}" \
    >>"$d/pppoed.log" 2>&1 &
  STANDBY_PPPOED_PID[$1]=$!
  wait_control_socket "$d/pppoed.sock" "${STANDBY_PPPOED_PID[$1]}" "$d/pppoed.log"
}
standby_start_keepalived() {
  local d
  d=$(standby_dir "$1")
  ip netns exec "$(standby_ns "$1")" keepalived -n -l -D -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
    -r "$d/vrrp.pid" -c "$d/checkers.pid" --no-syslog >>"$d/keepalived.log" 2>&1 &
  STANDBY_KEEPALIVED_PID[$1]=$!
}
# pppoed first: it creates the FIFO keepalived writes its first state into.
standby_start_all() {
  standby_start_pppoed "$1" || return 1
  standby_start_keepalived "$1"
}
standby_stop_all() {
  stop_pid "${STANDBY_KEEPALIVED_PID[$1]:-}"
  STANDBY_KEEPALIVED_PID[$1]=
  stop_pid "${STANDBY_PPPOED_PID[$1]:-}"
  STANDBY_PPPOED_PID[$1]=
}

standbyctl() { ip netns exec "$(standby_ns "$1")" "$BIN/pppoectl" -s "$(standby_dir "$1")/pppoed.sock" "${@:2}"; }
# standby_stat B JQ: one value of box B's `show standby`; standby_summary B JQ: of `show summary`.
standby_stat() { standbyctl "$1" -j show standby 2>/dev/null | jq -r "$2"; }
standby_summary() { standbyctl "$1" -j show summary 2>/dev/null | jq -r "$2"; }
# standby_wait B JQ VALUE SECONDS
standby_wait() { wait_until "$3" "$4" standby_stat "$1" "$2"; }
# standby_master: which box is MASTER now (a, b, or ab).
standby_master() {
  local m=
  for b in a b; do [ "$(standby_stat $b .role)" == MASTER ] && m=$m$b; done
  echo "$m"
}
# standby_cut B / standby_uncut B: the box's access link down (its switch port loses carrier)
# and up again.
standby_cut() { ip -n "$SUB" link set "b$1" down; }
standby_uncut() { ip -n "$SUB" link set "b$1" up; }
