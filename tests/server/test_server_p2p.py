"""Display pictures over MSNP2P in tests/server/msnp-server (MSNP15 reference §11): relaying
and the MSG limit on the switchboard, the bot's picture in presence, the bot serving it,
declining other INVITEs, fetching a user's picture, and --contact-pictures.

The P2P and SLP code here is the test's own reading of the reference, not the server's p2p.py.
Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import hashlib
import os
import re
import signal
import struct
import sys
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge  # noqa: E402  (vector-checked)

ALICE, BOB, CAROL, DAVE = ("alice@example.com", "bob@example.com", "carol@example.com",
                           "dave@example.com")
PASSWORD = "pw"
BOT = "bot@example.com"
CAPS = "1074004004"
BOT_CAPS = str(0x80000000 | 0x20 | 0x20000)
MSNOBJ_GUID = "{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}"
WEBCAM_GUID = "{4BD96FC0-AB17-4425-A14A-439185962DC8}"  # (file offers: test_server_ft.py)
REQ_BODY = "application/x-msnmsgr-sessionreqbody"
HDR = struct.Struct("<IIQQIIIIQ")
FIELDS = ("sid", "ident", "offset", "total", "length", "flags", "ack_id", "ack_uid", "ack_size")


# ---- P2P as the reference describes it ------------------------------------------------------------

def p2p(dest, sid=0, ident=1, offset=0, total=0, length=None, flags=0, ack_id=0, ack_uid=0,
        ack_size=0, body=b"", footer=0):
    length = len(body) if length is None else length
    return (("MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: %s\r\n\r\n"
             % dest).encode() + HDR.pack(sid, ident, offset, total, length, flags, ack_id,
                                         ack_uid, ack_size) + body + struct.pack(">I", footer))


def unp2p(payload):
    """-> (P2P-Dest, {field: value}, body, footer)."""
    head, body = payload.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    assert lines[:2] == ["MIME-Version: 1.0", "Content-Type: application/x-msnmsgrp2p"], lines
    assert lines[2].startswith("P2P-Dest: "), lines
    fields = dict(zip(FIELDS, HDR.unpack_from(body)))
    data = body[48:-4]
    assert fields["length"] == len(data), fields
    return lines[2][10:], fields, data, struct.unpack(">I", body[-4:])[0]


def slp(start, to, frm, call_id, body, ctype=REQ_BODY, cseq=0, branch=None):
    content = body.encode() + b"\0"
    return ("%s\r\nTo: <msnmsgr:%s>\r\nFrom: <msnmsgr:%s>\r\nVia: MSNSLP/1.0/TLP ;branch=%s\r\n"
            "CSeq: %d \r\nCall-ID: %s\r\nMax-Forwards: 0\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (start, to, frm, branch or guid(), cseq, call_id, ctype,
                                            len(content))).encode() + content


def unslp(data):
    """-> (start line, {header: value}, {body field: value}); checks the NUL and length."""
    assert data.endswith(b"\0"), data[-10:]
    head, body = data[:-1].decode().split("\r\n\r\n", 1)
    lines = head.split("\r\n")
    headers = dict(l.split(": ", 1) for l in lines[1:])
    assert int(headers["Content-Length"]) == len(body.encode()) + 1, (headers, body)
    fields = dict(l.split(": ", 1) for l in body.split("\r\n") if l)
    return lines[0], headers, fields


_guids = iter(range(0x1000, 0xFFFFFF))


def guid():
    return "{5E7A1C2B-3D4E-4F5A-8B9C-%012X}" % next(_guids)


def invite_body(sid, context, app_id=1, euf=MSNOBJ_GUID):
    return ("EUF-GUID: %s\r\nSessionID: %d\r\nAppID: %d\r\nContext: %s\r\n\r\n"
            % (euf, sid, app_id, base64.b64encode(context.encode()).decode()))


def b64sha1(data):
    return base64.b64encode(hashlib.sha1(data).digest()).decode()


def msnobj_attrs(text):
    return dict(re.findall(r'(\w+)="([^"]*)"', text))


def msnobj_for(creator, data):
    sha1d = b64sha1(data)
    sha1c = b64sha1(("Creator%sSize%dType3Location0FriendlyAAA=SHA1D%s"
                     % (creator, len(data), sha1d)).encode())
    return ('<msnobj Creator="%s" Size="%d" Type="3" Location="0" Friendly="AAA=" SHA1D="%s" '
            'SHA1C="%s"/>' % (creator, len(data), sha1d, sha1c))


class Peer:
    """One side of a P2P link over an SB client: sends messages, reads them, ACKs them."""

    def __init__(self, sb, me, remote):
        self.sb, self.me, self.remote = sb, me, remote
        self.ident = 0x0A100000
        self.inbox = []                # P2P MSGs that came while waiting for an SB ACK

    def _acked(self, t):
        """Wait for the SB's `ACK t`; the remote's P2P messages may come first."""
        while True:
            tokens, payload = self.sb.read()
            if tokens[0] == "ACK":
                assert tokens == ["ACK", str(t)], tokens
                return
            assert tokens[:2] == ["MSG", self.remote], tokens
            self.inbox.append((tokens, payload))

    def send(self, data=b"", sid=0, flags=0, footer=0, chunk=1202):
        """One message (chunked); -> (Identifier, AckID, TotalSize)."""
        self.ident += 1
        ack_id = 0x12340000 + self.ident
        for offset in range(0, max(len(data), 1), chunk):
            piece = data[offset:offset + chunk]
            t = self.sb.send("MSG", "D", payload=p2p(self.remote, sid, self.ident, offset,
                                                      len(data), flags=flags, ack_id=ack_id,
                                                      body=piece, footer=footer))
            self._acked(t)
        return self.ident, ack_id, len(data)

    def ack(self, fields):
        self.ident += 1
        t = self.sb.send("MSG", "D", payload=p2p(
            self.remote, fields["sid"], self.ident, 0, fields["total"], 0, 2, fields["ident"],
            fields["ack_id"], fields["total"]))
        self._acked(t)

    def read(self):
        """The next P2P message from the remote, -> (fields, body, footer); asserts the MSG."""
        tokens, payload = self.inbox.pop(0) if self.inbox else self.sb.expect("MSG",
                                                                               self.remote)
        dest, fields, body, footer = unp2p(payload)
        assert dest == self.me, dest
        assert len(payload) <= 1664
        return fields, body, footer

    def read_message(self):
        """A whole (possibly chunked) message: -> (first fields, data, footers)."""
        first, body, footer = self.read()
        data, footers = body, {footer}
        while len(data) < first["total"]:
            f, body, footer = self.read()
            assert (f["ident"], f["offset"], f["total"]) == (first["ident"], len(data),
                                                             first["total"]), f
            assert f["length"] <= 1202 and f["flags"] == first["flags"], f
            data += body
            footers.add(footer)
        return first, data, footers

    def expect_ack_of(self, sent):
        ident, ack_id, total = sent
        f, body, footer = self.read()
        assert (f["flags"], f["ack_id"], f["ack_uid"], f["ack_size"], f["total"], f["length"],
                footer, body) == (2, ident, ack_id, total, total, 0, 0, b""), f
        return f


class P2PCase(unittest.TestCase):
    args = ("--bot", BOT)
    accounts = (ALICE, BOB, CAROL, DAVE)
    expected_warnings = ()

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.state = tempfile.mkdtemp(prefix="msnp-p2p-test-")
        cls.srv = mc.ServerProcess([(e, PASSWORD) for e in cls.accounts], cls.args,
                                   state_dir=cls.state)

    @classmethod
    def tearDownClass(cls):
        import shutil
        rc, rest = cls.srv.stop()
        log = cls.srv.log()
        cls.srv.stderr.close()
        shutil.rmtree(cls.state, ignore_errors=True)
        if rc != 0 or rest or "Traceback" in log:
            raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                                 % (rc, rest, log[-6000:]))
        # What a harness scenario would see: the P2P flows provoke no WARNING (nor ERROR).
        warnings = [l for l in log.splitlines() if (" WARNING: " in l or " ERROR: " in l)
                    and not any(re.search(w, l) for w in cls.expected_warnings)]
        if warnings:
            raise AssertionError("unexpected warnings:\n" + "\n".join(warnings))

    def online(self, email, fl=(), msnobj=None):
        """Sign in with `fl` on the forward list (ABContactAdd + ADL); -> (NS client, {email:
        ILN tokens})."""
        if fl:
            mc.prepare_lists(self.srv.web, email, PASSWORD, add=fl)
        c, _, _ = mc.sign_in(self.srv.ns, self.srv.web, email, PASSWORD)
        self.addCleanup(c.close)
        t = c.send("BLP", "AL")
        c.expect("BLP", t, "AL")
        for payload in mc.adl_payloads([(e, 1, 1) for e in fl]):
            t = c.send("ADL", payload=payload)
            c.expect("ADL", t, "OK")
        params = ["NLN", CAPS] + ([urllib.parse.quote(msnobj, safe="")] if msnobj else [])
        t = c.send("CHG", *params)
        c.expect("CHG", t, *params)
        iln = {}
        while True:
            tokens, _ = c.read()
            if tokens[0] == "CHL":
                break
            if tokens[0] == "ILN":
                iln[tokens[3]] = tokens
        t = c.send("QRY", mc.PRODUCT_ID, payload=challenge.answer(tokens[2]).encode())
        c.expect("QRY", t)
        return c, iln

    def connect(self, address):
        c = mc.NsClient(address)
        self.addCleanup(c.close)
        return c

    def call(self, ns, me, callee):
        """XFR, USR, CAL `callee` (a peer of the server); -> SB client after its JOI."""
        t = ns.send("XFR", "SB")
        tokens, _ = ns.expect("XFR", t, "SB")
        sb = self.connect(tokens[3])
        t = sb.send("USR", me, tokens[5])
        sb.expect("USR", t, "OK", me)
        t = sb.send("CAL", callee)
        sb.expect("CAL", t, "RINGING")
        sb.expect("JOI", callee)
        return sb

    def dump(self):
        path = os.path.join(self.state, "dump.xml")
        if os.path.exists(path):
            os.unlink(path)
        self.srv.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while not os.path.exists(path) and time.monotonic() < deadline:
            time.sleep(0.02)
        return ET.parse(path).getroot().find("p2p")

    def fetch(self, peer, msnobj, app_id=1):
        """Request the remote's picture as the reference's requester does; -> (data, the data
        message's first fields, its footers, data-preparation footer)."""
        call_id, sid = guid(), 1980589
        invite = slp("INVITE MSNMSGR:%s MSNSLP/1.0" % peer.remote, peer.remote, peer.me,
                     call_id, invite_body(sid, msnobj, app_id))
        sent = peer.send(invite)
        peer.expect_ack_of(sent)
        first, data, _ = peer.read_message()
        start, headers, fields = unslp(data)
        self.assertEqual(start, "MSNSLP/1.0 200 OK")
        self.assertEqual((headers["To"], headers["From"], headers["Call-ID"], headers["CSeq"],
                          headers["Content-Type"]),
                         ("<msnmsgr:%s>" % peer.me, "<msnmsgr:%s>" % peer.remote, call_id, "1",
                          REQ_BODY))
        self.assertEqual(fields, {"SessionID": str(sid)})
        self.assertEqual((first["sid"], first["flags"]), (0, 0))
        peer.ack(first)
        prep, prep_body, prep_footer = peer.read()
        self.assertEqual((prep["sid"], prep["total"], prep["flags"], prep_body),
                         (sid, 4, 0, b"\0\0\0\0"))
        peer.ack(prep)
        first, data, footers = peer.read_message()
        self.assertEqual((first["sid"], first["offset"], first["flags"]), (sid, 0, 0x20))
        peer.ack(first)
        sent = peer.send(slp("BYE MSNMSGR:%s MSNSLP/1.0" % peer.remote, peer.remote, peer.me,
                             call_id, "\r\n", "application/x-msnmsgr-sessionclosebody"))
        peer.expect_ack_of(sent)
        return data, first, footers, prep_footer


class SwitchboardP2PTest(P2PCase):
    """The switchboard relays P2P like any MSG and enforces the 1664-byte limit."""

    expected_warnings = (r"MSG payload of 1665 bytes exceeds 1664; closing without a reply",)

    def two_in_sb(self):
        a, _ = self.online(ALICE)
        b, _ = self.online(BOB)
        t = a.send("XFR", "SB")
        tokens, _ = a.expect("XFR", t, "SB")
        sa = self.connect(tokens[3])
        t = sa.send("USR", ALICE, tokens[5])
        sa.expect("USR", t, "OK", ALICE)
        t = sa.send("CAL", BOB)
        sid = sa.expect("CAL", t, "RINGING")[0][3]
        rng, _ = b.expect("RNG", sid)
        sb = self.connect(rng[2])
        t = sb.send("ANS", BOB, rng[4], sid)
        sb.expect("IRO", t)
        sb.expect("ANS", t, "OK")
        sa.expect("JOI", BOB)
        return sa, sb

    def test_p2p_is_relayed_byte_for_byte(self):
        sa, sb = self.two_in_sb()
        body = bytes(range(256)) * 4 + b"\r\n\r\nMSG 1 A 3\r\n" + bytes(range(256))[:163]
        self.assertEqual(len(body), 1202)
        msg = p2p(BOB, 1980589, 7, 0, 5000, flags=0x20, ack_id=99, body=body, footer=12)
        t = sa.send("MSG", "D", payload=msg)
        self.assertEqual(sb.read(), (["MSG", ALICE, ALICE, str(len(msg))], msg))
        sa.expect("ACK", t)
        ack = p2p(ALICE, 1980589, 8, 0, 5000, 0, 2, 7, 99, 5000)
        t = sb.send("MSG", "D", payload=ack)
        self.assertEqual(sa.read(), (["MSG", BOB, BOB, str(len(ack))], ack))
        sb.expect("ACK", t)
        dump = self.dump()
        self.assertIsNone(dump.find("invite[@from='%s'][@to='%s']" % (ALICE, BOB)))
        # a session INVITE between two users is counted per (from, to)
        invite = slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOB, BOB, ALICE, guid(),
                     invite_body(77, "<msnobj/>"))
        for _ in range(2):
            t = sa.send("MSG", "D", payload=p2p(BOB, 0, 9, 0, len(invite), body=invite))
            sb.expect("MSG", ALICE)
            sa.expect("ACK", t)
        self.assertEqual(self.dump().find("invite[@from='%s'][@to='%s']" % (ALICE, BOB))
                         .get("count"), "2")

    def test_p2p_over_1664_bytes_closes_the_connection(self):
        sa, sb = self.two_in_sb()
        head = len(p2p(BOB))
        biggest = p2p(BOB, 5, 1, 0, 9000, body=b"d" * (1664 - head), flags=0x20)
        self.assertEqual(len(biggest), 1664)
        t = sa.send("MSG", "D", payload=biggest)
        self.assertEqual(sb.read()[1], biggest)
        sa.expect("ACK", t)
        sa.send("MSG", "D", payload=p2p(BOB, 5, 1, 0, 9000, body=b"d" * (1665 - head),
                                        flags=0x20))
        self.assertTrue(sa.closed())
        self.assertEqual(sa.buf, b"")              # no reply, nothing relayed: only the BYE
        sb.expect("BYE", ALICE)
        self.assertFalse(sb.closed(0.2))
        self.assertEqual(sb.buf, b"")


class BotPictureTest(P2PCase):
    def test_bot_announces_and_serves_its_picture(self):
        a, iln = self.online(ALICE, fl=[BOT])
        tokens = iln[BOT]
        self.assertEqual(tokens[2:7], ["NLN", BOT, "1", "Echo%20Bot", BOT_CAPS])
        self.assertEqual(len(tokens), 8)
        self.assertNotRegex(tokens[7], r"[^A-Za-z0-9_.~%-]")   # URL-encoded
        msnobj = urllib.parse.unquote(tokens[7])
        attrs = msnobj_attrs(msnobj)
        self.assertEqual(list(attrs), ["Creator", "Size", "Type", "Location", "Friendly",
                                       "SHA1D", "SHA1C"])
        self.assertEqual((attrs["Creator"], attrs["Type"]), (BOT, "3"))
        self.assertEqual(attrs["SHA1C"], b64sha1(
            ("Creator%sSize%sType%sLocation%sFriendly%sSHA1D%s" % tuple(
                attrs[k] for k in ("Creator", "Size", "Type", "Location", "Friendly", "SHA1D"))
             ).encode()))

        sb = self.call(a, ALICE, BOT)
        peer = Peer(sb, ALICE, BOT)
        for app_id in (12, 1):
            data, first, footers, prep_footer = self.fetch(peer, msnobj, app_id)
            self.assertEqual(footers, {app_id})
            self.assertEqual(prep_footer, 1)
            self.assertEqual((len(data), b64sha1(data)), (int(attrs["Size"]), attrs["SHA1D"]))
            self.assertGreater(len(data), 1202)                  # came in several chunks
            self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
            self.assertEqual(struct.unpack(">II", data[16:24]), (96, 96))
        dump = self.dump()
        self.assertEqual(dump.find("invite[@from='%s'][@to='%s']" % (ALICE, BOT)).get("count"),
                         "2")
        sessions = dump.find("sessions[@requester='%s']" % ALICE)
        self.assertEqual((sessions.get("peak"), sessions.get("active")), ("1", "0"))
        # a text still gets its echo
        t = sb.send("MSG", "A", payload=mc.text_message("hi"))
        sb.expect("ACK", t)
        sb.expect("MSG", BOT)
        self.assertEqual(sb.expect("MSG", BOT)[1], mc.text_message("You said: hi"))

    def test_bot_declines_other_invites(self):
        a, iln = self.online(BOB, fl=[BOT])
        msnobj = urllib.parse.unquote(iln[BOT][7])
        other = msnobj.replace('SHA1D="', 'SHA1D="x', 1)
        sb = self.call(a, BOB, BOT)
        peer = Peer(sb, BOB, BOT)
        for sid, context, euf, app_id in ((41, other, MSNOBJ_GUID, 1),
                                          (42, msnobj, WEBCAM_GUID, 2),
                                          (44, msnobj, WEBCAM_GUID, 12),
                                          (43, msnobj, MSNOBJ_GUID, 5)):
            call_id = guid()
            sent = peer.send(slp("INVITE MSNMSGR:%s MSNSLP/1.0" % BOT, BOT, BOB, call_id,
                                 invite_body(sid, context, app_id, euf)))
            peer.expect_ack_of(sent)
            first, data, _ = peer.read_message()
            start, headers, fields = unslp(data)
            self.assertEqual((start, headers["Call-ID"], fields),
                             ("MSNSLP/1.0 603 Decline", call_id, {"SessionID": str(sid)}))
            peer.ack(first)
        self.assertFalse(sb.closed(0.3))
        self.assertEqual(sb.buf, b"")                 # no data after a decline
        sessions = self.dump().find("sessions[@requester='%s']" % BOB)
        self.assertIsNone(sessions)

    def test_bot_fetches_a_users_picture(self):
        for who, good in ((CAROL, True), (DAVE, False)):
            picture = bytes(range(256)) * 9 + who.encode()
            msnobj = msnobj_for(who, picture)
            ns, _ = self.online(who, fl=[BOT], msnobj=msnobj)
            self.check_fetch(ns, who, picture, msnobj, good)

    def check_fetch(self, ns, who, picture, msnobj, good):
        rng, _ = ns.expect("RNG")
        self.assertEqual(rng[3:], ["CKI", rng[4], BOT, "Echo%20Bot", "U", "messenger.msn.com",
                                   "1"])
        sb = self.connect(rng[2])
        t = sb.send("ANS", who, rng[4], rng[1])
        self.assertEqual(sb.expect("IRO", t)[0][2:], ["1", "1", BOT, "Echo%20Bot", BOT_CAPS])
        sb.expect("ANS", t, "OK")
        peer = Peer(sb, who, BOT)
        first, data, _ = peer.read_message()
        start, headers, fields = unslp(data)
        self.assertEqual(start, "INVITE MSNMSGR:%s MSNSLP/1.0" % who)
        self.assertEqual((headers["To"], headers["From"], headers["Content-Type"]),
                         ("<msnmsgr:%s>" % who, "<msnmsgr:%s>" % BOT, REQ_BODY))
        self.assertEqual((fields["EUF-GUID"], fields["AppID"]), (MSNOBJ_GUID, "1"))
        self.assertEqual(base64.b64decode(fields["Context"]).decode(), msnobj)
        sid = int(fields["SessionID"])
        peer.ack(first)
        sent = peer.send(slp("MSNSLP/1.0 200 OK", BOT, who, headers["Call-ID"],
                             "SessionID: %d\r\n\r\n" % sid, cseq=1,
                             branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        sent = peer.send(b"\0\0\0\0", sid, 0, 1)
        peer.expect_ack_of(sent)
        sent = peer.send(picture if good else picture[:-1] + b"!", sid, 0x20, 1)
        peer.expect_ack_of(sent)
        first, data, _ = peer.read_message()
        start, bye, _ = unslp(data)
        self.assertEqual((start, bye["Call-ID"], bye["Content-Type"]),
                         ("BYE MSNMSGR:%s MSNSLP/1.0" % who, headers["Call-ID"],
                          "application/x-msnmsgr-sessionclosebody"))
        peer.ack(first)
        _, text = sb.expect("MSG", BOT)
        self.assertEqual(text.split(b"\r\n\r\n", 1)[1].decode(),
                         "Got your display picture: %d bytes, SHA1D %s"
                         % (len(picture), "ok" if good else "mismatch"))
        got = self.dump().find("received[@from='%s']" % who)
        self.assertEqual((got.get("sha1d"), got.get("size"), got.get("ok")),
                         (b64sha1(picture) if good else got.get("sha1d"), str(len(picture)),
                          "1" if good else "0"))
        # The same object announced again (a status change) is not fetched twice.
        t = ns.send("CHG", "AWY", CAPS, urllib.parse.quote(msnobj, safe=""))
        ns.expect("CHG", t, "AWY")
        self.assertFalse(ns.closed(0.6))
        self.assertNotIn(b"RNG", ns.buf)
        self.assertEqual(self.dump().find("invite[@from='%s'][@to='%s']" % (BOT, who))
                         .get("count"), "1")


class ContactPicturesTest(P2PCase):
    args = ("--contacts", "6", "--contact-pictures", "--contact-names", "plain")
    accounts = (ALICE,)

    def test_generated_contacts_are_online_with_their_own_pictures(self):
        ab = mc.contacts_for(self.srv.web, mc.parse_rst_response(
            self.srv.web.rst(ALICE, PASSWORD)[2]))
        emails = [c["email"] for c in ab.find_all()["contacts"] if c["messenger"]]
        self.assertEqual(len(emails), 6)
        a, iln = self.online(ALICE, fl=())
        t = a.send("ADL", payload=mc.adl_payloads([(e, 1, 1) for e in emails], initial=False)[0])
        a.expect("ADL", t, "OK")
        seen, ubx = {}, 0
        while len(seen) + ubx < 2 * len(emails):
            tokens, _ = a.read()
            if tokens[0] == "UBX":
                ubx += 1
            else:
                self.assertEqual(tokens[:2], ["NLN", "NLN"])
                seen[tokens[2]] = tokens
        self.assertEqual(sorted(seen), sorted(emails))
        objects = {e: urllib.parse.unquote(tok[6]) for e, tok in seen.items()}
        self.assertEqual(len({msnobj_attrs(o)["SHA1D"] for o in objects.values()}), 6)
        first, who = sorted(emails)[:2]
        # One session left open (no ACK of the data, no BYE) while another runs in full:
        # the dump's peak counts both.
        s1 = self.call(a, ALICE, first)
        p1 = Peer(s1, ALICE, first)
        call_id = guid()
        p1.expect_ack_of(p1.send(slp("INVITE MSNMSGR:%s MSNSLP/1.0" % first, first, ALICE,
                                     call_id, invite_body(5, objects[first]))))
        for _ in range(3):                           # 200 OK, data preparation, data
            p1.read_message()
        sb = self.call(a, ALICE, who)
        peer = Peer(sb, ALICE, who)
        data, _, footers, _ = self.fetch(peer, objects[who], 12)
        self.assertEqual(b64sha1(data), msnobj_attrs(objects[who])["SHA1D"])
        self.assertEqual(footers, {12})
        sessions = self.dump().find("sessions[@requester='%s']" % ALICE)
        self.assertEqual((sessions.get("peak"), sessions.get("active")), ("2", "1"))
        p1.expect_ack_of(p1.send(slp("BYE MSNMSGR:%s MSNSLP/1.0" % first, first, ALICE, call_id,
                                     "\r\n", "application/x-msnmsgr-sessionclosebody")))
        sessions = self.dump().find("sessions[@requester='%s']" % ALICE)
        self.assertEqual((sessions.get("peak"), sessions.get("active")), ("2", "0"))
        # a generated contact does not echo
        t = sb.send("MSG", "A", payload=mc.text_message("hi"))
        sb.expect("ACK", t)
        self.assertFalse(sb.closed(0.4))
        self.assertEqual(sb.buf, b"")


if __name__ == "__main__":
    unittest.main()
