#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/ (committed; rerun after changing seeds)."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tag(t, v):
    return struct.pack("!HH", t, len(v)) + v


def pppoe(code, sid, payload):
    return struct.pack("!BBHH", 0x11, code, sid, len(payload)) + payload


ETH = bytes.fromhex("ffffffffffff" "020000000001")
tags = tag(0x0101, b"") + tag(0x0103, b"\x01\x02\x03\x04") + tag(0x0110, b"\x09") + tag(0x0120, b"\x05\xdc")
put("discovery", "padi", ETH + b"\x88\x63" + pppoe(0x09, 0, tags))
put("discovery", "padi_vlan", ETH + b"\x81\x00\x00\x64\x88\x63" + pppoe(0x09, 0, tags))
put("discovery", "padr_qinq", ETH + b"\x88\xa8\x00\xc8\x81\x00\x01\x2c\x88\x63" +
    pppoe(0x19, 0, tag(0x0101, b"internet") + tag(0x0104, bytes(20)) + tag(0x0105, b"\x00\x00\x0d\xe9ab")))
# TR-101 line identification (vendor 3561: 1 Agent-Circuit-ID, 2 Agent-Remote-ID).
put("discovery", "padr_tr101", ETH + b"\x88\x63" + pppoe(0x19, 0, tag(0x0101, b"") + tag(0x0104, bytes(20)) +
    tag(0x0105, b"\x00\x00\x0d\xe9\x01\x0adslam1 1/1\x02\x05cpe-7")))
put("discovery", "padt", ETH + b"\x88\x63" + pppoe(0xa7, 7, tag(0x0203, b"bye")))
put("discovery", "session", ETH + b"\x88\x64" + pppoe(0x00, 7, b"\xc0\x21\x09\x01\x00\x08\x00\x00\x00\x01"))


def cp(code, ident, data):
    return struct.pack("!BBH", code, ident, 4 + len(data)) + data


def opt(t, v):
    return bytes([t, 2 + len(v)]) + v


def seq(*packets):
    return b"".join(bytes([len(p)]) + p for p in packets)


lcp_req = cp(1, 1, opt(1, b"\x05\xd4") + opt(5, b"\x12\x34\x56\x78") + opt(3, b"\xc0\x23"))
put("control_protocol", "lcp_server", b"\x00" + seq(lcp_req, cp(2, 1, b""), cp(9, 2, b"\x12\x34\x56\x78"), cp(5, 3, b"")))
put("control_protocol", "lcp_peer", b"\x01" + seq(lcp_req, cp(3, 1, opt(3, b"\xc2\x23\x05")), cp(4, 1, opt(7, b"")),
                                                 cp(8, 4, b"\x80\x57\x01"), cp(7, 5, b"\x01\x01\x00\x04")))
put("control_protocol", "ipcp", b"\x02" + seq(cp(1, 1, opt(3, bytes(4)) + opt(129, bytes(4)) + opt(2, b"\x00\x2d\x0f\x01")),
                                             cp(3, 1, opt(3, b"\x0a\x00\x00\x05"))))
put("control_protocol", "ipv6cp", b"\x04" + seq(cp(1, 1, opt(1, bytes(8))), cp(1, 2, opt(1, b"\x02\x00\x00\x00\x00\x00\x00\x01"))))

put("auth", "pap_request", cp(1, 1, b"\x05alice\x0awonderland"))
put("auth", "pap_ack", cp(2, 1, b"\x08Login ok"))
put("auth", "chap_challenge", cp(1, 1, b"\x10" + bytes(range(16)) + b"pppoed"))
put("auth", "chap_response", cp(2, 1, b"\x10" + bytes(16) + b"alice"))
put("auth", "mschapv2_response", cp(2, 1, b"\x31" + bytes(49) + b"CORP\\alice"))
put("auth", "chap_success", cp(3, 1, b"S=407A5589115FD0D6209F510FE9C04566932CDA56 M=Welcome"))

icmp = bytes.fromhex("45000054000040004001" "0000" "0a00000a" "0a000001") + bytes.fromhex("0000") + b"\x00\x00\x00\x4d\x00\x01" + bytes(56)
put("ip", "icmp_reply", icmp)
put("ip", "ipv6", bytes.fromhex("6000000000083a40") + bytes.fromhex("fe80000000000000" "0200000000000001") +
    bytes.fromhex("fe80000000000000" "0200000000000002") + bytes(8))

put("files", "config", b"\x00" + b"ac-name bras\nservice-name internet voip\npool 10.0.0.10-10.0.0.20, 10.1.0.0/24\n"
    b"dns 192.0.2.1,192.0.2.2\nauth pap chap\nlcp-echo-interval 5 # comment\nipv6 no\n")
put("files", "secrets", b"\x01" + b"# users\nalice wonderland\nbob \"two words\" 10.0.9.9\n")
put("files", "sysctl", b"\x02" + b"# sysctl.conf\nnet.graph.pppoe_lb.governor.enabled=1 # on\n  net.graph.pppoe_lb.governor.min_workers = 2\n")
snap_conf = b"interface eth1\nsecrets /etc/pppoed/ppp.secret\nlcp-echo-interval 5\nradius-auth-server 192.0.2.5 s3cret\n"
snap_users = b"alice wonderland\n"
put("files", "snapshot", b"\x03" + b"pppoed-config-snapshot 1\nconfig %d\n" % len(snap_conf) + snap_conf +
    b"\nsecrets %d\n" % len(snap_users) + snap_users + b"\n")
udp = bytes.fromhex("4500003c000040004011" "0000" "0a00000a" "c6336401") + bytes.fromhex("9c409c290028" "0000")
put("ip", "udp_transfer_ack", udp + b"PTT1" + bytes([4]) + bytes(4) + bytes(12) + bytes(8))


# RADIUS (fuzz_radius): first byte 0 = reply, 1 = RFC 5176 request, 2 = spool file, 3 = hidden value.
def rattr(t, v):
    return bytes([t, 2 + len(v)]) + v


def radius(code, ident, attrs, auth=bytes(16)):
    return struct.pack("!BBH", code, ident, 20 + len(attrs)) + auth + attrs


def vsa(vendor, t, v):
    return rattr(26, struct.pack("!I", vendor) + bytes([t, 2 + len(v)]) + v)


# RFC 2865 section 7.1, and an Accept with everything pppoed applies.
put("radius", "rfc2865_accept", b"\x00" + bytes.fromhex(
    "0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103"))
put("radius", "accept_full", b"\x00" + radius(2, 1, rattr(80, bytes(16)) + rattr(8, bytes([100, 64, 0, 9])) +
    rattr(9, bytes([255] * 4)) + rattr(88, b"gold") + rattr(27, struct.pack("!I", 60)) + rattr(28, struct.pack("!I", 30)) +
    rattr(85, struct.pack("!I", 300)) + rattr(12, struct.pack("!I", 1400)) + rattr(25, b"plan") +
    vsa(311, 28, bytes([9, 9, 9, 9])) + vsa(311, 26, b"\x01S=" + b"0" * 40) + vsa(311, 16, b"\x80\x01" + bytes(32)) +
    vsa(311, 17, b"\x80\x02" + bytes(32))))
put("radius", "reject_mschap", b"\x00" + radius(3, 2, vsa(311, 2, b"\x01E=691 R=0 V=3") + rattr(18, b"no")))
put("radius", "disconnect", b"\x01" + radius(40, 3, rattr(44, b"0001") + rattr(32, b"bras")))
put("radius", "coa", b"\x01" + radius(43, 4, rattr(1, b"alice") + rattr(8, bytes([10, 0, 0, 10])) +
    rattr(5, struct.pack("!I", 7)) + rattr(27, struct.pack("!I", 5)) + rattr(31, b"02:00:00:00:00:01")))
put("radius", "spool", b"\x02" + b"PPPOED-ACCT-1\n" + struct.pack("!Q", 1700000000) +
    rattr(40, struct.pack("!I", 2)) + rattr(44, b"0001"))
put("radius", "mppe", b"\x03" + b"\x80\x01" + bytes(32))


# Stateful session (fuzz_session): records of op, length, bytes (see fuzz_session.cpp).
def rec(op, body):
    return bytes([op, len(body)]) + body


lcp_req = b"\xc0\x21" + cp(1, 1, opt(1, b"\x05\xd4") + opt(5, b"\x11\x22\x33\x44"))
lcp_ack = b"\xc0\x21" + cp(2, 1, opt(1, b"\x05\xd4") + opt(3, b"\xc0\x23"))
pap_req = b"\xc0\x23" + struct.pack("!BBHB", 1, 1, 11, 2) + b"ab" + bytes([2]) + b"pw"
ipcp_req = b"\x80\x21" + cp(1, 1, opt(3, bytes([10, 0, 0, 0])))
put("session", "pap_up", b"\x07" + rec(0, lcp_req) + rec(0, lcp_ack) + rec(1, b"\x01") + rec(0, pap_req) + rec(2, b"\x01") +
    rec(0, ipcp_req) + rec(1, b"\x32") + rec(3, b""))
put("session", "timeouts", b"\x01" + rec(0, lcp_req) + rec(1, b"\xff") + rec(1, b"\xff") + rec(1, b"\xff"))

# fast_path: frames as the subscriber interface receives them (fuzz_fast_path's sessions 1-3,
# client 02:00:00:00:00:01, addresses 10.0.0.1-3): forwarded, spoofed, foreign, tagged, control.
def ipv4(src, payload=b"x" * 12):
    total = 20 + len(payload)
    return bytes([0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, 17, 0, 0]) + src + bytes([192, 0, 2, 1]) + payload
def fp_frame(sid, ip, tags=b"", src=b"\x02\x00\x00\x00\x00\x01", proto=b"\x00\x21"):
    body = proto + ip
    return (b"\x02\xac\x00\x00\x00\x01" + src + tags + b"\x88\x64\x11\x00" + sid.to_bytes(2, "big") +
            len(body).to_bytes(2, "big") + body)
put("fast_path", "forwarded", fp_frame(1, ipv4(bytes([10, 0, 0, 1]))))
put("fast_path", "spoofed", fp_frame(1, ipv4(bytes([10, 0, 0, 9]))))
put("fast_path", "foreign_mac", fp_frame(1, ipv4(bytes([10, 0, 0, 1])), src=b"\x02\x99\x00\x00\x00\x01"))
put("fast_path", "vlan", fp_frame(2, ipv4(bytes([10, 0, 0, 2])), tags=b"\x81\x00\x00\x64"))
put("fast_path", "qinq", fp_frame(3, ipv4(bytes([10, 0, 0, 3])), tags=b"\x88\xa8\x00\xc8\x81\x00\x00\x65"))
put("fast_path", "lcp", fp_frame(1, b"\x09\x01\x00\x08\x00\x00\x00\x01", proto=b"\xc0\x21"))
put("fast_path", "padded", fp_frame(1, ipv4(bytes([10, 0, 0, 1]), b"")) + bytes(20))
