#!/usr/bin/python3
"""A RADIUS authentication server that answers every Access-Request with an Access-Accept
whose protection is chosen by MODE, to test that pppoed enforces Message-Authenticator
(RFC 3579 section 3.2; the Blast-RADIUS attack, CVE-2024-3596):

  good    Response Authenticator and Message-Authenticator both right
  no-ma   right Response Authenticator, no Message-Authenticator
  bad-ma  right Response Authenticator, Message-Authenticator of wrong bytes

Usage: fake_radius.py PORT SECRET MODE   (listens on 127.0.0.1)
"""
import hashlib
import hmac
import socket
import struct
import sys

port, secret, mode = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", port))
while True:
    data, peer = sock.recvfrom(4096)
    if len(data) < 20 or data[0] != 1:
        continue
    ident, req_auth = data[1], data[4:20]
    attrs = b""
    if mode in ("good", "bad-ma"):
        attrs += bytes([80, 18]) + bytes(16)
    attrs += bytes([27, 6]) + struct.pack("!I", 60)  # Session-Timeout
    length = 20 + len(attrs)
    packet = bytearray(bytes([2, ident]) + struct.pack("!H", length) + req_auth + attrs)
    if mode == "good":
        packet[22:38] = hmac.new(secret, bytes(packet), hashlib.md5).digest()
    elif mode == "bad-ma":
        packet[22:38] = b"\x42" * 16
    packet[4:20] = hashlib.md5(bytes(packet[:4]) + req_auth + bytes(packet[20:]) + secret).digest()
    sock.sendto(bytes(packet), peer)
