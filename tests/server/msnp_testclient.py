"""A small blocking MSNP15 client used by the server's tests (not by the server itself).

Written from the MSNP15 reference (docs/protocol/), separately from msnp_server/, so a test
exercises the server with a second reading of the protocol: NS framing, the RST.srf request,
the MBI blob.
"""

import base64
import hashlib
import hmac
import http.client
import os
import socket
import ssl
import struct
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

CVR_PARAMS = "0x0409 winnt 5.1 i386 MSNMSGR 8.5.1302 BC01"
PRODUCT_ID = "PROD0119GSJUC$18"
SERVICES = [  # (address, policy) as WLM 8.5 asks for them (docs/protocol/notification-server.md)
    ("messengerclear.live.com", "MBI_KEY_OLD"),
    ("messenger.msn.com", "?id=507"),
    ("contacts.msn.com", "MBI"),
    ("messengersecure.live.com", "MBI_SSL"),
    ("spaces.live.com", "MBI"),
    ("storage.msn.com", "MBI_SSL"),
]
# Server-to-client commands whose last parameter is a payload length.
S2C_PAYLOAD = {"MSG", "ADL", "RML", "FQY", "UUX", "UBX", "GCF", "NOT", "IPG", "UBN", "UBM"}


# ---- MBI (docs/protocol/notification-server.md) --------------------------------------------------

def _h(key, data):
    return hmac.new(key, data, hashlib.sha1).digest()


def derive_key(key, label):
    a = _h(key, label)
    b = _h(key, a + label)
    c = _h(key, a)
    d = _h(key, c + label)
    return b + d[:4]


def mbi_blob(secret, nonce, iv=None):
    nonce = nonce.encode("ascii")
    iv = iv if iv is not None else os.urandom(8)
    khash = derive_key(secret, b"WS-SecureConversationSESSION KEY HASH")
    kenc = derive_key(secret, b"WS-SecureConversationSESSION KEY ENCRYPTION")
    enc = Cipher(algorithms.TripleDES(kenc), modes.CBC(iv)).encryptor()
    ct = enc.update(nonce + b"\x08" * 8) + enc.finalize()
    head = struct.pack("<IIIIIII", 28, 1, 0x6603, 0x8004, 8, 20, len(ct))
    return base64.b64encode(head + iv + _h(khash, nonce) + ct).decode("ascii")


# ---- RST.srf (docs/protocol/notification-server.md) ----------------------------------------------

def rst_request(username, password, services=SERVICES):
    rsts = ['<wst:RequestSecurityToken Id="RST0"><wst:RequestType>'
            'http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType>'
            '<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>http://Passport.NET/tb'
            '</wsa:Address></wsa:EndpointReference></wsp:AppliesTo></wst:RequestSecurityToken>']
    for n, (addr, policy) in enumerate(services, 1):
        rsts.append('<wst:RequestSecurityToken Id="RST%d"><wst:RequestType>'
                    'http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue</wst:RequestType>'
                    '<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>%s</wsa:Address>'
                    '</wsa:EndpointReference></wsp:AppliesTo>'
                    '<wsse:PolicyReference URI="%s"></wsse:PolicyReference>'
                    '</wst:RequestSecurityToken>' % (n, escape(addr), escape(policy, {'"': "&quot;"})))
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:wsse="http://schemas.xmlsoap.org/ws/2003/06/secext" '
            'xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" '
            'xmlns:wsp="http://schemas.xmlsoap.org/ws/2002/12/policy" '
            'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" '
            'xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/03/addressing" '
            'xmlns:wssc="http://schemas.xmlsoap.org/ws/2004/04/sc" '
            'xmlns:wst="http://schemas.xmlsoap.org/ws/2004/04/trust"><Header>'
            '<ps:AuthInfo xmlns:ps="http://schemas.microsoft.com/Passport/SoapServices/PPCRL" Id="PPAuthInfo">'
            '<ps:HostingApp>{7108E71A-9926-4FCB-BCC9-9A9D3F32E423}</ps:HostingApp>'
            '<ps:BinaryVersion>4</ps:BinaryVersion><ps:UIVersion>1</ps:UIVersion><ps:Cookies></ps:Cookies>'
            '<ps:RequestParams>AQAAAAIAAABsYwQAAAAxMDMz</ps:RequestParams></ps:AuthInfo>'
            '<wsse:Security><wsse:UsernameToken Id="user"><wsse:Username>%s</wsse:Username>'
            '<wsse:Password>%s</wsse:Password></wsse:UsernameToken></wsse:Security></Header>'
            '<Body><ps:RequestMultipleSecurityTokens xmlns:ps="http://schemas.microsoft.com/Passport/SoapServices/PPCRL" Id="RSTS">'
            '%s</ps:RequestMultipleSecurityTokens></Body></Envelope>'
            % (escape(username), escape(password), "".join(rsts))).encode("utf-8")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _child(el, *path):
    for name in path:
        el = next((c for c in el if _local(c.tag) == name), None)
        if el is None:
            return None
    return el


def parse_rst_response(body):
    """-> {address: {"ticket", "t", "p", "secret", "id", "expires", "created", "cipher"}}, or
    raise ValueError("fault:CODE") for a SOAP fault."""
    root = ET.fromstring(body)
    fault = next((e for e in root.iter() if _local(e.tag) == "Fault"), None)
    if fault is not None:
        code = _child(fault, "faultcode")
        url = _child(fault, "redirectUrl")
        raise ValueError("fault:%s%s" % (code.text if code is not None else "?",
                                          " " + url.text if url is not None else ""))
    out = {}
    order = []
    for rstr in root.iter():
        if _local(rstr.tag) != "RequestSecurityTokenResponse":
            continue
        addr = _child(rstr, "AppliesTo", "EndpointReference", "Address").text
        order.append(addr)
        entry = {
            "secret": base64.b64decode(_child(rstr, "RequestedProofToken", "BinarySecret").text),
            "created": _child(rstr, "LifeTime", "Created").text,
            "expires": _child(rstr, "LifeTime", "Expires").text,
            "type": _child(rstr, "TokenType").text,
        }
        bst = _child(rstr, "RequestedSecurityToken", "BinarySecurityToken")
        if bst is not None:
            fields = dict(kv.split("=", 1) for kv in bst.text.split("&"))
            entry.update(ticket="t=%s&p=%s" % (fields["t"], fields.get("p", "")),
                         t=fields["t"], p=fields.get("p", ""), id=bst.get("Id"))
        else:
            cv = _child(rstr, "RequestedSecurityToken", "EncryptedData", "CipherData",
                        "CipherValue")
            entry["cipher"] = cv.text
        out[addr] = entry
    out["_order"] = order
    return out


class Web:
    def __init__(self, base, cafile, timeout=5):
        assert base.startswith("https://")
        host, port = base[len("https://"):].rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.ctx = ssl.create_default_context(cafile=cafile)
        self.timeout = timeout

    def connection(self):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx,
                                           timeout=self.timeout)

    def post(self, path, body, headers=None):
        conn = self.connection()
        try:
            hdrs = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": ""}
            hdrs.update(headers or {})
            conn.request("POST", path, body=body, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def rst(self, username, password, path="/RST.srf"):
        return self.post(path, rst_request(username, password))


# ---- NS ----------------------------------------------------------------------------------------

class NsClient:
    def __init__(self, address, timeout=5.0):
        host, port = address.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.buf = b""
        self.trid = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, name, *params, payload=None):
        """Send a command with the next TrID; returns the TrID."""
        self.trid += 1
        parts = [name, str(self.trid)] + [str(p) for p in params]
        if payload is not None:
            parts.append(str(len(payload)))
        self.sock.sendall(" ".join(parts).encode("utf-8") + b"\r\n" + (payload or b""))
        return self.trid

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the connection")
        self.buf += data

    def read_line(self, max_len=64 * 1024):
        while b"\r\n" not in self.buf:
            if len(self.buf) > max_len:
                raise ValueError("line too long")
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8")

    def read_exactly(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self):
        """-> (tokens, payload or None)."""
        tokens = self.read_line().split(" ")
        payload = None
        if (tokens[0] in S2C_PAYLOAD and len(tokens) >= 3 and tokens[-1].isdigit()) or \
                (tokens[0].isdigit() and len(tokens) == 3 and tokens[2].isdigit()):
            payload = self.read_exactly(int(tokens[-1]))
        return tokens, payload

    def expect(self, *prefix):
        tokens, payload = self.read()
        if tokens[:len(prefix)] != [str(p) for p in prefix]:
            raise AssertionError("expected %r, got %r" % (prefix, tokens))
        return tokens, payload

    def closed(self, timeout=3.0):
        """True if the server closes the connection (after any pending data) within timeout."""
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.buf += data
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        return False

    # -- helpers for a whole sign-in --

    def hello(self, email):
        t = self.send("VER", "MSNP15", "CVR0")
        self.expect("VER", t, "MSNP15")
        t = self.send("CVR", CVR_PARAMS, email)
        self.expect("CVR", t)
        t = self.send("USR", "SSO", "I", email)
        return t, self.read()


def sign_in(ns_address, web, email, password):
    """Full sign-in; -> (NsClient, tokens, [the two Hotmail MSG payloads])."""
    c = NsClient(ns_address)
    t, (tokens, _) = c.hello(email)
    assert tokens[:5] == ["USR", str(t), "SSO", "S", "MBI_KEY_OLD"], tokens
    nonce = tokens[5]
    status, _, body = web.rst(email, password)
    assert status == 200, (status, body[:300])
    toks = parse_rst_response(body)
    clear = toks["messengerclear.live.com"]
    t = c.send("USR", "SSO", "S", clear["ticket"], mbi_blob(clear["secret"], nonce))
    c.expect("USR", t, "OK", email, "1", "0")
    c.expect("SBS", "0", "null")
    msgs = [c.expect("MSG", "Hotmail", "Hotmail")[1] for _ in range(2)]
    return c, toks, msgs


# ---- server process, switchboard and presence helpers (switchboard / OIM tests) ---------------

SERVER_PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "msnp-server")
_shared_state = None


def shared_state_dir():
    """One --state-dir (test CA + certificate, made once) for the servers of a test process;
    removed when the process exits."""
    global _shared_state
    if _shared_state is None:
        import atexit
        import shutil
        import tempfile
        _shared_state = tempfile.mkdtemp(prefix="msnp-server-test-")
        atexit.register(shutil.rmtree, _shared_state, True)
    return _shared_state


class ServerProcess:
    """msnp-server as a subprocess; `ns`, `web_base`, `ca`, `fields` (all READY keys), `web`."""

    def __init__(self, accounts, args=(), state_dir=None):
        import select
        import subprocess
        import tempfile
        self.stderr = tempfile.TemporaryFile()
        cmd = ["/usr/bin/python3", SERVER_PROGRAM]
        for email, password in accounts:
            cmd += ["--account", "%s:%s" % (email, password)]
        if state_dir:
            cmd += ["--state-dir", state_dir]
        self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("READY "):
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("no READY line (got %r); stderr:\n%s" % (line, self.log()))
        self.fields = dict(f.split("=", 1) for f in line.split()[1:])
        self.ns, self.web_base, self.ca = self.fields["ns"], self.fields["web"], self.fields["ca"]
        self.web = Web(self.web_base, self.ca)

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM; -> (exit status or "killed", anything more on stdout)."""
        import signal
        import subprocess
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


def go_online(c, answer, status="NLN", caps=1074004004, name=None, ml=b'<ml l="1"></ml>',
              blp="AL"):
    """After sign_in: BLP, ADL, [PRP MFN], CHG; answers the CHL with `answer(challenge)`."""
    t = c.send("BLP", blp)
    c.expect("BLP", t, blp)
    t = c.send("ADL", payload=ml)
    c.expect("ADL", t, "OK")
    if name is not None:
        t = c.send("PRP", "MFN", name)
        c.expect("PRP", t, "MFN", name)
    t = c.send("CHG", status, caps)
    c.expect("CHG", t, status, caps)
    tokens, _ = c.expect("CHL", "0")
    t = c.send("QRY", PRODUCT_ID, payload=answer(tokens[2]).encode())
    c.expect("QRY", t)


def text_message(text, fmt="FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0"):
    return ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "X-MMS-IM-Format: %s\r\n\r\n%s" % (fmt, text)).encode("utf-8")


def typing_message(email):
    return ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: %s\r\n\r\n\r\n"
            % email).encode("utf-8")


NUDGE = b"MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n"


# ---- contact-list SOAP: abservice, SharingService, SchematizedStore ------------------------------
# (docs/protocol/contact-list.md, presence.md)

AB_NS = "http://www.msn.com/webservices/AddressBook"
STORAGE_NS = "http://www.msn.com/webservices/storage/w10"
AB_PATH = "/abservice/abservice.asmx"
SHARING_PATH = "/abservice/SharingService.asmx"
STORAGE_PATH = "/storageservice/SchematizedStore.asmx"
APPLICATION_ID = "CFE80F9D-180F-4399-82AB-413F33A1FA11"
MESSENGER_GROUP_TYPE = "C8529CE2-6EAD-434d-881F-341E17DB3FF8"


def ab_envelope(op, body, ticket, scenario="Initial", cache_key=None):
    """A SOAP request for abservice/SharingService; `body` is the inner XML of <op>."""
    key = "<CacheKey>%s</CacheKey>" % escape(cache_key) if cache_key else ""
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
            'xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soap:Header>'
            '<ABApplicationHeader xmlns="%s"><ApplicationId>%s</ApplicationId>'
            '<IsMigration>false</IsMigration><PartnerScenario>%s</PartnerScenario>%s'
            '</ABApplicationHeader><ABAuthHeader xmlns="%s">'
            '<ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>%s</TicketToken>'
            '</ABAuthHeader></soap:Header><soap:Body><%s xmlns="%s">%s</%s></soap:Body>'
            '</soap:Envelope>' % (AB_NS, APPLICATION_ID, scenario, key, AB_NS, escape(ticket),
                                  op, AB_NS, body, op)).encode("utf-8")


def storage_envelope(op, body, ticket):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Header>'
            '<StorageApplicationHeader xmlns="%s"><ApplicationID>Messenger Client 8.5'
            '</ApplicationID><Scenario>Initial</Scenario></StorageApplicationHeader>'
            '<StorageUserHeader xmlns="%s"><Puid>0</Puid><TicketToken>%s</TicketToken>'
            '</StorageUserHeader></soap:Header><soap:Body><%s xmlns="%s">%s</%s></soap:Body>'
            '</soap:Envelope>' % (STORAGE_NS, STORAGE_NS, escape(ticket), op, STORAGE_NS, body,
                                  op)).encode("utf-8")


def find(el, *path):
    """Descend by local names, ignoring namespaces; None if missing."""
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if _local(c.tag) == name), None)
    return el


def findall(el, *path):
    """All elements at `path` (local names); the last step may match several."""
    parent = find(el, *path[:-1]) if len(path) > 1 else el
    return [] if parent is None else [c for c in parent if _local(c.tag) == path[-1]]


def findtext(el, *path):
    el = find(el, *path)
    return None if el is None else (el.text or "")


class SoapFault(Exception):
    def __init__(self, status, faultcode, errorcode, text):
        super().__init__("%s %s (%s): %s" % (status, faultcode, errorcode, text))
        self.status = status
        self.faultcode = faultcode
        self.errorcode = errorcode
        self.text = text


class Contacts:
    """The contact services as one account sees them (its contacts.msn.com ticket)."""

    def __init__(self, web, ticket, storage_ticket=None):
        self.web = web
        self.ticket = ticket
        self.storage_ticket = storage_ticket
        self.cache_key = None
        self.last_headers = None

    def raw(self, path, op, data, action=None):
        """POST; -> (status, root element or None, body bytes)."""
        ns = STORAGE_NS if path == STORAGE_PATH else AB_NS
        status, headers, body = self.web.post(path, data, {
            "SOAPAction": action if action is not None else "%s/%s" % (ns, op)})
        self.last_headers = headers
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            root = None
        return status, root, body

    def call(self, path, op, body="", scenario="Initial", ticket=None):
        """-> the response's Body/{op}Response element; raises SoapFault."""
        if path == STORAGE_PATH:
            data = storage_envelope(op, body, self.storage_ticket if ticket is None else ticket)
        else:
            data = ab_envelope(op, body, self.ticket if ticket is None else ticket, scenario,
                               self.cache_key)
        status, root, raw = self.raw(path, op, data)
        fault = find(root, "Body", "Fault")
        if fault is not None:
            raise SoapFault(status, findtext(fault, "faultcode"),
                            findtext(fault, "detail", "errorcode"), findtext(fault, "faultstring"))
        if status != 200:
            raise AssertionError("HTTP %d without a SOAP fault: %r" % (status, raw[:300]))
        header = find(root, "Header", "ServiceHeader")
        if header is not None and findtext(header, "CacheKeyChanged") == "true":
            self.cache_key = findtext(header, "CacheKey")
        return find(root, "Body", op + "Response")

    # -- address book --

    def find_all(self, last_change=None):
        body = ("<abId>00000000-0000-0000-0000-000000000000</abId><abView>Full</abView>"
                "<deltasOnly>%s</deltasOnly><lastChange>%s</lastChange>"
                % ("true" if last_change else "false", last_change or "0001-01-01T00:00:00.0000000-08:00"))
        res = find(self.call(AB_PATH, "ABFindAll", body), "ABFindAllResult")
        groups = {}
        for g in findall(res, "groups", "Group"):
            groups[findtext(g, "groupId")] = {
                "name": findtext(g, "groupInfo", "name"),
                "deleted": findtext(g, "fDeleted") == "true"}
        contacts = []
        for c in findall(res, "contacts", "Contact"):
            info = find(c, "contactInfo")
            contacts.append({
                "id": findtext(c, "contactId"),
                "type": findtext(info, "contactType"),
                "email": findtext(info, "passportName"),
                "name": findtext(info, "displayName"),
                "messenger": findtext(info, "isMessengerUser") == "true",
                "groups": [g.text for g in findall(info, "groupIds", "guid")],
                "deleted": findtext(c, "fDeleted") == "true",
                "lastChange": findtext(c, "lastChange")})
        return {"groups": groups, "contacts": contacts,
                "lastChange": findtext(res, "ab", "lastChange")}

    def find_membership(self, last_change=None):
        delta = ("<View>Full</View><deltasOnly>true</deltasOnly><lastChange>%s</lastChange>"
                 % last_change) if last_change else ""
        body = ("<serviceFilter><Types><ServiceType>Messenger</ServiceType>"
                "<ServiceType>Invitation</ServiceType><ServiceType>SocialNetwork</ServiceType>"
                "<ServiceType>Space</ServiceType><ServiceType>Profile</ServiceType></Types>"
                "</serviceFilter>%s" % delta)
        res = find(self.call(SHARING_PATH, "FindMembership", body), "FindMembershipResult")
        roles = {}
        last = None
        for svc in findall(res, "Services", "Service"):
            if findtext(svc, "Info", "Handle", "Type") != "Messenger":
                continue
            last = findtext(svc, "LastChange")
            for ms in findall(svc, "Memberships", "Membership"):
                role = findtext(ms, "MemberRole")
                for m in findall(ms, "Members", "Member"):
                    roles.setdefault(role, []).append({
                        "id": findtext(m, "MembershipId"),
                        "type": m.get("{http://www.w3.org/2001/XMLSchema-instance}type"),
                        "email": findtext(m, "PassportName") or findtext(m, "Email"),
                        "name": findtext(m, "DisplayName"),
                        "deleted": findtext(m, "Deleted") == "true"})
        return {"roles": roles, "lastChange": last}

    def contact_add(self, email, allow=True, scenario="ContactSave"):
        body = ("<abId>00000000-0000-0000-0000-000000000000</abId><contacts><Contact>"
                "<contactInfo><passportName>%s</passportName><isSmtp>false</isSmtp>"
                "<isMessengerUser>true</isMessengerUser></contactInfo></Contact></contacts>"
                "<options><EnableAllowListManagement>%s</EnableAllowListManagement></options>"
                % (escape(email), "true" if allow else "false"))
        return findtext(self.call(AB_PATH, "ABContactAdd", body, scenario),
                        "ABContactAddResult", "guid")

    def contact_delete(self, *ids):
        body = ("<abId>00000000-0000-0000-0000-000000000000</abId><contacts>%s</contacts>"
                % "".join("<Contact><contactId>%s</contactId></Contact>" % i for i in ids))
        self.call(AB_PATH, "ABContactDelete", body, "Timer")

    def group_add(self, name):
        body = ("<abId>00000000-0000-0000-0000-000000000000</abId><groupAddOptions>"
                "<fRenameOnMsgrConflict>false</fRenameOnMsgrConflict></groupAddOptions>"
                "<groupInfo><GroupInfo><name>%s</name><groupType>%s</groupType>"
                "<fMessenger>false</fMessenger><annotations><Annotation><Name>MSN.IM.Display"
                "</Name><Value>1</Value></Annotation></annotations></GroupInfo></groupInfo>"
                % (escape(name), MESSENGER_GROUP_TYPE))
        return findtext(self.call(AB_PATH, "ABGroupAdd", body, "GroupSave"),
                        "ABGroupAddResult", "guid")

    def group_delete(self, gid):
        self.call(AB_PATH, "ABGroupDelete", "<abId>00000000-0000-0000-0000-000000000000</abId>"
                  "<groupFilter><groupIds><guid>%s</guid></groupIds></groupFilter>" % gid,
                  "Timer")

    def member(self, op, role, email=None, membership_id=None, scenario="BlockUnblock"):
        """AddMember / DeleteMember of one PassportMember (by address or MembershipId)."""
        who = ("<MembershipId>%s</MembershipId>" % membership_id if membership_id
               else "<PassportName>%s</PassportName>" % escape(email))
        body = ('<serviceHandle><Id>0</Id><Type>Messenger</Type><ForeignId></ForeignId>'
                '</serviceHandle><memberships><Membership><MemberRole>%s</MemberRole><Members>'
                '<Member xsi:type="PassportMember" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><Type>Passport</Type>'
                '<State>Accepted</State>%s</Member></Members></Membership></memberships>'
                % (role, who))
        self.call(SHARING_PATH, op, body, scenario)


def contacts_for(web, toks):
    """Contacts helper from a parse_rst_response() result."""
    return Contacts(web, toks["contacts.msn.com"]["ticket"], toks["storage.msn.com"]["ticket"])


def adl_payloads(entries, per=150, initial=True):
    """[(email, lists, network)] -> ADL payloads of at most `per` contacts, grouped by domain."""
    out = []
    for i in range(0, max(len(entries), 1), per):
        chunk = entries[i:i + per]
        domains = {}
        for email, lists, net in chunk:
            local, domain = email.split("@", 1)
            domains.setdefault(domain, []).append('<c n="%s" l="%d" t="%d" />'
                                                  % (escape(local, {'"': "&quot;"}), lists, net))
        out.append(("<ml%s>%s</ml>" % (' l="1"' if initial else "", "".join(
            '<d n="%s">%s</d>' % (d, "".join(cs)) for d, cs in domains.items()))).encode())
    return out


def prepare_lists(web, email, password, add=(), block=()):
    """Through the SOAP services, as a client does before announcing them by ADL: put `add` on
    the account's FL (+ Allow) with ABContactAdd, and `block` on its Block role."""
    ab = contacts_for(web, parse_rst_response(web.rst(email, password)[2]))
    for other in add:
        ab.contact_add(other)
    for other in block:
        ab.member("AddMember", "Block", other)
    return ab
