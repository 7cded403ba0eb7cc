#!/bin/bash
# Several boxes, one address space and one accounting store (issue 21; docs/scaling.md
# "Several boxes"): three pppoed on one access segment authenticate against one FreeRADIUS
# whose sqlippool hands out the addresses from PostgreSQL and whose sql module writes radacct.
# 1,500 subscribers arriving at once on all three boxes (unpaced: a login storm): every
# address from the shared pool and none twice (on the boxes and in the database), leases keyed
# per box (NAS-IP-Address), one radacct row per session, updated by Interim-Updates; at
# teardown every lease is freed by the Stops and every row closed with the octets its box counted. Then a box is
# killed: its subscribers notice (LCP echo) and dial again onto the other boxes, with new
# addresses while the dead box's leases stay held; its restart's Accounting-On frees them.
# Between the two, PostgreSQL is stopped for 20 s during a login storm: logins are refused
# (sqlippool fails: no address, no session) and the subscribers dial again until it is back;
# the Stops of sessions that end meanwhile are spooled by the boxes and delivered after; no
# address is ever held twice.
. "$(dirname "$0")/common.sh"
. "$ROOT/scripts/multibox-lib.sh"
. "$ROOT/scripts/radius-lib.sh"
. "$ROOT/scripts/postgres-lib.sh"
RADIUS_SECRET=multibox-radius-secret
sqlbox_finish() {
  local rc=$?
  if [ "$FAILED" != 0 ] || [ "$rc" != 0 ]; then
    for i in 1 2 3; do echo "--- box $i pppoed ---"; tail -n 15 "$(multibox_dir $i)/pppoed.log"; done
    echo "--- FreeRADIUS ---"; tail -n 20 "$LAB_LOGS/sql/radius.log"
  fi
  multibox_down
  radius_stop sql
  pg_stop
  (exit $rc)
  finish
}
trap sqlbox_finish EXIT

multibox_up 3 || fail "multibox lab"
multibox_radius_net || fail "RADIUS network"
pg_start "$AC" 127.0.0.1 55432 || fail "PostgreSQL did not start"
# The shared pool: 10.30.0.0/21, 2,046 addresses, free from the start (the schema's default
# expiry is now(), rounded to the second: a lease is free only once that second is past).
pg_sql "INSERT INTO radippool (pool_name, framedipaddress, expiry_time)
        SELECT 'main', '10.30.0.0'::inet + g, now() - interval '1 hour' FROM generate_series(1, 2046) g" || fail "pool"
RADIUS_LISTEN=10.252.0.1 RADIUS_CLIENTS=10.252.0.0/24 RADIUS_SQL="127.0.0.1 55432" radius_start sql 18120 ||
  fail "FreeRADIUS did not start"
for i in 1 2 3; do
  cat >"$(multibox_dir $i)/pppoed.conf" <<CONF
radius-auth-server 10.252.0.1:18120 $RADIUS_SECRET
radius-acct-server 10.252.0.1:18121 $RADIUS_SECRET
radius-timeout 2
radius-acct-spool $(multibox_dir $i)/spool
radius-interim-interval 5
pado-delay-per-1000 200
CONF
  multibox_start $i -w 1 || fail "box $i"
  # Logged once the RADIUS client is set up, which may be after the control socket is.
  wait_log "NAS-IP-Address 10\.252\.0\.1$i \(the address that reaches the first RADIUS server\)" 10 "$(multibox_dir $i)/pppoed.log" ||
    fail "box $i: NAS-IP-Address not derived: $(grep radius "$(multibox_dir $i)/pppoed.log")"
done
total() { multibox_sum .sessions.up; }
# boxes_match_leases WHEN: what each box holds is what the database says it leased to that box.
boxes_match_leases() {
  for i in 1 2 3; do
    multiboxctl $i -j show sessions | jq -r '.sessions[].ip' | sort >"$LAB_LOGS/box$i"
    pg_sql "SELECT host(framedipaddress) FROM radippool WHERE expiry_time > now() AND nasipaddress = '10.252.0.1$i'" |
      sort >"$LAB_LOGS/pg$i"
    cmp -s "$LAB_LOGS/box$i" "$LAB_LOGS/pg$i" || fail "$1, box $i and its leases differ: $(diff "$LAB_LOGS/box$i" "$LAB_LOGS/pg$i" | head -5)"
  done
}
# all_accounted ROWS WHEN: the Stops have closed every radacct row (ROWS in all) and freed every lease.
all_accounted() {
  for _ in $(seq 1 300); do
    [ "$(pg_sql "SELECT count(*) FROM radacct WHERE acctstoptime IS NULL")" == 0 ] && break
    sleep 0.2
  done
  expect_eq "$(pg_sql "SELECT count(*) FROM radacct WHERE acctstoptime IS NULL")" 0 "radacct rows left open $2"
  expect_eq "$(pg_sql "SELECT count(*) FROM radacct")" "$1" "radacct rows $2"
  expect_eq "$(pg_sql "SELECT count(*) FROM radippool WHERE expiry_time > now()")" 0 "leases left $2"
}
# box_counters: "ADDRESS IN OUT" of every session on the boxes (IP octets from and to the subscriber).
box_counters() {
  for i in 1 2 3; do multiboxctl $i -j show sessions | jq -r '.sessions[] | "\(.ip) \(.rx_bytes) \(.tx_bytes)"'; done | sort
}
leases_of() { pg_sql "SELECT count(*) FROM radippool WHERE expiry_time > now() AND nasipaddress = '10.252.0.1$1'"; }

pppoetest_lab -m create -i t0 -n 1500 --auth pap --user alice --password wonderland --no-ipv6 --hold 90 \
  --format json >"$LAB_LOGS/run.json" 2>&1 &
holder=$!
wait_until 1500 90 total || fail "1,500 sessions did not come up"
# What each box counted once the traffic check is over (every session has carried its pings
# and two readings a second apart agree), to be found again in radacct after the Stops.
for _ in $(seq 1 10); do
  box_counters >"$LAB_LOGS/counters-a"
  box_counters >"$LAB_LOGS/counters"
  [ "$(awk '$2 == 0 || $3 == 0' "$LAB_LOGS/counters" | wc -l)" = 0 ] && cmp -s "$LAB_LOGS/counters-a" "$LAB_LOGS/counters" && break
done
cmp -s "$LAB_LOGS/counters-a" "$LAB_LOGS/counters" || fail "the boxes' session counters did not settle"
expect_eq "$(wc -l <"$LAB_LOGS/counters")" 1500 "sessions in the counters' reading"
for i in 1 2 3; do multiboxctl $i -j show sessions | jq -r '.sessions[].ip'; done >"$LAB_LOGS/box-addresses"
expect_eq "$(wc -l <"$LAB_LOGS/box-addresses")" 1500 "addresses on the boxes"
expect_eq "$(sort -u "$LAB_LOGS/box-addresses" | wc -l)" 1500 "distinct addresses on the boxes"
expect_eq "$(grep -cv '^10\.30\.[0-7]\.' "$LAB_LOGS/box-addresses")" 0 "addresses from outside the shared pool"
expect_eq "$(pg_sql "SELECT count(*) FROM radippool WHERE expiry_time > now()")" 1500 "leases in PostgreSQL"
expect_eq "$(pg_sql "SELECT count(DISTINCT nasipaddress) FROM radippool WHERE expiry_time > now()")" 3 "boxes holding leases"
boxes_match_leases "after the storm"
sleep 1  # the last Starts
expect_eq "$(pg_sql "SELECT count(*) FROM radacct WHERE acctstoptime IS NULL")" 1500 "open radacct rows"
# The checks are done: the subscribers hang up (SIGINT ends pppoetest's hold; PADT for each).
pkill -INT -f "pppoetest -m create -i t0 -n 1500 "
wait $holder || fail "sessions: $(cat "$LAB_LOGS/run.json")"
echo "1,500 sessions over three boxes from one sqlippool: $(for i in 1 2 3; do wc -l <"$LAB_LOGS/box$i"; done | paste -sd/), \
setup rate $(jq -r '.setup_rate | floor' "$LAB_LOGS/run.json")/s"

# Teardown: the Stops free every lease and close every row.
wait_until 0 30 total || fail "sessions left"
all_accounted 1500 "after the Stops"
expect_eq "$(pg_sql "SELECT count(*) FROM radacct WHERE acctinterval IS NOT NULL")" 1500 "rows with an Interim-Update (every 5 s)"
[ "$(pg_sql "SELECT sum(acctinputoctets) FROM radacct")" -gt 0 ] || fail "no octets in radacct"
pg_sql "SELECT host(framedipaddress), acctinputoctets, acctoutputoctets FROM radacct" | tr '|' ' ' | sort >"$LAB_LOGS/radacct"
cmp -s "$LAB_LOGS/counters" "$LAB_LOGS/radacct" ||
  fail "radacct's octets differ from the boxes' counters: $(diff "$LAB_LOGS/counters" "$LAB_LOGS/radacct" | head -6)"

# PostgreSQL away for 20 s during a login storm. 150 subscribers are up before and leave during
# the outage (their Stops find no database: spooled); 600 more arrive at 60 a second from 2 s
# before the outage on, and whoever is refused dials again a second later (--retry 1).
spooled() { local n=0; for i in 1 2 3; do n=$((n + $(multiboxctl $i -j show radius | jq .spooled_records))); done; echo $n; }
CPE=(-m create -i t0 --auth pap --user alice --password wonderland --no-ipv6 --format json)
pppoetest_lab "${CPE[@]}" -n 150 --rate 300 --hold 5 >"$LAB_LOGS/leavers.json" 2>&1 &
leavers=$!
wait_until 150 30 total || fail "150 sessions before the outage did not come up"
pppoetest_lab "${CPE[@]}" -n 600 --rate 60 --retry 1 --timeout 120 --hold 30 >"$LAB_LOGS/storm.json" 2>&1 &
storm=$!
sleep 2
pg_stop
outage=$SECONDS
rejects_before=$(grep -c "Login incorrect" "$LAB_LOGS/sql/radius.log")
wait $leavers || fail "the 150 before the outage: $(cat "$LAB_LOGS/leavers.json")"
wait_until 150 15 spooled || fail "the Stops of the 150 that left during the outage were not spooled ($(spooled))"
up_during=$(total)
[ $((SECONDS - outage)) -lt 20 ] && sleep $((20 - (SECONDS - outage)))
pg_run || fail "PostgreSQL did not come back"
echo "database away for $((SECONDS - outage)) s: $up_during sessions up, $(spooled) Stops spooled, \
$(( $(grep -c "Login incorrect" "$LAB_LOGS/sql/radius.log") - rejects_before )) logins refused meanwhile"
back=$SECONDS
wait_until 600 60 total || fail "the storm's subscribers did not all come up after the outage: $(total)"
echo "all 600 of the storm up $((SECONDS - back)) s after the database came back"
wait_until 0 30 spooled || fail "spooled Stops not delivered after the outage ($(spooled) left)"
echo "spooled Stops delivered $((SECONDS - back)) s after the database came back"
boxes_match_leases "after the outage"
expect_eq "$(cat "$LAB_LOGS"/box[123] | sort -u | wc -l)" 600 "distinct addresses after the outage"
wait $storm || fail "the storm: $(cat "$LAB_LOGS/storm.json")"
expect_eq "$(jq .established "$LAB_LOGS/storm.json")" 600 "storm sessions established"
[ "$(jq '.retried_by_phase.auth // 0' "$LAB_LOGS/storm.json")" -gt 0 ] || fail "no login was refused during the outage: $(cat "$LAB_LOGS/storm.json")"
echo "storm: $(jq -c '{retried_by_phase, up_after_retry, setup_ms, traffic}' "$LAB_LOGS/storm.json")"
wait_until 0 30 total || fail "sessions left after the storm"
all_accounted 2250 "after the outage (1,500 + 150 + 600)"

# A box killed (no PADT, no Stop): its subscribers' LCP echoes go unanswered, they dial again
# and land on the other boxes; the dead box's leases stay held until its restart says
# Accounting-On, so no address is handed out twice meanwhile.
pppoetest_lab -m create -i t0 -n 300 --rate 300 --auth pap --user alice --password wonderland --no-ipv6 --hold 60 \
  --reconnect --echo-interval 1 --format json >"$LAB_LOGS/kill.json" 2>&1 &
holder=$!
wait_until 300 30 total || fail "300 sessions did not come up"
on1=$(multibox_stat 1 .sessions.up)
expect_eq "$(leases_of 1)" "$on1" "leases of box 1 before the kill"
# Power lost: the port goes dark and every process of the box dies at once (no PADT, no Stop).
ip -n "$SUB" link set b1 down
ip netns pids "$(multibox_ns 1)" | xargs -r kill -KILL
wait "${MULTIBOX_PID[1]}" 2>/dev/null
MULTIBOX_PID[1]=
start=$SECONDS
wait_until 300 60 total || fail "box 1's subscribers did not come back on the others"
echo "box 1 killed with $on1 sessions: all back on boxes 2 and 3 in $((SECONDS - start)) s (echo 1 s x 3 to notice)"
expect_eq "$(leases_of 1)" "$on1" "box 1's leases while it is dead (held: no Stop came)"
for i in 2 3; do multiboxctl $i -j show sessions | jq -r '.sessions[].ip'; done >"$LAB_LOGS/after-kill"
expect_eq "$(sort -u "$LAB_LOGS/after-kill" | wc -l)" 300 "distinct addresses on boxes 2 and 3"
held_by_dead=$(pg_sql "SELECT host(framedipaddress) FROM radippool WHERE expiry_time > now() AND nasipaddress = '10.252.0.11'")
expect_eq "$(echo "$held_by_dead" | grep -cxF -f "$LAB_LOGS/after-kill")" 0 "addresses handed out while the dead box held them"
rm -f "$(multibox_dir 1)/pppoed.sock"
ip -n "$SUB" link set b1 up
multibox_start 1 -w 1 || fail "box 1 restart"
wait_until 0 10 leases_of 1 || fail "box 1's restart did not free its leases (Accounting-On)"
expect_eq "$(pg_sql "SELECT count(*) FROM radippool WHERE expiry_time > now()")" 300 "leases after the restart"
kill -INT $holder 2>/dev/null
wait $holder
exit 0
