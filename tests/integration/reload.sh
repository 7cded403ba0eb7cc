#!/bin/bash
# Reload without dropping anyone (issue 19): 200 sessions up with traffic; a user added and
# another's password changed in ppp.secret, a live setting and a restart-only setting changed
# in the config file; SIGHUP: no session ends, the new user logs in, the changed password
# applies to the next login, the restart-only setting is named and keeps its running value.
# `pppoectl reload` answers the same; a broken file (config or ppp.secret) is refused whole
# and nothing changes; `pppoed --check` says the same without starting. Then the pool: full,
# a shrink is refused with its reason, a new range is added live and a new subscriber gets an
# address of it and reaches NET through the route the reload added to the TUN.
. "$(dirname "$0")/common.sh"
users=$LAB_LOGS/users.secret
conf=$LAB_LOGS/pppoed.conf
printf 'test test\nalice wonderland\n' >"$users"
chmod 600 "$users"
cat >"$conf" <<EOF
secrets $users
pool 10.0.0.10-10.0.0.220
lcp-echo-interval 10
ac-name lab-ac
EOF
login() {  # login USER PASSWORD: one session, up and pinged, then PADT
  pppoetest_lab -m create -i sub0 -n 1 --user "$1" --password "$2" --timeout 10 --format json >"$LAB_LOGS/login.json" 2>&1
}

ip netns exec "$AC" "$BIN/pppoed" --check -f "$conf" ac0 >"$LAB_LOGS/check.out" 2>&1 ||
  fail "pppoed --check refused a good file: $(cat "$LAB_LOGS/check.out")"
grep -q "configuration is good: interface ac0, 2 local users" "$LAB_LOGS/check.out" || fail "check output: $(cat "$LAB_LOGS/check.out")"

pppoed_start -f "$conf" -L -w 2 || fail "pppoed did not start"
login carol newpass && fail "carol logged in before she was added"
pppoetest_lab -m create -i sub0 -n 200 --target $NET_HOST --hold 20 --traffic-interval 50 --traffic-sessions 50 \
  --format json >"$LAB_LOGS/held.json" &
holder=$!
wait_stat .sessions.up 200 30

# The changes: carol added, alice's password changed, the echo interval (live) and the
# AC-Name (bound to discovery at start) changed.
printf 'test test\nalice looking-glass\ncarol newpass\n' >"$users"
sed -i 's/^lcp-echo-interval 10/lcp-echo-interval 5/; s/^ac-name lab-ac/ac-name other-ac/' "$conf"
kill -HUP "$PPPOED_PID"
wait_log "reload 1 \(SIGHUP\): 3 local users \(were 2\); applied: lcp-echo-interval" 5 || fail "reload not logged"
wait_log "reload 1: changed but not applied, a restart applies them \(running as before\): ac-name" 5 ||
  fail "the restart-only setting was not named"
wait_log "reload 1: applied by the workers \(0 failed\)" 5 || fail "the workers did not apply the reload"
[ -e "$LAB_LOGS/pppoed.sessions.reload" ] && fail "the reload's snapshot was left behind"
kill -0 "$PPPOED_PID" || fail "SIGHUP ended pppoed"

login carol newpass || fail "the new user could not log in: $(cat "$LAB_LOGS/login.json")"
login alice wonderland && fail "alice's old password still works"
login alice looking-glass || fail "alice's new password does not work: $(cat "$LAB_LOGS/login.json")"
expect_eq "$(stat .ac_name)" lab-ac "AC-Name after the reload (restart-only: the running value)"

# pppoectl reload: the same, as JSON; nothing changed since, so only the pending restart shows.
out=$(pppoectl_lab -j reload) || fail "pppoectl reload failed: $out"
expect_eq "$(echo "$out" | jq -c '[.generation, .applied, .need_restart, .users]')" '[2,[],["ac-name"],3]' "pppoectl reload"
pppoectl_lab reload | grep -q "^reload 3: 3 local users; applied: none" || fail "pppoectl reload text"

# A broken config file: refused whole, with file and line; the running configuration stays.
sed -i 's/^lcp-echo-interval 5/lcp-echo-interval 7/' "$conf"
echo "pool 10.0.0.300-10.0.0.400" >>"$conf"
err=$(pppoectl_lab reload 2>&1) && fail "a broken config file was accepted"
echo "$err" | grep -q "pppoectl: $conf:5: .*; nothing changed" || fail "config error text: $err"
ip netns exec "$AC" "$BIN/pppoed" --check -f "$conf" ac0 >/dev/null 2>&1; expect_eq "$?" 2 "pppoed --check on a broken file"
kill -HUP "$PPPOED_PID"
wait_log "reload \(SIGHUP\): $conf:5: .*; nothing changed" 5 || fail "SIGHUP with a broken file not logged"
sed -i '$d' "$conf"
# A broken ppp.secret: the same.
printf 'dave secret 10.0.0.999\n' >>"$users"
err=$(pppoectl_lab reload 2>&1) && fail "a broken ppp.secret was accepted"
echo "$err" | grep -q "$users:4: " || fail "ppp.secret error text: $err"
login carol newpass || fail "carol lost by a refused reload"
sed -i '$d' "$users"
expect_eq "$(stat .reload.generation)" 3 "reloads applied (the refused ones not counted)"

wait $holder
res=$(cat "$LAB_LOGS/held.json")
echo "$res" | jq -c '{established, closed_by_server, flapped, reauthenticated, hold}'
expect_eq "$(echo "$res" | jq .established)" 200 "sessions established"
expect_eq "$(echo "$res" | jq .closed_by_server)" 0 "sessions the reloads ended"
expect_eq "$(echo "$res" | jq .flapped)" 0 "sessions whose LCP went down"
[ "$(echo "$res" | jq .hold.received)" -gt 0 ] || fail "no traffic while holding"
lost=$(echo "$res" | jq '.hold.sent - .hold.received')
[ "$lost" -le 2 ] || fail "$lost pings lost across the reloads"
echo "reloads with 200 sessions up: 0 dropped, $lost of $(echo "$res" | jq .hold.sent) pings lost"

# The pool: 211 addresses, all taken.
wait_stat .pool.in_use 0 10
pppoetest_lab -m create -i sub0 -n 211 --hold 60 --format json >"$LAB_LOGS/pool-held.json" &
holder=$!
wait_stat .pool.in_use 211 30
login carol newpass && fail "a login with the pool full"
sed -i 's|^pool .*|pool 10.0.0.10-10.0.0.100|' "$conf"
out=$(pppoectl_lab -j reload) || fail "pppoectl reload failed: $out"
expect_eq "$(echo "$out" | jq -c '.need_restart')" '["ac-name","pool"]' "a shrunk pool waits for a restart"
echo "$out" | jq -r '.why[0]' | grep -q "the default pool: it would lose addresses" || fail "no reason for the pool: $out"
sed -i 's|^pool .*|pool 10.0.0.10-10.0.0.220,10.0.9.0/28|' "$conf"
out=$(pppoectl_lab -j reload) || fail "pppoectl reload failed: $out"
echo "$out" | jq -e '.applied | index("pool")' >/dev/null || fail "the grown pool was not applied: $out"
gen=$(echo "$out" | jq .generation)
wait_log "reload $gen: applied by the workers \\(0 failed\\)" 5 || fail "the workers did not apply the grown pool"
expect_eq "$(stat .pool.capacity)" 225 "addresses in the grown pool"
ip -n "$AC" route show dev pppoe0 | grep -q "^10.0.9.8/30" || fail "no route for the new range: $(ip -n "$AC" route show dev pppoe0)"
pppoetest_lab -m create -i sub0 -n 1 --user carol --password newpass --target $NET_HOST --hold 4 --traffic-interval 100 \
  --format json >"$LAB_LOGS/login.json" 2>&1 &
newcomer=$!
for _ in $(seq 30); do
  got=$(pppoectl_lab -j show sessions match user carol | jq -r '.sessions[0].ip // empty')
  [ -n "$got" ] && break
  sleep 0.2
done
[[ "$got" == 10.0.9.* ]] || fail "the new subscriber's address is not from the new range: '$got'"
wait $newcomer || fail "the new subscriber's session failed: $(cat "$LAB_LOGS/login.json")"
[ "$(jq .hold.received "$LAB_LOGS/login.json")" -gt 0 ] || fail "no traffic through the new range: $(cat "$LAB_LOGS/login.json")"
kill -INT $holder 2>/dev/null; wait $holder
echo "pool grown live from 211 to 225 addresses with 211 sessions up; the new subscriber got $got"
