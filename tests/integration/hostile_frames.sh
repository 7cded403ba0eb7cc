#!/bin/bash
# 36 kinds of malformed or hostile frames (hostile_frames.py), 5 of each (200 for the
# Configure-Request storm on the attacker's own session), and a burst of 5,000
# PADIs from random MACs, while 200 good sessions ping every second: no process crashes, no good
# session is lost or stalls, every bad frame is counted under its reason, memory stays bounded.
. "$(dirname "$0")/common.sh"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
pppoectl_lab sysctl net.graph.pppoe_lb.limits.padi_rate=1000 >/dev/null || fail "padi_rate"
pppoetest_lab -m create -i sub0 -n 200 --auth pap --user test --password test --hold 20 --hold-ping \
  --timeout 30 --format json > "$LAB_LOGS/good.json" &
good=$!
wait_stat .sessions.up 200 30
sleep 2  # IPv6CP too
first=$(pppoectl_lab -j show sessions | jq -c '[.sessions[] | select(.state=="up")][0]')
sid=$(echo "$first" | jq -r .session_id)
mac=$(echo "$first" | jq -r .mac)
ip=$(echo "$first" | jq -r .ip)
ac_mac=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
rss() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }
pids="$PPPOED_PID $(pgrep -P "$PPPOED_PID" | tr '\n' ' ')"
rss_before=0; for p in $pids; do rss_before=$((rss_before + $(rss "$p"))); done
before=$(pppoectl_lab -j show summary | jq .drops)

ip netns exec "$SUB" /usr/bin/python3 "$HERE/hostile_frames.py" sub0 "$ac_mac" "$sid" "$mac" "$ip" 5000 \
  > "$LAB_LOGS/sent.txt" || fail "hostile_frames.py: $(cat "$LAB_LOGS/sent.txt")"
sleep 1
after=$(pppoectl_lab -j show summary | jq .drops)
kinds=$(wc -l < "$LAB_LOGS/sent.txt")
[ "$kinds" -ge 37 ] || fail "only $kinds kinds sent"
# Every kind that maps to a drop reason: the counter rose at least by what was sent.
for counter in $(awk '{print $1}' "$LAB_LOGS/sent.txt" | sort -u); do
  sent=$(awk -v c="$counter" '$1 == c {n += $2} END {print n}' "$LAB_LOGS/sent.txt")
  b=$(echo "$before" | jq ".$counter // empty")
  [ -n "$b" ] || continue  # LCP answers (Code-/Protocol-Reject) and the kernel's filter: survival checked below
  a=$(echo "$after" | jq ".$counter")
  # With the fast path the kernel drops a fast session's spoofed IPv4 and counts it there.
  [ "$counter" = spoofed_source ] &&
    a=$((a + $(pppoectl_lab -j show session "$sid" | jq '.session.fast_path.kernel_up.dropped_spoofed // 0')))
  [ $((a - b)) -ge "$sent" ] || fail "$counter rose by $((a - b)), $sent such frames sent"
done
[ $(( $(echo "$after" | jq .padi_rate_limited) - $(echo "$before" | jq .padi_rate_limited) )) -gt 0 ] ||
  fail "the PADI burst was not rate-limited"
# 200 Configure-Requests in 0.4 s against a budget of 20 per second (burst 40): most are dropped
# before the state machine.
flood=$(( $(echo "$after" | jq .ppp_control_flood) - $(echo "$before" | jq .ppp_control_flood) ))
[ "$flood" -ge 100 ] || fail "the Configure-Request storm: only $flood frames counted as ppp_control_flood"
expect_eq "$(stat .worker_crashes)" 0 "worker crashes"
for p in $pids; do kill -0 "$p" 2>/dev/null || fail "process $p died"; done
rss_after=0; for p in $pids; do rss_after=$((rss_after + $(rss "$p"))); done
[ $((rss_after - rss_before)) -lt 16384 ] || fail "RSS grew from $rss_before to $rss_after KiB"
wait $good || fail "good sessions (pppoetest exit)"
expect_eq "$(jq .established "$LAB_LOGS/good.json")" 200 "good sessions established"
expect_eq "$(jq .traffic.lost "$LAB_LOGS/good.json")" 0 "pings lost by good sessions"
[ "$(grep -c 'reason peer-padt' "$LAB_LOGS/pppoed.log")" -ge 200 ] || fail "a good session ended early"
grep -q "mac 02:66:00:00:00:01 reason" "$LAB_LOGS/pppoed.log" ||
  echo "(the attacker's own session survived its broken frames)"
echo "sent: $(awk '{n += $2} END {print n}' "$LAB_LOGS/sent.txt") frames of $kinds kinds; RSS $rss_before -> $rss_after KiB"
exit 0
