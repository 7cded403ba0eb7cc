#!/usr/bin/python3
"""Per-MAC discovery limits from one client MAC (pppoetest gives every session its own MAC).

usage: per_mac_limits.py IFACE AC_MAC padi-burst N   -> prints PADOs answered to N PADIs sent at once,
                                                        then 1 if another MAC still got a PADO
       per_mac_limits.py IFACE AC_MAC sessions N     -> prints how many of N PADRs from one MAC got
                                                        a PADS, then 1 if another MAC still got one
"""
import sys
import time

from lab_frames import BCAST, await_discovery, disc, discovery_socket, get_cookie, open_session, tag

IFACE, AC, MODE, N = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ONE = "02:77:00:00:00:01"
OTHER = "02:77:00:00:00:02"
sock = discovery_socket(IFACE)

if MODE == "padi-burst":
    for _ in range(N):
        sock.send(disc(BCAST, ONE, 0x09, tag(0x0101, b"")))
    answered = 0
    while await_discovery(sock, ONE, 0x07, seconds=1) is not None:
        answered += 1
    print(answered)
    print(1 if get_cookie(sock, OTHER) is not None else 0)
elif MODE == "sessions":
    opened = 0
    for i in range(N):
        uniq = bytes([i + 1]) * 4  # like several PPPoE clients behind one bridge
        cookie = get_cookie(sock, ONE, uniq)
        if cookie is not None and open_session(sock, ONE, AC, cookie, seconds=1, host_uniq=uniq) is not None:
            opened += 1
        time.sleep(0.05)
    print(opened)
    cookie = get_cookie(sock, OTHER)
    print(1 if cookie is not None and open_session(sock, OTHER, AC, cookie) is not None else 0)
else:
    sys.exit(f"unknown mode {MODE}")
