#!/usr/bin/python3
"""One long-lived TCP connection, to tell whether a handoff broke it.

  tcp_alive.py serve ADDRESS PORT          echo server (one thread per connection)
  tcp_alive.py client HOST PORT STOPFILE   sends a numbered line every 20 ms and reads the echo
                                           (STOPFILE.count holds the lines echoed so far);
                                           when STOPFILE exists prints "alive MAX_GAP_MS LINES"
                                           and exits 0; on a reset, an end of stream, a wrong
                                           echo or 90 s without one prints "broken: WHY" and
                                           exits 1.
"""
import os
import socket
import sys
import threading
import time


def serve(address, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, int(port)))
    listener.listen(8)

    def echo(conn):
        with conn:
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                conn.sendall(data)

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def client(host, port, stop_file):
    conn = socket.create_connection((host, int(port)), timeout=5)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.settimeout(90)  # TCP's own back-off after outages in a row reaches tens of seconds
    reader = conn.makefile("rb")
    n = 0
    last = time.monotonic()
    max_gap = 0.0
    try:
        while not os.path.exists(stop_file):
            n += 1
            conn.sendall(b"%d\n" % n)
            line = reader.readline()
            if not line:
                print("broken: end of stream")
                return 1
            if int(line) != n:
                print(f"broken: echo {line!r} for {n}")
                return 1
            now = time.monotonic()
            if n % 5 == 0:
                with open(stop_file + ".count.tmp", "w") as f:
                    f.write(f"{n}\n")
                os.replace(stop_file + ".count.tmp", stop_file + ".count")
            max_gap = max(max_gap, now - last)
            last = now
            time.sleep(0.02)
    except (OSError, ValueError) as e:
        print(f"broken: {e}")
        return 1
    print(f"alive {max_gap * 1000:.0f} {n}")
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit(client(sys.argv[2], sys.argv[3], sys.argv[4]))
