#!/bin/bash
# "Why can't this subscriber connect?" (issue 19): `pppoectl show failures` names the right
# reason for a wrong password, an unknown user, an unknown Service-Name and an exhausted pool
# (ppp.secret), then for a RADIUS reject (with the server's Reply-Message) and RADIUS down;
# narrowed by user and by MAC; never a password.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/radius_common.sh"
attempt() {  # attempt USER PASSWORD [pppoetest options]: one session that is expected to fail
  local user=$1 password=$2
  shift 2
  pppoetest_lab -m create -i sub0 -n 1 --user "$user" --password "$password" --no-ipv6 --timeout 8 --format json "$@" \
    >"$LAB_LOGS/attempt.json" 2>&1 && fail "$user with '$*' was expected to fail"
  true
}
failure() {  # failure FIELD VALUE: the newest failure's PHASE and REASON for that user or MAC
  local got
  for _ in $(seq 1 30); do  # the worker's word of the session's end may come a moment later
    got=$(pppoectl_lab -j show failures "$1" "$2" | jq -r '.failures[0] | "\(.phase): \(.reason)"')
    [ "$got" != "null: null" ] && break
    sleep 0.1
  done
  echo "$got"
}

pppoed_start --secrets "$SECRETS" --pool 10.0.0.10-10.0.0.11 -p internet || fail "pppoed did not start"
# One subscriber's frames decoded in the log (pppoectl debug), never the password.
expect_eq "$(pppoectl_lab debug user alice on 2)" "debug of user alice on for 2 minutes" "debug user on"
attempt alice nope --service internet --auth pap
expect_eq "$(failure user alice)" "authentication: wrong password" "wrong password"
wait_log "debug session [0-9]+ [0-9a-f:]+ 'alice': rx PAP Authenticate-Request id [0-9]+ peer-id 'alice' \(password not shown\)" 3 ||
  fail "alice's PAP request not in the debug log"
grep -qE "debug session [0-9]+ [0-9a-f:]+ '': tx LCP Configure-Request id [0-9]+ \[mru 1492, auth (mschapv2|chap-md5|pap), magic 0x[0-9a-f]+\]" \
  "$LAB_LOGS/pppoed.log" && fail "LCP of a session not yet known to be alice's was logged"
grep -qE "debug session .*'alice': tx PAP Authenticate-Nak" "$LAB_LOGS/pppoed.log" || fail "the PAP Nak to alice not logged"
grep -q "nope" "$LAB_LOGS/pppoed.log" && fail "a password in the log"
pppoectl_lab debug list | grep -qE "^user alice: [0-9]+ s left$" || fail "debug list"
expect_eq "$(pppoectl_lab debug user alice off)" "debug of user alice off" "debug user off"
attempt mallory whatever --service internet
expect_eq "$(failure user mallory)" "authentication: unknown user (not in ppp.secret)" "unknown user"
attempt test test --service video
got=$(pppoectl_lab -j show failures | jq -r '[.failures[] | select(.phase == "discovery")][0].reason')
echo "$got" | grep -q "^Service-Name 'video' not offered here" || fail "unknown Service-Name: $got"
# Two sessions take the pool; the third has no address.
pppoetest_lab -m create -i sub0 -n 2 --user test --password test --no-ipv6 --service internet --hold 8 --format json \
  >"$LAB_LOGS/held.json" 2>&1 &
holder=$!
wait_stat .sessions.up 2 10
attempt test test --service internet
pool_failure() { pppoectl_lab -j show failures user test | jq -r '[.failures[] | select(.reason | test("pool"))][0] | "\(.phase): \(.reason)"'; }
for _ in $(seq 1 30); do [ "$(pool_failure)" != "null: null" ] && break; sleep 0.1; done
expect_eq "$(pool_failure)" "IPCP: no address left in the pool" "pool exhausted"
# Debug by MAC: a held session's LCP Terminate-Request when the operator ends it.
read -r sid smac < <(pppoectl_lab -j show sessions | jq -r '.sessions[0] | "\(.session_id) \(.mac)"')
pppoectl_lab debug mac "$smac" on >/dev/null || fail "debug mac on"
pppoectl_lab disconnect "$sid" >/dev/null || fail "disconnect"
wait_log "debug session $sid $smac 'test': tx LCP Terminate-Request id [0-9]+" 3 || fail "debug by MAC: no Terminate-Request logged"
pppoectl_lab debug mac 02:00:00:00:00:99 off >/dev/null 2>&1 && fail "debug off of a MAC not being debugged"
wait $holder
pppoectl_lab show failures >"$LAB_LOGS/failures.txt"
cat "$LAB_LOGS/failures.txt"
grep -q "wonderland\|builder pass\|nope" "$LAB_LOGS/failures.txt" && fail "a password in show failures"
# By MAC: the entries of one client only.
one=$(pppoectl_lab -j show failures user mallory | jq -r '.failures[0].mac')
expect_eq "$(pppoectl_lab -j show failures mac "$one" | jq -r '[.failures[].mac] | unique | join(",")')" "$one" "show failures mac"
pppoectl_lab show failures mac not-a-mac >/dev/null 2>&1 && fail "a bad MAC was accepted"
stop_pid "$PPPOED_PID"

# RADIUS: a reject with the server's words, then no server at all.
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf </dev/null
pppoed_start -f "$RADIUS_CONF" || fail "pppoed (RADIUS) did not start"
attempt suspended pw --auth pap
expect_eq "$(failure user suspended)" "authentication: RADIUS reject: Account suspended: unpaid invoice" "RADIUS reject"
radius_stop primary
attempt alice wonderland --auth pap
expect_eq "$(failure user alice)" "authentication: no RADIUS server answered" "RADIUS down"
