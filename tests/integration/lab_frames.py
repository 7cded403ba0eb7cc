"""PPPoE frames built by hand (struct) for the integration tests, so nothing "fixes" them on the
way, and a minimal discovery client on an AF_PACKET socket. Imported by hostile_frames.py and
per_mac_limits.py."""
import socket
import struct
import time

BCAST = "ff:ff:ff:ff:ff:ff"


def mac(text):
    return bytes.fromhex(text.replace(":", ""))


def eth(dst, src, ethertype, payload, vlan=None):
    head = mac(dst) + mac(src)
    if vlan is not None:
        head += struct.pack("!HH", 0x8100, vlan)
    return head + struct.pack("!H", ethertype) + payload


def tag(t, v):
    return struct.pack("!HH", t, len(v)) + v


def pppoe(code, sid, payload, vertype=0x11, length=None):
    return struct.pack("!BBHH", vertype, code, sid, len(payload) if length is None else length) + payload


def disc(dst, src, code, tags, sid=0, **kw):
    return eth(dst, src, 0x8863, pppoe(code, sid, tags, **kw))


def discovery_socket(iface):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x8863))
    sock.bind((iface, 0))
    sock.settimeout(0.5)
    return sock


def await_discovery(sock, me, code, seconds=2):
    """The next discovery frame with `code` sent to `me`, or None."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            f = sock.recv(2000)
        except socket.timeout:
            continue
        if f[0:6] == mac(me) and f[12:14] == b"\x88\x63" and f[15] == code:
            return f
    return None


def find_tag(frame, wanted):
    tags, pos = frame[20:20 + struct.unpack("!H", frame[18:20])[0]], 0
    while pos + 4 <= len(tags):
        t, ln = struct.unpack("!HH", tags[pos:pos + 4])
        if t == wanted:
            return tags[pos + 4:pos + 4 + ln]
        pos += 4 + ln
    return None


def get_cookie(sock, me, host_uniq=b""):
    """A genuine AC-Cookie issued to `me` (PADI, then the PADO's tag), or None."""
    sock.send(disc(BCAST, me, 0x09, tag(0x0101, b"") + (tag(0x0103, host_uniq) if host_uniq else b"")))
    f = await_discovery(sock, me, 0x07)
    return find_tag(f, 0x0104) if f else None


def open_session(sock, me, ac, cookie, seconds=2, host_uniq=b""):
    """PADR with `cookie`; the session ID from the PADS, or None if no PADS came. Several
    sessions from one MAC need distinct Host-Uniq values (else a PADR repeats the pending one)."""
    sock.send(disc(ac, me, 0x19, tag(0x0101, b"") + tag(0x0104, cookie) + (tag(0x0103, host_uniq) if host_uniq else b"")))
    f = await_discovery(sock, me, 0x65, seconds)
    return struct.unpack("!H", f[16:18])[0] if f else None
