# The router-pair lab (pppoec "Redundant pair"), sourced after lab-lib.sh by the pair tests and
# bench/pair.sh. On top of the lab's AC and NET namespaces:
#
#   $LAB-lan: a LAN host (192.168.77.2) on bridge br0 with the routers' LAN ports
#   $LAB-ra, $LAB-rb: the two routers; lan0 (192.168.77.11/.12, VRRP address .1), wan0 (PPPoE
#             with the shared MAC; 10.255.0.1/.2 for the WAN VRRP instance), sync0 (10.254.0.1/.2:
#             pppoec's state stream and conntrackd's FTFW, a dedicated link)
#   $SUB:     the access segment, bridge wan with the AC's port and both routers' wan0
#
# Each router runs keepalived (a vrrp_sync_group of the LAN and WAN instances, like spec/001's
# ifstated rule carp0.link.up && carp1.link.up), conntrackd, and pppoec with `set pair`.
# Everything is configured in $LAB_LOGS/<router>/ and removed with the namespaces.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LANNS=$LAB-lan
RA=$LAB-ra
RB=$LAB-rb
PAIR_MAC=02:50:50:4f:45:01
PAIR_KEY=pair-sync-key-for-the-lab-0123456789
declare -A PAIR_PPPOEC_PID PAIR_KEEPALIVED_PID PAIR_CONNTRACKD_PID

pair_ns() { [ "$1" == a ] && echo "$RA" || echo "$RB"; }
pair_dir() { echo "$LAB_LOGS/r$1"; }

# pair_up: namespaces and links (the lab's own sub0/ac0 veth becomes the access segment).
pair_up() {
  ip netns add "$LANNS" && ip netns add "$RA" && ip netns add "$RB" || return 1
  for ns in "$LANNS" "$RA" "$RB"; do ip -n "$ns" link set lo up; done
  ip -n "$SUB" link add wan type bridge
  ip -n "$SUB" link set sub0 master wan
  ip -n "$LANNS" link add br0 type bridge
  ip -n "$LANNS" addr add 192.168.77.2/24 dev br0
  local n=1
  for r in a b; do
    local ns
    ns=$(pair_ns $r)
    ip -n "$SUB" link add w$r type veth peer name wan0 netns "$ns"
    ip -n "$SUB" link set w$r master wan
    ip -n "$SUB" link set w$r up
    ip -n "$LANNS" link add l$r type veth peer name lan0 netns "$ns"
    ip -n "$LANNS" link set l$r master br0
    ip -n "$LANNS" link set l$r up
    ip -n "$ns" addr add 192.168.77.1$n/24 dev lan0
    ip -n "$ns" addr add 10.255.0.$n/24 dev wan0
    ip -n "$ns" link set lan0 up
    ip -n "$ns" link set wan0 up
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    # Mid-stream TCP segments without a conntrack entry are INVALID, not picked up: until
    # conntrackd has committed the peer's table they are dropped (and retransmitted), never
    # answered with a RST by a router that has no NAT mapping for them yet.
    ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
    # A table synced by conntrackd lags the connection's sequence numbers: no window tracking
    # (conntrackd's manual), or the first segments after a takeover are INVALID.
    ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1
    ip netns exec "$ns" nft -f - <<NFT
table inet pair_guard {
  chain input { type filter hook input priority 0; ct state invalid drop; }
  chain forward { type filter hook forward priority 0; ct state invalid drop; }
}
NFT
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    n=$((n + 1))
  done
  ip -n "$RA" link add sync0 type veth peer name sync0 netns "$RB"
  ip -n "$RA" addr add 10.254.0.1/30 dev sync0
  ip -n "$RB" addr add 10.254.0.2/30 dev sync0
  ip -n "$RA" link set sync0 up
  ip -n "$RB" link set sync0 up
  ip -n "$SUB" link set wan up
  ip -n "$LANNS" link set br0 up
  ip -n "$LANNS" route add default via 192.168.77.1
  # The AC routes the session's addresses; the host behind it answers through the AC.
}

pair_down() {
  for r in a b; do pair_stop_all $r; done
  for ns in "$RA" "$RB" "$LANNS"; do
    if ip netns list | grep -qw "$ns"; then
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
}

# pair_configure ADVERT_INT preempt|nopreempt: keepalived, conntrackd and pppoec configurations
# for both routers (router a has the higher priority: with preempt, it takes the session back).
pair_configure() {
  local advert=$1 preempt=
  [ "$2" == nopreempt ] && preempt=nopreempt
  local n=1
  for r in a b; do
    local d peer prio
    d=$(pair_dir $r)
    mkdir -p "$d"
    [ $r == a ] && peer=2 || peer=1
    [ $r == a ] && prio=150 || prio=100
    cat > "$d/ppp.conf" <<CONF
default:
 set log phase
pair:
 set device PPPoE:wan0
 set authname alice
 set authkey wonderland
 set pppoe mac $PAIR_MAC
 add default HISADDR
 nat enable yes
 set server $d/pppoec.sock "" 0177
 set pair listen 10.254.0.$n:4791
 set pair peer 10.254.0.$peer:4791
 set pair key "$PAIR_KEY"
 set pair vrrp $d/vrrp.fifo pair
 set pair interval 100
CONF
    cat > "$d/check_pppoec.sh" <<CHECK
#!/bin/sh
exec $BIN/pppctl $d/pppoec.sock quit >/dev/null 2>&1
CHECK
    chmod 755 "$d/check_pppoec.sh"
    cat > "$d/conntrackd.sh" <<CTD
#!/bin/sh
# keepalived's notify for conntrackd: conntrackd's primary-backup scheme without -t on the way
# to BACKUP. keepalived runs notify scripts concurrently, and -t schedules a flush of the kernel
# table PurgeTimeout later: a router that is MASTER again by then (failback, a split brain's end)
# would lose every connection. The BACKUP's kernel entries are refreshed by the commit instead.
C="conntrackd -C $d/conntrackd.conf"
case "\$1" in
  master) \$C -c; \$C -f; \$C -R; \$C -B ;;
  backup|fault) \$C -n ;;
esac
exit 0
CTD
    chmod 755 "$d/conntrackd.sh"
    cat > "$d/keepalived.conf" <<KA
global_defs {
  router_id pair_$r
  vrrp_version 3
  vrrp_notify_fifo $d/vrrp.fifo
  script_user root
  # Gratuitous ARPs from the VRRP MAC spread over 200 ms after becoming MASTER, again 1 s later,
  # and every 10 s: the old MASTER may forward a packet or two to the LAN from the same MAC
  # before it hears us, and re-teach the LAN's switch its own port; a later ARP moves it back.
  vrrp_garp_interval 0.02
  vrrp_garp_master_repeat 10
  vrrp_garp_master_delay 1
  vrrp_garp_master_refresh 10
}
vrrp_script pppoec_alive {
  script "$d/check_pppoec.sh"
  interval 1
  fall 1
  rise 1
}
vrrp_sync_group pair {
  group {
    lan
    wan
  }
  notify_master "$d/conntrackd.sh master"
  notify_backup "$d/conntrackd.sh backup"
  notify_fault "$d/conntrackd.sh fault"
}
vrrp_instance lan {
  state BACKUP
  interface lan0
  virtual_router_id 51
  priority $prio
  advert_int $advert
  $preempt
  use_vmac vrrp.51
  vmac_xmit_base
  virtual_ipaddress {
    192.168.77.1/24
  }
  track_script {
    pppoec_alive
  }
}
vrrp_instance wan {
  state BACKUP
  interface wan0
  virtual_router_id 52
  priority $prio
  advert_int $advert
  $preempt
  virtual_ipaddress {
    10.255.0.254/24
  }
}
KA
    cat > "$d/conntrackd.conf" <<CONF
Sync {
  Mode FTFW {
    DisableExternalCache Off
    CommitTimeout 1800
    PurgeTimeout 5
  }
  UDP {
    IPv4_address 10.254.0.$n
    IPv4_Destination_Address 10.254.0.$peer
    Port 3780
    Interface sync0
    SndSocketBuffer 1249280
    RcvSocketBuffer 1249280
    Checksum on
  }
}
General {
  HashSize 8192
  HashLimit 65535
  LogFile $d/conntrackd.log
  Syslog off
  LockFile $d/conntrackd.lock
  UNIX {
    Path $d/conntrackd.ctl
  }
  NetlinkBufferSize 2097152
  NetlinkBufferSizeMaxGrowth 8388608
  Filter From Userspace {
    Protocol Accept {
      TCP
      UDP
      ICMP
    }
    Address Ignore {
      IPv4_address 127.0.0.1
      IPv4_address 10.254.0.0/30
      IPv4_address 10.255.0.0/24
    }
  }
}
CONF
    n=$((n + 1))
  done
}

# pair_start_pppoec R: pppoec of router R (a or b), in -ddial with the pair settings.
pair_start_pppoec() {
  local d
  d=$(pair_dir "$1")
  ip netns exec "$(pair_ns "$1")" "$BIN/pppoec" -f "$d/ppp.conf" --state "$d/pppoec.state" \
    --resolv-conf "$d/resolv.conf" -ddial pair >>"$d/pppoec.log" 2>&1 &
  PAIR_PPPOEC_PID[$1]=$!
  for _ in $(seq 1 50); do [ -S "$d/pppoec.sock" ] && return 0; sleep 0.1; done
  echo "pppoec of router $1 did not open its socket"; cat "$d/pppoec.log"; return 1
}
pair_start_keepalived() {
  local d
  d=$(pair_dir "$1")
  ip netns exec "$(pair_ns "$1")" keepalived -n -l -D -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
    -r "$d/vrrp.pid" -c "$d/checkers.pid" --no-syslog >>"$d/keepalived.log" 2>&1 &
  PAIR_KEEPALIVED_PID[$1]=$!
}
pair_start_conntrackd() {
  local d
  d=$(pair_dir "$1")
  ip netns exec "$(pair_ns "$1")" conntrackd -C "$d/conntrackd.conf" >>"$d/conntrackd.out" 2>&1 &
  PAIR_CONNTRACKD_PID[$1]=$!
}
pair_start_all() {
  pair_start_conntrackd "$1"
  pair_start_pppoec "$1" || return 1
  pair_start_keepalived "$1"
}
pair_stop_all() {
  local r=$1
  stop_pid "${PAIR_KEEPALIVED_PID[$r]:-}"
  PAIR_KEEPALIVED_PID[$r]=
  stop_pid "${PAIR_PPPOEC_PID[$r]:-}"
  PAIR_PPPOEC_PID[$r]=
  stop_pid "${PAIR_CONNTRACKD_PID[$r]:-}"
  PAIR_CONNTRACKD_PID[$r]=
}

# pair_stat R JQ: one value of router R's pppoec status.
pair_stat() {
  ip netns exec "$(pair_ns "$1")" "$BIN/pppctl" -j "$(pair_dir "$1")/pppoec.sock" show pair 2>/dev/null | jq -r ".status$2"
}
# pair_wait R JQ VALUE SECONDS
pair_wait() { wait_until "$3" "$4" pair_stat "$1" "$2"; }
# pair_master: which router's pppoec speaks now (a, b, or "ab" for both).
pair_master() {
  local m=
  for r in a b; do [ "$(pair_stat $r .pair.role)" == MASTER ] && m=$m$r; done
  echo "$m"
}

# Traffic through the pair: the LAN host's TCP connection to a server behind the AC (kept for
# the whole run), and fping every 10 ms during each measured step.
PAIR_TCP_PID=
PAIR_ECHO_PID=
pair_tcp_start() {
  ip netns exec "$NET" /usr/bin/python3 "$ROOT/tests/integration/lib/tcp_alive.py" serve "$NET_HOST" 7007 \
    >>"$LAB_LOGS/tcp_server.log" 2>&1 &
  PAIR_ECHO_PID=$!
  sleep 0.5
  rm -f "$LAB_LOGS/tcp.stop"
  ip netns exec "$LANNS" /usr/bin/python3 "$ROOT/tests/integration/lib/tcp_alive.py" client "$NET_HOST" 7007 \
    "$LAB_LOGS/tcp.stop" >"$LAB_LOGS/tcp_client.out" 2>&1 &
  PAIR_TCP_PID=$!
}
# pair_tcp_alive: the connection carries data now (its echo count grows within 30 s: after a
# run of outages TCP's retransmission timer has backed off to seconds).
pair_tcp_alive() {
  local before now
  before=$(cat "$LAB_LOGS/tcp.stop.count" 2>/dev/null || echo 0)
  for _ in $(seq 1 300); do
    kill -0 "$PAIR_TCP_PID" 2>/dev/null || return 1
    now=$(cat "$LAB_LOGS/tcp.stop.count" 2>/dev/null || echo 0)
    [ "$now" -gt "$before" ] && return 0
    sleep 0.1
  done
  return 1
}
# pair_tcp_stop: ends the connection (in this shell: it waits for its child); then
# $LAB_LOGS/tcp_client.out says "alive MAX_GAP_MS LINES" or "broken: WHY".
pair_tcp_stop() {
  touch "$LAB_LOGS/tcp.stop"
  wait "$PAIR_TCP_PID" 2>/dev/null
  PAIR_TCP_PID=
  stop_pid "$PAIR_ECHO_PID"
  PAIR_ECHO_PID=
}
PAIR_FPING_PID=
pair_fping_start() {
  ip netns exec "$LANNS" fping -D -p 10 -l "$NET_HOST" >"$LAB_LOGS/fping.out" 2>&1 &
  PAIR_FPING_PID=$!
}
# pair_fping_stop: "MAX_GAP_MS REPLIES" of the run.
pair_fping_stop() {
  stop_pid "$PAIR_FPING_PID"
  PAIR_FPING_PID=
  "$ROOT/tests/integration/lib/ping_gap.py" "$LAB_LOGS/fping.out"
}
# ac_stat JQ: one value of pppoed's summary.
ac_stat() { pppoectl_lab -j show summary | jq -r "$1"; }

# pair_step NAME FROM TO CMD...: runs CMD (a failure on router FROM) under fping and waits until
# TO speaks for the session; prints "NAME GAP_MS" and leaves PAIR_GAP set.
pair_step() {
  local name=$1 from=$2 to=$3; shift 3
  pair_fping_start
  sleep 1
  eval "$@"
  pair_wait "$to" .pair.role MASTER 15 || return 1
  pair_wait "$to" .stage up 10 || return 1
  sleep 1.5
  PAIR_GAP=$(pair_fping_stop | awk '{print $1}')
  echo "$name: router $from -> $to, largest ping gap $PAIR_GAP ms"
}
