#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""stamp.py [FIFO]: copy lines to stdout, each prefixed with the seconds
(three decimals) since the first line arrived: shows when lines came.

Reads FIFO if given, opening it only once the interpreter is up, so that
a writer started after it is read from its first line on without the
interpreter's start-up in the way; otherwise reads stdin.  With
STAMP_FROM_OPEN=1 the seconds count from just before the FIFO's open,
which ends when the writer opens it, before the writer's program starts:
a reader that woke late for the first line, or for the open, then cannot
make a later line look early."""
import os
import sys
import time

t0 = time.monotonic() if os.environ.get("STAMP_FROM_OPEN") == "1" else None
src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
for line in src:
    now = time.monotonic()
    if t0 is None:
        t0 = now
    sys.stdout.write("%.3f %s" % (now - t0, line))
    sys.stdout.flush()
