#!/bin/bash
# pppoec -auto (dial on demand, spec/002's link1): no session until a packet is routed into
# ppp0; the first packet is delivered once the session is up; `set timeout` idles it out.
# Then RFC 4638: `set mtu 1500` on an Ethernet with MTU 1508 carries 1500-octet IP packets.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
CONF=$LAB_LOGS/ppp.conf
cat > "$CONF" <<CONF
demand:
 set device PPPoE:sub0
 set authname bob
 set authkey "builder pass"
 set ifaddr 10.9.9.9 10.0.0.1/0 255.255.255.255 0.0.0.0
 set timeout 3
 add default HISADDR
 set server $PPPOEC_SOCK "" 0177

jumbo:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 set mtu 1500
 set mru 1500
 set server $PPPOEC_SOCK "" 0177
CONF
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$CONF" -auto demand
for _ in $(seq 1 50); do [ -S "$PPPOEC_SOCK" ] && break; sleep 0.1; done
sleep 1
expect_eq "$(pppoec_stat .stage)" idle "no session before a packet"
expect_eq "$(stat .discovery.padi_rx)" 0 "no PADI before a packet"
ip -n "$SUB" route show default | grep -q "dev ppp0" || fail "-auto: no default route through ppp0 before dialling"
# The very first ping starts the session and must itself come back.
sub_ping -c 1 -W 5 $NET_HOST >/dev/null || fail "the first packet was not delivered"
expect_eq "$(pppoec_stat .stage)" up "session up after the packet"
expect_eq "$(stat .sessions.up)" 1 "pppoed has the session"
expect_eq "$(pppoec_stat .ipcp.local)" 10.9.9.9 "the fixed address"
# Idle for `set timeout` (3 s): closed; the interface stays for the next packet.
wait_client .stage idle 8
wait_stat .sessions.total 0 3
expect_eq "$(pppoec_stat .last_end_reason)" idle-timeout "end reason"
ip -n "$SUB" link show ppp0 >/dev/null || fail "ppp0 gone after the idle timeout"
sub_ping -c 1 -W 5 $NET_HOST >/dev/null || fail "dialling again on demand"
expect_eq "$(pppoec_stat .sessions_up)" 2 "second session on demand"
pppoec_stop

# A wildcard address in -auto: the kernel sources the first packet from the placeholder
# 10.0.0.2, the AC assigns 10.0.0.10; pppoec rewrites the held packet's source (or pppoed would
# drop it as spoofed) and the first ping still comes back.
cat >> "$CONF" <<CONF
wildcard:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 set ifaddr 10.0.0.2/0 10.0.0.1/0
 add default HISADDR
 set server $PPPOEC_SOCK "" 0177
CONF
spoofed=$(stat .drops.spoofed_source)
pppoec_start "$CONF" -auto wildcard
for _ in $(seq 1 50); do [ -S "$PPPOEC_SOCK" ] && break; sleep 0.1; done
sleep 0.5
sub_ping -c 1 -W 5 $NET_HOST >/dev/null || fail "wildcard -auto: the first packet was not delivered"
[ "$(pppoec_stat .traffic.sources_rewritten)" -ge 1 ] || fail "no held packet had its source rewritten"
expect_eq "$(stat .drops.spoofed_source)" "$spoofed" "packets pppoed dropped as spoofed"
pppoec_stop
pppoed_stop

# RFC 4638: both Ethernet ends carry 1508 octets; pppoed allows PPP-Max-Payload 1500.
ip -n "$SUB" link set sub0 mtu 1508
ip -n "$AC" link set ac0 mtu 1508
printf 'max-payload 1500\n' > "$LAB_LOGS/pppoed.conf"
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$CONF" -ddial jumbo
wait_client .stage up 10
expect_eq "$(pppoec_stat .max_payload)" 1500 "PPP-Max-Payload agreed"
expect_eq "$(pppoec_stat .mtu)" 1500 "session MTU"
ip -n "$SUB" link show ppp0 | grep -q "mtu 1500" || fail "ppp0 MTU is not 1500"
sub_ping -c 3 -i 0.2 -W 2 -M do -s 1472 10.0.0.1 >/dev/null || fail "1500-octet packets through the session"
exit 0
