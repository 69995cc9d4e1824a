#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# The source of the original blog post's example, reconstructed for
# scripts/bench: an asyncio coroutine that prints a random integer between
# 1 and 100 every 1/RATE seconds.  RATE 0 means no sleep at all; COUNT
# (default: forever) is added so that a benchmark run ends.
#
#   usage: asyncio_source.py [RATE [COUNT]]
import asyncio
import random
import sys


async def generate_data(rate, count):
    sent = 0
    while count is None or sent < count:
        data = random.randint(1, 100)
        print(data)
        sent += 1
        if rate > 0:
            await asyncio.sleep(1 / rate)


async def main():
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    count = int(sys.argv[2]) if len(sys.argv) > 2 else None
    await generate_data(rate, count)


if __name__ == "__main__":
    asyncio.run(main())
