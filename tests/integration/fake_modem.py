#!/usr/bin/python3
"""A Hayes modem and getty in one, on the far end of a pty pair: answers AT with OK and ATDT
with CONNECT (after BUSY once, when asked to), prints a login prompt, checks the name and
password the chat script sends, then hands the line to `pppoec -direct` on standard input and
output, as mgetty's AutoPPP does (handbook 30.2.5).

usage: fake_modem.py TTY USER PASSWORD BUSY_FIRST(0|1) PPPOEC ARGS...
"""
import os
import sys
import termios
import tty

path, user, password, busy_first = sys.argv[1:5]
command = sys.argv[5:]
fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
buf = b""


def line():
    global buf
    while b"\r" not in buf:
        chunk = os.read(fd, 256)
        if not chunk:
            sys.exit("line closed")
        buf += chunk
    text, _, buf = buf.partition(b"\r")
    return text.strip().decode(errors="replace")


def say(text):
    os.write(fd, ("\r\n" + text + "\r\n").encode())


busy = busy_first == "1"
while True:
    cmd = line()
    if cmd.upper().startswith("ATD"):
        if busy:
            busy = False
            say("BUSY")
            continue
        say("CONNECT 115200")
        break
    if cmd.upper().startswith("AT"):
        say("OK")
os.write(fd, b"\r\nlogin: ")
got_user = line()
os.write(fd, b"Password: ")
got_password = line()
if got_user != user or got_password != password:
    say("Login incorrect")
    sys.exit("wrong login: " + got_user)
say("Starting PPP")
termios.tcflush(fd, termios.TCIFLUSH)
os.dup2(fd, 0)
os.dup2(fd, 1)
os.execv(command[0], command)
