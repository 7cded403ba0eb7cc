#!/bin/bash
# The handbook's 3Com "nonstandard PPPoE" (section 30.4.2) on both ends: pppoed with
# `nonstandard-ethertypes yes`, pppoec with `set pppoe nonstandard yes`; the session runs on
# ethertypes 0x3c12/0x3c13 (seen on the wire by tshark) and carries traffic. A standard client
# gets no answer from that AC.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
printf 'nonstandard-ethertypes yes\n' > "$LAB_LOGS/pppoed.conf"
cat > "$LAB_LOGS/ppp.conf" <<CONF
homeconnect:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 set pppoe nonstandard yes
 set server $PPPOEC_SOCK "" 0177
standard:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 set server $PPPOEC_SOCK "" 0177
CONF
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" || fail "pppoed did not start"
ip netns exec "$SUB" tshark -i sub0 -w "$LAB_LOGS/3com.pcap" -a duration:8 >/dev/null 2>&1 &
shark=$!
sleep 1.5
pppoec_start "$LAB_LOGS/ppp.conf" -foreground homeconnect
wait_client .stage up 10
sub_ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "ping through the nonstandard session"
pppoec_stop
wait $shark
ether_types=$(tshark -r "$LAB_LOGS/3com.pcap" -T fields -e eth.type 2>/dev/null | sort -u | tr '\n' ' ')
[[ "$ether_types" == *0x3c12* && "$ether_types" == *0x3c13* ]] || fail "ethertypes on the wire: $ether_types"
[[ "$ether_types" == *0x8863* || "$ether_types" == *0x8864* ]] && fail "standard PPPoE frames on the wire: $ether_types"
pppoec_start "$LAB_LOGS/ppp.conf" -foreground standard
sleep 3
expect_eq "$(pppoec_stat .stage)" discovery "a standard client gets no PADO from a 3Com AC"
exit 0
