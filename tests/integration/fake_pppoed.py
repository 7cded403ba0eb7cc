#!/usr/bin/python3
"""A stand-in for pppoed's control socket, to exercise pppoetest's exit codes 4 and 5:
`silent` accepts and never answers (timeout), `garbage` answers ok without any data."""
import os
import socket
import sys
import time

path, behaviour = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(8)
while True:
    conn, _ = srv.accept()
    conn.recv(65536)
    if behaviour == "garbage":
        conn.sendall(b'{"ok": true}\n')
        conn.close()
    else:
        time.sleep(30)
