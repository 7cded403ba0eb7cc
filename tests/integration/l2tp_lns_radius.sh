#!/bin/bash
# pppoed as LAC and LNS in one process, with a real FreeRADIUS for the LNS's sessions: sessions
# of realm self.example are switched by the LAC into a tunnel to our own LNS (127.0.0.1:1702,
# beside the LAC's 0.0.0.0:1701), which authenticates them by RADIUS (the proxied PAP and CHAP),
# takes their addresses from a RADIUS Framed-Pool, and accounts for them as L2TP calls:
# NAS-Port-Type Virtual, the LAC's line as Calling-Station-Id, and the RFC 2867 Tunnel-*
# attributes naming the LAC as the tunnel's client. The LAC's own records of the same sessions
# name the LNS as the tunnel's server; both sides' counters stay apart. Then users whose
# Access-Accept at the LAC carries RFC 2868 tunnel attributes (to our LNS, Tunnel-Password the
# tunnel secret) take the same way, and a StopCCN from the LNS (pppoed stopping) ends the
# PPPoE sessions of its calls with PADT.
. "$(dirname "$0")/common.sh"
. "$HERE/radius_common.sh"
lr_finish() {
  local rc=$?
  radius_stop primary
  (exit $rc)
  finish
}
trap lr_finish EXIT
radius_start primary 18120 || fail "FreeRADIUS did not start"
radius_conf <<CONF
auth chap pap
ac-name lac-and-lns
l2tp-tunnel self lns 127.0.0.1:1702
l2tp-tunnel self secret self-secret-789
l2tp-tunnel self hostname lac-self
l2tp-realm self.example self
l2tp-listen 127.0.0.1:1702
l2tp-lac self host lac-self
l2tp-lac self secret self-secret-789
l2tp-radius yes
CONF
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start"

pppoetest_lab -m create -i sub0 -n 20 --user lns-user@self.example --password lns-pw --auth pap --no-ipv6 \
  --target $NET_HOST --pings 2 --hold 3 --timeout 20 --format json >"$LAB_LOGS/pap.json" &
pap=$!
pppoetest_lab -m create -i sub0 -n 10 --user lns-user@self.example --password lns-pw --auth chap --no-ipv6 \
  --target $NET_HOST --pings 2 --hold 3 --timeout 20 --format json >"$LAB_LOGS/chap.json" &
chap=$!
# Each subscriber is two sessions here: its PPPoE session (LAC) and the call's (LNS).
wait_stat .sessions.up 60 30
pppoectl_lab show system | tee "$LAB_LOGS/system.txt"
grep -q "mode: LAC and LNS" "$LAB_LOGS/system.txt" || fail "show system: LAC and LNS"
expect_eq "$(pppoectl_lab -j show sessions | jq '[.sessions[] | select(.l2tp.mode == "LNS" and (.ip | startswith("10.7.0.")))] | length')" \
  30 "LNS sessions with an address of the RADIUS Framed-Pool"
wait $pap || { jq -c '.summary // .' "$LAB_LOGS/pap.json" | cut -c1-600; fail "PAP through our LAC into our LNS with RADIUS"; }
wait $chap || { jq -c '.summary // .' "$LAB_LOGS/chap.json" | cut -c1-600; fail "CHAP through our LAC into our LNS with RADIUS"; }
wait_stat .sessions.total 0 20
pppoectl_lab show radius | tee "$LAB_LOGS/radius.txt"
grep -q "access requests: 30, accepts: 30, rejects: 0" "$LAB_LOGS/radius.txt" || fail "RADIUS: the LNS checked the proxied credentials"
grep -q "accounting starts: 60, stops: 60" "$LAB_LOGS/radius.txt" || fail "RADIUS: LAC and LNS records"
sleep 0.5
# One record per block of the detail file; count those with all the given lines.
records_with() {
  radius_detail primary | awk -v n=$# -v pats="$(printf '%s\n' "$@")" '
    BEGIN { k = split(pats, p, "\n") }
    /^[A-Z][a-z][a-z] / { if (rec != "") { all = 1; for (i = 1; i <= n; i++) if (index(rec, p[i]) == 0) all = 0; c += all }; rec = "" }
    { rec = rec $0 "\n" }
    END { if (rec != "") { all = 1; for (i = 1; i <= n; i++) if (index(rec, p[i]) == 0) all = 0; c += all }; print c + 0 }'
}
expect_eq "$(records_with 'NAS-Port-Type = Virtual')" 60 "LNS records with NAS-Port-Type Virtual (30 Start, 30 Stop)"
expect_eq "$(records_with 'NAS-Port-Type = Virtual' 'Tunnel-Client-Endpoint:0 = "127.0.0.1"' 'Tunnel-Client-Auth-Id:0 = "lac-self"' \
  'Tunnel-Server-Auth-Id:0 = "lac-and-lns"' 'Acct-Tunnel-Connection = ' 'Class = 0x')" 60 "LNS records with RFC 2867 attributes and Class"
expect_eq "$(records_with 'NAS-Port-Type = Virtual' 'Calling-Station-Id = "02:')" 60 "LNS records with the LAC's line as Calling-Station-Id"
expect_eq "$(records_with 'NAS-Port-Type = Virtual' 'Framed-IP-Address = 10.7.0.')" 60 "LNS records with the Framed-Pool address"
expect_eq "$(records_with 'NAS-Port-Type = Ethernet' 'Tunnel-Server-Endpoint:0 = "127.0.0.1"')" 60 "LAC records naming the LNS"
# The workers publish their counters every 100 ms.
lns_counters() { pppoectl_lab -j show system | jq -c '.l2tp.lns_counters | [.calls_up, .proxy_lcp_accepted, .calls_closed_by_lac]'; }
for _ in $(seq 1 15); do [ "$(lns_counters)" = "[30,30,30]" ] && break; sleep 0.2; done
lns=$(lns_counters)
expect_eq "$lns" "[30,30,30]" "LNS counters: calls, proxy accepted, cleared by the LAC"
expect_eq "$(pppoectl_lab -j show ac | jq -c '[.routing.routes_created, .l2tp.sessions_opened]')" "[30,30]" "LAC counters"

# Tunnels chosen by RADIUS at the LAC, into our own LNS (which authenticates the same user
# again by RADIUS: its Accept's tunnel attributes mean nothing there).
pppoetest_lab -m create -i sub0 -n 10 --user tunnel-to-self --password self-pw --auth pap --no-ipv6 \
  --target $NET_HOST --pings 2 --hold 2 --timeout 20 --format json >"$LAB_LOGS/radius-tunnel.json" \
  || { jq -c '.summary // .' "$LAB_LOGS/radius-tunnel.json" | cut -c1-600; fail "RADIUS-chosen tunnels into our LNS"; }
wait_stat .sessions.total 0 20
for _ in $(seq 1 15); do [ "$(pppoectl_lab -j show system | jq .l2tp.lns_counters.calls_up)" = 40 ] && break; sleep 0.2; done
expect_eq "$(pppoectl_lab -j show system | jq .l2tp.lns_counters.calls_up)" 40 "LNS calls after the RADIUS-tunnelled ones"
grep -q "RADIUS chose an L2TP tunnel" "$LAB_LOGS/pppoed.log" && fail "tunnel attributes at the LNS were warned about"

# A StopCCN from the LNS side: stopping pppoed ends every call and tunnel; the PPPoE sessions
# of those calls get a PADT. A second pppoed as LNS on 127.0.0.1:1703 plays the LNS here.
cat > "$LAB_LOGS/lns2.conf" <<CONF
auth chap pap
tun pppoe1
pool 10.5.0.10-10.5.0.250
l2tp-listen 127.0.0.1:1703
CONF
ip -n "$AC" link add lns2ppp type veth peer name lns2peer
ip -n "$AC" link set lns2ppp up
printf 'stop@ccn.example pw\n' > "$LAB_LOGS/lns2.secret"
chmod 600 "$LAB_LOGS/lns2.secret"
ip netns exec "$AC" "$BIN/pppoed" --control "$LAB_LOGS/lns2.sock" --local-ip 10.5.0.1 -f "$LAB_LOGS/lns2.conf" \
  --secrets "$LAB_LOGS/lns2.secret" lns2ppp >>"$LAB_LOGS/lns2.log" 2>&1 &
lns2=$!
for _ in $(seq 1 100); do [ -S "$LAB_LOGS/lns2.sock" ] && break; sleep 0.05; done
[ -S "$LAB_LOGS/lns2.sock" ] || fail "the second LNS did not start"
pppoed_stop
rm -f "$LAB_LOGS/pppoed.sock"
cat >> "$RADIUS_CONF" <<CONF
l2tp-tunnel ccn lns 127.0.0.1:1703
l2tp-tunnel ccn hostname lac-self
l2tp-realm ccn.example ccn
CONF
pppoed_start -f "$RADIUS_CONF" -L -w 2 || fail "pppoed did not start again"
pppoetest_lab -m create -i sub0 -n 10 --user stop@ccn.example --password pw --auth pap --no-ipv6 \
  --hold 20 --timeout 20 --format json >"$LAB_LOGS/stopccn.json" &
held=$!
wait_stat .sessions.up 10 20
padt_before=$(stat .discovery.padt_tx)
stop_pid "$lns2"
wait_stat .sessions.total 0 10
expect_eq "$(( $(stat .discovery.padt_tx) - padt_before ))" 10 "PADTs after the LNS's StopCCN"
expect_eq "$(stat '.sessions_total.ended_by_reason["tunnel-down"]')" 10 "sessions ended as tunnel-down"
wait $held 2>/dev/null || true
