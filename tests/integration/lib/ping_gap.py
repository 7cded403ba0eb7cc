#!/usr/bin/python3
"""Largest gap between consecutive replies in `fping -D -l` output (stdin or a file), in ms,
and how many replies arrived: "GAP_MS REPLIES". Replies after the gap prove traffic came back."""
import re
import sys

stamps = []
src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
for line in src:
    m = re.match(r"\[(\d+\.\d+)\] \S+ : \[\d+\], \d+ bytes", line)
    if m:
        stamps.append(float(m.group(1)))
gap = max((b - a for a, b in zip(stamps, stamps[1:])), default=0.0)
print(f"{gap * 1000:.0f} {len(stamps)}")
