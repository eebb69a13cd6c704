"""Contact lists and presence in tests/server/msnp-server (docs/protocol/contact-list.md,
presence.md, notification-server.md), driven by msnp_testclient: generated books (--contacts), the
SOAP services (abservice, SharingService, SchematizedStore) with their ticket/limit/delta checks,
ADL/RML/FQY, and presence fan-out between signed-in accounts.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import http.client
import os
import re
import shutil
import socket
import sys
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge  # noqa: E402  (vector-checked in test_server_crypto)

PW = "pw"
ALICE, BOB, CAROL, DAVE, ERIN, FRANK = (
    "alice@example.com", "bob@example.com", "carol@example.net", "dave@example.org",
    "erin@example.com", "frank@example.com")
NEWBIE = "newbie@example.com"          # --new-account: no address book until ABAdd
CAPS = "1074004004"
SOAP_NS = "{http://schemas.xmlsoap.org/soap/envelope/}"
AB = "{%s}" % mc.AB_NS
GENERATED = re.compile(r"^contact\d{5}@example\.(com|net|org)$")

_state_root = None


def setUpModule():
    global _state_root
    _state_root = tempfile.mkdtemp(prefix="msnp-contacts-test-")


def tearDownModule():
    shutil.rmtree(_state_root, ignore_errors=True)


def start(accounts, *args):
    return mc.ServerProcess([(a, PW) for a in accounts], args,
                            state_dir=os.path.join(_state_root, "state"))


def finish(srv):
    rc, rest = srv.stop()
    log = srv.log()
    srv.stderr.close()
    if rc != 0 or rest or "Traceback" in log:
        raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                             % (rc, rest, log[-6000:]))


def ml_entries(payload):
    """<ml> payload -> [(email, attributes)]."""
    root = ET.fromstring(payload)
    return [("%s@%s" % (c.get("n"), d.get("n")), dict(c.attrib)) for d in root for c in d]


class ContactsCase(unittest.TestCase):
    accounts = ()
    args = ()

    @classmethod
    def setUpClass(cls):
        cls.srv = start(cls.accounts, *cls.args)

    @classmethod
    def tearDownClass(cls):
        finish(cls.srv)

    def soap(self, email):
        """Contacts helper for `email` (fresh tickets)."""
        toks = mc.parse_rst_response(self.srv.web.rst(email, PW)[2])
        return mc.contacts_for(self.srv.web, toks)

    def sign_in(self, email):
        c, toks, _ = mc.sign_in(self.srv.ns, self.srv.web, email, PW)
        self.addCleanup(c.close)
        return c, toks

    def online(self, email, entries=(), status="NLN", name=None, blp="AL"):
        """Sign in, BLP, initial ADL of `entries` [(email, l, t)], [PRP], CHG, QRY.
        -> (client, CHG trid, [(tokens, payload)] received between CHG and CHL)."""
        c, _ = self.sign_in(email)
        t = c.send("BLP", blp)
        c.expect("BLP", t, blp)
        for payload in mc.adl_payloads(list(entries)):
            t = c.send("ADL", payload=payload)
            c.expect("ADL", t, "OK")
        if name is not None:
            t = c.send("PRP", "MFN", name)
            c.expect("PRP", t, "MFN", name)
        chg = c.send("CHG", status, CAPS)
        c.expect("CHG", chg, status, CAPS)
        before = []
        while True:
            tokens, payload = c.read()
            if tokens[0] == "CHL":
                break
            before.append((tokens, payload))
        t = c.send("QRY", mc.PRODUCT_ID, payload=challenge.answer(tokens[2]).encode())
        c.expect("QRY", t)
        return c, chg, before

    def quiet(self, c, timeout=0.15):
        self.assertFalse(c.closed(timeout=timeout))
        self.assertEqual(c.buf, b"")

    def expect_fault(self, errorcode, fn, *args, faultcode="soap:Client"):
        with self.assertRaises(mc.SoapFault) as cm:
            fn(*args)
        self.assertEqual((cm.exception.status, cm.exception.faultcode, cm.exception.errorcode),
                         (500, faultcode, errorcode), str(cm.exception))
        return cm.exception


# ---- generated books and the SOAP services -----------------------------------------------------

class GeneratedBooksTest(ContactsCase):
    accounts = (ALICE, BOB, CAROL, DAVE)
    args = ("--contacts", "40", "--new-account", "%s:%s" % (NEWBIE, PW))
    N = 40

    def test_exact_count_and_realistic_book(self):
        ab = self.soap(ALICE)
        book = ab.find_all()
        regular = [c for c in book["contacts"] if c["type"] != "Me"]
        me = [c for c in book["contacts"] if c["type"] == "Me"]
        self.assertEqual(len(regular), self.N)
        self.assertTrue(all(c["messenger"] and not c["deleted"] for c in regular))
        self.assertEqual([(c["email"], c["messenger"]) for c in me], [(ALICE, False)])
        self.assertTrue(all(GENERATED.match(c["email"]) for c in regular))
        self.assertEqual(len({c["email"] for c in regular}), self.N)
        self.assertEqual(len({c["id"] for c in book["contacts"]}), self.N + 1)
        self.assertGreater(len({c["email"].split("@")[1] for c in regular}), 1)
        groups = book["groups"]
        self.assertGreaterEqual(len(groups), 3)
        self.assertTrue(all(len(g["name"]) <= 61 for g in groups.values()))
        for c in regular:
            self.assertTrue(set(c["groups"]) <= set(groups), c)
        sizes = [len(c["groups"]) for c in regular]
        self.assertIn(0, sizes)
        self.assertIn(1, sizes)
        self.assertIn(2, sizes)
        names = [c["name"] for c in regular]
        for wanted in ("Zoë Ångström", "李雷", "🎸 Rock Star 🎸", "Tom & Jerry <3"):
            self.assertIn(wanted, names)
        self.assertTrue(any(len(n) > 100 for n in names))
        self.assertTrue(any(any(ord(ch) > 0xFFFF for ch in g["name"]) for g in groups.values()))

    def test_membership_roles(self):
        ab = self.soap(ALICE)
        fl = {c["email"] for c in ab.find_all()["contacts"] if c["type"] != "Me"}
        roles = ab.find_membership()["roles"]
        allow = {m["email"] for m in roles["Allow"]}
        block = {m["email"] for m in roles["Block"]}
        self.assertTrue(allow and block and roles["Reverse"])
        self.assertFalse(allow & block)
        self.assertTrue(allow <= fl and block <= fl)
        self.assertEqual([m for m in roles.get("Pending", []) if GENERATED.match(m["email"])], [])
        members = [m for ms in roles.values() for m in ms]
        self.assertTrue(all(m["type"] == "PassportMember" for m in members))
        ids = [m["id"] for m in members]
        self.assertTrue(all(i.isdigit() for i in ids))
        self.assertEqual(len(set(ids)), len(ids))
        # Another account: the same people, its own choices.
        bob = self.soap(BOB)
        bob_book = bob.find_all()
        self.assertEqual({c["email"] for c in bob_book["contacts"] if c["type"] != "Me"} - {BOB},
                         fl)
        self.assertNotEqual({c["id"] for c in bob_book["contacts"]},
                            {c["id"] for c in ab.find_all()["contacts"]})

    def test_response_envelopes_and_cache_key(self):
        ab = self.soap(ALICE)
        data = mc.ab_envelope("ABFindAll", "<abId>00000000-0000-0000-0000-000000000000</abId>"
                              "<abView>Full</abView><deltasOnly>false</deltasOnly>", ab.ticket)
        status, root, body = ab.raw(mc.AB_PATH, "ABFindAll", data)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'))
        self.assertEqual(root.tag, SOAP_NS + "Envelope")
        header = root.find(SOAP_NS + "Header/" + AB + "ServiceHeader")
        self.assertEqual(header.findtext(AB + "CacheKeyChanged"), "true")
        key = header.findtext(AB + "CacheKey")
        result = root.find(SOAP_NS + "Body/" + AB + "ABFindAllResponse/" + AB + "ABFindAllResult")
        for path in ("groups", "contacts", "ab/abId", "ab/lastChange", "ab/abInfo/ownerEmail"):
            self.assertIsNotNone(result.find("/".join(AB + p for p in path.split("/"))), path)
        contact = result.find(AB + "contacts/" + AB + "Contact")
        for field in ("contactId", "contactInfo/contactType", "contactInfo/passportName",
                      "contactInfo/displayName", "contactInfo/isMessengerUser",
                      "contactInfo/groupIds", "fDeleted", "lastChange"):
            self.assertIsNotNone(contact.find("/".join(AB + p for p in field.split("/"))),
                                 field)
        status, root, _ = ab.raw(mc.SHARING_PATH, "FindMembership", mc.ab_envelope(
            "FindMembership", "<serviceFilter><Types><ServiceType>Messenger</ServiceType>"
            "</Types></serviceFilter>", ab.ticket, cache_key=key))
        self.assertEqual(root.findtext(SOAP_NS + "Header/" + AB + "ServiceHeader/" + AB +
                                       "CacheKeyChanged"), "false")
        svc = root.find(SOAP_NS + "Body/" + AB + "FindMembershipResponse/" + AB +
                        "FindMembershipResult/" + AB + "Services/" + AB + "Service")
        self.assertEqual(svc.findtext(AB + "Info/" + AB + "Handle/" + AB + "Type"), "Messenger")
        member = svc.find(AB + "Memberships/" + AB + "Membership/" + AB + "Members/" + AB +
                          "Member")
        self.assertEqual(member.get("{http://www.w3.org/2001/XMLSchema-instance}type"),
                         "PassportMember")

    def test_delta_find_all_and_membership(self):
        ab = self.soap(CAROL)
        full = ab.find_all()
        fm = ab.find_membership()
        last, mlast = full["lastChange"], fm["lastChange"]
        self.assertEqual(ab.find_all(last)["contacts"], [])
        self.assertEqual(ab.find_all(last)["groups"], {})
        self.assertEqual(ab.find_membership(mlast)["roles"], {})
        # changes: a group, a real contact, a deleted contact, a deleted group
        new_group = ab.group_add("Delta Grüppe")
        new_contact = ab.contact_add(ALICE)
        regular = [c for c in full["contacts"] if c["type"] != "Me"]
        gone = regular[5]
        ab.contact_delete(gone["id"])
        old_group = next(g for g in full["groups"] if g not in gone["groups"])
        members = {c["id"] for c in regular if old_group in c["groups"]}
        self.assertTrue(members)
        ab.group_delete(old_group)
        delta = ab.find_all(last)
        self.assertEqual(delta["groups"], {
            new_group: {"name": "Delta Grüppe", "deleted": False},
            old_group: {"name": full["groups"][old_group]["name"], "deleted": True}})
        by_id = {c["id"]: c for c in delta["contacts"]}
        self.assertEqual(set(by_id), {new_contact, gone["id"]} | members)
        self.assertEqual((by_id[new_contact]["email"], by_id[new_contact]["deleted"]),
                         (ALICE, False))
        self.assertEqual((by_id[gone["id"]]["email"], by_id[gone["id"]]["deleted"]),
                         (gone["email"], True))
        for cid in members:
            self.assertNotIn(old_group, by_id[cid]["groups"])
        self.assertGreater(delta["lastChange"], last)
        self.assertEqual(ab.find_all(delta["lastChange"])["contacts"], [])
        # membership delta: ABContactAdd put ALICE on Allow; deleting it shows Deleted=true
        roles = ab.find_membership(mlast)["roles"]
        self.assertEqual([(m["email"], m["deleted"]) for m in roles["Allow"]], [(ALICE, False)])
        ab.member("DeleteMember", "Allow", ALICE)
        roles = ab.find_membership(mlast)["roles"]
        self.assertEqual([(m["email"], m["deleted"]) for m in roles["Allow"]], [(ALICE, True)])
        self.assertNotIn(ALICE, {m["email"] for m in ab.find_membership()["roles"]["Allow"]})
        # a full fetch agrees
        after = ab.find_all()
        emails = {c["email"] for c in after["contacts"] if c["type"] != "Me"}
        self.assertEqual(len(emails), self.N)
        self.assertIn(ALICE, emails)
        self.assertNotIn(gone["email"], emails)
        # too old, in the future, not a timestamp
        for stamp in ("2001-01-01T00:00:00Z", "2999-01-01T00:00:00.0000000-08:00", "yesterday",
                      "0001-01-01T00:00:00"):
            with self.subTest(stamp):
                self.expect_fault("FullSyncRequired", ab.find_all, stamp)
                self.expect_fault("FullSyncRequired", ab.find_membership, stamp)

    def test_group_and_contact_operations(self):
        ab = self.soap(DAVE)
        book = ab.find_all()
        regular = [c for c in book["contacts"] if c["type"] != "Me"]
        name = next(iter(book["groups"].values()))["name"]
        e = self.expect_fault("GroupAlreadyExists", ab.group_add, name.upper())
        self.assertIn(name.upper(), e.text)
        self.expect_fault("BadArgumentLength", ab.group_add, "x" * 62)
        self.expect_fault("BadArgumentLength", ab.group_add, "")
        gid = ab.group_add("ok " + "y" * 58)
        rename = ("<abId>00000000-0000-0000-0000-000000000000</abId><groups><Group><groupId>%s"
                  "</groupId><groupInfo><name>%%s</name></groupInfo><propertiesChanged>GroupName"
                  "</propertiesChanged></Group></groups>" % gid)
        ab.call(mc.AB_PATH, "ABGroupUpdate", rename % "Renamed", "Timer")
        self.assertEqual(ab.find_all()["groups"][gid]["name"], "Renamed")
        self.expect_fault("GroupAlreadyExists", ab.call, mc.AB_PATH, "ABGroupUpdate",
                          rename % name)
        member = ("<abId>00000000-0000-0000-0000-000000000000</abId><groupFilter><groupIds>"
                  "<guid>%s</guid></groupIds></groupFilter><contacts><Contact><contactId>%s"
                  "</contactId></Contact></contacts>")
        cid = regular[0]["id"]
        res = ab.call(mc.AB_PATH, "ABGroupContactAdd", member % (gid, cid), "GroupSave")
        self.assertEqual(mc.findtext(res, "ABGroupContactAddResult", "guid"), cid)
        self.expect_fault("ContactAlreadyExists", ab.call, mc.AB_PATH, "ABGroupContactAdd",
                          member % (gid, cid))
        self.assertIn(gid, next(c for c in ab.find_all()["contacts"] if c["id"] == cid)["groups"])
        ab.call(mc.AB_PATH, "ABGroupContactDelete", member % (gid, cid), "GroupSave")
        self.expect_fault("ContactDoesNotExist", ab.call, mc.AB_PATH, "ABGroupContactDelete",
                          member % (gid, cid))
        self.expect_fault("GroupDoesNotExist", ab.group_delete,
                          "11111111-2222-3333-4444-555555555555")
        self.expect_fault("ContactDoesNotExist", ab.contact_delete,
                          "11111111-2222-3333-4444-555555555555")
        # adding: an existing contact, yourself, a bad address, someone who is not a Passport
        e = self.expect_fault("ContactAlreadyExists", ab.contact_add, regular[1]["email"])
        self.expect_fault("InvalidPassportUser", ab.contact_add, DAVE)
        self.expect_fault("BadEmailArgument", ab.contact_add, "not an address")
        self.expect_fault("InvalidPassportUser", ab.contact_add, "nobody@nowhere.example")
        # nickname and own display name (ABContactUpdate)
        update = ("<abId>00000000-0000-0000-0000-000000000000</abId><contacts><Contact>%s"
                  "</Contact></contacts>")
        ab.call(mc.AB_PATH, "ABContactUpdate", update % (
            "<contactId>%s</contactId><contactInfo><annotations><Annotation><Name>AB.NickName"
            "</Name><Value>Nick</Value></Annotation></annotations></contactInfo>"
            "<propertiesChanged>Annotation</propertiesChanged>" % cid), "Timer")
        ab.call(mc.AB_PATH, "ABContactUpdate", update % (
            "<contactInfo><contactType>Me</contactType><displayName>Dave &amp; Co"
            "</displayName></contactInfo><propertiesChanged>DisplayName</propertiesChanged>"),
            "Timer")
        me = next(c for c in ab.find_all()["contacts"] if c["type"] == "Me")
        self.assertEqual(me["name"], "Dave & Co")
        # Sharing: duplicates, conflicts, unknown members
        blocked = self.soap(DAVE).find_membership()["roles"]["Block"][0]["email"]
        self.expect_fault("MemberAlreadyExists", ab.member, "AddMember", "Block", blocked)
        self.expect_fault("BadArgument", ab.member, "AddMember", "Allow", blocked)
        self.expect_fault("MemberDoesNotExist", ab.member, "DeleteMember", "Allow",
                          "nobody@nowhere.example")
        self.expect_fault("MemberDoesNotExist", ab.member, "DeleteMember", "Pending", None,
                          "999999")
        self.expect_fault("BadArgument", ab.member, "AddMember", "Pending", ALICE)

    def test_ticket_checks(self):
        toks = mc.parse_rst_response(self.srv.web.rst(ALICE, PW)[2])
        ab = mc.contacts_for(self.srv.web, toks)
        for name, ticket in (("garbage", "t=nonsense&p="),
                             ("messengerclear", toks["messengerclear.live.com"]["ticket"]),
                             ("storage", toks["storage.msn.com"]["ticket"]),
                             ("empty", "")):
            with self.subTest(name):
                self.expect_fault("BadContextToken", ab.call, mc.AB_PATH, "ABFindAll",
                                  "<abId>00000000-0000-0000-0000-000000000000</abId>",
                                  "Initial", ticket, faultcode="q0:BadContextToken")
                self.expect_fault("BadContextToken", ab.call, mc.SHARING_PATH, "FindMembership",
                                  "", "Initial", ticket, faultcode="q0:BadContextToken")
        self.expect_fault("BadContextToken", ab.call, mc.STORAGE_PATH, "GetProfile", "",
                          "Initial", toks["contacts.msn.com"]["ticket"],
                          faultcode="q0:BadContextToken")
        status, root, _ = ab.raw(mc.AB_PATH, "ABFindAll", mc.ab_envelope(
            "ABFindAll", "", "t=nonsense&p="))
        code = mc.find(root, "Body", "Fault", "faultcode")
        self.assertEqual((status, code.text), (500, "q0:BadContextToken"))
        self.assertEqual(mc.findtext(root, "Body", "Fault", "faultactor"),
                         mc.AB_NS + "/ABFindAll")
        # Bob's contacts ticket works, for Bob
        bob = mc.parse_rst_response(self.srv.web.rst(BOB, PW)[2])["contacts.msn.com"]["ticket"]
        res = ab.call(mc.AB_PATH, "ABFindAll", "<abView>Full</abView>", "Initial", bob)
        owner = mc.findtext(res, "ABFindAllResult", "ab", "abInfo", "ownerEmail")
        self.assertEqual(owner, BOB)

    def test_malformed_soap(self):
        ab = self.soap(ALICE)
        good = mc.ab_envelope("ABFindAll", "<abView>Full</abView>", ab.ticket)
        cases = [
            ("no SOAPAction", mc.AB_PATH, good, "", "Unable to handle request"),
            ("unknown SOAPAction", mc.AB_PATH, good, mc.AB_NS + "/ABFindEverything",
             "did not recognize the value of HTTP Header SOAPAction"),
            ("action of another service", mc.AB_PATH, good, mc.AB_NS + "/FindMembership",
             "did not recognize"),
            ("not XML", mc.AB_PATH, b"<soap:Envelope><oops", mc.AB_NS + "/ABFindAll",
             "There is an error in XML document"),
            ("body does not match the action", mc.AB_PATH, good, mc.AB_NS + "/ABContactAdd",
             "must hold exactly one <ABContactAdd"),
            ("not an envelope", mc.AB_PATH, b"<Envelope/>", mc.AB_NS + "/ABFindAll",
             "not a SOAP 1.1 Envelope"),
            ("DTD", mc.SHARING_PATH, b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
             mc.AB_NS + "/FindMembership", "DTDs are not allowed"),
        ]
        for name, path, data, action, text in cases:
            with self.subTest(name):
                status, root, body = ab.raw(path, None, data, action=action)
                self.assertEqual(status, 500)
                fault = mc.find(root, "Body", "Fault")
                self.assertEqual(mc.findtext(fault, "faultcode"), "soap:Client")
                self.assertIn(text, mc.findtext(fault, "faultstring"))
        conn = self.srv.web.connection()
        conn.request("GET", mc.AB_PATH)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 405)

    def test_storage_profile(self):
        ab = self.soap(BOB)
        body = ("<profile><ResourceID>x!106</ResourceID><ExpressionProfile><FreeText>Update"
                "</FreeText><DisplayName>Bob &lt;the builder&gt; 🔨</DisplayName>"
                "<PersonalStatus>Can we fix it?</PersonalStatus></ExpressionProfile></profile>")
        ab.call(mc.STORAGE_PATH, "UpdateProfile", body)
        res = ab.call(mc.STORAGE_PATH, "GetProfile",
                      "<profileHandle><Alias><Name>0</Name><NameSpace>MyCidStuff</NameSpace>"
                      "</Alias><RelationshipName>MyProfile</RelationshipName></profileHandle>"
                      "<profileAttributes><ResourceID>true</ResourceID></profileAttributes>")
        expr = mc.find(res, "GetProfileResult", "ExpressionProfile")
        self.assertEqual(mc.findtext(expr, "DisplayName"), "Bob <the builder> 🔨")
        self.assertEqual(mc.findtext(expr, "PersonalStatus"), "Can we fix it?")
        me = next(c for c in ab.find_all()["contacts"] if c["type"] == "Me")
        self.assertEqual(me["name"], "Bob <the builder> 🔨")
        self.expect_fault("InvalidArgument", ab.call, mc.STORAGE_PATH, "UpdateProfile",
                          "<profile><ExpressionProfile><DisplayName>%s</DisplayName>"
                          "</ExpressionProfile></profile>" % ("n" * 400))

    def test_adl_rml_fqy_checks(self):
        ab = self.soap(ALICE)
        book = ab.find_all()
        roles = ab.find_membership()["roles"]
        allow = {m["email"] for m in roles["Allow"]}
        block = {m["email"] for m in roles["Block"]}
        entries = [(c["email"], 1 | (2 if c["email"] in allow else 0)
                    | (4 if c["email"] in block else 0), 1)
                   for c in book["contacts"] if c["type"] != "Me"]
        c, _ = self.sign_in(ALICE)
        t = c.send("ADL", payload=mc.adl_payloads(entries)[0])
        c.expect("ADL", t, "OK")
        plain = next(e for e, l, _ in entries if l == 1)
        a_allowed = next(e for e, l, _ in entries if l == 3)
        cases = [
            ("not in the address book", "nobody@example.com", 1, 1),
            ("AL without Allow membership", plain, 3, 1),
            ("BL without Block membership", a_allowed, 5, 1),
            ("AL and BL together", a_allowed, 7, 1),
            ("wrong network", a_allowed, 1, 32),
            ("own address", ALICE, 1, 1),
        ]
        for name, email, lists, net in cases:
            with self.subTest(name):
                t = c.send("ADL", payload=mc.adl_payloads([(email, lists, net)], initial=False)[0])
                tokens, payload = c.expect("241", t)
                self.assertEqual([e for e, _ in ml_entries(payload)], [email])
        # one bad entry rejects the whole ADL
        t = c.send("ADL", payload=mc.adl_payloads([(a_allowed, 3, 1), ("x@example.com", 1, 1)],
                                                  initial=False)[0])
        _, payload = c.expect("241", t)
        self.assertEqual([e for e, _ in ml_entries(payload)], ["x@example.com"])
        # malformed, oversized
        for bad in (b"<ml><d n='example.com'><c n='a' l='1' t='1'></d></ml>", b"<ml><x/></ml>",
                    b"not xml"):
            t = c.send("ADL", payload=bad)
            self.assertEqual(c.read(), (["240", str(t)], None))
        big = mc.adl_payloads([(e, 1, 1) for e, _, _ in entries] * 6, per=1000)[0]
        self.assertGreater(len(big), 7500)
        t = c.send("ADL", payload=big)
        self.assertEqual(c.read(), (["241", str(t)], None))
        # RML: of something announced, and of something not
        t = c.send("RML", payload=mc.adl_payloads([(a_allowed, 1, 1)], initial=False)[0])
        c.expect("RML", t, "OK")
        t = c.send("RML", payload=mc.adl_payloads([(a_allowed, 1, 1)], initial=False)[0])
        c.expect("241", t)
        # FQY: t filled in for known addresses, 241 for unknown ones
        t = c.send("FQY", payload=b'<ml><d n="example.com"><c n="bob" /></d></ml>')
        tokens, payload = c.expect("FQY", t)
        self.assertEqual(ml_entries(payload), [(BOB, {"n": "bob", "t": "1"})])
        t = c.send("FQY", payload=b'<ml><d n="example.invalid"><c n="ghost" /></d></ml>')
        _, payload = c.expect("241", t)
        self.assertEqual([e for e, _ in ml_entries(payload)], ["ghost@example.invalid"])
        # PRP MFN longer than 387 characters
        t = c.send("PRP", "MFN", "%41" * 130)
        c.expect("201", t)
        t = c.send("PRP", "MFN", "%41" * 129)
        c.expect("PRP", t, "MFN", "%41" * 129)

    def test_generation_is_deterministic(self):
        """The server's book is what contacts.generate() makes for that address, every time."""
        from msnp_server import accounts, contacts
        served = self.soap(ALICE).find_all()
        directory = accounts.Directory({ALICE: PW})
        made = [contacts.Books(directory, self.N).get(ALICE) for _ in range(2)]
        key = lambda book: sorted((c.id, c.email, c.display_name, tuple(c.groups))  # noqa
                                  for c in book.by_email.values())
        self.assertEqual(key(made[0]), key(made[1]))
        self.assertEqual(sorted((c["id"], c["email"], c["name"], tuple(c["groups"]))
                                for c in served["contacts"] if c["type"] != "Me"), key(made[0]))
        self.assertEqual({g: v["name"] for g, v in served["groups"].items()},
                         {g.id: g.name for g in made[0].live_groups()})

    def test_new_account_needs_abadd(self):
        ab = self.soap(NEWBIE)
        self.expect_fault("ABDoesNotExist", ab.find_all)
        self.expect_fault("ABDoesNotExist", ab.find_membership)
        self.expect_fault("ABDoesNotExist", ab.contact_add, ALICE)
        add = ("<abInfo><name /><ownerPuid>0</ownerPuid><ownerEmail>%s</ownerEmail>"
               "<fDefault>true</fDefault></abInfo>")
        self.expect_fault("BadArgument", ab.call, mc.AB_PATH, "ABAdd", add % ALICE)
        ab.call(mc.AB_PATH, "ABAdd", add % NEWBIE, "Initial")
        book = ab.find_all()
        self.assertEqual([(c["type"], c["email"]) for c in book["contacts"]], [("Me", NEWBIE)])
        self.assertEqual(book["groups"], {})
        self.assertEqual(ab.find_membership()["roles"], {})
        self.expect_fault("ABAlreadyExists", ab.call, mc.AB_PATH, "ABAdd", add % NEWBIE)


# ---- presence between signed-in accounts -------------------------------------------------------

def befriend(test, a, b):
    """Both on each other's FL and Allow, no Pending (a added b, b accepted), via SOAP."""
    sa, sb = test.soap(a), test.soap(b)
    sa.contact_add(b)
    pending = sb.find_membership()["roles"]["Pending"]
    sb.member("DeleteMember", "Pending", membership_id=pending[0]["id"],
              scenario="ContactMsgrAPI")
    sb.member("AddMember", "Allow", a)
    sb.contact_add(a, allow=False)
    return sa, sb


class PresenceTest(ContactsCase):
    accounts = (ALICE, BOB, CAROL, DAVE, ERIN, FRANK)
    args = ("--bot", "bot@example.com", "--bot-name", "Echo Bot")

    def test_bot_contact_is_always_online(self):
        ab = self.soap(FRANK)
        ab.contact_add("bot@example.com")
        c, chg, before = self.online(FRANK, [("bot@example.com", 3, 1)])
        # MSNC 8.5 + P2P + Bot, and its display picture (test_server_p2p.py)
        self.assertEqual(before[0][0][:7], ["ILN", str(chg), "NLN", "bot@example.com", "1",
                                            "Echo%20Bot", str(0x80000000 | 0x20 | 0x20000)])
        self.assertTrue(before[0][0][7].startswith("%3Cmsnobj%20Creator%3D%22bot%40"))
        self.assertIn(b"<PSM>", before[1][1])
        t = c.send("FQY", payload=b'<ml><d n="example.com"><c n="bot" /></d></ml>')
        _, payload = c.expect("FQY", t)
        self.assertEqual(ml_entries(payload), [("bot@example.com", {"n": "bot", "t": "1"})])
        ab.contact_delete(next(x["id"] for x in ab.find_all()["contacts"]
                               if x["email"] == "bot@example.com"))

    def test_add_accept_and_presence_flow(self):
        a, _, before = self.online(ALICE, name="Alice%20Example")
        self.assertEqual(before, [])
        b, _, _ = self.online(BOB, name="Bob")
        sa = self.soap(ALICE)
        sa.contact_add(BOB)
        # Bob is told he was added (RL), with Alice's name
        tokens, payload = b.expect("ADL", "0")
        self.assertEqual(int(tokens[2]), len(payload))
        self.assertEqual(ET.fromstring(payload).get("l"), "1")
        self.assertEqual(ml_entries(payload), [(ALICE, {"n": "alice", "l": "8", "t": "1",
                                                        "f": "Alice%20Example"})])
        t = a.send("ADL", payload=mc.adl_payloads([(BOB, 3, 1)], initial=False)[0])
        a.expect("ADL", t, "OK")
        self.quiet(a)                     # pending: Alice does not see Bob yet
        sb = self.soap(BOB)
        roles = sb.find_membership()["roles"]
        self.assertEqual([m["email"] for m in roles["Reverse"]], [ALICE])
        self.assertEqual([(m["email"], m["name"]) for m in roles["Pending"]],
                         [(ALICE, "Alice Example")])
        # Bob accepts: DeleteMember Pending (by id), AddMember Reverse + Allow, ABContactAdd
        sb.member("DeleteMember", "Pending", membership_id=roles["Pending"][0]["id"],
                  scenario="ContactMsgrAPI")
        self.assertEqual(a.read(), (["NLN", "NLN", BOB, "1", "Bob", CAPS], None))
        self.assertEqual(a.read(), (["UBX", BOB, "1", "0"], b""))
        sb.member("AddMember", "Reverse", ALICE, scenario="ContactMsgrAPI")
        sb.member("AddMember", "Allow", ALICE, scenario="ContactMsgrAPI")
        sb.contact_add(ALICE)
        tokens, payload = a.expect("ADL", "0")
        self.assertEqual(ml_entries(payload)[0][1]["l"], "8")
        self.assertNotIn("Pending", sa.find_membership()["roles"])   # Alice allowed Bob already
        t = b.send("ADL", payload=mc.adl_payloads([(ALICE, 3, 1)], initial=False)[0])
        b.expect("ADL", t, "OK")
        self.assertEqual(b.read(), (["NLN", "NLN", ALICE, "1", "Alice%20Example", CAPS], None))
        self.assertEqual(b.read(), (["UBX", ALICE, "1", "0"], b""))
        # PSM, name and status changes reach the other side
        t = b.send("UUX", payload="<Data><PSM>Gone fishing &amp; more</PSM><CurrentMedia>"
                   "</CurrentMedia><MachineGuid>{X}</MachineGuid></Data>".encode())
        b.expect("UUX", t, "0")
        tokens, payload = a.expect("UBX", BOB, "1")
        self.assertEqual(payload, b"<Data><PSM>Gone fishing &amp; more</PSM>"
                                  b"<CurrentMedia></CurrentMedia></Data>")
        name = urllib.parse.quote("Bobby 🎣 & co", safe="")
        t = b.send("PRP", "MFN", name)
        b.expect("PRP", t, "MFN", name)
        tokens, _ = a.expect("NLN", "NLN", BOB, "1")
        self.assertEqual(urllib.parse.unquote(tokens[4]), "Bobby 🎣 & co")
        t = b.send("CHG", "BSY", CAPS)
        b.expect("CHG", t, "BSY", CAPS)
        a.expect("NLN", "BSY", BOB, "1", tokens[4], CAPS)
        self.quiet(a)
        # Alice signs out: FLN; back in: ILN (trid of the first CHG) + UBX for Bob
        a.send_raw(b"OUT\r\n")
        self.assertEqual(b.read(), (["FLN", ALICE, "1"], None))
        a2, chg, before = self.online(ALICE, [(BOB, 3, 1)])
        self.assertEqual(before[0], (["ILN", str(chg), "BSY", BOB, "1", tokens[4], CAPS], None))
        self.assertEqual(before[1][0], ["UBX", BOB, "1", str(len(before[1][1]))])
        self.assertIn(b"<PSM>Gone fishing &amp; more</PSM>", before[1][1])
        self.assertEqual(len(before), 2)
        tokens, _ = b.expect("NLN", "NLN", ALICE, "1")
        self.assertEqual(tokens[4], "Alice%20Example")      # the name the server remembered
        b.expect("UBX", ALICE, "1", "0")
        # Bob removes Alice: RML to Alice; Bob stops watching her after his RML
        bob_view = {c["email"]: c["id"] for c in sb.find_all()["contacts"]}
        sb.contact_delete(bob_view[ALICE])
        tokens, payload = a2.expect("RML", "0")
        self.assertEqual(ml_entries(payload), [(BOB, {"n": "bob", "l": "8", "t": "1"})])
        t = b.send("RML", payload=mc.adl_payloads([(ALICE, 1, 1)], initial=False)[0])
        b.expect("RML", t, "OK")
        t = a2.send("CHG", "AWY", CAPS)
        a2.expect("CHG", t, "AWY", CAPS)
        self.quiet(b)
        self.assertNotIn(ALICE, {m["email"] for m in
                                 sa.find_membership()["roles"].get("Reverse", [])})

    def test_block_and_blp_hide_presence(self):
        befriend(self, CAROL, DAVE)
        d, _, _ = self.online(DAVE, [(CAROL, 3, 1)])
        c, chg, before = self.online(CAROL, [(DAVE, 3, 1)], name="Carol")
        self.assertEqual(before[0][0][:4], ["ILN", str(chg), "NLN", DAVE])
        d.expect("NLN", "NLN", CAROL, "1", "Carol", CAPS)
        d.expect("UBX", CAROL, "1", "0")
        sc = self.soap(CAROL)
        sc.member("DeleteMember", "Allow", DAVE)
        self.quiet(d)                                   # BLP AL: still visible
        sc.member("AddMember", "Block", DAVE)
        self.assertEqual(d.read(), (["FLN", CAROL, "1"], None))
        t = c.send("RML", payload=mc.adl_payloads([(DAVE, 2, 1)], initial=False)[0])
        c.expect("RML", t, "OK")
        t = c.send("ADL", payload=mc.adl_payloads([(DAVE, 4, 1)], initial=False)[0])
        c.expect("ADL", t, "OK")
        for cmd, payload in (("CHG", None), ("UUX", b"<Data><PSM>secret</PSM></Data>")):
            if payload is None:
                t = c.send("CHG", "BRB", CAPS)
                c.expect("CHG", t, "BRB", CAPS)
            else:
                t = c.send("UUX", payload=payload)
                c.expect("UUX", t, "0")
        self.quiet(d)
        # the blocker still sees the blocked one
        t = d.send("CHG", "LUN", CAPS)
        d.expect("CHG", t, "LUN", CAPS)
        c.expect("NLN", "LUN", DAVE, "1")
        # unblock: presence comes back, with the PSM set while blocked
        sc.member("DeleteMember", "Block", DAVE)
        d.expect("NLN", "BRB", CAROL, "1", "Carol", CAPS)
        _, payload = d.expect("UBX", CAROL, "1")
        self.assertIn(b"<PSM>secret</PSM>", payload)
        # BLP BL: only the Allow list sees Carol (Dave is on neither list now)
        t = c.send("BLP", "BL")
        c.expect("BLP", t, "BL")
        self.assertEqual(d.read(), (["FLN", CAROL, "1"], None))
        sc.member("AddMember", "Allow", DAVE)
        d.expect("NLN", "BRB", CAROL, "1", "Carol", CAPS)
        d.expect("UBX", CAROL, "1")

    def test_hdn_and_every_status(self):
        befriend(self, ERIN, FRANK)
        f, _, _ = self.online(FRANK, [(ERIN, 3, 1)], name="Frank")
        e, chg, before = self.online(ERIN, [(FRANK, 3, 1)], status="HDN", name="Erin")
        self.assertEqual(before[0][0], ["ILN", str(chg), "NLN", FRANK, "1", "Frank", CAPS])
        self.quiet(f)                                   # invisible Erin looks offline
        for status in ("NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN"):
            t = e.send("CHG", status, CAPS)
            e.expect("CHG", t, status, CAPS)
            f.expect("NLN", status, ERIN, "1", "Erin", CAPS)
            if status == "NLN":
                f.expect("UBX", ERIN, "1", "0")
        msnobj = urllib.parse.quote('<msnobj Creator="erin@example.com" Type="3"/>', safe="")
        t = e.send("CHG", "LUN", CAPS, msnobj)
        e.expect("CHG", t, "LUN", CAPS, msnobj)
        tokens, _ = f.expect("NLN", "LUN", ERIN, "1", "Erin", CAPS)
        self.assertEqual(urllib.parse.unquote(tokens[6]), urllib.parse.unquote(msnobj))
        t = e.send("CHG", "HDN", CAPS)
        e.expect("CHG", t, "HDN", CAPS)
        self.assertEqual(f.read(), (["FLN", ERIN, "1"], None))
        t = e.send("UUX", payload=b"<Data><PSM>hidden</PSM><CurrentMedia></CurrentMedia></Data>")
        e.expect("UUX", t, "0")
        e.send_raw(b"OUT\r\n")
        self.assertTrue(e.closed())
        self.quiet(f)
        # Frank still gets nothing for a contact he did not announce by ADL
        t = f.send("RML", payload=mc.adl_payloads([(ERIN, 1, 1)], initial=False)[0])
        f.expect("RML", t, "OK")
        e2, _, _ = self.online(ERIN, [(FRANK, 3, 1)])
        self.quiet(f)


# ---- limits, big books, missing books, expired tickets --------------------------------------------

class BigBookTest(ContactsCase):
    accounts = (ALICE, BOB)
    args = ("--contacts", "5000")

    def test_5000_contacts_and_limits(self):
        # How fast the server answers is the benchmarks' business (signin_bench); this checks
        # that a 5,000-contact book is served whole, twice, and the membership with it.
        toks = mc.parse_rst_response(self.srv.web.rst(ALICE, PW)[2])
        ab = mc.contacts_for(self.srv.web, toks)
        body = mc.ab_envelope("ABFindAll", "<abId>00000000-0000-0000-0000-000000000000</abId>"
                              "<abView>Full</abView><deltasOnly>false</deltasOnly>", ab.ticket)
        for _ in range(2):
            status, _, raw = self.srv.web.post(mc.AB_PATH, body,
                                               {"SOAPAction": mc.AB_NS + "/ABFindAll"})
            self.assertEqual(status, 200)
            self.assertEqual(raw.count(b"<contactType>Regular</contactType>"), 5000)
        roles = ab.find_membership()["roles"]
        e = self.expect_fault("QuotaLimitReached", ab.contact_add, BOB)
        self.assertIn("1000", e.text)
        # the whole book announced in ADLs of 150 contacts
        allow = {m["email"] for m in roles["Allow"]}
        block = {m["email"] for m in roles["Block"]}
        emails = re.findall(rb"<passportName>(contact\d+@[^<]+)</passportName>", raw)
        entries = [(x.decode(), 1 | (2 if x.decode() in allow else 0)
                    | (4 if x.decode() in block else 0), 1) for x in emails]
        c, _ = self.sign_in(ALICE)
        payloads = mc.adl_payloads(entries)
        self.assertEqual(len(payloads), 34)
        trids = [c.send("ADL", payload=p) for p in payloads]
        for t in trids:
            c.expect("ADL", t, "OK")


class ExpiredTicketTest(ContactsCase):
    accounts = (ALICE,)
    args = ("--ticket-lifetime", "1")

    def test_expired_tickets_give_bad_context_token(self):
        ab = self.soap(ALICE)
        issued = time.monotonic()                 # the tickets expire before issued + 1 s
        self.assertEqual(len(ab.find_all()["contacts"]), 1)       # still valid: works
        time.sleep(max(0.0, 1.05 - (time.monotonic() - issued)))
        self.expect_fault("BadContextToken", ab.find_all, faultcode="q0:BadContextToken")
        self.expect_fault("BadContextToken", ab.find_membership, faultcode="q0:BadContextToken")
        self.expect_fault("BadContextToken", ab.call, mc.STORAGE_PATH, "GetProfile", "",
                          faultcode="q0:BadContextToken")



class ListRequestFaultTest(ContactsCase):
    accounts = (ALICE,)
    args = ("--fault", "close-at:ABFINDALL", "--fault", "silent-at:FINDMEMBERSHIP")

    def test_find_all_closed_and_find_membership_unanswered(self):
        ab = self.soap(ALICE)
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            ab.find_all()
        self.srv.web.timeout = 1.0
        started = time.monotonic()
        with self.assertRaises(socket.timeout):
            ab.find_membership()
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        ab.call(mc.STORAGE_PATH, "GetProfile", "")            # other operations still answer

if __name__ == "__main__":
    unittest.main()


class ContactNamesOptionTest(unittest.TestCase):
    """--contact-names plain (the demo): ordinary names; the default keeps the stress names."""

    def book(self, *args):
        from msnp_server import accounts, config, contacts
        cfg = config.parse(["--account", "%s:%s" % (ALICE, PW), "--contacts", "40", *args])
        directory = accounts.Directory(cfg.accounts)
        return contacts.Books(directory, cfg.contacts, names=cfg.contact_names).get(ALICE)

    def test_plain_names_read_as_names(self):
        book = self.book("--contact-names", "plain")
        names = [c.display_name for c in book.by_email.values() if c.email != ALICE]
        self.assertEqual(len(names), 40)
        self.assertEqual(len(set(names)), 40)  # no two contacts share a name
        for name in names:
            # "First Last", letters (Latin, with accents) and an apostrophe only.
            self.assertRegex(name, r"^[A-Z][a-záéíü]+ [A-Z][A-Za-záéíü']+$")
        groups = [g.name for g in book.live_groups()]
        self.assertGreaterEqual(len(groups), 3)
        for name in groups:
            self.assertRegex(name, r"^[A-Z][a-z]+( [a-z]+)?$")
        # Only the names differ: the same people are on the same lists.
        stress = self.book()
        self.assertEqual(sorted(book.by_email), sorted(stress.by_email))

    def test_default_keeps_stress_names(self):
        names = [c.display_name for c in self.book().by_email.values()]
        self.assertIn("李雷", names)
        self.assertTrue(any(len(n) > 100 for n in names))

    def test_unknown_style_is_refused(self):
        with self.assertRaises(SystemExit):
            self.book("--contact-names", "fancy")


class FriendsOptionTest(unittest.TestCase):
    """--friends (the demo): the listed accounts and the bot are on each other's lists."""

    def test_friends_are_on_fl_allow_reverse_in_one_group(self):
        from msnp_server import accounts, contacts
        directory = accounts.Directory({ALICE: PW, BOB: PW, CAROL: PW})
        books = contacts.Books(directory, 5, friends=[ALICE, BOB, "bot@example.com"])
        alice = books.get(ALICE)
        friends = alice.group_by_name("Friends")
        self.assertIsNotNone(friends)
        for email in (BOB, "bot@example.com"):
            c = alice.contact(email)
            self.assertIsNotNone(c, email)
            self.assertEqual(c.groups, [friends.id])
            self.assertIsNotNone(alice.member("Allow", email))
            self.assertIsNotNone(alice.member("Reverse", email))
        self.assertIsNone(alice.contact(ALICE))
        self.assertEqual(alice.fl_count(), 5 + 2)
        # Carol is not listed: her book holds only her generated contacts.
        self.assertIsNone(books.get(CAROL).contact(ALICE))
        self.assertEqual(books.get(CAROL).fl_count(), 5)

    def test_unknown_friend_is_refused(self):
        from msnp_server import config
        with self.assertRaises(SystemExit):
            config.parse(["--account", "%s:%s" % (ALICE, PW), "--friends",
                               "%s,nobody@example.com" % ALICE])


class PresenceFloodTest(ContactsCase):
    """--presence-flood N: a session's first ADL is answered only after N NLN notices about
    addresses on no one's list (a client must ignore them); later ADLs are answered at once."""
    accounts = (ALICE,)
    args = ("--presence-flood", "3")

    def test_flood_before_the_first_adl_answer_only(self):
        c, _ = self.sign_in(ALICE)
        t = c.send("ADL", payload=mc.adl_payloads([])[0])
        flood = [c.read()[0] for _ in range(3)]
        self.assertEqual(flood, [["NLN", "NLN", "flood%06d@flood.invalid" % i, "1", "Flood", "0"]
                                 for i in range(3)])
        c.expect("ADL", t, "OK")
        t = c.send("ADL", payload=mc.adl_payloads([], initial=False)[0])
        c.expect("ADL", t, "OK")
