#!/usr/bin/python3
"""An L2TPv2 LAC written from RFC 2661 alone, independent of pppoed's C++ code, for the tests.

  l2tp_lac.py LNS_ADDRESS SOURCE_ADDRESS STATS_FILE [--secret-file F] [--host-name NAME]
              [--calls N] [--user U] [--password P] [--target IP] [--sequenced yes]

Opens one tunnel to the LNS (SCCRQ with a Challenge, the LNS's Challenge Response checked,
SCCCN answering its challenge: section 5.1.1), places N calls (ICRQ, ICCN with Proxy LCP and a
PAP Proxy Authentication, section 18; with --sequenced yes the ICCN asks for Sequencing Required
and our data messages carry Ns, section 5.4), and then plays each call's subscriber in PPP:
waits for the LNS's PAP Ack with the proxied Identifier, runs IPCP (acks the LNS's request,
takes the address it Naks us), answers LCP Echo-Requests with the subscriber's magic number,
rejects IPv6CP, and pings --target through every call with packets built by Scapy. Then it
clears half of the calls with CDN and stops the tunnel with StopCCN, acknowledging the LNS's
control messages (ZLB) and retransmitting its own until acknowledged (1 s timer) throughout.

Exits 0 when every call came up and every ping was answered; writes what it saw as JSON to
STATS_FILE either way. With a secret other than the LNS's, the LNS's Challenge Response fails
our check (challenge_ok false) and ours fails the LNS's: its StopCCN ends the run.
"""
import hashlib
import json
import os
import random
import socket
import struct
import sys
import time

from scapy.layers.inet import ICMP, IP  # the subscribers' packets

T, L, S, VER = 0x8000, 0x4000, 0x0800, 2
M_BIT = 0x8000
SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO, ICRQ, ICRP, ICCN, CDN = 1, 2, 3, 4, 6, 10, 11, 12, 14
PPP_IP, PPP_IPCP, PPP_IPV6CP, PPP_LCP, PPP_PAP = 0x0021, 0x8021, 0x8057, 0xC021, 0xC023

args = sys.argv[1:]
lns_address, source_address, stats_file = args[0], args[1], args[2]
opts = dict(zip(args[3::2], args[4::2]))
secret = open(opts["--secret-file"]).read().strip().encode() if "--secret-file" in opts else b""
host_name = opts.get("--host-name", "rfc2661-lac").encode()
n_calls = int(opts.get("--calls", "10"))
user, password = opts.get("--user", "test").encode(), opts.get("--password", "test").encode()
target = opts.get("--target", "10.2.0.2")
sequenced = opts.get("--sequenced") == "yes"

stats = {"tunnel_up": False, "lns_host_name": "", "challenge_ok": False, "calls_up": 0, "pap_acked": 0,
         "ipcp_up": 0, "addresses": [], "pings_sent": 0, "pings_answered": 0, "lcp_echo_answered": 0,
         "ipv6cp_rejected": 0, "data_in": 0, "data_sequenced_in": 0, "data_without_address_control": 0,
         "retransmitted": 0, "zlb_sent": 0, "cdn_sent": 0, "cdn_received": 0, "stopccn_sent": 0}

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((source_address, 1701))
sock.settimeout(0.1)
lns = (lns_address, 1701)


def avp(attr, value, mandatory=True):
    return struct.pack(">HHH", (M_BIT if mandatory else 0) | (6 + len(value)), 0, attr) + value


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def parse_avps(body):
    """{attr: value} of vendor-0 AVPs (we send nothing hidden and expect nothing hidden back)."""
    out, at = {}, 0
    while at + 6 <= len(body):
        flags_len, vendor, attr = struct.unpack(">HHH", body[at:at + 6])
        length = flags_len & 0x3FF
        if length < 6:
            break
        if vendor == 0:
            out[attr] = body[at + 6:at + length]
        at += length
    return out


class Tunnel:
    def __init__(self):
        self.tid = random.randint(1, 65535)
        self.peer_tid = 0
        self.ns = self.nr = 0
        self.unacked = []  # [(ns, datagram, sent_at)]

    def send(self, sid, avps):
        d = struct.pack(">HHHHHH", T | L | S | VER, 12 + len(avps), self.peer_tid, sid, self.ns, self.nr) + avps
        self.unacked.append((self.ns, d, time.monotonic()))
        self.ns = (self.ns + 1) & 0xFFFF
        sock.sendto(d, lns)

    def zlb(self):
        sock.sendto(struct.pack(">HHHHHH", T | L | S | VER, 12, self.peer_tid, 0, self.ns, self.nr), lns)
        stats["zlb_sent"] += 1

    def acked(self, nr):
        # Section 5.8: Nr acknowledges everything before it (modulo 2^16).
        self.unacked = [u for u in self.unacked if not 0 < ((nr - u[0]) & 0xFFFF) < 0x8000]

    def retransmit(self):
        now = time.monotonic()
        for i, (ns, d, at) in enumerate(self.unacked):
            if now - at > 1.0:
                # Retransmissions carry the current Nr.
                d = d[:10] + u16(self.nr) + d[12:]
                sock.sendto(d, lns)
                self.unacked[i] = (ns, d, now)
                stats["retransmitted"] += 1


class Call:
    def __init__(self, index):
        self.index = index
        self.sid = random.randint(1, 65535)
        self.peer_sid = 0
        self.magic = random.getrandbits(32) | 1
        self.lac_magic = random.getrandbits(32) | 1
        self.pap_id = random.randint(0, 255)
        self.state = "wait-icrp"
        self.address = None
        self.ipcp_acked_us = False  # the LNS acked our IPCP request
        self.ipcp_acked_them = False
        self.ipcp_id = 1
        self.data_ns = 0
        self.pings_answered = 0
        self.next_ping = 0.0

    def lcp_options(self, lac_side):
        mru = b"\x01\x04" + u16(1492)
        if lac_side:
            return mru + b"\x03\x04" + u16(PPP_PAP) + b"\x05\x06" + u32(self.lac_magic)
        return mru + b"\x05\x06" + u32(self.magic)

    def send_ppp(self, protocol, payload):
        header = VER | (S if sequenced else 0)
        if sequenced:
            d = struct.pack(">HHHHH", header, tunnel.peer_tid, self.peer_sid, self.data_ns, 0)
            self.data_ns = (self.data_ns + 1) & 0xFFFF
        else:
            d = struct.pack(">HHH", header, tunnel.peer_tid, self.peer_sid)
        sock.sendto(d + b"\xff\x03" + u16(protocol) + payload, lns)

    def send_ipcp_request(self):
        address = self.address or "0.0.0.0"
        opt = b"\x03\x06" + socket.inet_aton(address)
        self.send_ppp(PPP_IPCP, struct.pack(">BBH", 1, self.ipcp_id, 4 + len(opt)) + opt)

    def ping(self, seq):
        packet = IP(src=self.address, dst=target) / ICMP(id=self.index, seq=seq) / (b"rfc2661-lac %d" % self.index)
        self.send_ppp(PPP_IP, bytes(packet))
        stats["pings_sent"] += 1


tunnel = Tunnel()
calls = {}  # our session id -> Call
our_challenge = os.urandom(16)


def challenge_response(message_type, challenge):
    return hashlib.md5(bytes([message_type]) + secret + challenge).digest()


def on_control(sid, body):
    if not body:
        return  # ZLB
    a = parse_avps(body)
    msg = struct.unpack(">H", a[0])[0]
    tunnel.zlb()  # acknowledge at once: nothing of ours is waiting to carry the Nr
    if msg == SCCRP:
        tunnel.peer_tid = struct.unpack(">H", a[9])[0]
        stats["lns_host_name"] = a.get(7, b"").decode(errors="replace")
        if secret:
            # A mismatch means the secrets differ: go on anyway, so that the LNS's check of our
            # response (with the other secret) is seen too.
            stats["challenge_ok"] = a.get(13) == challenge_response(SCCRP, our_challenge)
        scccn = avp(0, u16(SCCCN))
        if 11 in a:
            scccn += avp(13, challenge_response(SCCCN, a[11]))
        tunnel.send(0, scccn)
        stats["tunnel_up"] = True
        for i in range(n_calls):
            c = Call(i + 1)
            while c.sid in calls:
                c.sid = random.randint(1, 65535)
            calls[c.sid] = c
            tunnel.send(0, avp(0, u16(ICRQ)) + avp(14, u16(c.sid)) + avp(15, u32(1000 + c.index)) +
                        avp(18, u32(2)) + avp(22, b"scapy-line-%d" % c.index) + avp(21, b"wholesale"))
    elif msg == ICRP and sid in calls:
        c = calls[sid]
        c.peer_sid = struct.unpack(">H", a[14])[0]
        iccn = (avp(0, u16(ICCN)) + avp(24, u32(100000000)) + avp(19, u32(1)) +
                avp(26, c.lcp_options(False), False) + avp(27, c.lcp_options(True), False) +
                avp(28, c.lcp_options(False), False) + avp(29, u16(3), False) + avp(30, user, False) +
                avp(32, u16(c.pap_id), False) + avp(33, password, False))
        if sequenced:
            iccn += avp(39, b"")
        tunnel.send(c.peer_sid, iccn)
        c.state = "wait-pap"
        stats["calls_up"] += 1
    elif msg == CDN and sid in calls:
        stats["cdn_received"] += 1
        calls.pop(sid)
    elif msg == STOPCCN:
        result = struct.unpack(">H", a[1][:2])[0] if len(a.get(1, b"")) >= 2 else 0
        stats["stopccn_result"] = result
        raise SystemExit("the LNS stopped the tunnel: result %d %r" % (result, a.get(1, b"")[4:]))


def on_ppp(c, frame):
    if frame[:2] == b"\xff\x03":
        frame = frame[2:]
    else:
        stats["data_without_address_control"] += 1
    protocol = struct.unpack(">H", frame[:2])[0]
    p = frame[2:]
    if protocol == PPP_PAP and p[0] == 2 and p[1] == c.pap_id and c.state == "wait-pap":
        stats["pap_acked"] += 1
        c.state = "ipcp"
        c.send_ipcp_request()
    elif protocol == PPP_IPCP:
        code, ident = p[0], p[1]
        if code == 1:  # the LNS's request: take it as it is
            c.send_ppp(PPP_IPCP, bytes([2, ident]) + p[2:])
            c.ipcp_acked_them = True
        elif code == 3:  # Nak: the address to use
            c.address = socket.inet_ntoa(p[6:10])
            c.ipcp_id += 1
            c.send_ipcp_request()
        elif code == 2:
            c.ipcp_acked_us = True
        if c.ipcp_acked_us and c.ipcp_acked_them and c.state == "ipcp":
            c.state = "up"
            stats["ipcp_up"] += 1
            stats["addresses"].append(c.address)
    elif protocol == PPP_LCP and p[0] == 9:  # Echo-Request: Echo-Reply with our magic number
        c.send_ppp(PPP_LCP, bytes([10, p[1]]) + u16(8) + u32(c.magic))
        stats["lcp_echo_answered"] += 1
    elif protocol == PPP_IPV6CP and p[0] == 1:  # no IPv6 here: Protocol-Reject (RFC 1661 5.7)
        c.send_ppp(PPP_LCP, bytes([8, 1]) + u16(6 + len(frame)) + frame)
        stats["ipv6cp_rejected"] += 1
    elif protocol == PPP_IP:
        reply = IP(p)
        if ICMP in reply and reply[ICMP].type == 0 and reply[ICMP].id == c.index:
            c.pings_answered += 1
            stats["pings_answered"] += 1


def on_datagram(d):
    flags = struct.unpack(">H", d[:2])[0]
    at = 2
    if flags & L:
        at += 2
    _, sid = struct.unpack(">HH", d[at:at + 4])
    at += 4
    if flags & S:
        ns, nr = struct.unpack(">HH", d[at:at + 4])
        at += 4
    if flags & 0x0200:  # offset size
        at += 2 + struct.unpack(">H", d[at:at + 2])[0]
    body = d[at:]
    if flags & T:
        tunnel.acked(nr)
        if body and ns == tunnel.nr:
            tunnel.nr = (tunnel.nr + 1) & 0xFFFF
            on_control(sid, body)
        elif body:
            tunnel.zlb()  # a duplicate: acknowledge again
        return
    stats["data_in"] += 1
    if flags & S:
        stats["data_sequenced_in"] += 1
    if sid in calls:
        on_ppp(calls[sid], body)


def pump(seconds, until=lambda: False):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        try:
            d, peer = sock.recvfrom(4096)
            if peer == lns:
                on_datagram(d)
        except socket.timeout:
            pass
        tunnel.retransmit()
        now = time.monotonic()
        for c in list(calls.values()):
            if c.state == "up" and c.pings_answered < 2 and now >= c.next_ping:
                c.next_ping = now + 1.0
                c.ping(c.pings_answered)


def all_pinged():
    return len(calls) == n_calls and all(c.pings_answered >= 2 for c in calls.values())


ok = False
try:
    sccrq = (avp(0, u16(SCCRQ)) + avp(2, u16(0x0100)) + avp(3, u32(3)) + avp(7, host_name) +
             avp(8, b"rfc2661-scapy", False) + avp(9, u16(tunnel.tid)) + avp(10, u16(8)))
    if secret:
        sccrq += avp(11, our_challenge)
    tunnel.send(0, sccrq)
    pump(30, all_pinged)
    ok = all_pinged()
    # Clear half of the calls from our side, then the tunnel.
    for c in list(calls.values())[: n_calls // 2]:
        tunnel.send(c.peer_sid, avp(0, u16(CDN)) + avp(1, u16(1)) + avp(14, u16(c.sid)))
        stats["cdn_sent"] += 1
        calls.pop(c.sid)
    pump(2, lambda: not tunnel.unacked)
    tunnel.send(0, avp(0, u16(STOPCCN)) + avp(1, u16(1)) + avp(9, u16(tunnel.tid)))
    stats["stopccn_sent"] += 1
    pump(2, lambda: not tunnel.unacked)
except SystemExit as e:
    stats["error"] = str(e)
finally:
    with open(stats_file, "w") as f:
        json.dump(stats, f)
sys.exit(0 if ok else 1)
