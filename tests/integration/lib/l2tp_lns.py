#!/usr/bin/python3
"""An L2TPv2 LNS written from RFC 2661 alone, independent of pppoed's C++ code, for the tests.

  l2tp_lns.py ADDRESS STATS_FILE [--secret-file F] [--users user:pass,...] [--host-name NAME]
              [--refuse yes] [--cdn-after N] [--sequenced yes]

Answers SCCRQ/SCCCN (with tunnel authentication when a secret is given: section 5.1.1),
ICRQ/ICCN (checking the PAP or CHAP proxy authentication of the ICCN against --users: a wrong
password is answered with CDN), HELLO, CDN and StopCCN; acknowledges with ZLBs; reveals hidden
AVPs (section 4.3); retransmits its own messages until acknowledged (section 5.8, a plain 1 s
timer per message). With --refuse yes every SCCRQ gets StopCCN result 4.

It also terminates the PPP of an established call, as an LNS that accepts the proxy LCP and
authentication does: PAP Authenticate-Ack or CHAP Success with the proxied Identifier, IPCP
(its address 10.99.0.1, the subscriber's 10.99.x.y), LCP Echo-Reply with the magic number the
LAC negotiated (from the Last Sent CONFREQ AVP), Protocol-Reject for IPv6CP, and ICMP echo
replies to whatever pings it. --cdn-after N clears each call with CDN after N echoes.
On SIGTERM writes what it saw as JSON to STATS_FILE and exits; on SIGHUP only writes it.
SIGUSR1 clears every call (CDN), SIGUSR2 stops every tunnel (StopCCN).
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
refuse = opts.get("--refuse") == "yes"
sequenced = opts.get("--sequenced") == "yes"  # data with Ns/Nr (section 5.4): the LAC must follow
cdn_after = int(opts.get("--cdn-after", "0"))

stats = {"tunnels": 0, "tunnels_established": 0, "auth_failures": 0, "sessions": 0, "sessions_established": 0,
         "pap_ok": 0, "pap_bad": 0, "hidden_avps": 0, "cdn_received": 0, "stopccn_received": 0, "hello": 0,
         "zlb_sent": 0, "retransmitted": 0, "duplicates": 0, "users": {}, "chap_ok": 0, "refused": 0,
         "ppp_up": 0, "lcp_echo": 0, "icmp_echoed": 0, "data_in": 0, "data_out": 0, "lcp_terminate": 0,
         "sequenced_in": 0, "address_control_missing": 0,
         "pap_reack": 0, "lac_host_names": [], "circuit_ids": [], "remote_ids": []}
calls = {}  # (tunnel id, our session id) -> Call


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
        # Vendor AVPs keyed as vendor << 16 | type (RFC 5515's are vendor 3561).
        out.append((attr if vendor == 0 else vendor << 16 | attr, value, hidden))
    return out


class Tunnel:
    def __init__(self, peer, peer_tid):
        self.peer, self.peer_tid = peer, peer_tid
        self.tid = random.randint(1, 65535)
        while self.tid in tunnels:
            self.tid = random.randint(1, 65535)
        self.ns = self.nr = 0
        self.unacked = []  # [(ns, datagram, sent_at)]
        self.challenge = os.urandom(16)
        self.sessions = {}  # our session id -> peer session id
        self.established = False


class Call:
    def __init__(self, t, sid, magic, address):
        self.t, self.sid, self.magic, self.address = t, sid, magic, address
        self.echoes = 0
        self.data_ns = 0
        self.ipcp_acked = False  # the subscriber acknowledged our IPCP Configure-Request
        self.ipcp_sent_at = time.monotonic()
        self.ipcp_tries = 1


def lcp_magic(options):
    """The Magic-Number option (type 5, RFC 1661 section 6.4) of a Configure-Request's options."""
    at = 0
    while at + 2 <= len(options):
        kind, length = options[at], options[at + 1]
        if length < 2:
            break
        if kind == 5 and length == 6:
            return options[at + 2:at + 6]
        at += length
    return b"\0\0\0\0"


def send_ppp(c, protocol, payload):
    """A data message (section 5.3) with the PPP frame, FF 03 first."""
    if sequenced:
        header = struct.pack(">HHHHH", S | VER, c.t.peer_tid, c.t.sessions.get(c.sid, 0), c.data_ns, 0)
        c.data_ns = (c.data_ns + 1) & 0xFFFF
    else:
        header = struct.pack(">HHH", VER, c.t.peer_tid, c.t.sessions.get(c.sid, 0))
    sock.sendto(header + b"\xff\x03" + struct.pack(">H", protocol) + payload, c.t.peer)
    stats["data_out"] += 1


def send_ipcp_request(c):
    """Our IPCP Configure-Request (RFC 1332): address 10.99.0.1, the same Identifier each time."""
    c.ipcp_sent_at = time.monotonic()
    send_ppp(c, 0x8021, cp(1, 1, bytes([3, 6, 10, 99, 0, 1])))


def cp(code, ident, data):
    return struct.pack(">BBH", code, ident, 4 + len(data)) + data


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def on_ppp(c, frame):
    stats["data_in"] += 1
    if frame[:2] == b"\xff\x03":
        frame = frame[2:]
    else:
        stats["address_control_missing"] += 1
    protocol, body = struct.unpack(">H", frame[:2])[0], frame[2:]
    if protocol == 0xC021 and len(body) >= 4:  # LCP
        code, ident = body[0], body[1]
        if code == 9:  # Echo-Request: answered with the LAC's magic number (RFC 1661 section 5.8)
            stats["lcp_echo"] += 1
            send_ppp(c, 0xC021, cp(10, ident, c.magic + body[8:]))
            c.echoes += 1
            if cdn_after and c.echoes == cdn_after:
                peer_sid = c.t.sessions.pop(c.sid, 0)
                send(c.t, peer_sid, avp(0, u16(CDN)) + avp(1, u16(3) + u16(0) + b"administrative") + avp(14, u16(c.sid)))
        elif code == 5:  # Terminate-Request
            stats["lcp_terminate"] += 1
            send_ppp(c, 0xC021, cp(6, ident, b""))
    elif protocol == 0x8021 and len(body) >= 4:  # IPCP (RFC 1332)
        code, ident = body[0], body[1]
        if code == 2:
            c.ipcp_acked = True
        if code == 1:
            opts_in, at, nak, rej = body[4:], 0, b"", b""
            while at + 2 <= len(opts_in):
                kind, length = opts_in[at], opts_in[at + 1]
                if length < 2:
                    break
                option = opts_in[at:at + length]
                if kind == 3 and option[2:6] != c.address:
                    nak += bytes([3, 6]) + c.address
                elif kind != 3:
                    rej += option
                at += length
            if rej:
                send_ppp(c, 0x8021, cp(4, ident, rej))
            elif nak:
                send_ppp(c, 0x8021, cp(3, ident, nak))
            else:
                send_ppp(c, 0x8021, cp(2, ident, opts_in))
                stats["ppp_up"] += 1
    elif protocol == 0xC023 and len(body) >= 4 and body[0] == 1:
        # A PAP Authenticate-Request after the proxied one was accepted: its Ack was lost, or
        # the subscriber retransmitted with a new Identifier while the call was being placed.
        # Ack again (RFC 1334 section 2.2.1), with this request's Identifier.
        stats["pap_reack"] += 1
        send_ppp(c, 0xC023, cp(2, body[1], b"\0"))
    elif protocol == 0x8057:  # IPv6CP: not here (RFC 1661 section 5.7 Protocol-Reject)
        send_ppp(c, 0xC021, cp(8, 1, frame[:2] + body))
    elif protocol == 0x0021 and len(body) >= 28 and body[9] == 1 and body[20] == 8:  # ICMP echo request
        ihl = (body[0] & 0x0F) * 4
        icmp = bytearray(body[ihl:])
        icmp[0], icmp[2], icmp[3] = 0, 0, 0
        icmp[2:4] = struct.pack(">H", checksum(bytes(icmp)))
        header = bytearray(body[:ihl])
        header[12:16], header[16:20] = body[16:20], body[12:16]
        send_ppp(c, 0x0021, bytes(header) + bytes(icmp))
        stats["icmp_echoed"] += 1


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
        if (3561 << 16 | 1) in get:  # RFC 5515 Agent-Circuit-Id
            stats["circuit_ids"].append(get[3561 << 16 | 1].decode(errors="replace"))
        if (3561 << 16 | 2) in get:
            stats["remote_ids"].append(get[3561 << 16 | 2].decode(errors="replace"))
        ours = random.randint(1, 65535)
        while ours in t.sessions:  # a session ID in use would swap two calls' frames
            ours = random.randint(1, 65535)
        t.sessions[ours] = struct.unpack(">H", get[14])[0]
        send(t, t.sessions[ours], avp(0, u16(ICRP)) + avp(14, u16(ours)))
    elif msg == ICCN:
        user = get.get(30, b"").decode()
        stats["users"][user] = stats["users"].get(user, 0) + 1
        ident = struct.unpack(">H", get.get(32, b"\0\0"))[0] & 0xFF
        ok = False
        if get.get(29) == u16(3):  # PAP: the password itself (hidden)
            ok = users.get(user) == get.get(33, b"").decode()
            stats["pap_ok"] += ok
        elif get.get(29) == u16(2) and user in users:  # CHAP: MD5(ID, secret, challenge), RFC 1994
            want = hashlib.md5(bytes([ident]) + users[user].encode() + get.get(31, b"")).digest()
            ok = get.get(33) == want
            stats["chap_ok"] += ok
        if ok:
            stats["sessions_established"] += 1
            n = stats["sessions_established"]
            c = Call(t, sid, lcp_magic(get.get(27, b"")), bytes([10, 99, (n >> 8) & 0xFF, n & 0xFF]))
            calls[(t.tid, sid)] = c
            # The proxied authentication succeeded: answer the subscriber as the authenticator.
            if get.get(29) == u16(3):
                send_ppp(c, 0xC023, cp(2, ident, b"\0"))
            else:
                send_ppp(c, 0xC223, cp(3, ident, b""))
            send_ipcp_request(c)
        else:
            stats["pap_bad"] += 1
            send(t, t.sessions.pop(sid, 0), avp(0, u16(CDN)) + avp(1, u16(2) + u16(0) + b"authentication failed") +
                 avp(14, u16(sid)))
    elif msg == CDN:
        stats["cdn_received"] += 1
        t.sessions.pop(sid, None)
        calls.pop((t.tid, sid), None)
    elif msg == STOPCCN:
        stats["stopccn_received"] += 1
        t.established = False
    elif msg == HELLO:
        stats["hello"] += 1


def on_datagram(d, peer):
    flags = struct.unpack(">H", d[:2])[0]
    if not flags & T:  # data (section 5.3): optional Length, Ns/Nr, Offset
        at = 2 + (2 if flags & L else 0)
        tid, sid = struct.unpack(">HH", d[at:at + 4])
        at += 4
        if flags & S:
            stats["sequenced_in"] += 1
            at += 4
        if flags & 0x0200:  # O
            at += 2 + struct.unpack(">H", d[at:at + 2])[0]
        c = calls.get((tid, sid))
        if c is not None:
            on_ppp(c, d[at:])
        return
    flags, length, tid, sid, ns, nr = struct.unpack(">HHHHHH", d[:12])
    body = d[12:length]
    if tid == 0:
        avps = parse_avps(body)
        if not avps or struct.unpack(">H", avps[0][1])[0] != SCCRQ:
            return
        get = {a: v for a, v, _ in avps}
        for t in tunnels.values():  # a retransmitted SCCRQ: the same tunnel
            if t.peer == peer and t.peer_tid == struct.unpack(">H", get[9])[0]:
                zlb(t)
                return
        t = Tunnel(peer, struct.unpack(">H", get[9])[0])
        stats["lac_host_names"].append(get.get(7, b"").decode(errors="replace"))
        t.nr = 1
        tunnels[t.tid] = t
        stats["tunnels"] += 1
        reply = avp(0, u16(SCCRP)) + avp(2, u16(0x0100)) + avp(3, struct.pack(">I", 3)) + avp(7, host_name) + \
            avp(9, u16(t.tid)) + avp(10, u16(8)) + avp(8, b"rfc2661-test", False)
        if 11 in get:
            reply += avp(13, hashlib.md5(bytes([SCCRP]) + secret + get[11]).digest())
        if secret:
            reply += avp(11, t.challenge)
        if refuse:
            stats["refused"] += 1
            reply = avp(0, u16(STOPCCN)) + avp(9, u16(t.tid)) + avp(1, u16(4) + u16(0) + b"not authorized")
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


def write_stats(*_):
    with open(stats_file + ".tmp", "w") as f:
        json.dump(stats, f)
    os.replace(stats_file + ".tmp", stats_file)


def dump(*_):
    write_stats()
    sys.exit(0)


def clear_calls(*_):
    """SIGUSR1: CDN for every call, as an LNS operator clearing them does."""
    for (tid, sid), c in list(calls.items()):
        peer_sid = c.t.sessions.pop(sid, 0)
        send(c.t, peer_sid, avp(0, u16(CDN)) + avp(1, u16(3) + u16(0) + b"cleared by the LNS") + avp(14, u16(sid)))
    calls.clear()


def stop_tunnels(*_):
    """SIGUSR2: StopCCN for every tunnel (section 5.7): all their calls end with them."""
    for t in list(tunnels.values()):
        if t.established:
            send(t, 0, avp(0, u16(STOPCCN)) + avp(9, u16(t.tid)) + avp(1, u16(6) + u16(0) + b"LNS shutting down"))
            t.established = False
    calls.clear()


signal.signal(signal.SIGTERM, dump)
signal.signal(signal.SIGUSR1, clear_calls)
signal.signal(signal.SIGHUP, write_stats)
signal.signal(signal.SIGUSR2, stop_tunnels)
while True:
    try:
        d, peer = sock.recvfrom(4096)
        on_datagram(d, peer)
    except (socket.timeout, InterruptedError):
        pass
    now = time.monotonic()
    # RFC 1661 restart timer (1 s here, 10 tries) for our IPCP Configure-Request: data messages
    # are not retransmitted by L2TP, so a lost one is ours to send again.
    for c in list(calls.values()):  # a signal handler may clear calls meanwhile
        if not c.ipcp_acked and c.ipcp_tries < 10 and now - c.ipcp_sent_at >= 1.0:
            c.ipcp_tries += 1
            send_ipcp_request(c)
    # Section 5.8: each unacknowledged message of ours again after 1 s (a plain timer per
    # message; the peer drops what follows a loss until the gap is filled).
    for t in list(tunnels.values()):
        for i, u in enumerate(t.unacked):
            if now - u[3] >= 1.0:
                stats["retransmitted"] += 1
                sock.sendto(struct.pack(">HHHHHH", T | L | S | VER, 12 + len(u[2]), t.peer_tid, u[1], u[0], t.nr) + u[2],
                            t.peer)
                t.unacked[i] = (u[0], u[1], u[2], now)
