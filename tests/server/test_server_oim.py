"""Offline-message tests of tests/server/msnp-server (docs/protocol/offline-messages.md): Store2
with the LockKey challenge, Mail-Data at sign-in and while online, rsi GetMetadata / GetMessage /
DeleteMessages. Requests are built here from the reference text, not by the server's code.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import os
import re
import sys
import unittest
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge  # noqa: E402  (vector-checked in test_server_crypto)

VECTORS = os.path.join(HERE, "..", "data", "vectors")
ALICE, BOB, CAROL, DAVE, ERIN = ("alice@example.com", "bob@example.com", "carol@example.net",
                                 "dave@example.org", "erin@example.com")
PASSWORD = "pw"
BOT = "bot@example.com"
STORE2 = "http://messenger.live.com/ws/2006/09/oim/Store2"
RSI = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi"
RUN_ID = "{3A3BE82F-1A3C-4E8B-9B1B-4F0D2E1B2C3D}"     # one per sign-in; one per test here
RUN_MAILBOX = "{6E1A0C3B-2D4F-4A5B-8C9D-0E1F2A3B4C5D}"
RUN_BULK = "{0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C}"
SECURE = "messengersecure.live.com"


# ---- request builders (docs/protocol/offline-messages.md) ----------------------------------------

def rfc2047(name):
    return "=?utf-8?B?%s?=" % base64.b64encode(name.encode("utf-8")).decode("ascii")


def oim_content(text, seq, run_id=RUN_ID):
    b64 = base64.b64encode(text.encode("utf-8")).decode("ascii")
    lines = ["MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
             "Content-Transfer-Encoding: base64", "X-OIM-Message-Type: OfflineMessage",
             "X-OIM-Run-Id: %s" % run_id, "X-OIM-Sequence-Num: %d" % seq, ""]
    lines += [b64[i:i + 76] for i in range(0, len(b64), 76)]
    return "\n".join(lines)


def store2_body(sender, name, to, passport, lockkey, seq, content, appid=mc.PRODUCT_ID,
                oim_ns="http://messenger.msn.com/ws/2004/09/oim/"):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
            '<From memberName=%s friendlyName=%s xml:lang="en-US" proxy="MSNMSGR" xmlns=%s '
            'msnpVer="MSNP15" buildVer="8.5.1288"/>'
            '<To memberName=%s xmlns=%s/>'
            '<Ticket passport=%s appid=%s lockkey=%s xmlns=%s/>'
            '<Sequence xmlns="http://schemas.xmlsoap.org/ws/2003/03/rm">'
            '<Identifier xmlns="http://schemas.xmlsoap.org/ws/2002/07/utility">'
            'http://messenger.msn.com</Identifier><MessageNumber>%s</MessageNumber></Sequence>'
            '</soap:Header><soap:Body>'
            '<MessageType xmlns="http://messenger.msn.com/ws/2004/09/oim/">text</MessageType>'
            '<Content xmlns="http://messenger.msn.com/ws/2004/09/oim/">%s</Content>'
            '</soap:Body></soap:Envelope>'
            % (quoteattr(sender), quoteattr(name), quoteattr(oim_ns), quoteattr(to),
               quoteattr(oim_ns), quoteattr(passport), quoteattr(appid), quoteattr(lockkey),
               quoteattr(oim_ns), seq, escape(content))).encode("utf-8")


def rsi_body(t, p, inner):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
            '<PassportCookie xmlns="%s"><t>%s</t><p>%s</p></PassportCookie>'
            '</soap:Header><soap:Body>%s</soap:Body></soap:Envelope>'
            % (RSI, escape(t), escape(p), inner)).encode("utf-8")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find(root, name):
    return next((e for e in root.iter() if local(e.tag) == name), None)


def fault(body):
    """-> (faultcode, {detail child: text}) of a SOAP fault response."""
    root = ET.fromstring(body)
    f = find(root, "Fault")
    assert f is not None, body[:500]
    detail = find(f, "detail")
    return (find(f, "faultcode").text,
            {local(e.tag): e.text for e in (detail if detail is not None else [])})


def mail_data(payload):
    """The Mail-Data value of a Hotmail MSG payload."""
    m = re.search(rb"\r\nMail-Data: (.*?)\r\n", payload)
    assert m, payload
    return m.group(1).decode("utf-8")


def md_messages(md_xml):
    root = ET.fromstring(md_xml) if isinstance(md_xml, str) else md_xml
    return [{local(c.tag): c.text for c in m} for m in root.iter() if local(m.tag) == "M"]


_server = None


def setUpModule():
    """One server for the module (the tests use separate senders, recipients and run ids)."""
    global _server
    accounts = [(e, PASSWORD) for e in (ALICE, BOB, CAROL, DAVE, ERIN)]
    _server = mc.ServerProcess(accounts, ("--bot", BOT), state_dir=mc.shared_state_dir())


def tearDownModule():
    rc, rest = _server.stop()
    log = _server.log()
    _server.stderr.close()
    if rc != 0 or rest or "Traceback" in log:
        raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                             % (rc, rest, log[-6000:]))


class OimCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = _server

    def tokens(self, email):
        status, _, body = self.srv.web.rst(email, PASSWORD)
        self.assertEqual(status, 200)
        return mc.parse_rst_response(body)

    def sign_in(self, email):
        c, toks, msgs = mc.sign_in(self.srv.ns, self.srv.web, email, PASSWORD)
        self.addCleanup(c.close)
        return c, toks, msgs

    def store2(self, body, action=STORE2):
        return self.srv.web.post("/OimWS/oim.asmx", body, {"SOAPAction": action})

    def rsi(self, op, toks, inner):
        tok = toks["messenger.msn.com"]
        return self.srv.web.post("/rsi/rsi.asmx", rsi_body(tok["t"], tok["p"], inner),
                                 {"SOAPAction": "%s/%s" % (RSI, op)})

    def send_oim(self, sender, toks, to, text, seq, lockkey=None, name="Sender", run_id=RUN_ID):
        """Store2 with the LockKey handshake when `lockkey` is None; -> the lock key used."""
        passport = toks[SECURE]["ticket"]
        if lockkey is None:
            status, _, body = self.store2(store2_body(sender, rfc2047(name), to, passport, "",
                                                      seq, oim_content(text, seq, run_id)))
            self.assertEqual(status, 500)
            code, detail = fault(body)
            self.assertEqual(code, "q0:AuthenticationFailed")
            self.assertRegex(detail["LockKeyChallenge"], r"^\d{20}$")
            lockkey = challenge.answer(detail["LockKeyChallenge"])
        status, _, body = self.store2(store2_body(sender, rfc2047(name), to, passport, lockkey,
                                                  seq, oim_content(text, seq, run_id)))
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(find(ET.fromstring(body), "StoreResponse"))
        return lockkey


class StoreTest(OimCase):
    def test_builders_match_the_vectors(self):
        with open(os.path.join(VECTORS, "oim.txt"), encoding="utf-8") as f:
            vec = f.read()
        fields = dict(re.findall(r"^(\w+)=(.*)$", vec, re.M))
        content = vec.split("content_begin\n", 1)[1].split("\ncontent_end", 1)[0]
        self.assertEqual(rfc2047(fields["input"]), fields["rfc2047"])
        self.assertEqual(challenge.answer(fields["lockkey_challenge"]), fields["lockkey"])
        self.assertEqual(oim_content(fields["text"], 1), content)

    def test_lockkey_round_trip_and_sequence(self):
        toks = self.tokens(ALICE)
        passport = toks[SECURE]["ticket"]
        key = self.send_oim(ALICE, toks, ERIN, "one", 1)
        self.send_oim(ALICE, toks, ERIN, "two", 2, lockkey=key)   # the key stays valid
        # a number already used in this run: rejected
        status, _, body = self.store2(store2_body(ALICE, rfc2047("A"), ERIN, passport, key, 2,
                                                  oim_content("again", 2)))
        self.assertEqual((status, fault(body)[0]), (500, "q0:InvalidContent"))
        # MessageNumber and X-OIM-Sequence-Num must agree
        status, _, body = self.store2(store2_body(ALICE, rfc2047("A"), ERIN, passport, key, 4,
                                                  oim_content("x", 3)))
        self.assertEqual((status, fault(body)[0]), (500, "q0:InvalidContent"))
        # a wrong key: a fresh challenge; the old key is no good any more
        status, _, body = self.store2(store2_body(ALICE, rfc2047("A"), ERIN, passport, "0" * 32,
                                                  3, oim_content("three", 3)))
        code, detail = fault(body)
        self.assertEqual((status, code), (500, "q0:AuthenticationFailed"))
        self.assertNotEqual(challenge.answer(detail["LockKeyChallenge"]), key)
        status, _, body = self.store2(store2_body(ALICE, rfc2047("A"), ERIN, passport, key, 3,
                                                  oim_content("three", 3)))
        self.assertIn("LockKeyChallenge", fault(body)[1])
        key2 = challenge.answer(fault(body)[1]["LockKeyChallenge"])
        self.send_oim(ALICE, toks, ERIN, "three", 3, lockkey=key2)
        # a lock key belongs to its ticket: a new login needs a new one
        toks2 = self.tokens(ALICE)
        status, _, body = self.store2(store2_body(ALICE, rfc2047("A"), ERIN,
                                                  toks2[SECURE]["ticket"], key2, 4,
                                                  oim_content("four", 4)))
        self.assertIn("LockKeyChallenge", fault(body)[1])

    def test_store2_checks(self):
        toks = self.tokens(BOB)
        passport = toks[SECURE]["ticket"]
        key = self.send_oim(BOB, toks, ERIN, "setup", 1)
        good = dict(sender=BOB, name=rfc2047("Bob"), to=ERIN, passport=passport, lockkey=key,
                    seq=2, content=oim_content("hi", 2))

        def attempt(action=STORE2, **changes):
            args = dict(good, **changes)
            return self.store2(store2_body(**args), action)
        # the SOAPAction
        status, _, body = attempt(action="http://messenger.live.com/ws/2006/09/oim/Store")
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        # tickets: not the sender's, not for messengersecure, made up -> RequiredAuthPolicy
        alices = self.tokens(ALICE)
        for passport in (alices[SECURE]["ticket"], toks["messenger.msn.com"]["ticket"],
                         "t=abc&p="):
            with self.subTest(passport=passport[:30]):
                status, _, body = attempt(passport=passport)
                code, detail = fault(body)
                self.assertEqual((status, code), (500, "q0:AuthenticationFailed"))
                self.assertEqual(detail.get("RequiredAuthPolicy"), "MBI_SSL")
                self.assertNotIn("LockKeyChallenge", detail)
        # a wrong appid invalidates the key like a wrong key would
        status, _, body = attempt(appid="PROD0090YUAUV{2B")
        self.assertIn("LockKeyChallenge", fault(body)[1])
        key = challenge.answer(fault(body)[1]["LockKeyChallenge"])
        good["lockkey"] = key
        # unknown recipient
        status, _, body = attempt(to="nobody@example.com")
        self.assertEqual((status, fault(body)[0]), (500, "q0:SystemUnavailable"))
        # friendlyName not RFC 2047; content problems
        bad_content = [
            oim_content("hi", 2).replace("base64\n", "quoted-printable\n"),
            oim_content("hi", 2).replace(RUN_ID, "not-a-guid"),
            oim_content("hi", 2).replace("aGk=", "a*Gk="),
            oim_content("hi", 2).replace("\n\n", "\n"),
            oim_content("hi", 2).replace("aGk=", "//4="),            # not UTF-8
        ]
        for changes in [dict(name="Bob"), dict(name="=?utf-8?B?***?=")] + \
                [dict(content=c) for c in bad_content]:
            with self.subTest(changes=changes):
                status, _, body = attempt(**changes)
                self.assertEqual((status, fault(body)[0]), (500, "q0:InvalidContent"))
        # header elements outside their namespace; no sequence number
        status, _, body = attempt(oim_ns="http://messenger.msn.com/ws/2004/09/oim")
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        status, _, body = attempt(seq="")
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        status, _, body = self.store2(b"<soap:Envelope")
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        # and the good one still goes through
        status, _, body = attempt()
        self.assertEqual(status, 200, body)
        # a recipient who blocks the sender (Sharing AddMember Block): SystemUnavailable
        mc.prepare_lists(self.srv.web, ERIN, PASSWORD, block=[BOB])
        status, _, body = attempt(seq=3, content=oim_content("hi", 3))
        self.assertEqual((status, fault(body)[0]), (500, "q0:SystemUnavailable"))

    def test_oim_to_the_bot_is_dropped(self):
        toks = self.tokens(CAROL)
        key = self.send_oim(CAROL, toks, BOT, "hello bot", 1)
        # a generated contact (--contacts) is a Passport too, but nobody can read its mail
        self.send_oim(CAROL, toks, "contact00042@example.net", "hello", 2, lockkey=key)
        c, _, msgs = self.sign_in(CAROL)
        self.assertNotIn("<E>%s</E>" % CAROL, mail_data(msgs[1]))


class MailboxTest(OimCase):
    def test_sign_in_list_get_message_and_delete(self):
        alice, bob = self.tokens(ALICE), self.tokens(BOB)
        key = self.send_oim(ALICE, alice, CAROL, "first from Alice", 1, name="Alice \u00e9",
                            run_id=RUN_MAILBOX)
        self.send_oim(BOB, bob, CAROL, "from Bob", 1, name="Bob", run_id=RUN_MAILBOX)
        long_text = "second from Alice, long enough to wrap the base64 lines " * 3
        self.send_oim(ALICE, alice, CAROL, long_text, 2, lockkey=key, name="Alice \u00e9",
                      run_id=RUN_MAILBOX)
        c, toks, (_, mail) = self.sign_in(CAROL)
        self.assertIn(b"Content-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8",
                      mail)
        listed = md_messages(mail_data(mail))
        self.assertEqual([m["E"] for m in listed], [ALICE, BOB, ALICE])
        self.assertEqual(listed[0]["N"], rfc2047("Alice \u00e9"))
        for m in listed:
            self.assertRegex(m["I"], r"^[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}$")
            self.assertRegex(m["RT"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual((m["T"], m["S"], m["RS"]), ("11", "6", "0"))
        # GetMetadata gives the same list
        status, _, body = self.rsi("GetMetadata", toks, '<GetMetadata xmlns="%s" />' % RSI)
        self.assertEqual(status, 200)
        md = find(ET.fromstring(body), "MD")
        self.assertEqual([m["I"] for m in md_messages(md)], [m["I"] for m in listed])
        # GetMessage: RFC 822 text with LF line ends; order Alice's by X-OIM-Sequence-Num
        got = []
        for m in listed:
            status, _, body = self.rsi("GetMessage", toks,
                                       '<GetMessage xmlns="%s"><messageId>%s</messageId>'
                                       '<alsoMarkAsRead>false</alsoMarkAsRead></GetMessage>'
                                       % (RSI, m["I"]))
            self.assertEqual(status, 200)
            text = find(ET.fromstring(body), "GetMessageResult").text
            self.assertNotIn("\r", text)
            self.assertEqual(int(m["SZ"]), len(text.encode("utf-8")))
            head, body_b64 = text.split("\n\n", 1)
            headers = dict(l.split(": ", 1) for l in head.split("\n") if ": " in l)
            self.assertRegex(headers["Date"], r"^\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d -0800$")
            self.assertIn("X-OriginalArrivalTime", headers)
            self.assertEqual(headers["Content-Transfer-Encoding"], "base64")
            self.assertEqual(headers["X-OIM-Run-Id"], RUN_MAILBOX)
            self.assertEqual(headers["To"], CAROL)
            sender = re.match(r"^(=\?utf-8\?B\?[A-Za-z0-9+/=]*\?=) <(.+)>$", headers["From"])
            self.assertEqual(sender.group(2), m["E"])
            got.append((sender.group(2), int(headers["X-OIM-Sequence-Num"]),
                        base64.b64decode(body_b64).decode("utf-8")))
        alices = sorted((seq, text) for who, seq, text in got if who == ALICE)
        self.assertEqual(alices, [(1, "first from Alice"), (2, long_text)])
        self.assertIn((BOB, 1, "from Bob"), got)
        # Someone else's ticket does not see Carol's messages
        status, _, body = self.rsi("GetMessage", alice,
                                   '<GetMessage xmlns="%s"><messageId>%s</messageId>'
                                   '<alsoMarkAsRead>false</alsoMarkAsRead></GetMessage>'
                                   % (RSI, listed[0]["I"]))
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        # DeleteMessages: unknown ids delete nothing; then two of three; activemail notice
        ids = "".join("<messageId>%s</messageId>" % m["I"] for m in listed[:2])
        status, _, body = self.rsi("DeleteMessages", toks,
                                   '<DeleteMessages xmlns="%s"><messageIds>%s<messageId>'
                                   '00000000-0000-0000-0000-000000000000</messageId>'
                                   '</messageIds></DeleteMessages>' % (RSI, ids))
        self.assertEqual(status, 500)
        status, _, body = self.rsi("DeleteMessages", toks,
                                   '<DeleteMessages xmlns="%s"><messageIds>%s</messageIds>'
                                   '</DeleteMessages>' % (RSI, ids))
        self.assertEqual(status, 200)
        self.assertIsNotNone(find(ET.fromstring(body), "DeleteMessagesResponse"))
        _, payload = c.expect("MSG", "Hotmail", "Hotmail")
        self.assertIn(b"text/x-msmsgsactivemailnotification", payload)
        self.assertIn(b"\r\n\r\nSrc-Folder: .!!OIM\r\nDest-Folder: .!!trAsH\r\n", payload)
        status, _, body = self.rsi("GetMetadata", toks, '<GetMetadata xmlns="%s" />' % RSI)
        self.assertEqual([m["I"] for m in md_messages(find(ET.fromstring(body), "MD"))],
                         [listed[2]["I"]])

    def test_notification_while_online(self):
        c, _, _ = self.sign_in(BOB)
        mc.go_online(c, challenge.answer)
        self.send_oim(DAVE, self.tokens(DAVE), BOB, "you there?", 1, name="Dave")
        _, payload = c.expect("MSG", "Hotmail", "Hotmail")
        self.assertTrue(payload.startswith(b"MIME-Version: 1.0\r\nContent-Type: "
                                           b"text/x-msmsgsoimnotification; charset=UTF-8\r\n"))
        listed = md_messages(mail_data(payload))
        self.assertEqual([(m["E"], m["N"]) for m in listed], [(DAVE, rfc2047("Dave"))])

    def test_too_large_and_rsi_checks(self):
        toks = self.tokens(BOB)
        key = None
        for seq in range(1, 27):
            key = self.send_oim(BOB, toks, DAVE, "note %d" % seq, seq, lockkey=key,
                                run_id=RUN_BULK)
        c, dave, (_, mail) = self.sign_in(DAVE)
        self.assertEqual(mail_data(mail), "too-large")
        status, _, body = self.rsi("GetMetadata", dave, '<GetMetadata xmlns="%s" />' % RSI)
        self.assertEqual(len(md_messages(find(ET.fromstring(body), "MD"))), 26)
        # rsi ticket checks: messenger.msn.com t and p of a known ticket
        for tok in ({"t": "bogus", "p": ""}, dave["messengerclear.live.com"],
                    dave[SECURE]):
            status, _, body = self.srv.web.post(
                "/rsi/rsi.asmx", rsi_body(tok["t"], tok["p"], '<GetMetadata xmlns="%s" />' % RSI),
                {"SOAPAction": RSI + "/GetMetadata"})
            self.assertEqual((status, fault(body)[0]), (500, "q0:AuthenticationFailed"))
        status, _, body = self.rsi("GetMessages", dave, '<GetMessages xmlns="%s" />' % RSI)
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))
        status, _, body = self.rsi("GetMessage", dave, '<GetMetadata xmlns="%s" />' % RSI)
        self.assertEqual((status, fault(body)[0]), (500, "soap:Client"))


class ExpiredTicketFaultTest(unittest.TestCase):
    """--fault oim-store-expired-once / oim-rsi-expired-once: the first ticket of each kind in
    use expires on the spot (and stays expired); a fresh RST.srf login works."""

    @classmethod
    def setUpClass(cls):
        cls.srv = mc.ServerProcess([(ALICE, PASSWORD), (BOB, PASSWORD)],
                                   ("--fault", "oim-store-expired-once",
                                    "--fault", "oim-rsi-expired-once"),
                                   state_dir=mc.shared_state_dir())

    @classmethod
    def tearDownClass(cls):
        rc, rest = cls.srv.stop()
        log = cls.srv.log()
        cls.srv.stderr.close()
        if rc != 0 or rest or "Traceback" in log:
            raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                                 % (rc, rest, log[-6000:]))

    def tokens(self, email):
        status, _, body = self.srv.web.rst(email, PASSWORD)
        self.assertEqual(status, 200)
        return mc.parse_rst_response(body)

    def store2(self, toks, lockkey, seq, text):
        body = store2_body(ALICE, rfc2047("Alice"), BOB, toks[SECURE]["ticket"], lockkey, seq,
                           oim_content(text, seq))
        return self.srv.web.post("/OimWS/oim.asmx", body, {"SOAPAction": STORE2})

    def get_metadata(self, toks):
        tok = toks["messenger.msn.com"]
        return self.srv.web.post("/rsi/rsi.asmx",
                                 rsi_body(tok["t"], tok["p"], '<GetMetadata xmlns="%s" />' % RSI),
                                 {"SOAPAction": RSI + "/GetMetadata"})

    def test_store2_ticket_expires_once(self):
        old = self.tokens(ALICE)
        for _ in range(2):   # the ticket stays expired, whatever the lock key
            status, _, body = self.store2(old, "", 1, "hello")
            code, detail = fault(body)
            self.assertEqual((status, code), (500, "q0:AuthenticationFailed"))
            self.assertEqual(detail.get("RequiredAuthPolicy"), "MBI_SSL")
            self.assertNotIn("LockKeyChallenge", detail)
        # a renewed ticket: the usual LockKey handshake, then stored; the fault is used up
        for seq in (1, 2):
            fresh = self.tokens(ALICE)
            status, _, body = self.store2(fresh, "", seq, "hello")
            code, detail = fault(body)
            self.assertEqual((status, code), (500, "q0:AuthenticationFailed"))
            key = challenge.answer(detail["LockKeyChallenge"])
            status, _, body = self.store2(fresh, key, seq, "hello")
            self.assertEqual(status, 200, body)
            self.assertIsNotNone(find(ET.fromstring(body), "StoreResponse"))

    def test_rsi_ticket_expires_once(self):
        old = self.tokens(BOB)
        for _ in range(2):
            status, _, body = self.get_metadata(old)
            self.assertEqual((status, fault(body)[0]), (500, "q0:AuthenticationFailed"))
        for _ in range(2):
            status, _, body = self.get_metadata(self.tokens(BOB))
            self.assertEqual(status, 200, body)
            self.assertIsNotNone(find(ET.fromstring(body), "MD"))


class EscapedMetadataTest(OimCase):
    """--rsi-metadata escaped: like a revival server, GetMetadata fails on a request element
    without children, and otherwise sends the Mail-Data as escaped text."""

    @classmethod
    def setUpClass(cls):
        cls.srv = mc.ServerProcess([(ALICE, PASSWORD), (BOB, PASSWORD)],
                                   ("--rsi-metadata", "escaped"),
                                   state_dir=mc.shared_state_dir())

    @classmethod
    def tearDownClass(cls):
        rc, rest = cls.srv.stop()
        cls.srv.stderr.close()
        if rc != 0 or rest:
            raise AssertionError("server exit %r, extra stdout %r" % (rc, rest))

    def test_empty_element_fails_child_gets_escaped_text(self):
        toks = self.tokens(ALICE)
        self.send_oim(ALICE, toks, BOB, "escaped", 1)
        bob = self.tokens(BOB)
        status, _, _ = self.rsi("GetMetadata", bob, '<GetMetadata xmlns="%s" />' % RSI)
        self.assertEqual(status, 500)
        status, _, body = self.rsi("GetMetadata", bob,
                                   '<GetMetadata xmlns="%s"><MD /></GetMetadata>' % RSI)
        self.assertEqual(status, 200, body)
        response = find(ET.fromstring(body), "GetMetadataResponse")
        self.assertEqual(len(response), 0)   # no elements: text only
        self.assertEqual([m["E"] for m in md_messages(response.text)], [ALICE])


if __name__ == "__main__":
    unittest.main()
