#!/usr/bin/env python3
"""stamp.py [FIFO]: copy lines to stdout, each prefixed with the seconds
(three decimals) since the first line arrived: shows when lines came.

Reads FIFO if given, opening it only once the interpreter is up, so that
a writer started after it is read from its first line on without the
interpreter's start-up in the way; otherwise reads stdin."""
import sys
import time

src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
t0 = None
for line in src:
    now = time.monotonic()
    if t0 is None:
        t0 = now
    sys.stdout.write("%.3f %s" % (now - t0, line))
    sys.stdout.flush()
