"""Switchboard tests of tests/server/msnp-server (docs/protocol/switchboard.md), with
msnp_testclient.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import contextlib
import io
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge, config  # noqa: E402  (challenge: vector-checked)

ALICE, BOB, CAROL, DAVE, ERIN, FRANK = (
    "alice@example.com", "bob@example.com", "carol@example.net", "dave@example.org",
    "erin@example.com", "frank@example.com")
PASSWORD = "pw"
ACCOUNTS = [(e, PASSWORD) for e in (ALICE, BOB, CAROL, DAVE, ERIN, FRANK)]
BOT = "bot@example.com"
CAPS = "1074004004"
NAMES = {ALICE: "Alice%20Example", BOB: "Bob", CAROL: "Carol%20%C3%A9"}


def start_server(*args):
    return mc.ServerProcess(ACCOUNTS, args, state_dir=mc.shared_state_dir())


class SbCase(unittest.TestCase):
    """Helpers; `self.srv` is the server under test."""

    @staticmethod
    def finish(srv):
        rc, rest = srv.stop()
        log = srv.log()
        srv.stderr.close()
        if rc != 0 or rest or "Traceback" in log:
            raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                                 % (rc, rest, log[-6000:]))

    def online(self, email, status="NLN", **kw):
        c, _, _ = mc.sign_in(self.srv.ns, self.srv.web, email, PASSWORD)
        self.addCleanup(c.close)
        mc.go_online(c, challenge.answer, status=status, name=NAMES.get(email), **kw)
        return c

    def connect(self, address):
        c = mc.NsClient(address)
        self.addCleanup(c.close)
        return c

    def xfr(self, ns):
        t = ns.send("XFR", "SB")
        tokens, _ = ns.expect("XFR", t, "SB")
        return tokens

    def open_sb(self, ns, email):
        """XFR + USR on the SB; -> SB client."""
        tokens = self.xfr(ns)
        sb = self.connect(tokens[3])
        t = sb.send("USR", email, tokens[5])
        sb.expect("USR", t, "OK", email)
        return sb

    def ring(self, sb, callee_ns, callee):
        """CAL from `sb`; -> (session id, RNG tokens on the callee's NS)."""
        t = sb.send("CAL", callee)
        tokens, _ = sb.expect("CAL", t, "RINGING")
        rng, _ = callee_ns.expect("RNG", tokens[3])
        return tokens[3], rng

    def answer(self, rng, email):
        """Connect and ANS for an RNG; -> (SB client, IRO token lists)."""
        sb = self.connect(rng[2])
        t = sb.send("ANS", email, rng[4], rng[1])
        iro = []
        while True:
            tokens, _ = sb.read()
            if tokens[0] == "ANS":
                self.assertEqual(tokens, ["ANS", str(t), "OK"])
                return sb, iro
            self.assertEqual(tokens[:2], ["IRO", str(t)])
            iro.append(tokens[2:])

    def invite(self, sb, callee_ns, callee):
        _, rng = self.ring(sb, callee_ns, callee)
        joined, iro = self.answer(rng, callee)
        return joined, iro

    def quiet(self, c, timeout=0.3):
        """Nothing arrives (and the connection stays open) for `timeout` seconds."""
        self.assertFalse(c.closed(timeout=timeout))
        self.assertEqual(c.buf, b"")


class SwitchboardTest(SbCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_server("--bot", BOT, "--verbose")

    @classmethod
    def tearDownClass(cls):
        SbCase.finish(cls.srv)

    def test_two_party_chat(self):
        a, b = self.online(ALICE), self.online(BOB)
        tokens = self.xfr(a)
        host, port = tokens[3].rsplit(":", 1)
        self.assertEqual(host, "127.0.0.1")
        self.assertEqual(tokens[4], "CKI")
        self.assertRegex(tokens[5], r"^\d+\.\d+$")
        self.assertEqual(tokens[6:], ["U", "messenger.msn.com", "1"])
        sa = self.connect(tokens[3])
        t = sa.send("USR", ALICE, tokens[5])
        sa.expect("USR", t, "OK", ALICE, NAMES[ALICE])
        t = sa.send("CAL", BOB)
        toks, _ = sa.expect("CAL", t, "RINGING")
        sid = toks[3]
        self.assertRegex(sid, r"^\d+$")
        rng, _ = b.read()
        self.assertEqual(len(rng), 10)
        self.assertEqual(rng[:4], ["RNG", sid, tokens[3], "CKI"])
        self.assertNotEqual(rng[4], tokens[5])
        self.assertEqual(rng[5:], [ALICE, NAMES[ALICE], "U", "messenger.msn.com", "1"])
        sb, iro = self.answer(rng, BOB)
        self.assertEqual(iro, [["1", "1", ALICE, NAMES[ALICE], CAPS]])
        sa.expect("JOI", BOB, NAMES[BOB], CAPS)

        # typing (U): relayed, no reply
        typing = mc.typing_message(ALICE)
        sa.send("MSG", "U", payload=typing)
        self.assertEqual(sb.read(), (["MSG", ALICE, NAMES[ALICE], str(len(typing))], typing))
        # text (A): relayed byte for byte (multi-byte UTF-8, CRLF inside), ACK
        text = mc.text_message("Hi Bob!\r\nÇa va? \u263a")
        t = sa.send("MSG", "A", payload=text)
        self.assertEqual(sb.read(), (["MSG", ALICE, NAMES[ALICE], str(len(text))], text))
        sa.expect("ACK", t)
        # nudge (N): relayed, no reply on success; the next reply seen is the ACK of 't2'
        sa.send("MSG", "N", payload=mc.NUDGE)
        self.assertEqual(sb.read()[1], mc.NUDGE)
        t2 = sa.send("MSG", "D", payload=text)
        self.assertEqual(sb.read()[1], text)
        sa.expect("ACK", t2)
        # two MSGs in one segment, the other way
        one, two = mc.text_message("one"), mc.text_message("two")
        sb.send_raw(b"MSG 10 A %d\r\n%sMSG 11 A %d\r\n%s" % (len(one), one, len(two), two))
        self.assertEqual(sa.read(), (["MSG", BOB, NAMES[BOB], str(len(one))], one))
        self.assertEqual(sa.read(), (["MSG", BOB, NAMES[BOB], str(len(two))], two))
        sb.expect("ACK", "10")
        sb.expect("ACK", "11")
        # Bob leaves: BYE to Alice; now a message reaches nobody: NAK
        sb.send_raw(b"OUT\r\n")
        self.assertTrue(sb.closed())
        sa.expect("BYE", BOB)
        t = sa.send("MSG", "A", payload=text)
        sa.expect("NAK", t)
        sa.send_raw(b"OUT\r\n")
        self.assertTrue(sa.closed())

    def test_multi_party(self):
        a, b, c = self.online(ALICE), self.online(BOB), self.online(CAROL)
        sa = self.open_sb(a, ALICE)
        sb, _ = self.invite(sa, b, BOB)
        sa.expect("JOI", BOB, NAMES[BOB], CAPS)
        _, rng = self.ring(sa, c, CAROL)
        sc, iro = self.answer(rng, CAROL)
        self.assertEqual(iro, [["1", "2", ALICE, NAMES[ALICE], CAPS],
                               ["2", "2", BOB, NAMES[BOB], CAPS]])
        sa.expect("JOI", CAROL, NAMES[CAROL], CAPS)
        sb.expect("JOI", CAROL, NAMES[CAROL], CAPS)
        msg = mc.text_message("hello both")
        t = sc.send("MSG", "A", payload=msg)
        for other in (sa, sb):
            self.assertEqual(other.read(), (["MSG", CAROL, NAMES[CAROL], str(len(msg))], msg))
        sc.expect("ACK", t)
        # Bob (an invitee) may invite too: 215 for someone already there
        t = sb.send("CAL", CAROL)
        sb.expect("215", t)
        sb.close()                       # no OUT: a dropped connection is a leave as well
        sa.expect("BYE", BOB)
        sc.expect("BYE", BOB)
        t = sa.send("MSG", "A", payload=msg)
        self.assertEqual(sc.read()[1], msg)
        sa.expect("ACK", t)

    def test_cal_errors(self):
        a = self.online(ALICE)
        sa = self.open_sb(a, ALICE)
        # never signed in; unknown account: 217 (offline)
        for callee in (DAVE, "nobody@example.com"):
            t = sa.send("CAL", callee)
            sa.expect("217", t)
        # invalid address: 208; yourself: 215
        for callee in ("not-an-address", "a@b@example.com", "x@localhost"):
            t = sa.send("CAL", callee)
            sa.expect("208", t)
        t = sa.send("CAL", ALICE)
        sa.expect("215", t)
        # the connection stays usable; the 9th CAL within 10 s: 713
        for code in ("217", "217", "713"):
            t = sa.send("CAL", DAVE)
            sa.expect(code, t)
        sa2 = self.open_sb(a, ALICE)
        # signed in without CHG: offline, 217; invisible: 217
        e, _, _ = mc.sign_in(self.srv.ns, self.srv.web, ERIN, PASSWORD)
        self.addCleanup(e.close)
        t = sa2.send("CAL", ERIN)
        sa2.expect("217", t)
        mc.go_online(e, challenge.answer, status="HDN")
        t = sa2.send("CAL", ERIN)
        sa2.expect("217", t)
        t = e.send("CHG", "BSY", CAPS)
        e.expect("CHG", t, "BSY", CAPS)
        self.ring(sa2, e, ERIN)                         # busy still accepts
        self.quiet(e, 0.1)

    def test_privacy_blocks_cal(self):
        a = self.online(ALICE)
        sa = self.open_sb(a, ALICE)
        # Frank has Alice on his Block role (Sharing AddMember, as a client blocks someone)
        mc.prepare_lists(self.srv.web, FRANK, PASSWORD, block=[ALICE])
        f = self.online(FRANK)
        t = sa.send("CAL", FRANK)
        sa.expect("217", t)
        self.quiet(f, 0.1)
        # BLP BL: only the Allow role may talk (Carol allows Alice, Bob does not)
        mc.prepare_lists(self.srv.web, CAROL, PASSWORD, add=[ALICE])
        c = self.online(CAROL, blp="BL")
        self.ring(sa, c, CAROL)
        b = self.online(BOB, blp="BL")
        t = sa.send("CAL", BOB)
        sa.expect("217", t)
        self.quiet(b, 0.1)
        t = b.send("BLP", "AL")
        b.expect("BLP", t, "AL")
        self.ring(sa, b, BOB)

    def test_xfr_while_hidden_or_before_chg(self):
        c, _, _ = mc.sign_in(self.srv.ns, self.srv.web, DAVE, PASSWORD)
        self.addCleanup(c.close)
        t = c.send("XFR", "SB")
        c.expect("913", t)
        mc.go_online(c, challenge.answer, status="HDN")
        t = c.send("XFR", "SB")
        c.expect("913", t)
        t = c.send("XFR", "NS")
        c.expect("201", t)
        t = c.send("CHG", "AWY", CAPS)
        c.expect("CHG", t, "AWY", CAPS)
        self.xfr(c)

    def test_cookie_checks(self):
        a, b = self.online(ALICE), self.online(BOB)
        tokens = self.xfr(a)
        address, cookie = tokens[3], tokens[5]
        # another account presenting Alice's cookie; the cookie is gone afterwards
        s = self.connect(address)
        t = s.send("USR", BOB, cookie)
        s.expect("911", t)
        self.assertTrue(s.closed())
        s = self.connect(address)
        t = s.send("USR", ALICE, cookie)
        s.expect("911", t)
        self.assertTrue(s.closed())
        # single use
        cookie = self.xfr(a)[5]
        s = self.connect(address)
        t = s.send("USR", ALICE, cookie)
        s.expect("USR", t, "OK", ALICE)
        s2 = self.connect(address)
        t = s2.send("USR", ALICE, cookie)
        s2.expect("911", t)
        self.assertTrue(s2.closed())
        # made-up cookie; a command before USR/ANS
        s2 = self.connect(address)
        t = s2.send("USR", ALICE, "123.456")
        s2.expect("911", t)
        s2 = self.connect(address)
        t = s2.send("CAL", BOB)
        s2.expect("715", t)
        self.assertTrue(s2.closed())
        # RNG cookies: bound to the invitee and the session; not usable with USR
        sid, rng = self.ring(s, b, BOB)
        for args in ((BOB, rng[4], str(int(sid) + 1)), (CAROL, rng[4], sid)):
            s3 = self.connect(address)
            t = s3.send("ANS", *args)
            s3.expect("911", t)
            self.assertTrue(s3.closed())
        sid, rng = self.ring(s, b, BOB)
        s3 = self.connect(address)
        t = s3.send("USR", BOB, rng[4])
        s3.expect("911", t)
        # XFR cookies are not ANS cookies
        s3 = self.connect(address)
        t = s3.send("ANS", ALICE, self.xfr(a)[5], sid)
        s3.expect("911", t)
        # a re-CAL replaces the pending invitation; the session ends with its last participant
        sid, old = self.ring(s, b, BOB)
        sid, rng = self.ring(s, b, BOB)
        s3 = self.connect(address)
        t = s3.send("ANS", BOB, old[4], sid)
        s3.expect("911", t)
        s.send_raw(b"OUT\r\n")
        self.assertTrue(s.closed())
        time.sleep(0.1)
        s3 = self.connect(address)
        t = s3.send("ANS", BOB, rng[4], sid)
        s3.expect("911", t)
        self.assertTrue(s3.closed())
        # ...which every client meets when the caller leaves first: no warning for it
        time.sleep(0.1)
        self.assertIn("session %s ended before this answer" % sid, self.srv.log())

    def test_payload_limit(self):
        a, b = self.online(ALICE), self.online(BOB)
        sa = self.open_sb(a, ALICE)
        sb, _ = self.invite(sa, b, BOB)
        sa.expect("JOI", BOB)
        head = mc.text_message("")
        biggest = head + b"x" * (1664 - len(head))
        t = sa.send("MSG", "A", payload=biggest)
        self.assertEqual(sb.read()[1], biggest)
        sa.expect("ACK", t)
        sa.send("MSG", "A", payload=biggest + b"y")
        self.assertTrue(sa.closed())
        self.assertEqual(sa.buf, b"")
        sb.expect("BYE", ALICE)
        # a bad ack mode and a missing length
        t = sb.send("MSG", "X", payload=head)
        sb.expect("200", t)
        sb.send_raw(b"MSG 40 A\r\n")
        sb.expect("200", "40")
        self.assertTrue(sb.closed())

    def test_nak_when_nobody_is_there(self):
        a = self.online(ALICE)
        sa = self.open_sb(a, ALICE)
        msg = mc.text_message("anyone?")
        for mode in ("A", "N", "D"):
            t = sa.send("MSG", mode, payload=msg)
            sa.expect("NAK", t)
        sa.send("MSG", "U", payload=mc.typing_message(ALICE))
        self.quiet(sa, 0.2)

    def test_bot(self):
        a, b = self.online(ALICE), self.online(BOB)
        sa = self.open_sb(a, ALICE)
        t = sa.send("CAL", BOT)
        sa.expect("CAL", t, "RINGING")
        sa.expect("JOI", BOT, "Echo%20Bot", str(0x80000000 | 0x20 | 0x20000))
        fmt = "FN=Arial; EF=B; CO=0000ff; CS=0; PF=22"
        msg = mc.text_message("Hello bot \u00e9", fmt)
        t = sa.send("MSG", "A", payload=msg)
        sa.expect("ACK", t)
        self.assertEqual(sa.read(), (["MSG", BOT, "Echo%20Bot", "88"], mc.typing_message(BOT)))
        reply = mc.text_message("You said: Hello bot \u00e9", fmt)
        self.assertEqual(sa.read(), (["MSG", BOT, "Echo%20Bot", str(len(reply))], reply))
        t = sa.send("MSG", "N", payload=mc.NUDGE)
        self.assertEqual(sa.read()[1], mc.NUDGE)
        # a long text (in one MSG, then in two parts): the answer comes in a Message-ID /
        # Chunks multi-part message
        long_text = "\u00e9" * 770
        self.assertLessEqual(len(mc.text_message(long_text)), 1664)
        t = sa.send("MSG", "A", payload=mc.text_message(long_text))
        sa.expect("ACK", t)
        self.check_long_answer(sa, long_text)
        mid = "{0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C}"
        first = mc.text_message("\u00e9" * 700).replace(
            b"\r\n\r\n", ("\r\nMessage-ID: %s\r\nChunks: 2\r\n\r\n" % mid).encode(), 1)
        t = sa.send("MSG", "A", payload=first)
        sa.expect("ACK", t)
        t = sa.send("MSG", "A", payload=("Message-ID: %s\r\nChunk: 1\r\n\r\n%s"
                                         % (mid, "\u00e8" * 700)).encode())
        sa.expect("ACK", t)
        self.check_long_answer(sa, "\u00e9" * 700 + "\u00e8" * 700)
        # a third participant sees the bot's answers too; typing is not answered
        sb, iro = self.invite(sa, b, BOB)
        self.assertEqual([i[2] for i in iro], [ALICE, BOT])
        sa.expect("JOI", BOB)
        sb.send("MSG", "U", payload=mc.typing_message(BOB))
        sa.expect("MSG", BOB)
        self.quiet(sb, 0.3)
        t = sb.send("MSG", "A", payload=mc.text_message("hi"))
        self.assertEqual(sa.read()[1], mc.text_message("hi"))
        sb.expect("ACK", t)
        for c in (sa, sb):
            c.expect("MSG", BOT)                             # typing
            self.assertEqual(c.expect("MSG", BOT)[1], mc.text_message("You said: hi"))

    def check_long_answer(self, sa, text):
        self.assertEqual(sa.expect("MSG", BOT)[1], mc.typing_message(BOT))
        parts = []
        _, first = sa.expect("MSG", BOT)
        head, body = first.split(b"\r\n\r\n", 1)
        fields = dict(l.split(": ", 1) for l in head.decode().split("\r\n")[1:])
        self.assertEqual(fields["Content-Type"], "text/plain; charset=UTF-8")
        parts.append(body)
        for i in range(1, int(fields["Chunks"])):
            tokens, payload = sa.expect("MSG", BOT)
            self.assertLessEqual(len(payload), 1664)
            head, body = payload.split(b"\r\n\r\n", 1)
            self.assertEqual(head.decode(), "Message-ID: %s\r\nChunk: %d"
                             % (fields["Message-ID"], i))
            parts.append(body)
        self.assertGreater(len(parts), 1)
        self.assertEqual(b"".join(parts).decode("utf-8"), "You said: " + text)


class IdleTest(SbCase):
    def setUp(self):
        self.srv = start_server("--sb-idle", "0.6", "--bot", BOT)
        self.addCleanup(self.finish, self.srv)

    def test_idle_switchboard_is_closed_with_bye(self):
        a, b = self.online(ALICE), self.online(BOB)
        sa = self.open_sb(a, ALICE)
        sb, _ = self.invite(sa, b, BOB)
        sa.expect("JOI", BOB)
        t = sa.send("CAL", BOT)
        sa.expect("CAL", t, "RINGING")
        sa.expect("JOI", BOT)
        sb.expect("JOI", BOT)
        time.sleep(0.3)
        sa.send("MSG", "U", payload=mc.typing_message(ALICE))   # activity: the timer restarts
        sb.expect("MSG", ALICE)
        start = time.monotonic()
        sa.expect("BYE", BOB, "1")
        sa.expect("BYE", BOT, "1")
        sb.expect("BYE", ALICE, "1")
        sb.expect("BYE", BOT, "1")
        self.assertGreater(time.monotonic() - start, 0.4)
        self.assertTrue(sa.closed())
        self.assertTrue(sb.closed())
        # alone: just closed
        s = self.open_sb(a, ALICE)
        self.assertTrue(s.closed(timeout=2))
        self.assertEqual(s.buf, b"")


class FaultTest(SbCase):
    def server(self, *args):
        self.srv = start_server(*args)
        self.addCleanup(self.finish, self.srv)

    def pair(self):
        a, b = self.online(ALICE), self.online(BOB)
        sa = self.open_sb(a, ALICE)
        sb, _ = self.invite(sa, b, BOB)
        sa.expect("JOI", BOB)
        return sa, sb

    def test_cal_217(self):
        self.server("--fault", "cal-217", "--bot", BOT)
        a, b = self.online(ALICE), self.online(BOB)
        sa = self.open_sb(a, ALICE)
        for callee in (BOB, BOT):
            t = sa.send("CAL", callee)
            sa.expect("217", t)
        self.quiet(b, 0.1)

    def test_nak_once_and_no_ack(self):
        self.server("--fault", "sb-nak-once", "--fault", "sb-no-ack")
        sa, sb = self.pair()
        sa.send("MSG", "U", payload=mc.typing_message(ALICE))   # U: not the one NAKed
        sb.expect("MSG", ALICE)
        t = sa.send("MSG", "A", payload=mc.text_message("first"))
        sa.expect("NAK", t)
        t = sa.send("MSG", "A", payload=mc.text_message("second"))
        self.assertEqual(sb.read()[1], mc.text_message("second"))
        self.quiet(sa)                                           # no ACK
        sa.close()
        sb.expect("BYE", ALICE)
        t = sb.send("MSG", "A", payload=mc.text_message("alone"))
        sb.expect("NAK", t)                                      # NAKs still come

    def test_ack_lost_once(self):
        self.server("--fault", "sb-ack-lost-once")
        sa, sb = self.pair()
        t = sa.send("MSG", "A", payload=mc.text_message("delivered, never ACKed"))
        self.assertEqual(sb.read()[1], mc.text_message("delivered, never ACKed"))
        self.assertTrue(sa.closed())                             # no ACK before the close
        self.assertEqual(sa.buf, b"")
        self.assertTrue(sb.closed())
        sa, sb = self.pair()                                     # once: the next one is ACKed
        t = sa.send("MSG", "A", payload=mc.text_message("again"))
        self.assertEqual(sb.read()[1], mc.text_message("again"))
        sa.expect("ACK", t)

    def test_ns_close_after_xfr(self):
        self.server("--fault", "ns-close-after-xfr")
        a = self.online(ALICE)
        sa = self.open_sb(a, ALICE)
        started = time.monotonic()
        self.assertTrue(a.closed(timeout=3))
        self.assertGreaterEqual(time.monotonic() - started, 0.5)
        self.assertNotIn(b"OUT", a.buf)
        self.quiet(sa)                                           # the switchboard stays

    def test_close_after(self):
        self.server("--fault", "sb-close-after:2")
        sa, sb = self.pair()
        t = sa.send("MSG", "A", payload=mc.text_message("1"))
        sb.read()
        sa.expect("ACK", t)
        t = sb.send("MSG", "A", payload=mc.text_message("2"))
        self.assertEqual(sa.read()[1], mc.text_message("2"))
        sb.expect("ACK", t)
        self.assertTrue(sa.closed())
        self.assertTrue(sb.closed())
        self.assertEqual((sa.buf, sb.buf), (b"", b""))
        # every switchboard, not just the first
        sa, sb = self.pair()
        for n in "34":
            t = sa.send("MSG", "A", payload=mc.text_message(n))
            sb.read()
            sa.expect("ACK", t)
        self.assertTrue(sa.closed())

    def test_bad_options(self):
        for args in (["--fault", "sb-close-after"], ["--fault", "sb-close-after:0"],
                     ["--fault", "sb-close-after:x"], ["--fault", "sb-nak"],
                     ["--sb-idle", "0"], ["--bot", "not-an-address"],
                     ["--account", ALICE + ":x", "--bot", ALICE]):
            with self.subTest(args), contextlib.redirect_stderr(io.StringIO()):
                with self.assertRaises(SystemExit) as cm:
                    config.parse(args)
                self.assertEqual(cm.exception.code, 2)
        cfg = config.parse(["--fault", "sb-close-after:3", "--fault", "cal-217", "--bot", BOT])
        self.assertEqual(cfg.faults.value("sb-close-after"), 3)
        self.assertIn("cal-217", cfg.faults)
        self.assertEqual((cfg.bot, cfg.bot_name, cfg.sb_idle), (BOT, "Echo Bot", 300.0))


if __name__ == "__main__":
    unittest.main()
