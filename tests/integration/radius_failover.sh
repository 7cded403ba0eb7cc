#!/bin/bash
# Two FreeRADIUS servers by priority. The primary is stopped while 40 sessions pass traffic:
# none of them is lost, new sessions authenticate through the secondary, Stop records go there.
# Then no accounting server answers: a Stop is kept in the spool, and delivered (with its
# Acct-Delay-Time) once a server is back.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
radius_start primary 18120 || fail "primary FreeRADIUS did not start"
radius_start secondary 18130 || fail "secondary FreeRADIUS did not start"
radius_conf <<CONF
radius-auth-server 127.0.0.1:18130 $RADIUS_SECRET priority=2
radius-acct-server 127.0.0.1:18131 $RADIUS_SECRET priority=2
CONF
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start"

pppoetest_lab -m create -i sub0 -n 40 --auth chap --user alice --password wonderland --hold 12 --hold-ping \
  --format json > "$LAB_LOGS/held.json" &
holder=$!
wait_stat .sessions.up 40 15
radius_stop primary
out=$(pppoetest_lab -m create -i sub0 -n 20 --auth pap --user alice --password wonderland --timeout 30 --format json)
expect_eq "$?" 0 "new sessions after the primary stopped"
expect_eq "$(echo "$out" | jq .established)" 20 "established through the secondary"
radius=$(pppoectl_lab -j show radius)
[ "$(echo "$radius" | jq -r '.auth_servers[0].state')" != alive ] || fail "primary still alive: $radius"
[ "$(echo "$radius" | jq .counters.timeouts)" -ge 1 ] || fail "no timeout counted"
[ "$(echo "$radius" | jq .counters.retransmits)" -ge 1 ] || fail "no retransmission counted"
wait $holder
expect_eq "$?" 0 "held sessions"
expect_eq "$(jq .established "$LAB_LOGS/held.json")" 40 "held sessions established"
expect_eq "$(jq .traffic.lost "$LAB_LOGS/held.json")" 0 "pings lost by held sessions"
expect_eq "$(grep -c 'reason peer-padt' "$LAB_LOGS/pppoed.log")" 60 "every session ended by its client"
wait_stat .sessions.total 0 10
sleep 1
stops=$(radius_detail secondary | grep -c "Acct-Status-Type = Stop")
[ "$stops" -ge 40 ] || fail "only $stops Stop records reached the secondary"

# No accounting server at all: the Stop waits on disk.
pppoetest_lab -m create -i sub0 -n 1 --auth pap --user alice --password wonderland --hold 2 >/dev/null &
p=$!
wait_stat .sessions.up 1 10
acct_id=$(pppoectl_lab -j show session "$(pppoectl_lab -j show sessions | jq -r '.sessions[0].session_id')" |
  jq -r .session.acct_session_id)
radius_stop secondary
wait $p
deadline=$((SECONDS + 15))
until [ "$(pppoectl_lab -j show radius | jq .spooled_records)" = 1 ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
expect_eq "$(pppoectl_lab -j show radius | jq .spooled_records)" 1 "Stop kept in the spool"
ls "$LAB_LOGS/spool/$acct_id-stop.acct" >/dev/null || fail "spool file for $acct_id"
radius_start secondary 18130 || fail "secondary did not restart"
deadline=$((SECONDS + 30))
until [ "$(pppoectl_lab -j show radius | jq .spooled_records)" = 0 ] || [ $SECONDS -ge $deadline ]; do sleep 0.5; done
expect_eq "$(pppoectl_lab -j show radius | jq .spooled_records)" 0 "spool delivered"
sleep 0.3
stop=$(radius_record secondary "$acct_id" Stop)
[ -n "$stop" ] || fail "spooled Stop not at the secondary"
delay=$(rfield "$stop" Acct-Delay-Time)
[ "$delay" -ge 3 ] || fail "Acct-Delay-Time $delay of a record that waited"
exit 0
