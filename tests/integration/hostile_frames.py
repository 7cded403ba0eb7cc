#!/usr/bin/python3
"""Sends 31 kinds of malformed or hostile frames at pppoed from the subscriber side, then a
burst of PADIs from thousands of random MACs. Frames are built by hand (struct), so nothing
"fixes" them on the way. Prints one line per kind: the counter it must raise and how many sent.

usage: hostile_frames.py IFACE AC_MAC GOOD_SESSION_ID GOOD_MAC GOOD_IPV4 BURST
"""
import os
import random
import socket
import struct
import sys
import time

from lab_frames import BCAST, disc, discovery_socket, eth, get_cookie, mac, open_session, pppoe, tag

IFACE, AC, SID, GOOD, GOOD_IP, BURST = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
ME = "02:66:00:00:00:01"          # the attacker
OTHER = "02:66:00:00:00:02"
sock = discovery_socket(IFACE)


def sess(src, sid, ppp, **kw):
    return eth(AC, src, 0x8864, pppoe(0x00, sid, ppp, **kw))


def ipv4(src, dst, payload=b"\x08\x00\xf7\xff\x00\x00\x00\x00"):
    total = 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0, 64, 1, 0, socket.inet_aton(src), socket.inet_aton(dst))
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:] + payload


cookie = get_cookie(sock, ME) or sys.exit("no PADO with an AC-Cookie for the attacker")
MINE = open_session(sock, ME, AC, cookie) or sys.exit("no PADS for the attacker")
svc = tag(0x0101, b"")
link_local_wrong = bytes.fromhex("fe80000000000000") + bytes.fromhex("0bad0bad0bad0bad")
ipv6_hdr = struct.pack("!IHBB", 0x60000000, 8, 58, 64) + link_local_wrong + bytes.fromhex("fe80000000000000") + struct.pack("!Q", 1)
KINDS = [
    # (counter, description, frame)
    ("discovery_malformed", "discovery payload of 3 octets", eth(AC, ME, 0x8863, b"\x11\x09\x00")),
    ("discovery_malformed", "discovery LENGTH past the frame", disc(BCAST, ME, 0x09, svc, length=400)),
    ("discovery_malformed", "bad version/type 0x21", disc(BCAST, ME, 0x09, svc, vertype=0x21)),
    ("discovery_malformed", "tag overrunning the payload", disc(BCAST, ME, 0x09, struct.pack("!HH", 0x0101, 60) + b"x")),
    ("discovery_malformed", "multicast source MAC", disc(BCAST, "03:00:00:00:00:01", 0x09, svc)),
    ("padi_not_broadcast", "PADI unicast to the AC", disc(AC, ME, 0x09, svc)),
    ("padi_no_service_name", "PADI without Service-Name", disc(BCAST, ME, 0x09, tag(0x0103, b"hu"))),
    ("discovery_unexpected_code", "PADO sent to the AC", disc(AC, ME, 0x07, svc)),
    ("discovery_unexpected_code", "PADS sent to the AC", disc(AC, ME, 0x65, svc, sid=5)),
    ("bad_cookie", "PADR without AC-Cookie", disc(AC, ME, 0x19, svc)),
    ("bad_cookie", "PADR with a forged AC-Cookie", disc(AC, ME, 0x19, svc + tag(0x0104, os.urandom(len(cookie))))),
    ("bad_cookie", "PADR replaying another client's AC-Cookie", disc(AC, OTHER, 0x19, svc + tag(0x0104, cookie))),
    ("bad_cookie", "PADR with a truncated AC-Cookie", disc(AC, ME, 0x19, svc + tag(0x0104, cookie[:3]))),
    ("discovery_not_for_us", "PADR with a session ID", disc(AC, ME, 0x19, svc + tag(0x0104, cookie), sid=9)),
    ("discovery_not_for_us", "PADR to broadcast", disc(BCAST, ME, 0x19, svc + tag(0x0104, cookie))),
    ("padt_spoofed", "PADT for another client's session", disc(AC, ME, 0xa7, b"", sid=SID)),
    ("padt_unknown_session", "PADT for no session", disc(AC, ME, 0xa7, b"", sid=0xfffe)),
    ("unknown_session", "LCP for a session that does not exist", sess(ME, 0xfffe, b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00")),
    ("session_mac_mismatch", "a good session's frame from another MAC", sess(ME, SID, b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00")),
    ("session_mac_mismatch", "a good session's frame with a VLAN tag", eth(AC, GOOD, 0x8864, pppoe(0, SID, b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00"), vlan=7)),
    ("ppp_malformed", "PPP protocol field of one octet", sess(GOOD, SID, b"\xc0")),
    ("ppp_malformed", "PFC-compressed protocol (RFC 2516 section 7)", sess(GOOD, SID, b"\x21" + ipv4(GOOD_IP, "10.0.0.1"))),
    ("ppp_malformed", "IPv4 header cut short", sess(GOOD, SID, b"\x00\x21" + ipv4(GOOD_IP, "10.0.0.1")[:12])),
    ("spoofed_source", "IPv4 from an address not the session's", sess(GOOD, SID, b"\x00\x21" + ipv4("10.66.66.66", "10.0.0.1"))),
    ("spoofed_source", "IPv6 from another interface identifier", sess(GOOD, SID, b"\x00\x57" + ipv6_hdr + b"\x80\x00\x00\x00\x00\x00\x00\x00")),
    ("pppoe_malformed", "session frame with version/type 0x21", sess(GOOD, SID, b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x00", vertype=0x21)),
    ("pppoe_malformed", "session LENGTH past the frame", sess(GOOD, SID, b"\xc0\x21", length=1400)),
    ("ppp_unknown_code", "LCP with an unknown code", sess(GOOD, SID, b"\xc0\x21\x77\x01\x00\x04")),
    ("ppp_unknown_protocol", "unknown PPP protocol 0x4021", sess(GOOD, SID, b"\x40\x21hello")),
    ("ppp_control_malformed", "LCP with a length past the packet", sess(GOOD, SID, b"\xc0\x21\x09\x01\x00\x40\x00\x00")),
    # Too short to hold a session ID: the kernel's dispatch filter drops it before any process
    # sees it (nothing to count in userspace; the test checks only that nothing breaks).
    ("kernel_filter", "ethertype 0x8864 frame with no PPPoE header", eth(AC, ME, 0x8864, b"\x11")),
]
# On the attacker's own session (LCP is negotiating): broken options and a Configure-Request
# storm; PAP with fields running past the packet. Its session may die; nobody else's may.
KINDS += [
    ("ppp_control_malformed", "LCP Configure-Request with an option of length 0", sess(ME, MINE, b"\xc0\x21\x01\x11\x00\x08\x01\x00\x05\xdc")),
    ("ppp_control_malformed", "LCP Configure-Request with an option of length 1", sess(ME, MINE, b"\xc0\x21\x01\x12\x00\x07\x05\x01\x00")),
    # LCP is still negotiating on this session: PAP and CHAP are out of phase (RFC 1661 3.5).
    ("ppp_out_of_phase", "PAP Peer-ID length past the packet", sess(ME, MINE, b"\xc0\x23\x01\x01\x00\x08\xff" + b"a")),
    ("ppp_out_of_phase", "CHAP Response value length past the packet", sess(ME, MINE, b"\xc2\x23\x02\x01\x00\x09\xff\x00\x00\x00\x00")),
    # Last on this session: it exhausts the session's control budget (limits.ppp_control_rate);
    # the excess is counted as ppp_control_flood, which hostile_frames.sh checks.
    ("lcp_conf_loop", "Configure-Request storm (new Identifier each time)", b""),
]
loop = [sess(ME, MINE, b"\xc0\x21\x01" + bytes([i % 256]) + b"\x00\x0e\x01\x04\x05\xdc\x05\x06" + os.urandom(4)) for i in range(200)]
REPEAT = 5
sock2 = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock2.bind((IFACE, 0))
for counter, what, frame in KINDS:
    frames = loop if counter == "lcp_conf_loop" else [frame] * REPEAT
    for f in frames:
        sock2.send(f)
        time.sleep(0.002)
    print(f"{counter} {len(frames)} {what}")
# A burst of PADIs from random MACs: a DSLAM reboot, or an attack.
for i in range(BURST):
    src = "02:" + ":".join(f"{random.randrange(256):02x}" for _ in range(5))
    sock2.send(disc(BCAST, src, 0x09, svc + tag(0x0103, os.urandom(4))))
    if i % 200 == 199:
        time.sleep(0.01)
print(f"padi_burst {BURST} PADIs from random MACs")
