#!/bin/bash
# Wireshark's dissectors as an independent judge: a capture of full sessions (discovery, LCP,
# each authentication method, IPCP, IPv6CP, traffic, PADT) must decode without malformed
# packets or expert errors and warnings.
. "$(dirname "$0")/common.sh"
command -v tshark >/dev/null || fail "tshark is missing: run scripts/install-deps.sh"
pppoed_start --secrets "$SECRETS" --dns 198.51.100.53 || fail "pppoed did not start"
cap=$LAB_LOGS/session.pcap
ip netns exec "$SUB" tshark -q -i sub0 -w "$cap" >"$LAB_LOGS/tshark.log" 2>&1 &
tshark_pid=$!
sleep 2
for method in pap chap mschapv2; do
  pppoetest_lab -m create -i sub0 -n 1 --auth $method --user alice --password wonderland --target $NET_HOST \
    >/dev/null || fail "$method session"
done
pppoetest_lab -m create -i sub0 -n 1 --vlan 200.300 --user alice --password wonderland >/dev/null || fail "QinQ session"
sleep 1
kill -INT $tshark_pid; wait $tshark_pid
protocols=$(tshark -r "$cap" -T fields -e frame.protocols 2>/dev/null | tr ':' '\n' | sort -u | tr '\n' ' ')
for p in pppoed pppoes lcp pap chap ipcp ipv6cp icmp vlan; do
  echo " $protocols " | grep -q " $p " || fail "no $p in the capture (saw: $protocols)"
done
tshark -r "$cap" -Y "_ws.malformed || _ws.expert.severity >= warning" >"$LAB_LOGS/flagged.txt" 2>"$LAB_LOGS/filter.err" ||
  fail "tshark could not apply the filter: $(cat "$LAB_LOGS/filter.err")"
malformed=$(wc -l <"$LAB_LOGS/flagged.txt")
if [ "$malformed" != 0 ]; then
  tshark -r "$cap" -Y "_ws.malformed || _ws.expert.severity >= warning" -V 2>/dev/null | grep -E "Expert|Malformed" | head
  fail "$malformed frames malformed or with expert warnings"
fi
echo "decoded $(tshark -r "$cap" 2>/dev/null | wc -l) frames cleanly"
exit 0
