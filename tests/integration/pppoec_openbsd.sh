#!/bin/bash
# OpenBSD's pppoe(4) configuration as a second syntax: spec/002's /etc/hostname.pppoe0 examples
# as written (em0 -> sub0): the typical one (wildcard addresses, PAP, a default route through
# the session), and the RFC 4638 one (mtu 1500 on an Ethernet with MTU 1508); then link1
# (dial on demand).
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/lib/pppoec.sh"
printf 'testcaller donttell\n' >> "$SECRETS"
HOSTNAME_IF=$LAB_LOGS/hostname.pppoe0
cat > "$HOSTNAME_IF" <<'CONF'
inet6 eui64
inet NONE \
        pppoedev sub0 authproto pap \
        authname 'testcaller' authkey 'donttell' up
!/sbin/route add default -ifp pppoe0
!/sbin/route add default -ifp pppoe0 fe80::
CONF
pppoed_start --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$HOSTNAME_IF"
for _ in $(seq 1 100); do ip -n "$SUB" addr show pppoe0 2>/dev/null | grep -q "inet 10.0.0" && break; sleep 0.1; done
ip -n "$SUB" addr show pppoe0 | grep -q "inet 10.0.0.* peer 10.0.0.1" || fail "pppoe0 has no address from the AC"
ip -n "$SUB" route show default | grep -q "dev pppoe0" || fail "no default route through pppoe0 (!/sbin/route add default)"
sub_ping -c 3 -i 0.2 -W 2 $NET_HOST >/dev/null || fail "ping through pppoe0"
expect_eq "$(pppoectl_lab -j show sessions | jq -r '.sessions[0].user')" testcaller "the AC saw authname"
for _ in $(seq 1 30); do ip -n "$SUB" -6 route show default | grep -q "dev pppoe0" && break; sleep 0.1; done
ip -n "$SUB" -6 route show default | grep -q "dev pppoe0" || fail "no IPv6 default route through pppoe0 (... -ifp pppoe0 fe80::)"
pppoec_stop
wait_stat .sessions.total 0 3
pppoed_stop

# RFC 4638: mtu 1500 on an interface with MTU 1508 ("up mtu 1508" > /etc/hostname.em0).
ip -n "$SUB" link set sub0 mtu 1508
ip -n "$AC" link set ac0 mtu 1508
printf 'max-payload 1500\n' > "$LAB_LOGS/pppoed.conf"
cat > "$HOSTNAME_IF" <<'CONF'
inet NONE mtu 1500 \
        pppoedev sub0 authproto pap \
        authname 'testcaller' authkey 'donttell' up
!/sbin/route add default -ifp pppoe0
CONF
pppoed_start -f "$LAB_LOGS/pppoed.conf" --secrets "$SECRETS" || fail "pppoed did not start"
pppoec_start "$HOSTNAME_IF"
for _ in $(seq 1 100); do ip -n "$SUB" link show pppoe0 2>/dev/null | grep -q "mtu 1500.*UP\|UP.*mtu 1500" && break; sleep 0.1; done
ip -n "$SUB" link show pppoe0 | grep -q "mtu 1500" || fail "pppoe0 MTU is not 1500"
sub_ping -c 3 -i 0.2 -W 2 -M do -s 1472 10.0.0.1 >/dev/null || fail "1500-octet packets through pppoe0"
pppoec_stop

# link1: dial on demand.
sed -i 's/ up$/ link1 up/' "$HOSTNAME_IF"
pppoec_start "$HOSTNAME_IF"
sleep 1
expect_eq "$(stat .sessions.total)" 0 "link1: no session before traffic"
sub_ping -c 1 -W 5 $NET_HOST >/dev/null  # the first packet dials (its source may be the placeholder)
for _ in $(seq 1 50); do [ "$(stat .sessions.up)" = 1 ] && break; sleep 0.1; done
expect_eq "$(stat .sessions.up)" 1 "link1: traffic dialled"
sub_ping -c 3 -i 0.2 -W 2 $NET_HOST >/dev/null || fail "link1: ping once up"
exit 0
