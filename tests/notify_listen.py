#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""notify_listen.py ADDRESS: what a service manager hears on NOTIFY_SOCKET.

Binds a datagram socket at ADDRESS (a path, or @NAME in the abstract
namespace), prints "listening", then one line a datagram:

    MS PID PAYLOAD

MS is milliseconds since it bound, PID the sender's pid as the kernel
vouches for it (SCM_CREDENTIALS), PAYLOAD the datagram with each newline
shown as a literal backslash-n.  After a READY=1 it prints one line more,

    MS PID children: EXE EXE ...

the program each child of the sender runs at that moment (the base name
of /proc/CHILD/exe), so that a test sees whether every stage had been
exec'd when readiness was told (a child that has not is still pipesup).
"""
import os
import socket
import struct
import sys
import time


def children(pid):
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += f.read().split()
    except OSError:
        pass
    exes = []
    for kid in kids:
        try:
            exes.append(os.path.basename(os.readlink(f"/proc/{kid}/exe")))
        except OSError:
            exes.append("?")
    return exes


def main():
    addr = sys.argv[1]
    if addr.startswith("@"):
        addr = "\0" + addr[1:]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.bind(addr)
    start = time.monotonic()
    print("listening", flush=True)
    creds = struct.calcsize("iII")
    while True:
        data, anc, _, _ = sock.recvmsg(8192, socket.CMSG_SPACE(creds))
        ms = (time.monotonic() - start) * 1000
        # the pids first: a child may exec or go while we write
        pid = -1
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", cdata[:creds])[0]
        msg = data.decode(errors="replace")
        exes = children(pid) if "READY=1" in msg.split("\n") else None
        print(f"{ms:.0f} {pid} {msg.replace(chr(10), chr(92) + 'n')}",
              flush=True)
        if exes is not None:
            print(f"{ms:.0f} {pid} children: {' '.join(exes)}", flush=True)


if __name__ == "__main__":
    main()
