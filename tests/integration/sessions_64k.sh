#!/bin/bash
# 64,000 sessions on one interface, as an operator looks at them (issue 19): `pppoectl show
# sessions` lists every one (text and JSON), page by page, while discovery keeps answering (a
# subscriber logs in during the listing); the list narrowed the way accel-cmd's `show sessions`
# does (match, order, limit, columns).
. "$(dirname "$0")/common.sh"
N=64000
printf 'metrics-listen 127.0.0.1:9469\n' >"$LAB_LOGS/pppoed.conf"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" --auth pap -L -w 2 || fail "pppoed did not start"
pppoetest_lab -m create -i sub0 -n $N --auth pap --user test --password test --pings 0 --no-ipv6 \
  --timeout 300 --hold 900 --format json >"$LAB_LOGS/held.json" 2>"$LAB_LOGS/held.err" &
holder=$!
wait_stat .sessions.up $N 300

# The whole list as text, while a subscriber logs in: discovery is not held up by it.
t0=$(date +%s%N)
pppoectl_lab show sessions >"$LAB_LOGS/list.txt" &
lister=$!
pppoetest_lab -m create -i sub0 -n 1 --user alice --password wonderland --no-ipv6 --timeout 10 --format json \
  >"$LAB_LOGS/login.json" 2>&1 || fail "a login during the listing failed: $(cat "$LAB_LOGS/login.json")"
wait $lister || fail "pppoectl show sessions failed: $(tail -c 300 "$LAB_LOGS/list.txt")"
list_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
login_ms=$(jq .setup_ms.max "$LAB_LOGS/login.json")
rows=$(grep -c " up " "$LAB_LOGS/list.txt")
[ "$rows" -ge $N ] || fail "show sessions listed $rows sessions that are up, not $N"
tail -n 1 "$LAB_LOGS/list.txt" | grep -qE "^$((N + 1)) session\(s\)$|^$N session\(s\)$" || fail "count line: $(tail -n 1 "$LAB_LOGS/list.txt")"
echo "show sessions: $(tail -n 1 "$LAB_LOGS/list.txt") in $list_ms ms; a login during it took $login_ms ms to set up"

# JSON: every session, each with its fields.
t0=$(date +%s%N)
json_count=$(pppoectl_lab -j show sessions | jq '[.sessions[] | select(.user == "test")] | length')
expect_eq "$json_count" $N "sessions of user test in the JSON list"
echo "show sessions -j: $N sessions in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# Narrowed: by user, by address, ordered, limited, chosen columns. Bob (fixed address
# 10.9.9.9) logs in last.
pppoetest_lab -m create -i sub0 -n 1 --user bob --password "builder pass" --no-ipv6 --hold 600 --format json \
  >"$LAB_LOGS/bob.json" 2>&1 &
bob=$!
wait_stat .sessions.up $((N + 1)) 15
expect_eq "$(pppoectl_lab -j show sessions match user bob | jq -r '.sessions | length')" 1 "match user bob"
out=$(pppoectl_lab show sessions match ip 10.9.9.9 columns id,user,ip)
echo "$out" | sed -n 2p | grep -qE "^ *[0-9]+ bob +10\.9\.9\.9 *$" || fail "match ip 10.9.9.9: $out"
expect_eq "$(pppoectl_lab -j show sessions match ip '10.9.9.*' | jq '.sessions | length')" 1 "match ip 10.9.9.*"
expect_eq "$(pppoectl_lab show sessions match user 'te*' limit 5 | grep -c ' test ')" 5 "match user 'te*' limit 5"
newest=$(pppoectl_lab show sessions order uptime limit 1 columns user | sed -n 2p | tr -d ' ')
expect_eq "$newest" bob "the session up for the shortest time (order uptime)"
expect_eq "$(pppoectl_lab -j show sessions order id desc limit 2 | jq '.sessions[0].session_id > .sessions[1].session_id')" true \
  "order id desc"
err=$(pppoectl_lab show sessions order colour 2>&1); expect_eq "$?" 2 "exit code of a bad column"
echo "$err" | grep -q "no column 'colour'" || fail "bad column message: $err"

# What a scrape costs the master with 64,001 sessions: its own render time, and HTTP round
# trips of /metrics against / (the same server without a render) as the baseline.
scrape() { ip netns exec "$AC" curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:9469$1"; }
for _ in 1 2 3; do scrape /metrics >/dev/null || fail "no metrics"; done
render=$(ip netns exec "$AC" curl -sf http://127.0.0.1:9469/metrics | awk '$1 == "pppoed_metrics_render_seconds" {print $2 * 1e6}')
m=$(for _ in $(seq 1 20); do scrape /metrics; done | sort -n | sed -n 10p)
b=$(for _ in $(seq 1 20); do scrape /; done | sort -n | sed -n 10p)
expect_eq "$(ip netns exec "$AC" curl -sf http://127.0.0.1:9469/metrics | awk '$1 == "pppoed_sessions{state=\"up\"}" {print $2}')" \
  $((N + 1)) "sessions up in the metrics"
echo "scrape at $((N + 1)) sessions: render ${render%.*} us in the master; HTTP median $(echo "$m * 1000000 / 1" | bc) us vs $(echo "$b * 1000000 / 1" | bc) us for / (ratio $(echo "scale=2; $m / $b" | bc))"
expect_eq "$(pppoectl_lab -j show summary | jq .sessions.up)" "$(grep -c ' up ' "$LAB_LOGS/list.txt" | awk -v n=1 '{print $1 + n}')" \
  "sessions up counted by the master = listed as up (and bob)"

kill $holder $bob 2>/dev/null; wait $holder $bob 2>/dev/null
true
