#!/usr/bin/python3
"""notify_listener.py SOCKET OUT: systemd's side of sd_notify(3) for a test. Binds a datagram
socket at SOCKET and appends every notification to OUT, one line per assignment, prefixed by
the time it came (seconds, monotonic), until killed."""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        data = sock.recv(4096)
        now = time.monotonic()
        for line in data.decode("utf-8", "replace").splitlines():
            f.write(f"{now:.3f} {line}\n")
