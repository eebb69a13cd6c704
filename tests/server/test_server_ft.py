"""File transfer with the bot in tests/server/msnp-server (MSNP15 reference §11.4, §11.6, §11.7,
§11.11): the context parser against the vector, the bot receiving and sending files over the
switchboard and over a direct connection (listening and connecting, plain and hashed nonces),
decline, cancel both ways, a handshake mismatch falling back to the switchboard, and the
sb-close-after-p2p-data fault.

The context, nonce and direct-connection code here is the test's own reading of the reference,
not the server's ft.py (only `ft.parse_context` is imported, to check it against the vector).
Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import hashlib
import os
import re
import secrets
import socket
import struct
import sys
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
import test_server_p2p as tp  # noqa: E402
from msnp_server import ft  # noqa: E402  (only its parsers and packets, against the vectors)

ALICE, BOB, CAROL = tp.ALICE, tp.BOB, tp.CAROL
BOT = tp.BOT
FILE_GUID = "{5D3E02AB-6190-11D3-BBBB-00C04F795683}"
TRANS_REQ = "application/x-msnmsgr-transreqbody"
TRANS_RESP = "application/x-msnmsgr-transrespbody"
CLOSE_BODY = "application/x-msnmsgr-sessionclosebody"
VECTORS = os.path.join(HERE, "..", "data", "vectors")
DATA_FLAGS = 0x1000030


def vector(name):
    with open(os.path.join(VECTORS, name)) as f:
        return f.read()


def context(name, size, version=2, length=None):
    """A file context as §11.11 lays it out."""
    fixed = {0: 540, 3: 638}.get(version, 574)
    blob = struct.pack("<IIQI", fixed if length is None else length, version, size, 1)
    blob += name.encode("utf-16-le").ljust(520, b"\0")
    if version:
        blob += b"\0" * 30 + b"\xff\xff\xff\xff" + b"\0" * (fixed - 574)
    return blob


def file_invite_body(sid, blob, app_id=2):
    return ("EUF-GUID: %s\r\nSessionID: %d\r\nAppID: %d\r\nContext: %s\r\n\r\n"
            % (FILE_GUID, sid, app_id, base64.b64encode(blob).decode()))


def bot_file(kib):
    """bot-file-KIB.bin as the README documents it: xorshift32 (13, 17, 5) from 0x9E3779B9 ^
    KIB, each 32-bit state little-endian."""
    x = 0x9E3779B9 ^ kib
    out = bytearray()
    for _ in range(kib * 256):
        x = (x ^ (x << 13)) & 0xFFFFFFFF
        x ^= x >> 17
        x = (x ^ (x << 5)) & 0xFFFFFFFF
        out += struct.pack("<I", x)
    return bytes(out)


def guid_bytes(text):
    return uuid.UUID(text.strip("{}")).bytes_le


def guid_text(raw):
    return "{%s}" % str(uuid.UUID(bytes_le=raw)).upper()


def hashed(raw):
    return guid_text(hashlib.sha1(raw).digest()[:16])


def fields_of(text):
    return dict(l.split(": ", 1) for l in text.split("\r\n") if ": " in l)


# ---- a direct connection as the reference lays it out (§11.7) -------------------------------------

class Dc:
    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(5)
        self.ident = 0x0B200000

    def send_raw(self, payload):
        self.sock.sendall(struct.pack("<I", len(payload)) + payload)

    def send(self, sid=0, ident=None, offset=0, total=0, length=None, flags=0, ack_id=0,
             ack_uid=0, ack_size=0, body=b""):
        if ident is None:
            self.ident += 1
            ident = self.ident
        length = len(body) if length is None else length
        self.send_raw(tp.HDR.pack(sid, ident, offset, total, length, flags, ack_id, ack_uid,
                                  ack_size) + body)
        return ident

    def read_raw(self):
        n = struct.unpack("<I", self._exactly(4))[0]
        return self._exactly(n)

    def _exactly(self, n):
        data = b""
        while len(data) < n:
            more = self.sock.recv(n - len(data))
            if not more:
                raise EOFError("direct connection closed")
            data += more
        return data

    def read(self):
        packet = self.read_raw()
        fields = dict(zip(tp.FIELDS, tp.HDR.unpack_from(packet)))
        body = packet[48:]
        assert fields["length"] == len(body), fields
        return fields, body

    def nonce_packet(self, raw):
        self.ident += 1
        self.send_raw(tp.HDR.pack(0, self.ident, 0, 0, 0, 0x100, 0, 0, 0)[:32] + raw)

    def read_nonce(self):
        packet = self.read_raw()
        assert len(packet) == 48, packet
        fields = dict(zip(tp.FIELDS, tp.HDR.unpack_from(packet)))
        assert (fields["sid"], fields["flags"], fields["length"]) == (0, 0x100, 0), fields
        return packet[32:]

    def closed(self, timeout=3.0):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


class FtPeer(tp.Peer):
    """tp.Peer that sets the bot's text messages aside (`text()`) instead of failing on them."""

    def __init__(self, sb, me, remote):
        super().__init__(sb, me, remote)
        self.p2p_backlog = []
        self.texts = []

    def _next_msg(self):
        return self.inbox.pop(0) if self.inbox else self.sb.expect("MSG", self.remote)

    def _sort(self, tokens, payload):
        head, _, body = payload.partition(b"\r\n\r\n")
        if b"x-msnmsgrp2p" in head:
            self.p2p_backlog.append((tokens, payload))
        elif b"text/plain" in head:
            self.texts.append(body.decode())

    def read(self):
        while not self.p2p_backlog:
            self._sort(*self._next_msg())
        tokens, payload = self.p2p_backlog.pop(0)
        dest, fields, body, footer = tp.unp2p(payload)
        assert dest == self.me, dest
        assert len(payload) <= 1664
        return fields, body, footer

    def text(self):
        while not self.texts:
            self._sort(*self._next_msg())
        return self.texts.pop(0)

    def slp(self):
        """The next whole SLP message: -> (first fields, start, headers, body fields)."""
        first, data, _ = self.read_message()
        assert first["sid"] == 0, first
        start, headers, fields = tp.unslp(data)
        self.ack(first)
        return first, start, headers, fields


class FtCase(tp.P2PCase):
    accounts = (ALICE, BOB, CAROL)

    def chat(self, who):
        ns, _ = self.online(who)      # the bot takes CALs from anyone
        sb = self.call(ns, who, BOT)
        return FtPeer(sb, who, BOT)

    def offer(self, peer, name, size, sid=None, blob=None):
        """The file INVITE; -> (call id, sid, branch) after the bot's 200 OK."""
        sid = sid or 4000 + secrets.randbelow(10 ** 6)
        call_id, branch = tp.guid(), tp.guid()
        sent = peer.send(tp.slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, peer.me, call_id,
                                file_invite_body(sid, blob or context(name, size)),
                                branch=branch))
        peer.expect_ack_of(sent)
        _, start, headers, fields = peer.slp()
        self.assertEqual((start, headers["Call-ID"], fields), ("MSNSLP/1.0 200 OK", call_id,
                                                               {"SessionID": str(sid)}))
        return call_id, sid

    def transreq(self, peer, call_id, sid, nonce_line):
        """The client's direct-connection offer; -> the bot's transresp fields."""
        body = ("Bridges: TCPv1\r\nNetID: 0\r\nConn-Type: Direct-Connect\r\nUPnPNat: false\r\n"
                "ICF: false\r\n%sSessionID: %d\r\n\r\n" % (nonce_line, sid))
        sent = peer.send(tp.slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, peer.me, call_id,
                                body, TRANS_REQ))
        peer.expect_ack_of(sent)
        _, start, headers, fields = peer.slp()
        self.assertEqual((start, headers["Content-Type"], headers["Call-ID"]),
                         ("MSNSLP/1.0 200 OK", TRANS_RESP, call_id))
        return fields

    def expect_done(self, peer, sid, sent, via=None):
        """The bot's P2P ACK of the whole data, then its BYE (ACKed back)."""
        if via is None:
            peer.expect_ack_of(sent)
            _, start, headers, _ = peer.slp()
        else:
            f, body = via.read()
            self.assertEqual((f["sid"], f["flags"], f["ack_id"], f["ack_uid"], f["ack_size"]),
                             (sid, 2, sent[0], sent[1], sent[2]))
            f, body = via.read()
            self.assertEqual((f["sid"], f["flags"]), (0, 0))
            start, headers, _ = tp.unslp(body)
            via.send(0, None, 0, f["total"], 0, 2, f["ident"], f["ack_id"], f["total"])
        self.assertEqual((start.split(" ")[0], headers["Content-Type"]), ("BYE", CLOSE_BODY))

    def send_part(self, peer, sid, data, upto):
        """The first `upto` bytes of `data` as chunks of its one message (TotalSize = all)."""
        peer.ident += 1
        for offset in range(0, upto, 1202):
            t = peer.sb.send("MSG", "D", payload=tp.p2p(
                BOT, sid, peer.ident, offset, len(data), flags=DATA_FLAGS, ack_id=0x77,
                body=data[offset:min(offset + 1202, upto)], footer=2))
            peer._acked(t)

    def expect_log(self, pattern):
        """The server logged a line matching `pattern` (within 2 s)."""
        deadline = time.monotonic() + 2
        while not re.search(pattern, self.srv.log()):
            self.assertLess(time.monotonic(), deadline, "no log line " + pattern)
            time.sleep(0.02)

    def file_record(self, user, name):
        found = [f for f in self.dump().findall("file")
                 if f.get("user") == user and f.get("name") == name]
        self.assertEqual(len(found), 1, found)
        return found[0].attrib

    def send_dc_data(self, dc, sid, data, chunk=1352):
        ident, ack_id = dc.ident + 1, 0x5A5A0001
        dc.ident += 1
        for offset in range(0, len(data), chunk):
            dc.send(sid, ident, offset, len(data), flags=DATA_FLAGS, ack_id=ack_id,
                    body=data[offset:offset + chunk])
        return ident, ack_id, len(data)


class ContextTest(unittest.TestCase):
    def test_parser_against_the_vector_and_each_version(self):
        v = dict(l.split("=", 1) for l in vector("ft-context.txt").splitlines() if "=" in l)
        blob = base64.b64decode(v["base64"])
        self.assertEqual(blob[:32].hex(), v["first_32_bytes_hex"])
        self.assertEqual(ft.parse_context(blob)[:3], (v["name"], int(v["size"]), 2))
        for version in (0, 2, 3):
            name, size, got, _ = ft.parse_context(context("Ünï 文件.txt", 5 << 32, version))
            self.assertEqual((name, size, got), ("Ünï 文件.txt", 5 << 32, version))
        # v2 with an unreliable length field is still v2
        self.assertEqual(ft.parse_context(context("a", 1, 2, 7))[0], "a")
        # a preview follows the fixed part when type is 0
        with_preview = bytearray(context("p.png", 9, 3)) + b"PNGDATA"
        with_preview[16:20] = b"\0\0\0\0"
        self.assertEqual(ft.parse_context(bytes(with_preview))[3], b"PNGDATA")
        self.assertEqual(ft.parse_context(ft.build_context("bot-file-1.bin", 1024))[:3],
                         ("bot-file-1.bin", 1024, 2))
        for bad in (b"", blob[:100], context("a", 1, 3, 637), context("a", 1, 0, 574),
                    context("a", 1, 7), context("", 1), context("a/b", 1),
                    context("a", 1)[:573]):
            with self.assertRaises(ft.ContextError, msg=bad[:24].hex()):
                ft.parse_context(bad)


    def test_handshake_packets_against_the_vector(self):
        cases = vector("dc-handshake.txt").split("[case ")[1:3]
        for case in cases:
            v = dict(l.split("=", 1) for l in case.splitlines() if "=" in l)
            guid = "{%s}" % v["parsed_back"]
            raw = ft.nonce_bytes(guid)
            self.assertEqual(raw.hex(), v["nonce_bytes"])
            self.assertEqual(ft.dc_packet(ft.nonce_header(int(v["identifier"]), raw)).hex(),
                             v["handshake_on_wire"])
            self.assertEqual(ft.hashed_nonce(raw), "{%s}" % v["hashed_nonce_of_this_nonce"])
            self.assertEqual(ft.nonce_of(bytes.fromhex(v["handshake_header"])), raw)


class BotReceivesTest(FtCase):
    expected_warnings = (
        r"file INVITE from alice@example.com refused \(500\): v3 context with length 637",
        r"file INVITE from alice@example.com refused \(500\): AppID '12'",
        r"direct connection from alice@example.com refused: nonce .* does not match",
        r"file gap.bin from carol@example.com: a gap: chunk at offset 2404, 1202 bytes",
        r"chunk at offset 0 after all 10 bytes of late.bin from carol@example.com",
    )

    def test_file_over_the_switchboard_and_cancel(self):
        peer = self.chat(BOB)
        data = os.urandom(3000)
        call_id, sid = self.offer(peer, "report 1.pdf", len(data))
        sent = peer.send(data, sid, DATA_FLAGS, 2)
        self.expect_done(peer, sid, sent)
        digest = hashlib.sha1(data).hexdigest()
        self.assertEqual(peer.text(), "Got your file report 1.pdf: 3000 bytes, SHA-1 " + digest)
        rec = self.file_record(BOB, "report 1.pdf")
        self.assertEqual((rec["direction"], rec["size"], rec["sha1"], rec["bridge"],
                          rec["outcome"]), ("in", "3000", digest, "sb", "completed"))
        # the client cancels in the middle with BYE
        call_id, sid = self.offer(peer, "big.iso", len(data))
        self.send_part(peer, sid, data, 1202)
        sent = peer.send(tp.slp("BYE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, BOB, call_id, "\r\n",
                                CLOSE_BODY))
        peer.expect_ack_of(sent)
        self.assertEqual(peer.text(), "File big.iso cancelled")
        # a chunk that was still on its way is a race, not a mistake (INFO)
        self.send_part(peer, sid, data, 1202)
        self.assertEqual(self.file_record(BOB, "big.iso")["outcome"], "cancelled")
        peak = self.dump().find("file-sessions[@user='%s']" % BOB)
        self.assertEqual((peak.get("peak"), peak.get("active")), ("1", "0"))

    def test_malformed_offers(self):
        peer = self.chat(ALICE)
        for blob, app_id in ((context("a", 1, 3, 637), 2), (context("a", 1), 12)):
            call_id = tp.guid()
            sent = peer.send(tp.slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, ALICE, call_id,
                                    file_invite_body(77, blob, app_id)))
            peer.expect_ack_of(sent)
            _, start, headers, fields = peer.slp()
            self.assertEqual((start, headers["Call-ID"], fields),
                             ("MSNSLP/1.0 500 Internal Error", call_id, {"SessionID": "77"}))
        self.expect_log(r" WARNING: bot: file INVITE from alice@example.com refused \(500\): v3 "
                        r"context with length 637")

    def test_gap_and_late_chunks_are_client_mistakes(self):
        peer = self.chat(CAROL)
        data = os.urandom(5000)
        call_id, sid = self.offer(peer, "gap.bin", len(data))
        ident = 0x0C000001
        for offset in (0, 2404):
            t = peer.sb.send("MSG", "D", payload=tp.p2p(BOT, sid, ident, offset, len(data),
                                                        flags=DATA_FLAGS,
                                                        body=data[offset:offset + 1202],
                                                        footer=2))
            peer._acked(t)
        _, start, _, _ = peer.slp()
        self.assertTrue(start.startswith("BYE "), start)
        self.assertEqual(peer.text(), "File gap.bin failed: a gap: chunk at offset 2404, "
                                      "1202 bytes received")
        self.assertEqual(self.file_record(CAROL, "gap.bin")["outcome"], "failed")
        call_id, sid = self.offer(peer, "late.bin", 10)
        sent = peer.send(b"0123456789", sid, DATA_FLAGS, 2)
        self.expect_done(peer, sid, sent)
        self.assertTrue(peer.text().startswith("Got your file late.bin: 10 bytes"))
        peer.send(b"0123456789", sid, DATA_FLAGS, 2)   # after the end: WARNING
        self.expect_log(r" WARNING: bot: chunk at offset 0 after all 10 bytes of late.bin")
        self.expect_log(r" WARNING: bot: file gap.bin from carol@example.com: a gap")
        self.assertFalse(peer.sb.closed(0.3))

    def _dc_receive(self, who, nonce_line, hashed_mode):
        peer = self.chat(who)
        data = os.urandom(5000)
        call_id, sid = self.offer(peer, "photo.jpg", len(data))
        secret = os.urandom(16)
        line = nonce_line(secret)
        resp = self.transreq(peer, call_id, sid, line)
        self.assertEqual((resp["Bridge"], resp["Listening"]), ("TCPv1", "true"))
        self.assertEqual(resp["IPv4Internal-Addrs"], "127.0.0.1")
        dc = Dc(socket.create_connection(("127.0.0.1", int(resp["IPv4Internal-Port"]))))
        self.addCleanup(dc.sock.close)
        dc.send_raw(b"foo\0")
        dc.nonce_packet(secret)
        got = dc.read_nonce()
        if hashed_mode:
            self.assertEqual(hashed(got), resp["Hashed-Nonce"])
            self.assertNotIn("Nonce", resp)
        else:
            self.assertEqual(got, secret)
            self.assertEqual(resp["Nonce"], guid_text(secret))   # echoed (§11.7)
        sent = self.send_dc_data(dc, sid, data)
        self.expect_done(peer, sid, sent, via=dc)
        self.assertEqual(peer.text(), "Got your file photo.jpg: 5000 bytes, SHA-1 "
                         + hashlib.sha1(data).hexdigest())
        rec = self.file_record(who, "photo.jpg")
        self.assertEqual((rec["bridge"], rec["outcome"]), ("dc", "completed"))

    def test_file_over_a_direct_connection_plain_nonce(self):
        self._dc_receive(ALICE, lambda s: "Nonce: %s\r\n" % guid_text(s), False)

    def test_file_over_a_direct_connection_hashed_nonce(self):
        self._dc_receive(BOB, lambda s: "Hashed-Nonce: %s\r\n" % hashed(s), True)

    def test_handshake_mismatch_falls_back_to_the_switchboard(self):
        peer = self.chat(ALICE)
        data = os.urandom(2500)
        call_id, sid = self.offer(peer, "fallback.txt", len(data))
        secret = os.urandom(16)
        resp = self.transreq(peer, call_id, sid, "Nonce: %s\r\n" % guid_text(secret))
        dc = Dc(socket.create_connection(("127.0.0.1", int(resp["IPv4Internal-Port"]))))
        self.addCleanup(dc.sock.close)
        dc.send_raw(b"foo\0")
        dc.nonce_packet(os.urandom(16))
        self.assertTrue(dc.closed())
        self.expect_log(r" WARNING: bot: direct connection from alice@example.com refused: "
                        r"nonce .* does not match")
        sent = peer.send(data, sid, DATA_FLAGS, 2)
        self.expect_done(peer, sid, sent)
        self.assertTrue(peer.text().startswith("Got your file fallback.txt: 2500 bytes"))
        self.assertEqual(self.file_record(ALICE, "fallback.txt")["bridge"], "sb")


class BotConnectsTest(FtCase):
    args = ("--bot", BOT, "--bot-direct", "connect")

    def test_bot_connects_to_a_listening_client(self):
        self._connects(ALICE, "c.bin", False)

    def test_bot_connects_with_hashed_nonces(self):
        self._connects(BOB, "h.bin", True)

    def _connects(self, who, name, hashed_mode):
        peer = self.chat(who)
        data = os.urandom(4000)
        call_id, sid = self.offer(peer, name, len(data))
        nonce = os.urandom(16)
        line = "Hashed-Nonce: %s" % hashed(nonce) if hashed_mode else \
            "Nonce: {00000000-0000-0000-0000-000000000000}"
        resp = self.transreq(peer, call_id, sid, line + "\r\n")
        self.assertEqual(resp["Listening"], "false")
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)
        if not hashed_mode:
            line = "Nonce: %s" % guid_text(nonce)
        body = ("Bridge: TCPv1\r\nListening: true\r\n%s\r\nIPv4External-Addrs: "
                "192.0.2.7\r\nIPv4External-Port: 1\r\nIPv4Internal-Addrs: 127.0.0.1\r\n"
                "IPv4Internal-Port: %d\r\n\r\n" % (line, listener.getsockname()[1]))
        sent = peer.send(tp.slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, who, call_id, body,
                                TRANS_RESP))
        peer.expect_ack_of(sent)
        listener.settimeout(5)
        sock, _ = listener.accept()
        dc = Dc(sock)
        self.addCleanup(sock.close)
        self.assertEqual(dc.read_raw(), b"foo\0")
        got = dc.read_nonce()
        if hashed_mode:            # the bot's secret, as its Listening: false advertised it
            self.assertEqual(hashed(got), resp["Hashed-Nonce"])
        else:
            self.assertEqual(got, nonce)
        dc.nonce_packet(nonce)
        sent = self.send_dc_data(dc, sid, data)
        self.expect_done(peer, sid, sent, via=dc)
        self.assertTrue(peer.text().startswith("Got your file %s: 4000 bytes" % name))
        self.assertEqual(self.file_record(who, name)["bridge"], "dc")


class BotSendsTest(FtCase):
    expected_warnings = (r"direct connection to alice@example.com \(127.0.0.1:\d+\) failed: nonce "
                         r".* does not match; switchboard",)

    def ask(self, peer, text, kib):
        t = peer.sb.send("MSG", "A", payload=mc.text_message(text))
        peer.sb.expect("ACK", t)
        expected = bot_file(kib)
        name = "bot-file-%d.bin" % kib
        self.assertEqual(peer.text(), "Sending you %s: %d bytes, SHA-1 %s"
                         % (name, len(expected), hashlib.sha1(expected).hexdigest()))
        _, start, headers, fields = peer.slp()
        self.assertEqual((start, headers["Content-Type"], fields["EUF-GUID"], fields["AppID"]),
                         ("INVITE MSNMSGR:%s MSNSLP/1.0" % peer.me,
                          "application/x-msnmsgr-sessionreqbody", FILE_GUID, "2"))
        blob = base64.b64decode(fields["Context"])
        self.assertEqual(struct.unpack_from("<IIQI", blob), (574, 2, len(expected), 1))
        self.assertEqual(blob[20:20 + 2 * len(name)].decode("utf-16-le"), name)
        self.assertEqual(len(blob), 574)
        return name, expected, headers, int(fields["SessionID"])

    def answer(self, peer, headers, sid, status="200 OK", ctype=tp.REQ_BODY, body=None):
        sent = peer.send(tp.slp("MSNSLP/1.0 " + status, BOT, peer.me, headers["Call-ID"],
                                body or "SessionID: %d\r\n\r\n" % sid, ctype, cseq=1,
                                branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)

    def dc_offer(self, peer, sid, call_id):
        _, start, headers, fields = peer.slp()
        self.assertEqual((start.split(" ")[0], headers["Content-Type"], headers["Call-ID"],
                          fields["Bridges"], fields["SessionID"]),
                         ("INVITE", TRANS_REQ, call_id, "TCPv1", str(sid)))
        return headers, fields

    def test_send_over_the_switchboard_then_decline(self):
        peer = self.chat(ALICE)
        name, expected, headers, sid = self.ask(peer, "send me a file", 64)
        self.answer(peer, headers, sid)
        oh, _ = self.dc_offer(peer, sid, headers["Call-ID"])
        self.answer(peer, oh, sid, ctype=TRANS_RESP,
                    body="Bridge: TCPv1\r\nListening: false\r\nNonce: "
                         "{00000000-0000-0000-0000-000000000000}\r\n\r\n")
        first, data, footers = peer.read_message()
        self.assertEqual((first["sid"], first["flags"], footers), (sid, DATA_FLAGS, {2}))
        self.assertEqual(data, expected)
        peer.ack(first)
        sent = peer.send(tp.slp("BYE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, ALICE,
                                headers["Call-ID"], "\r\n", CLOSE_BODY))
        peer.expect_ack_of(sent)
        rec = self.file_record(ALICE, name)
        self.assertEqual((rec["direction"], rec["size"], rec["sha1"], rec["bridge"],
                          rec["outcome"]),
                         ("out", str(len(expected)), hashlib.sha1(expected).hexdigest(), "sb",
                          "completed"))
        name, _, headers, sid = self.ask(peer, "file 1", 1)
        self.answer(peer, headers, sid, "603 Decline")
        self.assertEqual(peer.text(), "You declined bot-file-1.bin")
        self.assertEqual(self.file_record(ALICE, name)["outcome"], "declined")

    def test_unanswered_offer_falls_back_after_5_s(self):
        peer = self.chat(BOB)
        name, expected, headers, sid = self.ask(peer, "file 1", 1)
        self.answer(peer, headers, sid)
        self.dc_offer(peer, sid, headers["Call-ID"])    # ACKed, never answered
        peer.sb.sock.settimeout(10)
        start = time.monotonic()
        first, data, footers = peer.read_message()
        self.assertGreater(time.monotonic() - start, 4.5)
        self.assertEqual((first["sid"], data, footers), (sid, expected, {2}))
        peer.ack(first)

    def test_send_over_a_direct_connection(self):
        peer = self.chat(BOB)
        name, expected, headers, sid = self.ask(peer, "file 5", 5)
        self.answer(peer, headers, sid)
        oh, offer = self.dc_offer(peer, sid, headers["Call-ID"])
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)
        nonce = guid_bytes(offer["Nonce"])
        self.answer(peer, oh, sid, ctype=TRANS_RESP,
                    body="Bridge: TCPv1\r\nListening: true\r\nNonce: %s\r\n"
                         "IPv4Internal-Addrs: 127.0.0.1\r\nIPv4Internal-Port: %d\r\n\r\n"
                         % (offer["Nonce"], listener.getsockname()[1]))
        listener.settimeout(5)
        sock, _ = listener.accept()
        self.addCleanup(sock.close)
        dc = Dc(sock)
        self.assertEqual(dc.read_raw(), b"foo\0")
        self.assertEqual(dc.read_nonce(), nonce)
        dc.nonce_packet(nonce)
        data, first = b"", None
        while len(data) < len(expected):
            f, body = dc.read()
            first = first or f
            self.assertEqual((f["sid"], f["ident"], f["offset"], f["total"], f["flags"]),
                             (sid, first["ident"], len(data), len(expected), DATA_FLAGS))
            self.assertLessEqual(len(body), 1352)
            data += body
        self.assertEqual(data, expected)
        self.assertEqual(first["length"], 1352)
        dc.send(sid, None, 0, len(expected), 0, 2, first["ident"], first["ack_id"],
                len(expected))
        for _ in range(50):
            rec = self.file_record(BOB, name)
            if rec["outcome"] != "active":
                break
        self.assertEqual((rec["bridge"], rec["outcome"]), ("dc", "completed"))

    def test_user_cancels_while_the_bot_sends(self):
        # The largest file the bot sends: its sending must still be under way when the BYE
        # arrives. (200 KiB fitted in the sockets' buffers, so a loaded machine sometimes let
        # the bot finish first, and a finished transfer is never "cancelled".)
        peer = self.chat(CAROL)
        kib = 10 * 1024
        name, expected, headers, sid = self.ask(peer, "file %d" % kib, kib)
        self.answer(peer, headers, sid)
        oh, _ = self.dc_offer(peer, sid, headers["Call-ID"])
        self.answer(peer, oh, sid, "603 Decline", ctype=TRANS_RESP)
        for _ in range(3):
            f, body, footer = peer.read()
            self.assertEqual((f["sid"], f["flags"], footer, len(body)), (sid, DATA_FLAGS, 2,
                                                                        1202))
        bye = peer.send(tp.slp("BYE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, CAROL,
                               headers["Call-ID"], "\r\n", CLOSE_BODY))
        chunks = 3
        while True:                    # data already on its way, then the ACK of the BYE
            f, body, footer = peer.read()
            if f["flags"] == 2:
                self.assertEqual((f["ack_id"], f["ack_uid"]), bye[:2])
                break
            chunks += 1
        self.assertEqual(peer.text(), "You cancelled %s" % name)
        self.assertLess(chunks, -(-len(expected) // 1202))   # fewer than the whole file
        self.assertFalse(peer.sb.closed(0.3))
        self.assertNotIn(b"x-msnmsgrp2p", peer.sb.buf)   # nothing after the cancel
        self.assertEqual(self.file_record(CAROL, name)["outcome"], "cancelled")


    def test_handshake_mismatch_when_the_bot_connects(self):
        peer = self.chat(ALICE)
        name, expected, headers, sid = self.ask(peer, "file 2", 2)
        self.answer(peer, headers, sid)
        oh, offer = self.dc_offer(peer, sid, headers["Call-ID"])
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)
        self.answer(peer, oh, sid, ctype=TRANS_RESP,
                    body="Bridge: TCPv1\r\nListening: true\r\nNonce: %s\r\n"
                         "IPv4Internal-Addrs: 127.0.0.1\r\nIPv4Internal-Port: %d\r\n\r\n"
                         % (offer["Nonce"], listener.getsockname()[1]))
        listener.settimeout(5)
        sock, _ = listener.accept()
        self.addCleanup(sock.close)
        dc = Dc(sock)
        self.assertEqual(dc.read_raw(), b"foo\0")
        self.assertEqual(dc.read_nonce(), guid_bytes(offer["Nonce"]))
        dc.nonce_packet(os.urandom(16))
        self.assertTrue(dc.closed())
        first, data, footers = peer.read_message()       # over the switchboard instead
        self.assertEqual((first["sid"], data, footers), (sid, expected, {2}))
        peer.ack(first)
        self.expect_log(r" WARNING: bot: direct connection to alice@example.com .* failed: "
                        r"nonce .* does not match; switchboard")
        for _ in range(50):
            rec = self.file_record(ALICE, name)
            if rec["outcome"] != "active":
                break
        self.assertEqual((rec["bridge"], rec["outcome"]), ("sb", "completed"))


class DirectOffTest(FtCase):
    args = ("--bot", BOT, "--bot-direct", "off", "--bot-file-max", "5000")
    accounts = (ALICE,)

    def test_no_direct_connections_and_a_size_limit(self):
        peer = self.chat(ALICE)
        data = os.urandom(5000)
        a = self.offer(peer, "a.txt", len(data))
        b = self.offer(peer, "b.txt", len(data))
        resp = self.transreq(peer, a[0], a[1], "Nonce: %s\r\n" % guid_text(os.urandom(16)))
        self.assertEqual((resp["Listening"], resp["Nonce"]),
                         ("false", "{00000000-0000-0000-0000-000000000000}"))
        for call_id, sid in (a, b):
            self.expect_done(peer, sid, peer.send(data, sid, DATA_FLAGS, 2))
            self.assertTrue(peer.text().startswith("Got your file "))
        self.assertEqual(self.dump().find("file-sessions[@user='%s']" % ALICE).get("peak"), "2")
        # one byte over the limit: accepted, then closed with BYE
        self.offer(peer, "c.txt", 5001)
        _, start, _, _ = peer.slp()
        self.assertTrue(start.startswith("BYE "), start)
        self.assertEqual(peer.text(), "File c.txt is too big: 5001 bytes (limit 5000)")
        # the bot sends without offering a direct connection
        t = peer.sb.send("MSG", "A", payload=mc.text_message("file 1"))
        peer.sb.expect("ACK", t)
        self.assertTrue(peer.text().startswith("Sending you bot-file-1.bin: 1024 bytes"))
        _, start, headers, fields = peer.slp()
        sent = peer.send(tp.slp("MSNSLP/1.0 200 OK", BOT, ALICE, headers["Call-ID"],
                                "SessionID: %s\r\n\r\n" % fields["SessionID"], cseq=1,
                                branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        first, got, _ = peer.read_message()
        self.assertEqual((first["flags"], got), (DATA_FLAGS, bot_file(1)))


class FaultTest(FtCase):
    args = ("--bot", BOT, "--fault", "sb-close-after-p2p-data:2")
    accounts = (ALICE, BOB, CAROL)

    def test_switchboard_closes_mid_transfer(self):
        peer = self.chat(ALICE)
        call_id, sid = self.offer(peer, "cut.bin", 6000)
        self.send_part(peer, sid, b"x" * 6000, 2404)  # the fault's ACK comes, then the close
        self.assertTrue(peer.sb.closed())
        self.assertNotIn(b"MSG", peer.sb.buf)
        rec = self.file_record(ALICE, "cut.bin")
        self.assertEqual(rec["outcome"], "failed")
        # SLP does not count: a new switchboard takes an INVITE and one data chunk
        peer = self.chat(BOB)
        call_id, sid = self.offer(peer, "two.bin", 10)
        sent = peer.send(b"0123456789", sid, DATA_FLAGS, 2)
        self.expect_done(peer, sid, sent)

    def test_switchboard_closes_while_the_bot_sends(self):
        peer = self.chat(CAROL)
        t = peer.sb.send("MSG", "A", payload=mc.text_message("file 5"))
        peer.sb.expect("ACK", t)
        self.assertTrue(peer.text().startswith("Sending you bot-file-5.bin: 5120 bytes"))
        _, start, headers, fields = peer.slp()
        sid = int(fields["SessionID"])
        sent = peer.send(tp.slp("MSNSLP/1.0 200 OK", BOT, CAROL, headers["Call-ID"],
                                "SessionID: %d\r\n\r\n" % sid, cseq=1,
                                branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        _, start, oh, _ = peer.slp()                     # the direct-connection offer
        sent = peer.send(tp.slp("MSNSLP/1.0 200 OK", BOT, CAROL, oh["Call-ID"],
                                "Bridge: TCPv1\r\nListening: false\r\n\r\n", TRANS_RESP,
                                cseq=1, branch=oh["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        for offset in (0, 1202):                          # two data MSGs, then the close
            f, body, footer = peer.read()
            self.assertEqual((f["sid"], f["offset"], f["flags"]), (sid, offset, DATA_FLAGS))
        self.assertTrue(peer.sb.closed())
        self.assertNotIn(b"MSG", peer.sb.buf)
        rec = self.file_record(CAROL, "bot-file-5.bin")
        self.assertEqual((rec["direction"], rec["outcome"]), ("out", "failed"))


if __name__ == "__main__":
    unittest.main()
