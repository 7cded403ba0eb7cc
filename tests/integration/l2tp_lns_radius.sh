#!/bin/bash
# pppoed as LAC and LNS in one process, with a real FreeRADIUS for the LNS's sessions: sessions
# of realm self.example are switched by the LAC into a tunnel to our own LNS (127.0.0.1:1702,
# beside the LAC's 0.0.0.0:1701), which authenticates them by RADIUS (the proxied PAP and CHAP),
# takes their addresses from a RADIUS Framed-Pool, and accounts for them as L2TP calls:
# NAS-Port-Type Virtual, the LAC's line as Calling-Station-Id, and the RFC 2867 Tunnel-*
# attributes naming the LAC as the tunnel's client. The LAC's own records of the same sessions
# name the LNS as the tunnel's server; both sides' counters stay apart.
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
lns=$(pppoectl_lab -j show system | jq -c '.l2tp.lns_counters | [.calls_up, .proxy_lcp_accepted, .calls_closed_by_lac]')
expect_eq "$lns" "[30,30,30]" "LNS counters: calls, proxy accepted, cleared by the LAC"
expect_eq "$(pppoectl_lab -j show ac | jq -c '[.routing.routes_created, .l2tp.sessions_opened]')" "[30,30]" "LAC counters"
