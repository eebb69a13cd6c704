"""End-to-end tests of tests/server/msnp-server, driven by msnp_testclient.

Each test class starts the server as a subprocess (temporary state dir, loopback only).
Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import datetime
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from msnp_server import challenge  # noqa: E402  (vector-checked in test_server_crypto)

SERVER = os.path.join(HERE, "msnp-server")
READY_RE = re.compile(r"^READY ns=(127\.0\.0\.1:\d+) web=(https://localhost:\d+) ca=(/\S+)$")
ALICE, ALICE_PW = "alice@example.com", "s3cret:pw"
BOB, BOB_PW = "bob@example.net", "hunter2"

_state_root = None


def setUpModule():
    global _state_root
    _state_root = tempfile.mkdtemp(prefix="msnp-server-test-")


def tearDownModule():
    shutil.rmtree(_state_root, ignore_errors=True)


class Server:
    """msnp-server subprocess; certificates shared through one state dir for speed."""

    def __init__(self, *args, state_dir=None):
        self.stderr = tempfile.TemporaryFile()
        cmd = [sys.executable if sys.executable.startswith("/usr/bin/") else "/usr/bin/python3",
               SERVER, "--account", "%s:%s" % (ALICE, ALICE_PW),
               "--account", "%s:%s" % (BOB, BOB_PW)]
        if state_dir is not False:
            cmd += ["--state-dir", state_dir or os.path.join(_state_root, "state")]
        self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = READY_RE.match(line.rstrip("\n"))
        if not m:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("no READY line (got %r); stderr:\n%s" % (line, self.log()))
        self.ready_line = line
        self.ns, self.web_base, self.ca = m.groups()
        self.web = mc.Web(self.web_base, self.ca)

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = "killed"
        rest = self.proc.stdout.read()
        self.proc.stdout.close()
        return rc, rest


class ServerCase(unittest.TestCase):
    args = ()

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(*cls.args)

    @classmethod
    def tearDownClass(cls):
        rc, rest = cls.srv.stop()
        if rc != 0 or rest:
            raise AssertionError("server exit %r, extra stdout %r; log:\n%s"
                                 % (rc, rest, cls.srv.log()[-4000:]))
        cls.srv.stderr.close()

    def sign_in(self, email=ALICE, password=ALICE_PW, ns=None):
        c, toks, msgs = mc.sign_in(ns or self.srv.ns, self.srv.web, email, password)
        self.addCleanup(c.close)
        return c, toks, msgs

    def ns(self, address=None):
        c = mc.NsClient(address or self.srv.ns)
        self.addCleanup(c.close)
        return c

    def go_online(self, c):
        t = c.send("BLP", "AL")
        c.expect("BLP", t, "AL")
        t = c.send("ADL", payload=b'<ml l="1"></ml>')
        c.expect("ADL", t, "OK")
        t = c.send("CHG", "NLN", "1074004004")
        c.expect("CHG", t, "NLN", "1074004004")
        tokens, _ = c.expect("CHL", "0")
        return tokens[2]


class SignInTest(ServerCase):
    # --contacts 2: contact00000@example.com (FL+AL) and contact00001@example.org (FL+BL),
    # so that the ADLs below name contacts of the address book (else 241).
    args = ("--qng", "42", "--verbose", "--contacts", "2")

    def test_ready_line_and_certificate(self):
        self.assertTrue(os.path.isabs(self.srv.ca))
        with open(self.srv.ca) as f:
            self.assertIn("BEGIN CERTIFICATE", f.read())
        port = int(self.srv.web_base.rsplit(":", 1)[1])
        for host, sni in (("localhost", "localhost"), ("127.0.0.1", "127.0.0.1")):
            with self.subTest(host):
                ctx = ssl.create_default_context(cafile=self.srv.ca)
                with socket.create_connection((host, port), timeout=5) as s:
                    with ctx.wrap_socket(s, server_hostname=sni) as tls:
                        self.assertTrue(tls.getpeercert())
        with self.subTest("untrusted"):
            ctx = ssl.create_default_context()
            with socket.create_connection(("localhost", port), timeout=5) as s:
                with self.assertRaises(ssl.SSLCertVerificationError):
                    ctx.wrap_socket(s, server_hostname="localhost")

    @unittest.skipUnless(shutil.which("openssl"), "openssl not installed")
    def test_openssl_s_client_verifies(self):
        port = self.srv.web_base.rsplit(":", 1)[1]
        out = subprocess.run(["openssl", "s_client", "-connect", "localhost:" + port,
                              "-CAfile", self.srv.ca, "-verify_return_error",
                              "-servername", "localhost", "-verify_hostname", "localhost"],
                             input=b"", capture_output=True, timeout=10)
        self.assertIn(b"Verify return code: 0 (ok)", out.stdout)

    def test_full_sign_in(self):
        c, toks, (profile, mail) = self.sign_in()
        self.assertIn(b"Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n", profile)
        self.assertTrue(profile.endswith(b"\r\n\r\n"))
        fields = dict(l.split(": ", 1) for l in profile.decode().split("\r\n") if ": " in l)
        self.assertEqual(fields["ClientIP"], "127.0.0.1")
        self.assertEqual(fields["MSPAuth"], "%s&p=" % toks["messengerclear.live.com"]["t"])
        self.assertIn(b"Content-Type: text/x-msmsgsinitialmdatanotification", mail)
        self.assertIn(b"\r\n\r\nMail-Data: <MD><E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E>"
                      b"<Q><QTM>409600</QTM><QNM>204800</QNM></Q></MD>\r\n", mail)
        t = c.send("BLP", "AL")
        c.expect("BLP", t, "AL")
        ml = (b'<ml l="1"><d n="example.com"><c n="contact00000" l="3" t="1" /></d>'
              b'<d n="example.org"><c n="contact00001" l="5" t="1" /></d></ml>')
        t = c.send("ADL", payload=ml)
        c.expect("ADL", t, "OK")
        t = c.send("PRP", "MFN", "Alice%20Example")
        c.expect("PRP", t, "MFN", "Alice%20Example")
        msnobj = "%3Cmsnobj%20Creator%3D%22alice%40example.com%22%2F%3E"
        t = c.send("CHG", "NLN", "1074004004", msnobj)
        self.assertEqual(c.read(), (["CHG", str(t), "NLN", "1074004004", msnobj], None))
        tokens, _ = c.expect("CHL", "0")
        self.assertRegex(tokens[2], r"^[1-9]\d{19}$")
        psm = b"<Data><PSM>Writing</PSM><CurrentMedia></CurrentMedia><MachineGuid></MachineGuid></Data>"
        t = c.send("UUX", payload=psm)
        self.assertEqual(c.read(), (["UUX", str(t), "0"], b""))
        t = c.send("QRY", mc.PRODUCT_ID, payload=challenge.answer(tokens[2]).encode())
        c.expect("QRY", str(t))
        c.send_raw(b"PNG\r\n")
        c.expect("QNG", "42")
        t = c.send("CHG", "AWY", "1074004004")
        c.expect("CHG", t, "AWY", "1074004004")
        c.send_raw(b"OUT\r\n")
        self.assertTrue(c.closed())
        self.assertIn("alice@example.com signed in", self.srv.log())

    def test_rst_response_shape(self):
        status, headers, body = self.srv.web.rst(ALICE, ALICE_PW)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/xml"))
        toks = mc.parse_rst_response(body)
        self.assertEqual(toks["_order"], ["http://Passport.NET/tb"] + [a for a, _ in mc.SERVICES])
        self.assertEqual([toks[a]["id"] for a, _ in mc.SERVICES],
                         ["Compact%d" % n for n in range(1, len(mc.SERVICES) + 1)])
        self.assertEqual(toks["http://Passport.NET/tb"]["type"], "urn:passport:legacy")
        self.assertTrue(toks["http://Passport.NET/tb"]["cipher"])
        for addr, _ in mc.SERVICES:
            tok = toks[addr]
            self.assertEqual(len(tok["secret"]), 24)
            self.assertEqual(tok["p"], "")
            created = datetime.datetime.strptime(tok["created"], "%Y-%m-%dT%H:%M:%SZ")
            expires = datetime.datetime.strptime(tok["expires"], "%Y-%m-%dT%H:%M:%SZ")
            self.assertEqual(expires - created, datetime.timedelta(hours=24))
        self.assertIn(b"&amp;p=</wsse:BinarySecurityToken>", body)
        again = mc.parse_rst_response(self.srv.web.rst(ALICE, ALICE_PW)[2])
        clear = "messengerclear.live.com"
        self.assertNotEqual(again[clear]["t"], toks[clear]["t"])
        self.assertNotEqual(again[clear]["secret"], toks[clear]["secret"])

    def test_rst_echoes_requested_addresses(self):
        services = [("contacts.msn.com", "MBI"), ("messengerclear.live.com", "MBI_KEY_OLD")]
        status, _, body = self.srv.web.post("/RST.srf", mc.rst_request(BOB, BOB_PW, services))
        self.assertEqual(status, 200)
        toks = mc.parse_rst_response(body)
        self.assertEqual(toks["_order"], ["http://Passport.NET/tb", "contacts.msn.com",
                                          "messengerclear.live.com"])
        self.assertEqual(toks["messengerclear.live.com"]["id"], "Compact2")

    def test_rst_wrong_password_and_unknown_account(self):
        for user, pw in ((ALICE, "wrong"), ("nobody@example.com", "x"), (ALICE, ALICE_PW + "x")):
            with self.subTest(user=user, pw=pw):
                status, _, body = self.srv.web.rst(user, pw)
                self.assertEqual(status, 500)
                self.assertIn(b"<faultcode>wsse:FailedAuthentication</faultcode>", body)
                with self.assertRaisesRegex(ValueError, "fault:wsse:FailedAuthentication"):
                    mc.parse_rst_response(body)

    def test_rst_invalid_requests(self):
        status, _, body = self.srv.web.post("/RST.srf", b"<Envelope><Header>")
        self.assertEqual(status, 400)
        status, _, body = self.srv.web.post("/RST.srf", mc.rst_request(
            ALICE, ALICE_PW, [("contacts.msn.com", "MBI")]))
        self.assertEqual(status, 500)
        self.assertIn(b"wst:InvalidRequest", body)
        no_policy = mc.rst_request(ALICE, ALICE_PW).replace(
            b'<wsse:PolicyReference URI="MBI_KEY_OLD"></wsse:PolicyReference>', b"")
        status, _, body = self.srv.web.post("/RST.srf", no_policy)
        self.assertEqual(status, 500)
        self.assertIn(b"PolicyReference", body)

    def test_http_layer(self):
        web = self.srv.web
        status, _, _ = web.post("/nothing/here.asmx", b"<x/>")
        self.assertEqual(status, 404)
        conn = web.connection()
        conn.request("GET", "/RST.srf")
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 405)
        # keep-alive: a second request on the same connection
        conn.request("POST", "/RST.srf", body=mc.rst_request(ALICE, "bad"),
                     headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 500)
        self.assertEqual(resp.getheader("Connection"), "keep-alive")
        conn.request("POST", "/nope", body=b"x", headers={"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.getheader("Connection"), "close")
        conn.close()

        def raw(data):
            port = int(self.srv.web_base.rsplit(":", 1)[1])
            ctx = ssl.create_default_context(cafile=self.srv.ca)
            with socket.create_connection(("localhost", port), timeout=5) as s:
                with ctx.wrap_socket(s, server_hostname="localhost") as tls:
                    tls.sendall(data)
                    out = b""
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            return out
                        out += chunk
        self.assertTrue(raw(b"GARBAGE\r\n\r\n").startswith(b"HTTP/1.1 400 "))
        self.assertTrue(raw(b"POST /RST.srf HTTP/1.1\r\nContent-Length: 1\r\n\r\nx")
                        .startswith(b"HTTP/1.1 400 "))          # no Host
        self.assertTrue(raw(b"POST /RST.srf HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
                        .startswith(b"HTTP/1.1 400 "))
        self.assertTrue(raw(b"POST /RST.srf HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n")
                        .startswith(b"HTTP/1.1 400 "))
        self.assertTrue(raw(b"POST /RST.srf HTTP/1.1\r\nHost: x\r\n\r\n")
                        .startswith(b"HTTP/1.1 411 "))
        self.assertTrue(raw(b"POST /RST.srf HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
                        .startswith(b"HTTP/1.1 413 "))
        self.assertTrue(raw(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n")
                        .startswith(b"HTTP/1.1 400 "))

    def test_bad_mbi_gives_911(self):
        c = self.ns()
        t, (tokens, _) = c.hello(ALICE)
        nonce = tokens[5]
        self.assertEqual(len(nonce), 64)
        toks = mc.parse_rst_response(self.srv.web.rst(ALICE, ALICE_PW)[2])
        clear = toks["messengerclear.live.com"]
        blob = bytearray(base64.b64decode(mc.mbi_blob(clear["secret"], nonce)))
        blob[40] ^= 0xFF
        t = c.send("USR", "SSO", "S", clear["ticket"], base64.b64encode(bytes(blob)).decode())
        c.expect("911", t)
        self.assertTrue(c.closed())

    def test_mbi_for_another_nonce_gives_911(self):
        c = self.ns()
        c.hello(ALICE)
        clear = mc.parse_rst_response(self.srv.web.rst(ALICE, ALICE_PW)[2])["messengerclear.live.com"]
        t = c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], "A" * 64))
        c.expect("911", t)
        self.assertTrue(c.closed())

    def test_foreign_or_unknown_ticket_gives_911(self):
        bobs = mc.parse_rst_response(self.srv.web.rst(BOB, BOB_PW)[2])
        alices = mc.parse_rst_response(self.srv.web.rst(ALICE, ALICE_PW)[2])
        for name, tok in (("bob's ticket", bobs["messengerclear.live.com"]),
                          ("contacts ticket", alices["contacts.msn.com"])):
            with self.subTest(name):
                c = self.ns()
                _, (tokens, _) = c.hello(ALICE)
                t = c.send("USR", "SSO", "S", tok["ticket"], mc.mbi_blob(tok["secret"], tokens[5]))
                c.expect("911", t)
                self.assertTrue(c.closed())

    def test_unknown_account_at_usr(self):
        c = self.ns()
        t, (tokens, _) = c.hello("nobody@example.com")
        self.assertEqual(tokens, ["911", str(t)])
        self.assertTrue(c.closed())

    def test_command_order_and_syntax(self):
        c = self.ns()
        t = c.send("CVR", mc.CVR_PARAMS, ALICE)
        c.expect("715", t)
        self.assertTrue(c.closed())
        c = self.ns()
        t = c.send("VER", "MSNP8", "CVR0")
        c.expect("VER", t, "0")
        self.assertTrue(c.closed())
        c = self.ns()
        t = c.send("VER", "MSNP15", "CVR0")
        c.expect("VER", t, "MSNP15")
        t = c.send("USR", "SSO", "I", ALICE)
        c.expect("715", t)
        self.assertTrue(c.closed())
        c = self.ns()
        t = c.send("FOO", "bar")
        c.expect("200", t)
        self.assertTrue(c.closed())
        c = self.ns()
        c.send_raw(b"VER 1 MSNP15 CVR0\n")       # bare LF is not a line end
        self.assertTrue(c.closed())

    def test_adl_errors_and_exact_payloads(self):
        c, _, _ = self.sign_in(BOB, BOB_PW)
        t = c.send("ADL", payload=b"<ml><d n='x.com'><c n='a' l='1' t='1'></d></ml>")
        c.expect("240", t)
        t = c.send("ADL", payload=b"<notml/>")
        c.expect("240", t)
        t = c.send("ADL", payload=b'<ml l="1"><d n="x.com"><c n="a" l="6" t="1" /></d></ml>')
        tokens, payload = c.expect("241", t)
        self.assertEqual(ET.fromstring(payload).find("d/c").get("n"), "a")
        # payload followed by the next command in one segment; a CRLF inside the payload
        ml = b'<ml l="1">\r\n<d n="example.com"><c n="contact00000" l="3" t="1" /></d></ml>'
        c.send_raw(b"ADL 9 %d\r\n%sPNG\r\nBLP 10 BL\r\n" % (len(ml), ml))
        c.expect("ADL", "9", "OK")
        c.expect("QNG", "42")
        c.expect("BLP", "10", "BL")
        t = c.send("BLP", "XX")
        c.expect("201", t)
        t = c.send("CHG", "FLN", "0")
        c.expect("201", t)
        t = c.send("USR", "SSO", "I", BOB)
        c.expect("207", t)
        t = c.send("UUX", payload=b"<Data><PSM>unclosed</Data>")
        c.expect("200", t)
        t = c.send("UUX", payload=b"")
        c.expect("UUX", t, "0")

    def test_wrong_qry_gives_540(self):
        c, _, _ = self.sign_in(BOB, BOB_PW)
        chal = self.go_online(c)
        wrong = challenge.answer(chal + "1").encode()
        t = c.send("QRY", mc.PRODUCT_ID, payload=wrong)
        c.expect("540", t)
        self.assertTrue(c.closed())

    def test_qry_with_wrong_product_gives_540(self):
        c, _, _ = self.sign_in(BOB, BOB_PW)
        chal = self.go_online(c)
        t = c.send("QRY", "PROD0090YUAUV{2B", payload=challenge.answer(chal).encode())
        c.expect("540", t)
        self.assertTrue(c.closed())

    def test_second_sign_in_kicks_first(self):
        first, _, _ = self.sign_in(BOB, BOB_PW)
        second, _, _ = self.sign_in(BOB, BOB_PW)
        first.expect("OUT", "OTH")
        self.assertTrue(first.closed())
        second.send_raw(b"PNG\r\n")
        second.expect("QNG", "42")


class RedirectTest(ServerCase):
    args = ("--redirect",)

    def test_dispatch_then_ns(self):
        c = self.ns()
        t, (tokens, _) = c.hello(ALICE)
        self.assertEqual(tokens[:3], ["XFR", str(t), "NS"])
        self.assertEqual(tokens[4:], ["U", "D"])
        host, port = tokens[3].split(":")
        self.assertEqual(host, "127.0.0.1")
        self.assertNotEqual(tokens[3], self.srv.ns)
        self.assertTrue(c.closed())
        c2, _, _ = self.sign_in(ns=tokens[3])
        self.go_online(c2)


class FaultTest(unittest.TestCase):
    """One short-lived server per fault."""

    def server(self, *args):
        srv = Server(*args)

        def stop():
            rc, _ = srv.stop()
            srv.stderr.close()
            self.assertEqual(rc, 0)
        self.addCleanup(stop)
        return srv

    def test_rst_fault_status_200(self):
        srv = self.server("--rst-fault-status", "200")
        status, _, body = srv.web.rst(ALICE, "nope")
        self.assertEqual(status, 200)
        self.assertIn(b"<faultcode>wsse:FailedAuthentication</faultcode>", body)

    def test_rst_psf_redirect(self):
        srv = self.server("--fault", "rst-psf-redirect")
        status, _, body = srv.web.rst(ALICE, ALICE_PW)
        self.assertEqual(status, 500)
        with self.assertRaises(ValueError) as cm:
            mc.parse_rst_response(body)
        self.assertEqual(str(cm.exception), "fault:psf:Redirect %s/RST2.srf" % srv.web_base)
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        _, (tokens, _) = c.hello(ALICE)
        status, _, body = srv.web.rst(ALICE, ALICE_PW, path="/RST2.srf")
        self.assertEqual(status, 200)
        clear = mc.parse_rst_response(body)["messengerclear.live.com"]
        t = c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], tokens[5]))
        c.expect("USR", t, "OK")

    def test_rst_offsite_redirects(self):
        srv = self.server("--fault", "rst-psf-redirect-offsite")
        offsite = srv.web_base.replace("://localhost:", "://127.0.0.1:") + "/RST2.srf"
        for _ in range(2):  # every request, not only the first
            status, _, body = srv.web.rst(ALICE, ALICE_PW)
            self.assertEqual(status, 500)
            with self.assertRaises(ValueError) as cm:
                mc.parse_rst_response(body)
            self.assertEqual(str(cm.exception), "fault:psf:Redirect %s" % offsite)
        srv = self.server("--fault", "rst-302-offsite")
        srv_base = srv.web_base.replace("://localhost:", "://127.0.0.1:")
        status, headers, _ = srv.web.rst(ALICE, ALICE_PW)
        self.assertEqual((status, headers["Location"]), (302, srv_base + "/RST2.srf"))

    def test_rst_http_500_and_redirect_loop_and_close(self):
        srv = self.server("--fault", "rst-http-500")
        status, headers, body = srv.web.rst(ALICE, ALICE_PW)
        self.assertEqual((status, headers["Content-Type"][:9]), (500, "text/html"))
        srv = self.server("--fault", "rst-redirect-loop")
        for _ in range(3):
            status, headers, _ = srv.web.rst(ALICE, ALICE_PW)
            self.assertEqual((status, headers["Location"]), (302, "/RST.srf"))
        srv = self.server("--fault", "close-at:RST")
        with self.assertRaises(ConnectionError):
            srv.web.rst(ALICE, ALICE_PW)

    def test_silent_at_rst(self):
        srv = self.server("--fault", "silent-at:RST")
        web = mc.Web(srv.web_base, srv.ca, timeout=0.5)
        with self.assertRaises(socket.timeout):
            web.rst(ALICE, ALICE_PW)

    def test_close_and_silent_at_ver(self):
        srv = self.server("--fault", "close-at:VER")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        c.send("VER", "MSNP15", "CVR0")
        self.assertTrue(c.closed())
        self.assertEqual(c.buf, b"")
        srv = self.server("--fault", "silent-at:VER")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        c.send("VER", "MSNP15", "CVR0")
        self.assertFalse(c.closed(timeout=0.5))
        self.assertEqual(c.buf, b"")

    def test_garbage_and_oversized_line(self):
        srv = self.server("--fault", "garbage-line")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        c.send("VER", "MSNP15", "CVR0")
        while b"\r\n" not in c.buf:
            c._fill()
        junk = c.buf.split(b"\r\n")[0]
        self.assertGreater(len(junk), 32)
        self.assertFalse(junk.isascii())
        c.buf = c.buf[len(junk) + 2:]
        self.assertEqual(c.read_line(), "VER 1 MSNP15")  # the real answer follows
        srv = self.server("--fault", "oversized-line")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        c.send("VER", "MSNP15", "CVR0")
        while len(c.buf) < 1024 * 1024 + 2:
            c._fill()
        self.assertEqual(c.buf[:1024 * 1024 + 2], b"A" * (1024 * 1024) + b"\r\n")
        c.buf = c.buf[1024 * 1024 + 2:]
        self.assertEqual(c.read_line(), "VER 1 MSNP15")

    def test_close_at_usr_s_and_profile(self):
        for fault, after_ok in (("close-at:USR-S", False), ("close-at:PROFILE", True)):
            with self.subTest(fault):
                srv = self.server("--fault", fault)
                c = mc.NsClient(srv.ns)
                self.addCleanup(c.close)
                _, (tokens, _) = c.hello(ALICE)
                clear = mc.parse_rst_response(srv.web.rst(ALICE, ALICE_PW)[2])["messengerclear.live.com"]
                c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], tokens[5]))
                self.assertTrue(c.closed())
                self.assertEqual(c.buf.startswith(b"USR 4 OK"), after_ok)
                self.assertNotIn(b"SBS", c.buf)

    def test_oversized_payload(self):
        srv = self.server("--fault", "oversized-payload")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        _, (tokens, _) = c.hello(ALICE)
        clear = mc.parse_rst_response(srv.web.rst(ALICE, ALICE_PW)[2])["messengerclear.live.com"]
        t = c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], tokens[5]))
        c.expect("USR", t, "OK")
        self.assertEqual(c.read_line(), "MSG Hotmail Hotmail 999999999")
        self.assertFalse(c.closed(timeout=0.3))

    def test_close_and_silent_at_adl_and_chg(self):
        for fault in ("close-at:ADL", "silent-at:ADL", "close-at:CHG", "silent-at:CHG"):
            with self.subTest(fault):
                srv = self.server("--fault", fault)
                c, _, _ = mc.sign_in(srv.ns, srv.web, ALICE, ALICE_PW)
                self.addCleanup(c.close)
                if fault.endswith("CHG"):
                    t = c.send("ADL", payload=b'<ml l="1"></ml>')
                    c.expect("ADL", t, "OK")
                    c.send("CHG", "NLN", "0")
                else:
                    c.send("ADL", payload=b'<ml l="1"></ml>')
                closed = c.closed(timeout=0.4)
                self.assertEqual(closed, fault.startswith("close"))
                self.assertEqual(c.buf, b"")

    def test_out_oth_and_ssd_after_sign_in(self):
        for reason in ("OTH", "SSD"):
            with self.subTest(reason):
                srv = self.server("--fault", "out-%s-after-signin" % reason.lower())
                c, _, _ = mc.sign_in(srv.ns, srv.web, ALICE, ALICE_PW)
                self.addCleanup(c.close)
                start = time.monotonic()
                t = c.send("CHG", "NLN", "0")
                c.expect("CHG", t, "NLN", "0")
                c.expect("CHL", "0")
                c.expect("OUT", reason)
                self.assertGreaterEqual(time.monotonic() - start, 0.9)
                self.assertTrue(c.closed())

    def test_chl_interval_and_timeout(self):
        srv = self.server("--chl-interval", "0.2", "--chl-timeout", "0.5")
        c, _, _ = mc.sign_in(srv.ns, srv.web, ALICE, ALICE_PW)
        self.addCleanup(c.close)
        t = c.send("CHG", "NLN", "0")
        c.expect("CHG", t, "NLN", "0")
        for _ in range(2):
            tokens, _ = c.expect("CHL", "0")
            t = c.send("QRY", mc.PRODUCT_ID, payload=challenge.answer(tokens[2]).encode())
            c.expect("QRY", t)
        c.expect("CHL", "0")            # third one left unanswered: dropped after 0.5 s
        self.assertTrue(c.closed(timeout=2))

    def test_expired_ticket_gives_911(self):
        srv = self.server("--ticket-lifetime", "1")
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        _, (tokens, _) = c.hello(ALICE)
        clear = mc.parse_rst_response(srv.web.rst(ALICE, ALICE_PW)[2])["messengerclear.live.com"]
        time.sleep(1.1)
        t = c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], tokens[5]))
        c.expect("911", t)
        self.assertTrue(c.closed())

    def test_default_state_dir_is_temporary(self):
        srv = Server(state_dir=False)
        state = os.path.dirname(srv.ca)
        self.assertTrue(os.path.isfile(os.path.join(state, "ca.pem")))
        rc, _ = srv.stop()
        srv.stderr.close()
        self.assertEqual(rc, 0)
        self.assertFalse(os.path.exists(state))


if __name__ == "__main__":
    unittest.main()


class RecordTest(unittest.TestCase):
    """What the harness reads besides the wire: the state dump's protocol counts and the log
    file with one line per record, levels first."""

    def test_dump_counts_challenge_keepalive_and_rst_paths_and_log_file(self):
        state = tempfile.mkdtemp(dir=_state_root)
        log_path = os.path.join(state, "server.log")
        srv = Server("--fault", "rst-psf-redirect", "--log-file", log_path, state_dir=state)
        self.addCleanup(srv.stderr.close)
        self.addCleanup(srv.stop)
        srv.web.rst(ALICE, ALICE_PW)                    # redirected: not counted as a request
        c = mc.NsClient(srv.ns)
        self.addCleanup(c.close)
        _, (tokens, _) = c.hello(ALICE)
        _, _, body = srv.web.rst(ALICE, ALICE_PW, path="/RST2.srf")
        clear = mc.parse_rst_response(body)["messengerclear.live.com"]
        t = c.send("USR", "SSO", "S", clear["ticket"], mc.mbi_blob(clear["secret"], tokens[5]))
        c.expect("USR", t, "OK")
        c.expect("SBS", "0", "null")
        for _ in range(2):
            c.expect("MSG", "Hotmail", "Hotmail")
        t = c.send("CHG", "NLN", "0")
        c.expect("CHG", t, "NLN", "0")
        tokens, _ = c.expect("CHL", "0")
        t = c.send("QRY", mc.PRODUCT_ID, payload=challenge.answer(tokens[2]).encode())
        c.expect("QRY", t)
        for _ in range(2):
            c.send_raw(b"PNG\r\n")
            c.expect("QNG")
        t = c.send("XFR", "SB")
        c.expect("XFR", t, "SB")
        c.send_raw(b"OUT\r\n")
        self.assertTrue(c.closed())
        bob, _, _ = mc.sign_in(srv.ns, srv.web, BOB, BOB_PW)  # a wrong answer: 540, logged
        self.addCleanup(bob.close)
        t = bob.send("CHG", "NLN", "0")
        bob.expect("CHG", t, "NLN", "0")
        tokens, _ = bob.expect("CHL", "0")
        t = bob.send("QRY", mc.PRODUCT_ID, payload=b"0" * 32)
        bob.expect("540", t)

        dump_path = os.path.join(state, "dump.xml")
        srv.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while not os.path.exists(dump_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        root = ET.parse(dump_path).getroot()

        def counts(email):
            el = [a for a in root.findall("account") if a.get("email") == email][0]
            return {"%s %s" % (r.get("op"), r.get("kind")): int(r.get("count"))
                    for r in el.findall("requests")}
        alice = counts(ALICE)
        self.assertEqual(alice.get("CHL sent"), 1)
        self.assertEqual(alice.get("QRY right"), 1)
        self.assertEqual(alice.get("PNG answered"), 2)
        self.assertEqual(alice.get("XFR SB"), 1)
        self.assertEqual(alice.get("OUT received"), 1)
        self.assertEqual(alice.get("RST /RST2.srf"), 1)
        self.assertNotIn("RST /RST.srf", alice)
        self.assertNotIn("QRY wrong", alice)
        bob_counts = counts(BOB)
        self.assertEqual((bob_counts.get("QRY wrong"), bob_counts.get("RST /RST.srf")), (1, 1))

        with open(log_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(all(re.match(r"(DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: ", l)
                            for l in lines), lines[:5])
        warnings = [l for l in lines if l.startswith("WARNING ")]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertIn("540", warnings[0])
