#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""chaos_check EXPECTED OUTPUT: was every record of EXPECTED delivered to
OUTPUT in order, none torn or made up?  Delivery is at-least-once: after a
crash a stage may write again a run of records it had written already, so
OUTPUT is EXPECTED with some runs repeated.  A repeat is a line equal to
an earlier expected line, followed by the lines after that one.  Prints one
line of figures; exits 1 if a record was lost, torn or made up."""
import bisect
import sys

WINDOW = 1 << 20        # how far back a repeat may start


def main():
    want = open(sys.argv[1]).read().split("\n")[:-1]
    got = open(sys.argv[2]).read().split("\n")
    tail = got.pop()            # "" when OUTPUT ends in a newline
    pos = 0                     # the next record never delivered
    replay = -1                 # inside a repeat: the next expected there
    dups = repeats = bad = gaps = lost = 0
    where = {}                  # each value's places in EXPECTED
    for k, line in enumerate(want):
        where.setdefault(line, []).append(k)
    for j, line in enumerate(got):
        if replay >= 0 and line == want[replay]:
            dups += 1
            replay += 1
            if replay == pos:
                replay = -1
            continue
        replay = -1
        if pos < len(want) and line == want[pos]:
            pos += 1
            continue
        places = where.get(line, [])
        i = bisect.bisect_left(places, pos)
        if i > 0 and pos - places[i - 1] <= WINDOW:
            repeats += 1
            dups += 1
            replay = places[i - 1] + 1
            if replay == pos:
                replay = -1
            continue
        if i < len(places) and places[i] - pos <= WINDOW:
            # a gap: the records up to this one never came
            gaps += 1
            lost += places[i] - pos
            pos = places[i] + 1
            continue
        bad += 1
        if bad <= 5:
            print("line %d: %r is not the next record nor a repeat" %
                  (j + 1, line), file=sys.stderr)
    lost += len(want) - pos
    print("records %d, lost %d in %d gaps, torn or made up %d, "
          "repeats %d, duplicates %d%s" %
          (len(want), lost, gaps + (pos < len(want)), bad, repeats, dups,
           ", part line at the end" if tail else ""))
    return 1 if lost or bad or tail else 0


if __name__ == "__main__":
    sys.exit(main())
