#!/usr/bin/python3
"""An independent PPPoE access concentrator, written from RFC 2516 (discovery), RFC 1661 (LCP),
RFC 1334 and RFC 1994 (PAP, CHAP-MD5) and RFC 1332/1877 (IPCP with DNS) with Scapy for the
frames, so that pppoec is tested against code it shares nothing with. One session at a time;
answers ICMP echo to its own address through the session; refuses IPv6CP with a
Protocol-Reject (RFC 1661 section 5.7).

usage: scapy_ac.py IFACE USER PASSWORD pap|chap normal|hostile SECONDS

hostile: once the session is up, it sends what a broken or malicious AC might: truncated and
malformed discovery frames, PADTs for another session and from another MAC, frames of an
unknown session, a truncated LCP packet, an unknown LCP code and an unknown protocol, then a
storm of Configure-Requests. Prints one "ok"/"FAIL" line per check and the session's fate.
"""
import hashlib
import os
import socket
import struct
import sys
import time

from scapy.layers.inet import ICMP, IP
from scapy.layers.l2 import Ether
from scapy.layers.ppp import PPPoED, PPPoED_Tags, PPPoETag

IFACE, USER, PASSWORD, AUTH, MODE, SECONDS = sys.argv[1:7]
SID = 0x4242
AC_IP, PEER_IP, DNS = "10.77.0.1", "10.77.0.2", "192.0.2.53"
COOKIE = os.urandom(16)
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sock.bind((IFACE, 0))
sock.settimeout(0.05)
MY_MAC = sock.getsockname()[4]
MAGIC = os.urandom(4)
failures = 0
st = {}


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures += 1


def reset_ppp():
    st.update(lcp_ours=False, lcp_peer=False, authed=False, ipcp_ours=False, ipcp_peer=False, auth_started=False,
              ipcp_started=False, lcp_id=1, challenge=b"")


def send_raw(frame):
    sock.send(frame)


def session_frame(proto, payload, sid=SID, src=None):
    body = struct.pack("!H", proto) + payload
    return (st["peer"] + (src or MY_MAC) + b"\x88\x64" + struct.pack("!BBHH", 0x11, 0, sid, len(body)) + body)


def cp(proto, code, ident, data=b""):
    send_raw(session_frame(proto, struct.pack("!BBH", code, ident, 4 + len(data)) + data))


def opt(t, v):
    return struct.pack("!BB", t, 2 + len(v)) + v


def options(data):
    out, i = [], 0
    while i + 2 <= len(data):
        t, n = data[i], data[i + 1]
        if n < 2 or i + n > len(data):
            return None
        out.append((t, data[i + 2:i + n]))
        i += n
    return out


def lcp_request():
    auth = b"\xc0\x23" if AUTH == "pap" else b"\xc2\x23\x05"
    st["lcp_id"] = (st["lcp_id"] + 1) & 0xff
    cp(0xc021, 1, st["lcp_id"], opt(1, b"\x05\xd4") + opt(3, auth) + opt(5, MAGIC))


def on_discovery(frame):
    p = Ether(frame)
    if not p.haslayer(PPPoED):
        return
    d = p[PPPoED]
    tags = {t.tag_type: t.tag_value for t in p[PPPoED_Tags].tag_list} if p.haslayer(PPPoED_Tags) else {}
    echo = [PPPoETag(tag_type=0x0103, tag_value=tags[0x0103])] if 0x0103 in tags else []
    reply = Ether(src=MY_MAC, dst=p.src, type=0x8863)
    if d.code == 0x09:  # PADI -> PADO (RFC 2516 5.2)
        st["padi"] = st.get("padi", 0) + 1
        send_raw(bytes(reply / PPPoED(code=0x07, sessionid=0) / PPPoED_Tags(tag_list=[
            PPPoETag(tag_type=0x0101, tag_value=tags.get(0x0101, b"")), PPPoETag(tag_type=0x0102, tag_value=b"scapy-ac"),
            PPPoETag(tag_type=0x0104, tag_value=COOKIE)] + echo)))
    elif d.code == 0x19 and tags.get(0x0104) == COOKIE:  # PADR -> PADS (5.4)
        st["peer"] = bytes.fromhex(p.src.replace(":", ""))
        send_raw(bytes(reply / PPPoED(code=0x65, sessionid=SID) / PPPoED_Tags(tag_list=[
            PPPoETag(tag_type=0x0101, tag_value=tags.get(0x0101, b""))] + echo)))
        reset_ppp()
        st["sessions"] = st.get("sessions", 0) + 1
        lcp_request()
    elif d.code == 0xa7:
        st.setdefault("padts", []).append(d.sessionid)


def on_lcp(code, ident, data):
    if code == 1:  # Configure-Request: only MRU and Magic-Number are welcome
        opts = options(data)
        if opts is None:
            return
        if st["lcp_peer"] and st["lcp_ours"]:  # renegotiation (RFC 1661: tld, scr)
            reset_ppp()
            lcp_request()
        bad = b"".join(opt(t, v) for t, v in opts if t not in (1, 5))
        if bad:
            cp(0xc021, 4, ident, bad)
        else:
            cp(0xc021, 2, ident, data)
            st["lcp_peer"] = True
    elif code == 2 and ident == st["lcp_id"]:
        st["lcp_ours"] = True
    elif code in (3, 4):
        lcp_request()
    elif code == 9:  # Echo-Request
        cp(0xc021, 10, ident, MAGIC + data[4:])
    elif code == 5:  # Terminate-Request
        cp(0xc021, 6, ident)
        st["terminated"] = True
    elif code == 7:
        st["code_reject"] = data
    elif code == 8:
        st["protocol_reject"] = data[:2]


def on_auth(proto, code, ident, data):
    if proto == 0xc023 and code == 1:  # PAP Authenticate-Request (RFC 1334 2.2.1)
        n = data[0]
        user, m = data[1:1 + n], data[1 + n]
        pw = data[2 + n:2 + n + m]
        ok = user == USER.encode() and pw == PASSWORD.encode()
        cp(0xc023, 2 if ok else 3, ident, b"\x00")
        st["authed"] = ok
    elif proto == 0xc223 and code == 2:  # CHAP Response (RFC 1994 4.1)
        n = data[0]
        value = data[1:1 + n]
        want = hashlib.md5(bytes([ident]) + PASSWORD.encode() + st["challenge"]).digest()
        ok = value == want and data[1 + n:] == USER.encode()
        cp(0xc223, 3 if ok else 4, ident, b"welcome" if ok else b"no")
        st["authed"] = ok


def on_ipcp(code, ident, data):
    if code == 1:
        opts = options(data) or []
        want = {3: socket.inet_aton(PEER_IP), 129: socket.inet_aton(DNS), 131: socket.inet_aton(DNS)}
        rej = b"".join(opt(t, v) for t, v in opts if t not in want)
        nak = b"".join(opt(t, want[t]) for t, v in opts if t in want and v != want[t])
        if rej:
            cp(0x8021, 4, ident, rej)
        elif nak:
            cp(0x8021, 3, ident, nak)
        else:
            cp(0x8021, 2, ident, data)
            st["ipcp_peer"] = True
    elif code == 2:
        st["ipcp_ours"] = True


def on_session(frame):
    if "peer" not in st or frame[6:12] != st["peer"]:
        return
    ver, code, sid, length = struct.unpack("!BBHH", frame[14:20])
    payload = frame[20:20 + length]
    if sid != SID or len(payload) < 2:
        return
    proto = struct.unpack("!H", payload[:2])[0]
    body = payload[2:]
    if proto == 0x0021:
        ip = IP(body)
        if ip.haslayer(ICMP) and ip[ICMP].type == 8 and ip.dst == AC_IP:
            st["pings"] = st.get("pings", 0) + 1
            reply = IP(src=AC_IP, dst=ip.src) / ICMP(type=0, id=ip[ICMP].id, seq=ip[ICMP].seq) / ip[ICMP].payload
            send_raw(session_frame(0x0021, bytes(reply)))
        return
    if len(body) < 4:
        return
    c, ident, n = struct.unpack("!BBH", body[:4])
    data = body[4:n]
    if proto == 0xc021:
        on_lcp(c, ident, data)
    elif proto in (0xc023, 0xc223):
        on_auth(proto, c, ident, data)
    elif proto == 0x8021:
        on_ipcp(c, ident, data)
    elif proto == 0x8057:  # IPv6CP: not offered here (RFC 1661 5.7)
        st["lcp_id"] = (st["lcp_id"] + 1) & 0xff
        cp(0xc021, 8, st["lcp_id"], struct.pack("!H", proto) + body)


def progress():
    if st.get("lcp_ours") and st.get("lcp_peer") and not st["auth_started"]:
        st["auth_started"] = True
        if AUTH == "chap":
            st["challenge"] = os.urandom(16)
            cp(0xc223, 1, 7, bytes([16]) + st["challenge"] + b"scapy-ac")
    if st.get("authed") and not st["ipcp_started"]:
        st["ipcp_started"] = True
        cp(0x8021, 1, 1, opt(3, socket.inet_aton(AC_IP)))


def up():
    return st.get("ipcp_ours") and st.get("ipcp_peer")


def hostile():
    """What a broken or malicious AC sends to a live session."""
    peer = st["peer"]
    raw = lambda body, et=b"\x88\x63", src=MY_MAC: send_raw(peer + src + et + body)
    raw(struct.pack("!BBHH", 0x11, 0x07, 0, 200) + b"\x01\x01")         # length past the frame
    raw(struct.pack("!BBHH", 0x22, 0x07, 0, 0))                         # VER/TYPE not 1/1
    raw(struct.pack("!BBHH", 0x11, 0x07, 0, 6) + b"\x01\x02\x00\x09ab")  # tag longer than the payload
    raw(struct.pack("!BBHH", 0x11, 0xa7, SID ^ 0x0101, 0))              # PADT for another session
    raw(struct.pack("!BBHH", 0x11, 0xa7, SID, 0), src=b"\x02\x66\x66\x66\x66\x66")  # PADT from another MAC
    send_raw(session_frame(0xc021, b"\x09\x01\x00\x08", sid=0x1111))   # frame of an unknown session
    send_raw(session_frame(0xc021, b"\x01\x05\x00\x40\x01"))           # LCP length past the packet
    cp(0xc021, 0x42, 0x33, b"junk")                                     # unknown LCP code
    send_raw(session_frame(0x4321, b"\x00\x01\x02\x03"))               # unknown protocol
    time.sleep(0.5)
    for i in range(50):                                                 # Configure-Request storm
        cp(0xc021, 1, 0x80 + i, opt(1, b"\x05\xd4") + opt(5, os.urandom(4)))


deadline = time.time() + float(SECONDS)
hostile_done = False
was_up = False
while time.time() < deadline:
    try:
        frame = sock.recv(2048)
    except (socket.timeout, OSError):  # ENETDOWN while the peer's side is being set up
        frame = None
    if frame and len(frame) >= 20 and frame[0:6] in (MY_MAC, b"\xff" * 6):
        et = frame[12:14]
        if et == b"\x88\x63":
            on_discovery(frame)
        elif et == b"\x88\x64":
            on_session(frame)
    if "peer" in st:
        progress()
        if up() and not was_up:
            was_up = True
            print("session up", flush=True)
        if MODE == "hostile" and up() and not hostile_done and st.get("pings", 0) >= 1:
            hostile_done = True
            hostile()
            st["after_storm"] = time.time()

check(st.get("sessions", 0) >= 1, "a session was established")
check(st.get("pings", 0) >= 1, "pings arrived through the session")
if MODE == "hostile":
    check(0x1111 in st.get("padts", []), "the client answered the unknown session's frame with PADT")
    check(st.get("code_reject") is not None and st["code_reject"][:1] == b"\x42", "Code-Reject for the unknown LCP code")
    check(st.get("protocol_reject") == b"\x43\x21", "Protocol-Reject for the unknown protocol")
    check(up(), "the session is up at the end (kept or renegotiated after the storm)")
print(f"sessions {st.get('sessions', 0)} pings {st.get('pings', 0)} padi {st.get('padi', 0)}", flush=True)
sys.exit(1 if failures else 0)
