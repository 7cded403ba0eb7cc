#!/bin/bash
# bench/multibox.sh [SESSIONS] - the setup rate of three access concentrators on one access
# segment (docs/scaling.md "Several boxes"), unpaced, with the addresses from FreeRADIUS
# sqlippool on PostgreSQL (PAP, an address lease and an Accounting-Start row per session), next
# to the same three boxes with local pools and the local ppp.secret, and with RADIUS but no SQL,
# in the same run, each with the CPU time per session of pppoed, FreeRADIUS and PostgreSQL; then
# the rate at which a box's subscribers are all back on the other two after it loses power.
# Default 4,500 sessions. Needs root and the lab's packages (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-4500}
. bench/bench-lib.sh
bench_lab pppbenchm
SECRETS=$LAB_LOGS/ppp.secret
RADIUS_SECRET=bench-multibox-secret
. scripts/multibox-lib.sh
. scripts/radius-lib.sh
. scripts/postgres-lib.sh
fail() { echo "bench: $*"; exit 1; }
cleanup() { multibox_down; radius_stop sql 2>/dev/null || true; radius_stop files 2>/dev/null || true; pg_stop; lab_down; }
trap cleanup EXIT

multibox_up 3 || fail "multibox lab"
multibox_radius_net || fail "RADIUS network"
pg_start "$AC" 127.0.0.1 55432 || fail "PostgreSQL did not start"
# 10.30.0.0/17: 32,766 addresses, free from the start.
pg_sql "INSERT INTO radippool (pool_name, framedipaddress, expiry_time)
        SELECT 'main', '10.30.0.0'::inet + g, now() - interval '1 hour' FROM generate_series(1, 32766) g"
RADIUS_THREADS=${RADIUS_THREADS:-8} RADIUS_LISTEN=10.252.0.1 RADIUS_CLIENTS=10.252.0.0/24 RADIUS_SQL="127.0.0.1 55432" radius_start sql 18120 ||
  fail "FreeRADIUS did not start"
# The same FreeRADIUS without SQL (PAP against its users file, the boxes' local pools): what
# RADIUS alone costs, so that the SQL rows can be read against it.
RADIUS_THREADS=${RADIUS_THREADS:-8} RADIUS_LISTEN=10.252.0.1 RADIUS_CLIENTS=10.252.0.0/24 radius_start files 18130 ||
  fail "FreeRADIUS (users file) did not start"
# The users file of radius-lib knows alice; the local run uses the same name.
printf 'alice wonderland\n' >"$SECRETS"
CLIENT=(-m create -i t0 -n "$N" --auth pap --user alice --password wonderland --no-ipv6 --pings 0 --timeout 300 --format json)
total() { multibox_sum .sessions.up; }

boxes() {  # boxes local|sqlippool|noacct: the three pppoed, one worker each
  for i in 1 2 3; do
    local d; d=$(multibox_dir $i)
    # 0.02 ms per session: the spread still follows the load, but pppoetest keeps at most 256
    # subscribers in discovery, so the tests' 0.2 ms (300 ms at 1,500 sessions) would cap an
    # unpaced run at ~850 sessions/s by the delay alone.
    printf 'pado-delay-per-1000 20\n' >"$d/pppoed.conf"
    [ "$1" = files ] && echo "radius-auth-server 10.252.0.1:18130 $RADIUS_SECRET" >>"$d/pppoed.conf"
    [ "$1" = sqlippool ] || [ "$1" = noacct ] && echo "radius-auth-server 10.252.0.1:18120 $RADIUS_SECRET" >>"$d/pppoed.conf"
    [ "$1" = sqlippool ] && printf 'radius-acct-server 10.252.0.1:18121 %s\nradius-acct-spool %s/spool\n' "$RADIUS_SECRET" "$d" \
      >>"$d/pppoed.conf"
    chmod 600 "$d/pppoed.conf"
    rm -f "$d/pppoed.sock" "$d/pppoed.sessions"
    multibox_start $i -w 1 || fail "box $i"
  done
}
# cpu_ticks: CPU time (clock ticks) so far of each component, "name ticks" lines; a process that
# ended in between is missed, so the client is read by its own report instead.
cpu_ticks() {
  local f comm
  for f in /proc/[0-9]*/stat; do
    read -r -a st <"$f" 2>/dev/null || continue
    comm=${st[1]}
    case $comm in
      "(postgres)") comm=postgres ;; "(freeradius)") comm=freeradius ;; "(pppoed"*) comm=pppoed ;; *) continue ;;
    esac
    # Fields after the "(comm)" one: a comm with a space would shift them; these have none.
    echo "$comm $((st[13] + st[14]))"
  done | awk '{t[$1] += $2} END {for (c in t) print c, t[c]}'
}
run() {  # run NAME: N unpaced subscribers over the three boxes, held 2 s, then all released
  cpu_ticks >"$LAB_LOGS/$1.cpu0"
  ip netns exec "$SUB" "$BIN/pppoetest" "${CLIENT[@]}" --hold 4 >"$LAB_LOGS/$1.json" &
  local client=$!
  wait_until "$N" 300 total >/dev/null || true
  cpu_ticks >"$LAB_LOGS/$1.cpu1"
  for i in 1 2 3; do multibox_stat $i .sessions.total; done | paste -sd/ >"$LAB_LOGS/$1.spread"
  wait $client || true
  wait_until 0 60 total >/dev/null || fail "$1: sessions left"
}

echo "== local pools, local ppp.secret ($N sessions over 3 boxes)"
boxes local
run local
multibox_down
echo "== FreeRADIUS users file, local pools ($N sessions over 3 boxes)"
boxes files
run files
multibox_down
echo "== FreeRADIUS sqlippool + sql accounting on PostgreSQL ($N sessions over 3 boxes)"
boxes sqlippool
run sqlippool
# Wait for the Stops, so that the next run starts from a free pool.
free_pool() {
  for _ in $(seq 1 150); do
    [ "$(pg_sql "SELECT count(*) FROM radippool WHERE expiry_time > now()")" = 0 ] && return
    sleep 0.2
  done
}
free_pool
multibox_down
# The same without accounting: what the Start rows cost (and leases that only expire, so the
# pool is freed by hand afterwards).
echo "== FreeRADIUS sqlippool, no accounting ($N sessions over 3 boxes)"
boxes noacct
run noacct
pg_sql "UPDATE radippool SET expiry_time = now() - interval '1 hour'" >/dev/null
multibox_down
boxes sqlippool
local_rate=$(jq .setup_rate "$LAB_LOGS/local.json")

# Power loss of box 1 with a third of the subscribers (LCP echo every second, dead after 3):
# the time until all of its subscribers are up again on boxes 2 and 3.
held=$((N / 2))
ip netns exec "$SUB" "$BIN/pppoetest" -m create -i t0 -n "$held" --rate 1000 --auth pap --user alice --password wonderland \
  --no-ipv6 --pings 0 --timeout 120 --hold 120 --echo-interval 1 --reconnect --format json >"$LAB_LOGS/loss.json" 2>&1 &
holder=$!
wait_until "$held" 60 total >/dev/null || fail "$held sessions for the power loss did not come up"
on1=$(multibox_stat 1 .sessions.up)
ip -n "$SUB" link set b1 down
start=$(date +%s.%N)
ip netns pids "$(multibox_ns 1)" | xargs -r kill -KILL
MULTIBOX_PID[1]=
wait_until "$held" 120 total >/dev/null || fail "box 1's subscribers did not come back ($(total) of $held)"
back_s=$(echo "$(date +%s.%N) - $start" | bc -l)
kill -INT $holder 2>/dev/null || true
wait $holder 2>/dev/null || true

# cpu_ms NAME: CPU milliseconds per session setup by pppoed, FreeRADIUS and PostgreSQL during run NAME.
cpu_ms() {
  local hz; hz=$(getconf CLK_TCK)
  awk -v n="$N" -v hz="$hz" 'NR == FNR {a[$1] = $2; next} {d[$1] = $2 - a[$1]}
    END {printf "%.2f/%.2f/%.2f", d["pppoed"] * 1000 / hz / n, d["freeradius"] * 1000 / hz / n, d["postgres"] * 1000 / hz / n}' \
    "$LAB_LOGS/$1.cpu0" "$LAB_LOGS/$1.cpu1"
}
row() {  # label name
  local j=$LAB_LOGS/$2.json
  printf '%-44s %8s/%-6s %10.0f %7.2f %9.1f %9.1f  %-15s %s\n' "$1" "$(jq .established "$j")" "$N" "$(jq .setup_rate "$j")" \
    "$(echo "$(jq .setup_rate "$j") / $local_rate" | bc -l)" "$(jq .setup_ms.p50 "$j")" "$(jq .setup_ms.p95 "$j")" \
    "$(cat "$LAB_LOGS/$2.spread")" "$(cpu_ms "$2")"
}
echo
printf '%-44s %15s %10s %7s %9s %9s  %-15s %s\n' "setup of $N sessions, 3 boxes x 1 worker" established sessions/s ratio "p50 ms" "p95 ms" "per box" \
  "CPU ms/session: pppoed/FreeRADIUS/PostgreSQL"
row "local pools (baseline)" local
row "FreeRADIUS users file, local pools" files
row "FreeRADIUS sqlippool + sql on PostgreSQL" sqlippool
row "  the same without accounting" noacct
echo "(ratio = relative to the local pools' rate in this run; $(nproc) CPUs shared by the client, three pppoed, FreeRADIUS and PostgreSQL)"
printf 'power loss of box 1 with %s of %s subscribers: all back on boxes 2 and 3 after %.1f s (3 s of it LCP echo detection), %.0f sessions/s re-established after detection\n' \
  "$on1" "$held" "$back_s" "$(echo "$on1 / ($back_s - 3)" | bc -l)"
