#!/usr/bin/env python3
"""The generator randsrc's man page names, written again from its
description: splitmix64 seeding, xoshiro256**, Lemire's bounded draw.

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


def below(gen, n):
    if n == 1 << 64:
        return next(gen)
    m = next(gen) * n
    low = m & M
    if low < n:
        threshold = (1 << 64) % n
        while low < threshold:
            m = next(gen) * n
            low = m & M
    return m >> 64


def main():
    seed, lo, hi, count = (int(a) for a in sys.argv[1:5])
    gen = xoshiro(seed)
    out = []
    for _ in range(count):
        out.append(str(lo + below(gen, hi - lo + 1)))
    print("\n".join(out))


if __name__ == "__main__":
    main()
