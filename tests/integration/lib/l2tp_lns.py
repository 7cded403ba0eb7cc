#!/usr/bin/python3
"""An L2TPv2 LNS written from RFC 2661 alone, independent of pppoed's C++ code, for the tests.

  l2tp_lns.py ADDRESS STATS_FILE [--secret-file F] [--users user:pass,...] [--host-name NAME]

Answers SCCRQ/SCCCN (with tunnel authentication when a secret is given: section 5.1.1),
ICRQ/ICCN (checking the PAP proxy authentication of the ICCN against --users: a wrong password
is answered with CDN), HELLO, CDN and StopCCN; acknowledges with ZLBs; reveals hidden AVPs
(section 4.3); retransmits its own messages until acknowledged (section 5.8, a plain 1 s timer).
On SIGTERM writes what it saw as JSON to STATS_FILE.
"""
import hashlib
import json
import os
import random
import signal
import socket
import struct
import sys
import time

T, L, S, VER = 0x8000, 0x4000, 0x0800, 2
M_BIT, H_BIT = 0x8000, 0x4000
SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO, ICRQ, ICRP, ICCN, CDN = 1, 2, 3, 4, 6, 10, 11, 12, 14

args = sys.argv[1:]
address, stats_file = args[0], args[1]
opts = dict(zip(args[2::2], args[3::2]))
secret = open(opts["--secret-file"]).read().strip().encode() if "--secret-file" in opts else b""
users = dict(u.split(":", 1) for u in opts.get("--users", "test:test").split(","))
host_name = opts.get("--host-name", "rfc2661-lns").encode()

stats = {"tunnels": 0, "tunnels_established": 0, "auth_failures": 0, "sessions": 0, "sessions_established": 0,
         "pap_ok": 0, "pap_bad": 0, "hidden_avps": 0, "cdn_received": 0, "stopccn_received": 0, "hello": 0,
         "zlb_sent": 0, "retransmitted": 0, "duplicates": 0, "users": {}}


def avp(attr, value, mandatory=True):
    return struct.pack(">HHH", (M_BIT if mandatory else 0) | (6 + len(value)), 0, attr) + value


def u16(v):
    return struct.pack(">H", v)


def parse_avps(body):
    """[(attr, value, hidden)], revealing hidden AVPs with the last Random Vector (section 4.3)."""
    out, vector, at = [], b"", 0
    while at < len(body):
        flags_len, vendor, attr = struct.unpack(">HHH", body[at:at + 6])
        length = flags_len & 0x3FF
        value = body[at + 6:at + length]
        at += length
        hidden = bool(flags_len & H_BIT)
        if hidden:
            stats["hidden_avps"] += 1
            plain, b = b"", hashlib.md5(struct.pack(">H", attr) + secret + vector).digest()
            for i in range(0, len(value), 16):
                chunk = value[i:i + 16]
                plain += bytes(x ^ y for x, y in zip(chunk, b))
                b = hashlib.md5(secret + chunk).digest()
            n = struct.unpack(">H", plain[:2])[0]
            value = plain[2:2 + n]
        if vendor == 0 and attr == 36:
            vector = value
        out.append((attr if vendor == 0 else None, value, hidden))
    return out


class Tunnel:
    def __init__(self, peer, peer_tid):
        self.peer, self.peer_tid = peer, peer_tid
        self.tid = random.randint(1, 65535)
        self.ns = self.nr = 0
        self.unacked = []  # [(ns, datagram, sent_at)]
        self.challenge = os.urandom(16)
        self.sessions = {}  # our session id -> peer session id
        self.established = False


tunnels = {}
raw_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


class LossySocket:
    """sendto that shrugs off what a lossy link (an nftables drop answers EPERM) does."""

    def __getattr__(self, name):
        return getattr(raw_sock, name)

    def sendto(self, data, peer):
        try:
            raw_sock.sendto(data, peer)
        except OSError:
            pass


sock = LossySocket()
sock.bind((address, 1701))
sock.settimeout(0.1)


def send(t, sid, avps):
    d = struct.pack(">HHHHHH", T | L | S | VER, 12 + len(avps), t.peer_tid, sid, t.ns, t.nr) + avps
    t.unacked.append((t.ns, sid, avps, time.monotonic()))
    t.ns = (t.ns + 1) & 0xFFFF
    sock.sendto(d, t.peer)


def zlb(t):
    sock.sendto(struct.pack(">HHHHHH", T | L | S | VER, 12, t.peer_tid, 0, t.ns, t.nr), t.peer)
    stats["zlb_sent"] += 1


def handle(t, sid, body):
    avps = parse_avps(body)
    msg = struct.unpack(">H", avps[0][1])[0]
    get = {a: v for a, v, _ in avps}
    if msg == SCCCN:
        want = hashlib.md5(bytes([SCCCN]) + secret + t.challenge).digest()
        if secret and get.get(13) != want:
            stats["auth_failures"] += 1
            send(t, 0, avp(0, u16(STOPCCN)) + avp(9, u16(t.tid)) + avp(1, u16(4) + u16(0)))
            return
        t.established = True
        stats["tunnels_established"] += 1
    elif msg == ICRQ:
        stats["sessions"] += 1
        ours = random.randint(1, 65535)
        t.sessions[ours] = struct.unpack(">H", get[14])[0]
        send(t, t.sessions[ours], avp(0, u16(ICRP)) + avp(14, u16(ours)))
    elif msg == ICCN:
        user, password = get.get(30, b"").decode(), get.get(33, b"").decode()
        stats["users"][user] = stats["users"].get(user, 0) + 1
        if get.get(29) == u16(3) and users.get(user) == password:
            stats["pap_ok"] += 1
            stats["sessions_established"] += 1
        else:
            stats["pap_bad"] += 1
            send(t, t.sessions.pop(sid, 0), avp(0, u16(CDN)) + avp(1, u16(2) + u16(0) + b"authentication failed") +
                 avp(14, u16(sid)))
    elif msg == CDN:
        stats["cdn_received"] += 1
        t.sessions.pop(sid, None)
    elif msg == STOPCCN:
        stats["stopccn_received"] += 1
        t.established = False
    elif msg == HELLO:
        stats["hello"] += 1


def on_datagram(d, peer):
    flags, length, tid, sid, ns, nr = struct.unpack(">HHHHHH", d[:12])
    if not flags & T:
        return  # data: not needed by these tests
    body = d[12:length]
    if tid == 0:
        avps = parse_avps(body)
        if struct.unpack(">H", avps[0][1])[0] != SCCRQ:
            return
        get = {a: v for a, v, _ in avps}
        for t in tunnels.values():  # a retransmitted SCCRQ: the same tunnel
            if t.peer == peer and t.peer_tid == struct.unpack(">H", get[9])[0]:
                zlb(t)
                return
        t = Tunnel(peer, struct.unpack(">H", get[9])[0])
        t.nr = 1
        tunnels[t.tid] = t
        stats["tunnels"] += 1
        reply = avp(0, u16(SCCRP)) + avp(2, u16(0x0100)) + avp(3, struct.pack(">I", 3)) + avp(7, host_name) + \
            avp(9, u16(t.tid)) + avp(10, u16(8)) + avp(8, b"rfc2661-test", False)
        if 11 in get:
            reply += avp(13, hashlib.md5(bytes([SCCRP]) + secret + get[11]).digest())
        if secret:
            reply += avp(11, t.challenge)
        send(t, 0, reply)
        return
    t = tunnels.get(tid)
    if t is None:
        return
    t.unacked = [u for u in t.unacked if ((u[0] - nr) & 0xFFFF) < 0x8000]  # acknowledged: Ns < Nr
    if not body:
        return  # ZLB
    if ns != t.nr:
        if ((ns - t.nr) & 0xFFFF) >= 0x8000:
            stats["duplicates"] += 1
            zlb(t)  # a duplicate: our ack was lost
        return  # out of order: dropped, the peer retransmits
    t.nr = (t.nr + 1) & 0xFFFF
    sent_before = t.ns
    handle(t, sid, body)
    if t.ns == sent_before:
        zlb(t)  # nothing of ours carried the acknowledgement


def dump(*_):
    with open(stats_file, "w") as f:
        json.dump(stats, f)
    sys.exit(0)


signal.signal(signal.SIGTERM, dump)
while True:
    try:
        d, peer = sock.recvfrom(4096)
        on_datagram(d, peer)
    except socket.timeout:
        pass
    now = time.monotonic()
    for t in tunnels.values():
        if t.unacked and now - t.unacked[0][3] >= 1.0:
            u = t.unacked[0]
            stats["retransmitted"] += 1
            sock.sendto(struct.pack(">HHHHHH", T | L | S | VER, 12 + len(u[2]), t.peer_tid, u[1], u[0], t.nr) + u[2], t.peer)
            t.unacked[0] = (u[0], u[1], u[2], now)
