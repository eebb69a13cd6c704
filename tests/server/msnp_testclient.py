"""A small blocking MSNP15 client used by the server's tests (not by the server itself).

Written from MSNP15.md, separately from msnp_server/, so a test exercises the server with a
second reading of the protocol: NS framing, the RST.srf request, the MBI blob.
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
SERVICES = [  # (address, policy) as WLM 8.5 asks for them (MSNP15.md 3.1)
    ("messengerclear.live.com", "MBI_KEY_OLD"),
    ("messenger.msn.com", "?id=507"),
    ("contacts.msn.com", "MBI"),
    ("messengersecure.live.com", "MBI_SSL"),
    ("spaces.live.com", "MBI"),
    ("storage.msn.com", "MBI_SSL"),
]
# Server-to-client commands whose last parameter is a payload length.
S2C_PAYLOAD = {"MSG", "ADL", "RML", "FQY", "UUX", "UBX", "GCF", "NOT", "IPG", "UBN", "UBM"}


# ---- MBI (MSNP15.md 4) ---------------------------------------------------------------------

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


# ---- RST.srf (MSNP15.md 3) -------------------------------------------------------------------

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
