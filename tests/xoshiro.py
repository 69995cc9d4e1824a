#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The generator randsrc's man page names, written again from its
description: splitmix64 seeding, xoshiro256**, draws in batches of k
from one output (Brackett-Rozinsky and Lemire), a batch drawn again
when its last remainder falls below 2^64 mod n^k.

usage: xoshiro.py SEED MIN MAX COUNT  -- prints COUNT values, one a line
"""
import sys

M = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro(seed):
    s = []
    state = seed & M
    for _ in range(4):
        state, z = splitmix64(state)
        s.append(z)
    while True:
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result


def batch_size(n):
    """The largest k <= 16 with n^k <= 2^60 (1 for the full 2^64)."""
    k = 1
    while k < 16 and n ** (k + 1) <= 1 << 60:
        k += 1
    return k


def draws(gen, n):
    """Every draw in [0, n), batch after batch."""
    if n == 1 << 64:
        yield from gen
    k = batch_size(n)
    threshold = (1 << 64) % n ** k
    while True:
        while True:
            x = next(gen)
            batch = []
            for _ in range(k):
                x *= n
                batch.append(x >> 64)
                x &= M
            if x >= threshold:
                break
        yield from batch


def main():
    seed, lo, hi, count = (int(a) for a in sys.argv[1:5])
    gen = draws(xoshiro(seed), hi - lo + 1)
    out = []
    for _ in range(count):
        out.append(str(lo + next(gen)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
