#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# The processor of the original blog post's example, reconstructed for
# scripts/bench: an asyncio StreamReader on standard input, connected with
# connect_read_pipe, that prints "Received data: N" for each line.
#
#   usage: asyncio_source.py | asyncio_proc.py
import asyncio
import sys


async def process_data():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    protocol = asyncio.StreamReaderProtocol(reader)
    await loop.connect_read_pipe(lambda: protocol, sys.stdin)

    while True:
        line = await reader.readline()
        if not line:
            break
        data = int(line)
        print(f"Received data: {data}")


if __name__ == "__main__":
    asyncio.run(process_data())
