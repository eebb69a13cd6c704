#!/usr/bin/python3
"""The local server's own switchboard forwarding rate, without our plugin at either end.

Two raw MSNP15 clients (tests/server/msnp_testclient.py, no libpurple, no engine) sign in to a
fresh tests/server/msnp-server, alice opens a switchboard and invites bob, and alice sends
file-sized P2P MSGs (`MSG D`, a P2P MIME block for bob, a 48-byte header, 1202 data bytes, the
footer: what a file transfer sends) while bob only reads them. Alice keeps at most `--window`
MSGs without the switchboard's ACK, as a client does. Prints the file bytes forwarded per
second, from the first MSG sent until bob has read the last one, for each window given.

The figure to hold our own switchboard transfer (`file_bench --bridge sb`) against: the
server relays every MSG of it too, and our plugin cannot go faster than the server forwards.

    tests/bench/sb_forward_rate.py [--mib 100] [--windows 4,64]
"""

import argparse
import os
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge  # noqa: E402

ALICE, BOB, PASSWORD = "alice@example.com", "bob@example.com", "pw"
CHUNK = 1202


def p2p_payload(offset, total, sid=7, ident=1000):
    header = struct.pack("<IIQQIIIIQ", sid, ident, offset, total, CHUNK, 0x1000030, 1, 0, 0)
    mime = ("MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\n"
            "P2P-Dest: %s\r\n\r\n" % BOB).encode("ascii")
    return mime + header + b"\xa5" * CHUNK + struct.pack(">I", 2)


def online(srv, email):
    c, _, _ = mc.sign_in(srv.ns, srv.web, email, PASSWORD)
    mc.go_online(c, challenge.answer)
    return c


def open_switchboard(a, b):
    t = a.send("XFR", "SB")
    tokens, _ = a.expect("XFR", t, "SB")
    sa = mc.NsClient(tokens[3], timeout=30)
    t = sa.send("USR", ALICE, tokens[5])
    sa.expect("USR", t, "OK", ALICE)
    t = sa.send("CAL", BOB)
    sa.expect("CAL", t, "RINGING")
    rng, _ = b.expect("RNG")
    sb = mc.NsClient(rng[2], timeout=30)
    t = sb.send("ANS", BOB, rng[4], rng[1])
    while sb.read()[0][0] != "ANS":
        pass
    sa.expect("JOI", BOB)
    return sa, sb


class Reader:
    """The hot loop's reader: commands and payloads out of a socket with few copies (the test
    client's reader copies its buffer per command, which would make the client the limit)."""

    def __init__(self, client):
        self.sock = client.sock
        self.buf = bytearray(client.buf)
        self.pos = 0

    def command(self):
        """-> the next command's tokens (a MSG's payload is skipped)."""
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                tokens = bytes(self.buf[self.pos:end]).split(b" ")
                skip = int(tokens[-1]) if tokens[0] == b"MSG" else 0
                if end + 2 + skip <= len(self.buf):
                    self.pos = end + 2 + skip
                    return tokens
            if self.pos > 1 << 20:
                del self.buf[:self.pos]
                self.pos = 0
            data = self.sock.recv(1 << 18)
            if not data:
                raise EOFError("the server closed the switchboard")
            self.buf += data


def run(sa, sb, count, window):
    """-> seconds for `count` MSGs from alice's first send to bob's last read."""
    got = []
    acks, msgs = Reader(sa), Reader(sb)

    def receive():
        n = 0
        while n < count:
            if msgs.command()[0] == b"MSG":
                n += 1
        got.append(time.monotonic())

    reader = threading.Thread(target=receive)
    reader.start()
    payload = p2p_payload(0, count * CHUNK)
    started = time.monotonic()
    outstanding = 0
    for trid in range(1000, 1000 + count):
        while outstanding >= window:
            if acks.command()[0] in (b"ACK", b"NAK"):
                outstanding -= 1
        sa.sock.sendall(b"MSG %d D %d\r\n" % (trid, len(payload)) + payload)
        outstanding += 1
    while outstanding > 0:
        if acks.command()[0] in (b"ACK", b"NAK"):
            outstanding -= 1
    reader.join()
    return got[0] - started


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mib", type=int, default=100)
    p.add_argument("--windows", default="4,64", help="MSGs without ACK at most, comma-separated")
    args = p.parse_args()
    srv = mc.ServerProcess([(ALICE, PASSWORD), (BOB, PASSWORD)], state_dir=mc.shared_state_dir())
    try:
        a, b = online(srv, ALICE), online(srv, BOB)
        for window in (int(w) for w in args.windows.split(",")):
            sa, sb = open_switchboard(a, b)
            count = args.mib * 1024 * 1024 // CHUNK + 1
            seconds = run(sa, sb, count, window)
            mib = count * CHUNK / (1024 * 1024)
            print("window %d: %.1f MiB of file data in %.3f s: %.2f MiB/s (%d MSGs/s)"
                  % (window, mib, seconds, mib / seconds, count / seconds), flush=True)
            sa.close()
            sb.close()
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
