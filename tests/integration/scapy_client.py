#!/usr/bin/python3
"""An independent PPPoE client, written from RFC 2516, RFC 1661, RFC 1334 and RFC 1332 with
Scapy, run against pppoed. It checks what our own pppoetest could hide: tags echoed as the RFC
says, the AC-Cookie enforced, a repeated PADR answered with the same session, PADT for frames
of unknown sessions, and a full LCP/PAP/IPCP exchange with a ping through the session.

usage: scapy_client.py IFACE USER PASSWORD   (exit 0 on success, prints each check)
"""
import sys
import time

from scapy.all import Ether, conf, get_if_hwaddr  # noqa: E402
from scapy.layers.inet import ICMP, IP
from scapy.packet import Raw
from scapy.layers.ppp import (PPP, PPP_IPCP, PPP_IPCP_Option_IPAddress, PPP_LCP_Configure, PPP_LCP_Echo,
                              PPP_LCP_Magic_Number_Option, PPP_LCP_MRU_Option, PPP_PAP_Request, PPPoE,
                              PPPoED, PPPoED_Tags, PPPoETag)

IFACE, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
MAC = "02:5c:00:00:00:01"
sock = conf.L2socket(iface=IFACE, promisc=True)
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1


def recv(match, timeout=2.0):
    """First frame to our MAC for which match(frame) is true, or None."""
    end = time.time() + timeout
    while time.time() < end:
        p = sock.recv()
        if p is None or not p.haslayer(Ether) or p[Ether].dst != MAC:
            continue
        if match(p):
            return p
    return None


def tags_of(p):
    return {t.tag_type: t.tag_value for t in p[PPPoED_Tags].tag_list} if p.haslayer(PPPoED_Tags) else {}


def discovery(code, session, tags, dst="ff:ff:ff:ff:ff:ff"):
    sock.send(Ether(src=MAC, dst=dst, type=0x8863) / PPPoED(code=code, sessionid=session) /
              PPPoED_Tags(tag_list=[PPPoETag(tag_type=t, tag_value=v) for t, v in tags]))


# --- Discovery (RFC 2516 section 5) ---------------------------------------------------------
HOST_UNIQ, RELAY = b"\xde\xad\xbe\xef", b"\x01\x02\x03"
discovery(0x09, 0, [(0x0101, b""), (0x0103, HOST_UNIQ), (0x0110, RELAY), (0x0105, b"\x00\x00\x0d\xe9xx")])
pado = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x07)
check(pado is not None, "PADI answered with PADO")
if pado is None:
    sys.exit(1)
ac = pado[Ether].src
t = tags_of(pado)
check(t.get(0x0103) == HOST_UNIQ, "PADO echoes Host-Uniq")
check(t.get(0x0110) == RELAY, "PADO echoes Relay-Session-Id")
check(0x0102 in t and len(t[0x0102]) > 0, "PADO carries AC-Name")
check(0x0101 in t, "PADO carries Service-Name")
check(0x0104 in t and len(t[0x0104]) >= 16, "PADO carries an AC-Cookie")
cookie = t[0x0104]

discovery(0x19, 0, [(0x0101, b""), (0x0103, HOST_UNIQ)], dst=ac)
check(recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x65, 0.7) is None, "PADR without cookie ignored")
forged = bytes([cookie[0] ^ 1]) + cookie[1:]
discovery(0x19, 0, [(0x0101, b""), (0x0103, HOST_UNIQ), (0x0104, forged)], dst=ac)
check(recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x65, 0.7) is None, "PADR with forged cookie ignored")

discovery(0x19, 0, [(0x0101, b"no-such-service"), (0x0103, HOST_UNIQ), (0x0104, cookie)], dst=ac)
err = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x65)
check(err is not None and err[PPPoED].sessionid == 0 and 0x0201 in tags_of(err),
      "PADR for a service not offered: PADS with Service-Name-Error (section 5.4)")

padr = [(0x0101, b""), (0x0103, HOST_UNIQ), (0x0104, cookie), (0x0110, RELAY)]
discovery(0x19, 0, padr, dst=ac)
pads = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x65)
check(pads is not None and pads[PPPoED].sessionid != 0, "PADR answered with PADS and a session ID")
sid = pads[PPPoED].sessionid
check(tags_of(pads).get(0x0103) == HOST_UNIQ and tags_of(pads).get(0x0110) == RELAY, "PADS echoes Host-Uniq and Relay-Session-Id")
discovery(0x19, 0, padr, dst=ac)
again = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0x65)
check(again is not None and again[PPPoED].sessionid == sid, "repeated PADR gets the same session ID")


# --- LCP (RFC 1661) -------------------------------------------------------------------------
def send_ppp(payload):
    sock.send(Ether(src=MAC, dst=ac, type=0x8864) / PPPoE(sessionid=sid) / payload)


def ppp_frame(proto):
    return lambda p: p.haslayer(PPPoE) and p[PPPoE].sessionid == sid and p.haslayer(PPP) and p[PPP].proto == proto


MAGIC = 0x1234ABCD
send_ppp(PPP(proto=0xc021) / PPP_LCP_Configure(code=1, id=1, options=[
    PPP_LCP_MRU_Option(max_recv_unit=1492), PPP_LCP_Magic_Number_Option(magic_number=MAGIC)]))
our_acked = their_req = False
end = time.time() + 5
while time.time() < end and not (our_acked and their_req):
    p = recv(ppp_frame(0xc021), 1)
    if p is None:
        continue
    lcp = p[PPP].payload
    if lcp.code == 1:  # the AC's Configure-Request: acknowledge it as is (RFC 1661 section 5.1)
        opts = {o.type for o in lcp.options}
        check(7 not in opts and 8 not in opts, "AC does not ask for PFC/ACFC (RFC 2516 section 7)")
        check(3 in opts, "AC asks for authentication")
        raw = bytes(lcp)
        send_ppp(PPP(proto=0xc021) / (bytes([2]) + raw[1:]))
        their_req = True
    elif lcp.code == 2 and lcp.id == 1:
        our_acked = True
check(our_acked and their_req, "LCP opened in both directions")

send_ppp(PPP(proto=0xc021) / PPP_LCP_Echo(code=9, id=7, magic_number=MAGIC, data=b"hello"))
echo = recv(lambda p: ppp_frame(0xc021)(p) and p[PPP].payload.code == 10)
check(echo is not None and echo[PPP_LCP_Echo].id == 7 and echo[PPP_LCP_Echo].data == b"hello", "Echo-Request answered")

# --- PAP (RFC 1334) -------------------------------------------------------------------------
send_ppp(PPP(proto=0xc023) / PPP_PAP_Request(id=3, username=USER.encode(), password=PASSWORD.encode()))
pap = recv(ppp_frame(0xc023))
check(pap is not None and bytes(pap[PPP].payload)[0] == 2, "PAP Authenticate-Ack")

# --- IPCP (RFC 1332) ------------------------------------------------------------------------
address = "0.0.0.0"
ipcp_id, ipcp_open, their_ack = 1, False, False
send_ppp(PPP(proto=0x8021) / PPP_IPCP(code=1, id=ipcp_id, options=[PPP_IPCP_Option_IPAddress(data=address)]))
end = time.time() + 5
while time.time() < end and not (ipcp_open and their_ack):
    p = recv(ppp_frame(0x8021), 1)
    if p is None:
        continue
    ipcp = p[PPP_IPCP]
    if ipcp.code == 1:
        raw = bytes(ipcp)
        send_ppp(PPP(proto=0x8021) / (bytes([2]) + raw[1:]))
        their_ack = True
    elif ipcp.code == 3:  # Nak: the address we must use
        address = ipcp.options[0].data
        ipcp_id += 1
        send_ppp(PPP(proto=0x8021) / PPP_IPCP(code=1, id=ipcp_id, options=[PPP_IPCP_Option_IPAddress(data=address)]))
    elif ipcp.code == 2 and ipcp.id == ipcp_id:
        ipcp_open = True
check(ipcp_open and their_ack and address != "0.0.0.0", f"IPCP opened, address {address}")

# --- Traffic through the session --------------------------------------------------------------
# Scapy's PPP layer compresses protocol 0x0021 to one byte (PFC), which RFC 2516 section 7
# forbids on PPPoE and pppoed rightly drops; write the two-byte field ourselves.
def ipv4(packet):
    return Raw(b"\x00\x21" + bytes(packet))


# Up to three tries: on a loaded 2-CPU box one echo and Scapy's slow receive loop can miss
# each other (seen once in CI while the ASan build of another job was running).
reply = None
for seq in (1, 2, 3):
    send_ppp(ipv4(IP(src=address, dst="10.0.0.1") / ICMP(id=77, seq=seq) / b"scapy"))
    reply = recv(lambda p: ppp_frame(0x0021)(p) and p.haslayer(ICMP) and p[ICMP].type == 0 and p[ICMP].id == 77)
    if reply is not None:
        break
check(reply is not None and reply.haslayer(Raw) and reply[Raw].load == b"scapy", "ICMP echo through the session")
send_ppp(ipv4(IP(src="10.99.99.99", dst="10.0.0.1") / ICMP(id=78, seq=1)))
check(recv(lambda p: ppp_frame(0x0021)(p) and p.haslayer(ICMP) and p[ICMP].id == 78, 0.7) is None,
      "spoofed source address dropped")

send_ppp(PPP(proto=0x0021) / IP(src=address, dst="10.0.0.1") / ICMP(id=80, seq=1))  # PFC-compressed
check(recv(lambda p: ppp_frame(0x0021)(p) and p.haslayer(ICMP) and p[ICMP].id == 80, 0.7) is None,
      "PFC-compressed frame dropped (RFC 2516 section 7)")

# --- Unknown protocol, unknown session, PADT ------------------------------------------------
send_ppp(PPP(proto=0x80fd) / b"\x01\x01\x00\x04")  # CCP: not offered
rej = recv(lambda p: ppp_frame(0xc021)(p) and p[PPP].payload.code == 8)
check(rej is not None and bytes(rej[PPP].payload)[4:6] == b"\x80\xfd", "Protocol-Reject for an unknown protocol")
other = (sid % 60000) + 1000
sock.send(Ether(src=MAC, dst=ac, type=0x8864) / PPPoE(sessionid=other) / PPP(proto=0xc021) /
          PPP_LCP_Echo(code=9, id=1, magic_number=1))
padt = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0xa7 and p[PPPoED].sessionid == other)
check(padt is not None, "frame for an unknown session answered with PADT")
discovery(0xa7, sid, [], dst=ac)
time.sleep(0.3)
send_ppp(ipv4(IP(src=address, dst="10.0.0.1") / ICMP(id=79, seq=1)))
padt = recv(lambda p: p.haslayer(PPPoED) and p[PPPoED].code == 0xa7 and p[PPPoED].sessionid == sid)
check(padt is not None, "after our PADT the session is gone (its frames get a PADT)")
sys.exit(1 if failures else 0)
