#!/bin/bash
# The kernel fast path (issue 18; operator guide "Fast path"): with `--fast-path yes`, untagged
# and QinQ sessions are forwarded by the XDP/TC programs both ways, and dual-stack sessions'
# IPv6 too (from and to their SLAAC address in the /64 and their delegated prefix); `show session` says so and
# shows the kernel's counters; the session's own counters (accounting, idle time) equal what
# was sent, octet for octet, whichever path carried each packet; a spoofed source and a foreign
# MAC are dropped and counted in the kernel, IPv4 and IPv6; a worker killed before it folded
# the kernel's counts leaves them to its replacement, exact; after the PADT the kernel forwards nothing for the
# session (its frames reach the workers, which count them as for no session); a session with a
# feature the kernel lacks (a rate limit) stays on the userland path and says why; with another
# XDP program on the interface pppoed says once that it has no fast path and serves without.
. "$(dirname "$0")/common.sh"
printf 'slow slow-pw rate=10M/10M\nsix six-pw\n' >> "$SECRETS"
PPPOED_FAST_PATH=yes  # pppoed_start adds --fast-path yes
cat > "$LAB_LOGS/metrics.conf" <<CONF
metrics-listen 127.0.0.1:9471
ipv6-pool 2001:db8:1000::/48 64
ipv6-delegate-pool 2001:db8:2000::/40 56
CONF
pppoed_start -f "$LAB_LOGS/metrics.conf" --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start"
wait_log "fast path: XDP on ac0 into pppoe0-w" 5 ||
  fail "the fast path did not load: $(grep 'fast path' "$LAB_LOGS/pppoed.log")"
PINGS=100 SIZE=200
for group in plain qinq; do
  vlan=(); [ $group = qinq ] && vlan=(--vlan 200.300)
  pppoetest_lab -m create -i sub0 "${vlan[@]}" -n 8 --no-ipv6 --user test --password test --pings $PINGS \
    --ping-size $SIZE --target $NET_HOST --hold 30 --format json > "$LAB_LOGS/$group.json" &
  eval "pid_$group=$!"
done
pppoetest_lab -m create -i sub0 -n 1 --no-ipv6 --user slow --password slow-pw --target $NET_HOST --hold 30 \
  --format json > "$LAB_LOGS/slow.json" &
pid_slow=$!
# Dual stack: each ping round sends IPv4, IPv6 from the SLAAC address and IPv6 from the
# delegated prefix, all of the same size (pppoetest makes the IPv6 echo 20 octets shorter).
pppoetest_lab -m create -i sub0 -n 8 --ipv6 --user six --password six-pw --pings $PINGS --ping-size $SIZE \
  --target $NET_HOST --target6 $NET_HOST6 --hold 30 --format json > "$LAB_LOGS/six.json" &
pid_six=$!
wait_stat .sessions.up 25 20
# The pings are answered within a second or two; the workers fold the kernel's counters every
# 5 s and publish within a second: until every test session shows all its pings.
counted() {
  pppoectl_lab -j show sessions |
    jq "[.sessions[] | select((.user == \"test\" and .rx_packets == $PINGS) or (.user == \"six\" and .rx_packets == 3 * $PINGS))] | length"
}
wait_until 24 25 counted || fail "the sessions' counters did not reach their pings"
pppoectl_lab -j show sessions | jq -c '.sessions[] | {session_id, user, vlans}' > "$LAB_LOGS/sessions.txt"
fast=0 kernel_up=0 kernel_down=0
while read -r row; do
  sid=$(echo "$row" | jq .session_id)
  s=$(pppoectl_lab -j show session "$sid" | jq .session)
  echo "$s" | jq -c '{session_id, user, vlans, rx_packets, rx_bytes, tx_packets, tx_bytes, fast_path}' >> "$LAB_LOGS/detail.txt"
  if [ "$(echo "$row" | jq -r .user)" = slow ]; then
    expect_eq "$(echo "$s" | jq -r .fast_path.state)" "slow: rate limit" "the rate-limited session's path"
    continue
  fi
  expect_eq "$(echo "$s" | jq -r .fast_path.state)" fast "session $sid's path"
  fast=$((fast + 1))
  # Exact counts whichever path carried each ping (the first may precede the kernel's entry):
  # IP octets as the capture's IP total length, 28 octets of headers per ping.
  n=$PINGS; [ "$(echo "$row" | jq -r .user)" = six ] && n=$((3 * PINGS))
  expect_eq "$(echo "$s" | jq -c '[.rx_packets, .rx_bytes, .tx_packets, .tx_bytes]')" \
    "[$n,$((n * (28 + SIZE))),$n,$((n * (28 + SIZE)))]" "session $sid's counters"
  kernel_up=$((kernel_up + $(echo "$s" | jq .fast_path.kernel_up.packets)))
  kernel_down=$((kernel_down + $(echo "$s" | jq .fast_path.kernel_down.packets)))
done < "$LAB_LOGS/sessions.txt"
expect_eq "$fast" 24 "sessions on the fast path"
expect_eq "$(ip netns exec "$AC" curl -s http://127.0.0.1:9471/metrics | awk '$1 == "pppoed_fast_path_sessions" {print $2}')" 24 \
  "the fast path's sessions in the metrics"
# Each dual-stack session: its link-local address, its /64 and its delegated /56.
expect_eq "$(pppoectl_lab -j show summary | jq -c '.fast_path | [.kernel_sessions, .kernel_addresses, .kernel_prefixes6]')" \
  "[24,24,24]" "kernel entries [sessions, IPv4 addresses, IPv6 prefixes]"
# Nearly every ping went through the kernel (a session's first one may come before its entry,
# and IPv6 before its prefixes reach the kernel).
total=$((16 * PINGS + 8 * 3 * PINGS))
[ $kernel_up -ge $((total * 9 / 10)) ] || fail "only $kernel_up of $total pings forwarded upstream by the kernel"
[ $kernel_down -ge $((total * 9 / 10)) ] || fail "only $kernel_down of $total replies forwarded downstream by the kernel"
echo "kernel forwarded $kernel_up of $total pings ($((8 * 2 * PINGS)) of them IPv6) and $kernel_down replies"

# Hostile frames on an untagged fast session: spoofed source, foreign MAC; then the same after
# it ended.
first=$(pppoectl_lab -j show sessions | jq -c '[.sessions[] | select(.vlans == [] and .user == "test")][0]')
sid=$(echo "$first" | jq -r .session_id) mac=$(echo "$first" | jq -r .mac) ip=$(echo "$first" | jq -r .ip)
ac_mac=$(ip -n "$AC" -j link show ac0 | jq -r '.[0].address')
send() {  # send KIND COUNT: ping frames of session $sid: good | spoofed | foreign
  ip netns exec "$SUB" env PYTHONPATH="$HERE" /usr/bin/python3 - "$1" "$2" "$ac_mac" "$sid" "$mac" "$ip" "$NET_HOST" <<'PY'
import socket, struct, sys
kind, count, ac, sid, mac, ip, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
from lab_frames import eth, pppoe
def ipv4(src, dst, payload=b"\x08\x00\xf7\xff\x00\x00\x00\x00"):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, 1, 0, socket.inet_aton(src), socket.inet_aton(dst))
    s = sum(struct.unpack("!10H", hdr)); s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
    return hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:] + payload
src_mac = "02:66:00:00:00:09" if kind == "foreign" else mac
src_ip = "10.66.66.66" if kind == "spoofed" else ip
frame = eth(ac, src_mac, 0x8864, pppoe(0, sid, b"\x00\x21" + ipv4(src_ip, dst)))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("sub0", 0))
for _ in range(count): s.send(frame)
PY
}
send spoofed 5 || fail "sending spoofed frames"
send foreign 7 || fail "sending foreign-MAC frames"
sleep 0.5
k=$(pppoectl_lab -j show session "$sid" | jq -c '.session.fast_path.kernel_up | [.dropped_spoofed, .dropped_foreign_mac]')
expect_eq "$k" "[5,7]" "frames dropped in the kernel [spoofed source, foreign MAC]"
# A dual-stack session: IPv6 from outside its /64 and its delegated prefix.
six=$(pppoectl_lab -j show sessions | jq -c '[.sessions[] | select(.user == "six")][0]')
sid6=$(echo "$six" | jq -r .session_id) mac6=$(echo "$six" | jq -r .mac)
ip netns exec "$SUB" env PYTHONPATH="$HERE" /usr/bin/python3 - "$ac_mac" "$sid6" "$mac6" "$NET_HOST6" <<'PY' || fail "sending spoofed IPv6"
import socket, struct, sys
ac, sid, mac, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
from lab_frames import eth, pppoe
echo = b"\x80\x00\x00\x00\x00\x01\x00\x01"  # ICMPv6 echo request (the checksum is not the kernel's to check here)
ipv6 = struct.pack("!IHBB16s16s", 6 << 28, len(echo), 58, 64, socket.inet_pton(socket.AF_INET6, "2001:db8:6666::1"),
                   socket.inet_pton(socket.AF_INET6, dst)) + echo
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("sub0", 0))
for _ in range(4): s.send(eth(ac, mac, 0x8864, pppoe(0, sid, b"\x00\x57" + ipv6)))
PY
sleep 0.5
expect_eq "$(pppoectl_lab -j show session "$sid6" | jq .session.fast_path.kernel_up.dropped_spoofed)" 4 \
  "IPv6 frames from a foreign prefix dropped in the kernel"

# A worker killed with kernel counts it has not folded yet (it folds every 5 s): its replacement
# adopts the session and counts on from what the dead worker folded, so the counters stay exact.
slot=$(pppoectl_lab -j show session "$sid" | jq .session.worker)
victim=$(pppoectl_lab sysctl "net.graph.pppoe_lb.workers.$slot.pid" | awk '{print $2}')
send good 40 || fail "sending pings of session $sid"
sleep 0.3  # the replies come back through the kernel too
kill -9 "$victim"
wait_stat .worker_crashes 1 5
exact() { pppoectl_lab -j show session "$sid" | jq -c '.session | [.rx_packets, .rx_bytes, .tx_packets, .tx_bytes, .fast_path.state]'; }
n=$((PINGS + 40)) octets=$((PINGS * (28 + SIZE) + 40 * 28))
wait_until "[$n,$octets,$n,$octets,\"fast\"]" 12 exact ||
  fail "session $sid after its worker died: $(exact), not [$n,$octets,$n,$octets,fast]"
echo "worker $slot killed: session $sid adopted with exact counters $(exact)"

wait "$pid_plain" || fail "untagged sessions: $(head -c 400 "$LAB_LOGS/plain.json")"
wait "$pid_qinq" || fail "QinQ sessions: $(head -c 400 "$LAB_LOGS/qinq.json")"
wait "$pid_slow" || fail "the rate-limited session: $(head -c 400 "$LAB_LOGS/slow.json")"
wait "$pid_six" || fail "dual-stack sessions: $(head -c 400 "$LAB_LOGS/six.json")"
for group in plain qinq six; do expect_eq "$(jq .traffic.lost "$LAB_LOGS/$group.json")" 0 "$group pings lost"; done
expect_eq "$(jq -c '[.ipv6_slaac, .ipv6_pd, .traffic6.sent, .traffic6.lost]' "$LAB_LOGS/six.json")" "[8,8,$((16 * PINGS)),0]" \
  "dual-stack sessions [SLAAC, delegated prefix, IPv6 pings, lost]"
wait_stat .sessions.total 0 10
expect_eq "$(pppoectl_lab -j show summary | jq -c .fast_path)" '{"kernel_addresses":0,"kernel_prefixes6":0,"kernel_sessions":0}' \
  "kernel entries after every session ended"
# The session is gone: its frames are the workers' again (no session), none crosses the AC.
before=$(stat .drops.unknown_session)
ip netns exec "$NET" timeout 3 tshark -i net0 -f "icmp and src host $ip" -a duration:2 -w "$LAB_LOGS/after.pcap" 2>/dev/null &
cap=$!
sleep 1
send good 5 || fail "sending frames of the ended session"
wait $cap
expect_eq "$(tshark -r "$LAB_LOGS/after.pcap" 2>/dev/null | wc -l)" 0 "packets of the ended session that crossed the AC"
after=$(stat .drops.unknown_session)
[ $((after - before)) -ge 5 ] || fail "the ended session's frames: unknown_session rose by $((after - before)), not 5"

# pppoe0 is a veth pair (XDP passes packets into its peer): a pppoed killed with -9 leaves it
# with its routes, the next start takes it over; a clean end removes it.
ip -n "$AC" -d link show pppoe0 | grep -q "veth" || fail "pppoe0 is not a veth: $(ip -n "$AC" -d link show pppoe0)"
kill -KILL "$PPPOED_PID"
wait "$PPPOED_PID" 2>/dev/null || true
PPPOED_PID=
for _ in $(seq 1 50); do pgrep -f pppoed-worker >/dev/null || break; sleep 0.1; done
ip -n "$AC" link show pppoe0-w >/dev/null 2>&1 || fail "pppoe0's peer went with the killed pppoed"
rm -f "$LAB_LOGS/pppoed.sock"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start on the pppoe0 a killed one left"
for _ in $(seq 1 50); do [ "$(grep -c 'XDP on ac0 into pppoe0-w' "$LAB_LOGS/pppoed.log")" -ge 2 ] && break; sleep 0.1; done
pppoetest_lab -m create -i sub0 -n 2 --no-ipv6 --user test --password test --pings 20 --target $NET_HOST --hold 3 \
  --format json > "$LAB_LOGS/takeover.json" &
pid=$!
wait_stat .sessions.up 2 15
expect_eq "$(pppoectl_lab -j show sessions | jq -r '[.sessions[].fast_path.state] | unique | join(" ")')" fast \
  "paths on the pppoe0 taken over"
wait $pid || fail "sessions on the pppoe0 taken over: $(head -c 400 "$LAB_LOGS/takeover.json")"
expect_eq "$(jq .traffic.lost "$LAB_LOGS/takeover.json")" 0 "pings lost on the pppoe0 taken over"
pppoed_stop
! ip -n "$AC" link show pppoe0 >/dev/null 2>&1 || fail "pppoe0 still there after a clean end"
! ip -n "$AC" link show pppoe0-w >/dev/null 2>&1 || fail "pppoe0-w still there after a clean end"
echo "pppoe0 (veth) taken over after kill -9, removed at a clean end"

# Fallback: another XDP program already on the interface (here: ours, attached by iproute2 the
# old way). pppoed says once why there is no fast path, and the userland path serves.
ip -n "$AC" link set dev ac0 xdpgeneric obj "$BIN/../bpf/fast_path_up.bpf.o" sec xdp || fail "attaching a foreign XDP program"
pppoed_start --secrets "$SECRETS" -L -w 2 || fail "pppoed did not start with a foreign XDP program"
wait_log "fast path unavailable: .*every packet takes the userland path" 5 || fail "no word of the missing fast path"
pppoetest_lab -m create -i sub0 -n 2 --no-ipv6 --user test --password test --pings 20 --target $NET_HOST --hold 3 \
  --format json > "$LAB_LOGS/fallback.json" &
pid=$!
wait_stat .sessions.up 2 15
expect_eq "$(pppoectl_lab -j show sessions | jq -r '[.sessions[].fast_path.state] | unique | join(" ")')" none "paths without a fast path"
wait $pid || fail "sessions without the fast path: $(head -c 400 "$LAB_LOGS/fallback.json")"
expect_eq "$(jq .traffic.lost "$LAB_LOGS/fallback.json")" 0 "pings lost without the fast path"
expect_eq "$(grep -c 'fast path unavailable' "$LAB_LOGS/pppoed.log")" 1 "times the missing fast path was said"
ip -n "$AC" link set dev ac0 xdpgeneric off
exit 0
