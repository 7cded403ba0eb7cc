#!/bin/bash
# `nat enable yes`: a host on the client's LAN reaches a host behind the AC through the
# session, masqueraded to the session's address by nftables; `nat port tcp` forwards an inbound
# port to the LAN host; `nat deny_incoming yes` drops other unsolicited inbound connections;
# the table is gone after pppoec exits. The LAN is a fourth namespace, $LAB-lan, behind sub.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
command -v nft >/dev/null || fail "nft is missing: run scripts/install-deps.sh"
LANNS=$LAB-lan
ip netns add "$LANNS"
ip -n "$SUB" link add lan0 type veth peer name eth0 netns "$LANNS"
ip -n "$SUB" addr add 192.168.77.1/24 dev lan0
ip -n "$SUB" link set lan0 up
ip -n "$LANNS" link set lo up
ip -n "$LANNS" addr add 192.168.77.2/24 dev eth0
ip -n "$LANNS" link set eth0 up
ip -n "$LANNS" route add default via 192.168.77.1
ip netns exec "$SUB" sysctl -qw net.ipv4.ip_forward=1
CONF=$LAB_LOGS/ppp.conf
cat > "$CONF" <<CONF
home:
 set device PPPoE:sub0
 set authname alice
 set authkey wonderland
 add default HISADDR
 nat enable yes
 nat port tcp 192.168.77.2:8000 8080
 nat deny_incoming yes
 set server $PPPOEC_SOCK "" 0177
CONF
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$CONF" -ddial home
wait_client .stage up 10
ip netns exec "$SUB" nft list table ip pppoec_ppp0 >/dev/null || fail "no nftables table pppoec_ppp0"
# Outbound from the LAN: masqueraded (pppoed drops any source that is not the session's).
ip netns exec "$LANNS" ping -c 3 -i 0.2 -W 2 $NET_HOST >/dev/null || fail "LAN host through the masquerading session"
# Inbound through the forward: a web server on the LAN host, fetched from behind the AC.
session_ip=$(pppoec_stat .ipcp.local)
ip netns exec "$LANNS" /usr/bin/python3 -m http.server 8000 --bind 192.168.77.2 >/dev/null 2>&1 &
web=$!
ip netns exec "$SUB" /usr/bin/python3 -m http.server 2222 --bind 0.0.0.0 >/dev/null 2>&1 &
local_web=$!
sleep 1
fetch() { ip netns exec "$NET" /usr/bin/python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1"; }
fetch "http://$session_ip:8080/" || fail "nat port: inbound 8080 not forwarded to the LAN host"
fetch "http://$session_ip:2222/" 2>/dev/null && fail "deny_incoming: an unsolicited connection to the client got through"
kill $web $local_web; wait $web $local_web 2>/dev/null
pppoec_stop
ip netns exec "$SUB" nft list table ip pppoec_ppp0 >/dev/null 2>&1 && fail "the nftables table was left after exit"
exit 0
