#!/usr/bin/python3
"""An independent PPPoE client, written from RFC 2516, RFC 1661, RFC 1334 and RFC 1332 with
Scapy, run against pppoed. It checks what our own pppoetest could hide: tags echoed as the RFC
says, the AC-Cookie enforced, a repeated PADR answered with the same session, PADT for frames
of unknown sessions, and a full LCP/PAP/IPCP exchange with a ping through the session.

With a 4th argument, IPV6_HOST, also IPv6 as a CPE does it (RFC 5072 IPv6CP, RFC 4861 Router
Solicitation and Advertisement, RFC 4862 SLAAC, RFC 8106 RDNSS): the /64 from the advertisement,
an echo from the SLAAC address to IPV6_HOST behind the AC, a spoofed IPv6 source dropped.

usage: scapy_client.py IFACE USER PASSWORD [IPV6_HOST]   (exit 0 on success, prints each check)
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
IPV6_HOST = sys.argv[4] if len(sys.argv) > 4 else None
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

# --- IPv6CP (RFC 5072), Router Solicitation/Advertisement (RFC 4861), SLAAC (RFC 4862) ------
def ipv6(packet):
    return Raw(b"\x00\x57" + bytes(packet))  # two-byte protocol field, as for IPv4


if IPV6_HOST:
    from scapy.layers.inet6 import (ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_RA, ICMPv6ND_RS,
                                    ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS, IPv6)
    import struct
    IID = 0x0211223344556677
    iid_opt = bytes([1, 10]) + IID.to_bytes(8, "big")  # Interface-Identifier (RFC 5072 section 4.1)
    send_ppp(PPP(proto=0x8057) / Raw(struct.pack("!BBH", 1, 1, 4 + len(iid_opt)) + iid_opt))
    v6_acked = v6_theirs = False
    end = time.time() + 5
    while time.time() < end and not (v6_acked and v6_theirs):
        p = recv(ppp_frame(0x8057), 1)
        if p is None:
            continue
        cp = bytes(p[PPP].payload)
        if cp[0] == 1:
            send_ppp(PPP(proto=0x8057) / Raw(bytes([2]) + cp[1:]))
            v6_theirs = True
        elif cp[0] == 2 and cp[1] == 1:
            v6_acked = True
    check(v6_acked and v6_theirs, "IPv6CP opened")
    link_local = "fe80::211:2233:4455:6677"

    def router_advertisement(p):
        if not (p.haslayer(PPPoE) and p[PPPoE].sessionid == sid):
            return False
        raw = bytes(p[PPPoE].payload)
        return raw[:2] == b"\x00\x57" and IPv6(raw[2:]).haslayer(ICMPv6ND_RA)

    send_ppp(ipv6(IPv6(src=link_local, dst="ff02::2", hlim=255) / ICMPv6ND_RS()))
    ra = recv(router_advertisement, 3)
    check(ra is not None, "Router Solicitation answered with a Router Advertisement")
    if ra is not None:
        adv = IPv6(bytes(ra[PPPoE].payload)[2:])
        check(adv[IPv6].hlim == 255 and adv[IPv6].src.startswith("fe80:"), "advertisement from a link-local source, hop limit 255")
        pio = adv[ICMPv6NDOptPrefixInfo] if adv.haslayer(ICMPv6NDOptPrefixInfo) else None
        check(pio is not None and pio.prefixlen == 64 and pio.A == 1, "a /64 with the autonomous flag (SLAAC)")
        check(adv.haslayer(ICMPv6NDOptMTU) and adv[ICMPv6NDOptMTU].mtu <= 1492, "an MTU option within the PPPoE MTU")
        check(adv.haslayer(ICMPv6NDOptRDNSS) and len(adv[ICMPv6NDOptRDNSS].dns) >= 1, "RDNSS (RFC 8106)")
        if pio is not None:
            import ipaddress
            wan = str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(pio.prefix)) | IID))  # prefix::IID

            def ipv6_of(p):
                """The IPv6 packet a frame of our session carries, or None."""
                if not (p.haslayer(PPPoE) and p[PPPoE].sessionid == sid):
                    return None
                raw = bytes(p[PPPoE].payload)
                return IPv6(raw[2:]) if raw[:2] == b"\x00\x57" else None

            def echo6(ident):
                def match(p):
                    q = ipv6_of(p)
                    return q is not None and q.haslayer(ICMPv6EchoReply) and q[ICMPv6EchoReply].id == ident
                return match

            def ping6(src, ident, seqs=(1, 2, 3)):
                """An echo from `src` to IPV6_HOST answered, up to three tries (a loaded CI box)."""
                for seq in seqs:
                    send_ppp(ipv6(IPv6(src=src, dst=IPV6_HOST) / ICMPv6EchoRequest(id=ident, seq=seq, data=b"scapy6")))
                    if recv(echo6(ident)) is not None:
                        return True
                return False

            check(ping6(wan, 91), f"ICMPv6 echo from the SLAAC address {wan} to {IPV6_HOST} and back")
            send_ppp(ipv6(IPv6(src="2001:db8:dead::1", dst=IPV6_HOST) / ICMPv6EchoRequest(id=92, seq=1)))
            check(recv(echo6(92), 0.7) is None, "spoofed IPv6 source dropped")

            # --- DHCPv6 prefix delegation (RFC 8415) ---------------------------------------
            from scapy.layers.dhcp6 import (DHCP6_Release, DHCP6_Reply, DHCP6_Solicit, DHCP6OptClientId,
                                            DHCP6OptIA_PD, DHCP6OptIAPrefix, DHCP6OptRapidCommit, DHCP6OptServerId,
                                            DHCP6OptStatusCode, DUID_LL)
            from scapy.layers.inet import UDP

            def dhcp6(msg):
                return ipv6(IPv6(src=link_local, dst="ff02::1:2") / UDP(sport=546, dport=547) / msg)

            def dhcp_reply(trid):
                def match(p):
                    q = ipv6_of(p)
                    return q is not None and q.haslayer(DHCP6_Reply) and q[DHCP6_Reply].trid == trid
                return match

            reply_of = ipv6_of

            me = DHCP6OptClientId(duid=DUID_LL(lladdr=MAC))
            send_ppp(dhcp6(DHCP6_Solicit(trid=0x4242) / me / DHCP6OptRapidCommit() / DHCP6OptIA_PD(iaid=1)))
            r = recv(dhcp_reply(0x4242), 3)
            check(r is not None, "DHCPv6 Solicit with Rapid Commit answered by a Reply")
            delegated = None
            if r is not None:
                q = reply_of(r)
                check(q[UDP].sport == 547 and q[UDP].dport == 546 and q[IPv6].src.startswith("fe80:"),
                      "the Reply comes from port 547 of the AC's link-local address")
                if q.haslayer(DHCP6OptIAPrefix) and q[DHCP6OptIAPrefix].plen == 56:
                    delegated = q[DHCP6OptIAPrefix].prefix
                server = q[DHCP6OptServerId].duid if q.haslayer(DHCP6OptServerId) else None
            check(delegated is not None, f"a delegated /56: {delegated}")
            if delegated is not None:
                lan = str(ipaddress.IPv6Address(int(ipaddress.IPv6Address(delegated)) | 1))
                check(ping6(lan, 93), f"ICMPv6 echo from the delegated prefix ({lan}) and back")
                # Someone else's DUID cannot release our binding (RFC 8415 section 18.3.7).
                other = DHCP6OptClientId(duid=DUID_LL(lladdr="02:66:66:66:66:66"))
                send_ppp(dhcp6(DHCP6_Release(trid=0x4343) / other / DHCP6OptServerId(duid=server) / DHCP6OptIA_PD(iaid=1)))
                r = recv(dhcp_reply(0x4343), 3)
                def ia_pd_status(q):
                    if not q.haslayer(DHCP6OptIA_PD):
                        return None
                    codes = [o.statuscode for o in q[DHCP6OptIA_PD].iapdopt if isinstance(o, DHCP6OptStatusCode)]
                    return codes[0] if codes else None
                check(r is not None and ia_pd_status(reply_of(r)) == 3, "a Release under another DUID refused (NoBinding)")
                # A Solicit storm: answered within the rate limit, and nothing else changes.
                answered = 0
                for i in range(300):
                    send_ppp(dhcp6(DHCP6_Solicit(trid=0x5000 + i) / me / DHCP6OptRapidCommit() / DHCP6OptIA_PD(iaid=1)))
                end = time.time() + 2
                while time.time() < end:
                    p = sock.recv()
                    q = ipv6_of(p) if p is not None else None
                    if q is not None and q.haslayer(DHCP6_Reply):
                        answered += 1
                check(0 < answered < 100, f"a Solicit storm of 300: {answered} answered, the rest rate-limited")
                check(ping6(lan, 94, (4, 5, 6)), "the delegated prefix still works after the storm")


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
