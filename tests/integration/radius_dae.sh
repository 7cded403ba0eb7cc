#!/bin/bash
# RFC 5176 with FreeRADIUS's radclient: a Disconnect-Request ends the session (Stop with
# Admin-Reset), a CoA-Request changes the Session-Timeout, and the NAKs: unknown session (503),
# unsupported attribute (401), rate limits changed (and refused with 407), missing identification (402), another NAS (403); a request with
# the wrong secret gets no answer at all. A crashed worker's session is adopted with its
# accounting (no Stop, no new Start) and its Stop comes when it ends.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<<"filter unpaid deny out tcp dport 25"
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start"

# dae TYPE SECRET ATTRIBUTES: radclient's answer (code and attributes), one try of 2 s.
dae() { echo "$3" | ip netns exec "$AC" radclient -x -r 1 -t 2 127.0.0.1:3799 "$1" "$2" 2>&1; }

pppoetest_lab -m create -i sub0 -n 4 --auth pap --user alice --password wonderland --hold 30 >/dev/null &
holder=$!
wait_stat .sessions.up 4 10
sessions=$(pppoectl_lab -j show sessions)
sid=$(echo "$sessions" | jq -r '.sessions[0].session_id')
acct_id=$(pppoectl_lab -j show session "$sid" | jq -r .session.acct_session_id)

out=$(dae disconnect "$DAE_SECRET" "Acct-Session-Id=\"$acct_id\"")
echo "$out" | grep -q "Received Disconnect-ACK" || fail "Disconnect-Request by Acct-Session-Id: $out"
wait_stat .sessions.up 3 5
sleep 0.3
stop=$(radius_record primary "$acct_id" Stop)
expect_eq "$(rfield "$stop" Acct-Terminate-Cause)" Admin-Reset "cause of a RADIUS disconnect"

out=$(dae disconnect "$DAE_SECRET" "Acct-Session-Id=\"no-such-session\"")
echo "$out" | grep -q "Received Disconnect-NAK" || fail "unknown session: $out"
echo "$out" | grep -q "Error-Cause = Session-Context-Not-Found" || fail "Error-Cause 503: $out"

out=$(dae disconnect "$DAE_SECRET" "NAS-Identifier=\"other-bras\",User-Name=alice")
echo "$out" | grep -q "Error-Cause = NAS-Identification-Mismatch" || fail "Error-Cause 403: $out"
out=$(dae disconnect "$DAE_SECRET" "Event-Timestamp=$(date +%s)")
echo "$out" | grep -q "Error-Cause = Missing-Attribute" || fail "Error-Cause 402: $out"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Framed-Pool=\"gold\"")
echo "$out" | grep -q "Error-Cause = Unsupported-Attribute" || fail "Error-Cause 401: $out"
# Rate limits by CoA (operator guide "Service policy"): a bad value or an unknown name is NAKed
# 407 and changes nothing; a good one is in force at once.
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Filter-Id=\"gold\"")
echo "$out" | grep -q "Error-Cause = Invalid-Attribute-Value" || fail "Filter-Id of no rate or list: $out"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Mikrotik-Rate-Limit=\"fast/slow\"")
echo "$out" | grep -q "Error-Cause = Invalid-Attribute-Value" || fail "a malformed Mikrotik-Rate-Limit: $out"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Cisco-AVPair=\"ip:sub-qos-policy-out=nosuch\"")
echo "$out" | grep -q "Error-Cause = Invalid-Attribute-Value" || fail "an unknown qos-policy: $out"
alice=$(pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.user == "alice") | .session_id' | head -1)
expect_eq "$(pppoectl_lab -j show session "$alice" | jq -c .session.policy.down)" null "no limit after refused CoAs"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Filter-Id=\"2000/1000\"")
echo "$out" | grep -q "Received CoA-ACK" || fail "CoA with a rate: $out"
sleep 0.3
expect_eq "$(pppoectl_lab -j show session "$alice" | jq -r '"\(.session.policy.down.rate)/\(.session.policy.up.rate)"')" 2M/1M \
  "the CoA's rate in force"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,Filter-Id=\"unpaid\"")
echo "$out" | grep -q "Received CoA-ACK" || fail "CoA with a filter list: $out"
sleep 0.3
expect_eq "$(pppoectl_lab -j show session "$alice" | jq -r '"\(.session.policy.filter) \(.session.policy.down.rate)"')" "unpaid 2M" \
  "the CoA's filter list in force, the rate kept"
out=$(dae coa "$DAE_SECRET" "User-Name=alice,WISPr-Bandwidth-Max-Down=50000000,Mikrotik-Rate-Limit=\"3M/4M\"")
echo "$out" | grep -q "Received CoA-ACK" || fail "CoA with WISPr and MikroTik rates: $out"
sleep 0.3
expect_eq "$(pppoectl_lab -j show session "$alice" | jq -r '"\(.session.policy.down.rate)/\(.session.policy.up.rate)"')" 4M/3M \
  "MikroTik's rx/tx over WISPr"
out=$(dae disconnect "wrong-secret" "User-Name=alice")
echo "$out" | grep -q "Received" && fail "answered a request with the wrong secret: $out"
expect_eq "$(stat .sessions.up)" 3 "nothing ended by refused requests"

# CoA: Session-Timeout 3 on one session (identified by address and NAS-Port together); it
# counts from the CoA, so the session ends about 3 s later whatever its age.
sid2=$(pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.state=="up") | .session_id' | head -1)
ip2=$(pppoectl_lab -j show session "$sid2" | jq -r .session.ip)
acct2=$(pppoectl_lab -j show session "$sid2" | jq -r .session.acct_session_id)
sleep 3.2  # older than the new timeout: it must still run 3 s from now
out=$(dae coa "$DAE_SECRET" "Framed-IP-Address=$ip2,NAS-Port=$sid2,Session-Timeout=3")
t_coa=$(date +%s.%N)
echo "$out" | grep -q "Received CoA-ACK" || fail "CoA-Request: $out"
expect_eq "$(pppoectl_lab -j show session "$sid2" | jq .session.session_timeout)" 3 "Session-Timeout changed"
wait_stat .sessions.up 2 6
elapsed=$(echo "$(date +%s.%N) - $t_coa" | bc)
[ "$(echo "$elapsed >= 2.4" | bc)" = 1 ] || fail "the session ended $elapsed s after the CoA, before its new timeout"
sleep 0.3
expect_eq "$(rfield "$(radius_record primary "$acct2" Stop)" Acct-Terminate-Cause)" Session-Timeout "cause after CoA"

# A worker killed with SIGKILL: its replacement adopts its sessions (operator guide "High
# availability"), and accounting goes on under the same Acct-Session-Id: no Stop, no second Start.
victim=$(pppoectl_lab -j show sessions | jq -r '.sessions[] | select(.state=="up") | .session_id' | head -1)
victim_acct=$(pppoectl_lab -j show session "$victim" | jq -r .session.acct_session_id)
victim_worker=$(pppoectl_lab -j show session "$victim" | jq -r .session.worker)
victim_pid=$(pppoectl_lab sysctl "net.graph.pppoe_lb.workers.$victim_worker.pid" | awk '{print $NF}')
on_victim=$(pppoectl_lab sysctl "net.graph.pppoe_lb.workers.$victim_worker.sessions" | awk '{print $NF}')
kill -KILL "$victim_pid"
wait_stat .sessions_adopted "$on_victim" 5
sleep 1.5
expect_eq "$(pppoectl_lab -j show session "$victim" | jq -r .session.acct_session_id)" "$victim_acct" \
  "the adopted session's Acct-Session-Id"
expect_eq "$(pppoectl_lab -j show session "$victim" | jq -r .session.state)" up "the adopted session's state"
[ -z "$(radius_record primary "$victim_acct" Stop)" ] || fail "a Stop for an adopted session"
# (Interim-Updates may come: the users file asks for one every 10 s.)
expect_eq "$(radius_record primary "$victim_acct" Start | grep -c "Acct-Status-Type = Start")" 1 \
  "Starts of the adopted session (its one)"

# Disconnect by User-Name ends every session of that user (two fresh ones at least).
sleep 1
before=$(stat .sessions.up)
pppoetest_lab -m create -i sub0 -n 2 --auth pap --user alice --password wonderland --hold 20 >/dev/null &
holder2=$!
wait_stat .sessions.up $((before + 2)) 10
out=$(dae disconnect "$DAE_SECRET" "User-Name=alice")
echo "$out" | grep -q "Received Disconnect-ACK" || fail "Disconnect by User-Name: $out"
wait_stat .sessions.up 0 5
dae_counters=$(pppoectl_lab -j show radius | jq .dynamic_authorization)
expect_eq "$(echo "$dae_counters" | jq .disconnect_acks)" 2 "Disconnect-ACKs"
expect_eq "$(echo "$dae_counters" | jq .coa_acks)" 4 "CoA-ACKs (two rates, a filter, one timeout)"
expect_eq "$(echo "$dae_counters" | jq .bad_authenticators)" 1 "bad authenticators"
[ "$(echo "$dae_counters" | jq .disconnect_naks)" -ge 3 ] || fail "Disconnect-NAKs"
sleep 0.5
expect_eq "$(rfield "$(radius_record primary "$victim_acct" Stop)" Acct-Terminate-Cause)" Admin-Reset \
  "the adopted session's Stop, sent by the replacement"
kill $holder $holder2 2>/dev/null; wait $holder $holder2 2>/dev/null
grep -q "$DAE_SECRET" "$LAB_LOGS/pppoed.log" && fail "the DAE secret appeared in the log"
exit 0
