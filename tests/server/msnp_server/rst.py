"""RST.srf: the Passport (Windows Live ID) login web service
(docs/protocol/notification-server.md)."""

import base64
import datetime
import logging
import os
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from . import record, web
from .accounts import MESSENGER_CLEAR, PASSPORT_TB, Ticket

log = logging.getLogger("msnp.rst")

REQUIRED_POLICY = "MBI_KEY_OLD"   # the policy our NS sends in USR SSO S


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(root, name):
    for el in root.iter():
        if _local(el.tag) == name:
            return el
    return None


def _findall(root, name):
    return [el for el in root.iter() if _local(el.tag) == name]


def _iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _b64(n):
    return base64.b64encode(os.urandom(n)).decode("ascii")


class RequestError(Exception):
    pass


def parse_request(body):
    """-> (username, password, [(address, policy_uri or None)]). Raises RequestError for XML
    that is not a SOAP RST request (HTTP 400), ValueError for a request that lacks what a
    Messenger login needs (SOAP fault)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise RequestError("DTDs are not allowed")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise RequestError("request is not well-formed XML: %s" % exc)
    if _local(root.tag) != "Envelope":
        raise RequestError("root element is %s, not a SOAP Envelope" % _local(root.tag))
    children = [_local(c.tag) for c in root]
    if "Header" not in children or "Body" not in children:
        raise RequestError("SOAP Envelope needs Header and Body, has %s" % children)
    header = root[children.index("Header")]
    body_el = root[children.index("Body")]
    user_el, pass_el = _find(header, "Username"), _find(header, "Password")
    if user_el is None or pass_el is None:
        raise ValueError("no Username/Password in the SOAP Header")
    tokens = []
    for rst in _findall(body_el, "RequestSecurityToken"):
        addr_el = _find(rst, "Address")
        if addr_el is None or not (addr_el.text or "").strip():
            raise ValueError("RequestSecurityToken %s without an address" % rst.get("Id"))
        pol = _find(rst, "PolicyReference")
        tokens.append(((addr_el.text or "").strip(), None if pol is None else pol.get("URI")))
    return (user_el.text or "").strip(), pass_el.text or "", tokens


def soap_fault(code, text, extra="", puid=None):
    pp = ('<psf:pp xmlns:psf="http://schemas.microsoft.com/Passport/SoapServices/SOAPFault">'
          '<psf:serverVersion>1</psf:serverVersion>'
          '<psf:authstate>0x80048800</psf:authstate>'
          '<psf:reqstatus>0x80048821</psf:reqstatus>'
          '<psf:serverInfo Path="Live1" RollingUpgradeState="ExclusiveNew" LocVersion="0" '
          'ServerTime="%s">msnp-server</psf:serverInfo>'
          '<psf:cookies/><psf:response/></psf:pp>') % _iso(time.time())
    return ('<?xml version="1.0" encoding="utf-8" ?>'
            '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:wsse="http://schemas.xmlsoap.org/ws/2003/06/secext" '
            'xmlns:wst="http://schemas.xmlsoap.org/ws/2004/04/trust" '
            'xmlns:psf="http://schemas.microsoft.com/Passport/SoapServices/SOAPFault">'
            '<S:Header>%s</S:Header>'
            '<S:Body><S:Fault><faultcode>%s</faultcode>%s<faultstring>%s</faultstring></S:Fault>'
            '</S:Body></S:Envelope>') % (pp, escape(code), extra, escape(text))


PP_HEADER = """<psf:pp xmlns:psf="http://schemas.microsoft.com/Passport/SoapServices/SOAPFault">
<psf:serverVersion>1</psf:serverVersion>
<psf:PUID>{puid}</psf:PUID>
<psf:configVersion>16.000.26889.00</psf:configVersion>
<psf:uiVersion>3.100.2179.0</psf:uiVersion>
<psf:authstate>0x48803</psf:authstate>
<psf:reqstatus>0x0</psf:reqstatus>
<psf:serverInfo Path="Live1" RollingUpgradeState="ExclusiveNew" LocVersion="0" ServerTime="{now}">msnp-server</psf:serverInfo>
<psf:cookies/>
<psf:browserCookies/>
<psf:credProperties>
<psf:credProperty Name="MainBrandID">MSFT</psf:credProperty>
<psf:credProperty Name="BrandIDList"></psf:credProperty>
<psf:credProperty Name="IsWinLiveUser">true</psf:credProperty>
<psf:credProperty Name="CID">{puid}</psf:credProperty>
<psf:credProperty Name="AuthMembername">{email}</psf:credProperty>
<psf:credProperty Name="Country">US</psf:credProperty>
<psf:credProperty Name="Language">1033</psf:credProperty>
</psf:credProperties>
<psf:extProperties/>
<psf:response/>
</psf:pp>"""

TB_RESPONSE = """<wst:RequestSecurityTokenResponse>
<wst:TokenType>urn:passport:legacy</wst:TokenType>
<wsp:AppliesTo xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/03/addressing"><wsa:EndpointReference><wsa:Address>{address}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>
<wst:LifeTime><wsu:Created>{created}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wst:LifeTime>
<wst:RequestedSecurityToken>
<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#" Id="BinaryDAToken0" Type="http://www.w3.org/2001/04/xmlenc#Element">
<EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#tripledes-cbc"></EncryptionMethod>
<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>http://Passport.NET/STS</ds:KeyName></ds:KeyInfo>
<CipherData><CipherValue>{cipher}</CipherValue></CipherData>
</EncryptedData>
</wst:RequestedSecurityToken>
<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType="urn:passport"></wsse:KeyIdentifier><wsse:Reference URI="#BinaryDAToken0"></wsse:Reference></wst:RequestedTokenReference>
<wst:RequestedProofToken><wst:BinarySecret>{secret}</wst:BinarySecret></wst:RequestedProofToken>
</wst:RequestSecurityTokenResponse>
"""

COMPACT_RESPONSE = """<wst:RequestSecurityTokenResponse>
<wst:TokenType>urn:passport:compact</wst:TokenType>
<wsp:AppliesTo xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/03/addressing"><wsa:EndpointReference><wsa:Address>{address}</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>
<wst:LifeTime><wsu:Created>{created}</wsu:Created><wsu:Expires>{expires}</wsu:Expires></wst:LifeTime>
<wst:RequestedSecurityToken><wsse:BinarySecurityToken Id="{id}">{token}</wsse:BinarySecurityToken></wst:RequestedSecurityToken>
<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType="urn:passport:compact"></wsse:KeyIdentifier><wsse:Reference URI="#{id}"></wsse:Reference></wst:RequestedTokenReference>
<wst:RequestedProofToken><wst:BinarySecret>{secret}</wst:BinarySecret></wst:RequestedProofToken>
</wst:RequestSecurityTokenResponse>
"""

ENVELOPE = """<?xml version="1.0" encoding="utf-8"?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
<S:Header>
{pp}
</S:Header>
<S:Body>
<wst:RequestSecurityTokenResponseCollection xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:wst="http://schemas.xmlsoap.org/ws/2004/04/trust" xmlns:wsse="http://schemas.xmlsoap.org/ws/2003/06/secext" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion" xmlns:wsp="http://schemas.xmlsoap.org/ws/2002/12/policy" xmlns:psf="http://schemas.microsoft.com/Passport/SoapServices/SOAPFault">
{responses}</wst:RequestSecurityTokenResponseCollection>
</S:Body>
</S:Envelope>"""


def issue(account, addresses, lifetime, now=None):
    """Issue fresh tickets for `addresses` (the Passport.NET/tb one included, first);
    -> (tb_ticket, [service tickets in request order])."""
    now = time.time() if now is None else now
    expires = now + lifetime
    tb = Ticket(PASSPORT_TB, _b64(600), "", os.urandom(24), now, expires)
    services = [Ticket(a, _b64(256), "", os.urandom(24), now, expires)
                for a in addresses if a != PASSPORT_TB]
    account.remember([tb] + services)
    return tb, services


def render(account, tb, services):
    created, expires = _iso(tb.created), _iso(tb.expires)
    parts = [TB_RESPONSE.format(address=PASSPORT_TB, created=created, expires=expires,
                                cipher=tb.t, secret=base64.b64encode(tb.secret).decode())]
    for n, ticket in enumerate(services, 1):
        parts.append(COMPACT_RESPONSE.format(
            address=escape(ticket.service), created=_iso(ticket.created),
            expires=_iso(ticket.expires), id="Compact%d" % n, token=escape(ticket.string),
            secret=base64.b64encode(ticket.secret).decode()))
    pp = PP_HEADER.format(puid="%016X" % account.puid, now=created, email=escape(account.email))
    return ENVELOPE.format(pp=pp, responses="".join(parts))


class RstService:
    def __init__(self, server):
        self.server = server
        self.cfg = server.cfg
        self.faults = server.cfg.faults
        self.requests = 0

    def fault(self, code, text, extra=""):
        return web.Response(self.cfg.rst_fault_status, soap_fault(code, text, extra))

    async def handle_rst(self, req):
        """/RST.srf: fault injection first, then the real service."""
        self.requests += 1
        if self.faults.close_at("RST"):
            log.info("fault close-at:RST")
            return web.CLOSE
        if self.faults.silent_at("RST"):
            log.info("fault silent-at:RST")
            return web.SILENT
        if "rst-http-500" in self.faults:
            log.info("fault rst-http-500")
            return web.Response(500, "<html><head><title>500 Internal Server Error</title></head>"
                                "<body><h1>Internal Server Error</h1></body></html>",
                                "text/html; charset=utf-8")
        if "rst-redirect-loop" in self.faults:
            log.info("fault rst-redirect-loop")
            return web.Response(302, "", "text/html; charset=utf-8",
                                headers=[("Location", "/RST.srf")])
        if "rst-psf-redirect-offsite" in self.faults:
            url = "%s/RST2.srf" % self.offsite_base()
            log.info("fault rst-psf-redirect-offsite: redirecting to %s", url)
            return self.fault("psf:Redirect", "Authentication Failure",
                              "<psf:redirectUrl>%s</psf:redirectUrl>" % escape(url))
        if "rst-302-offsite" in self.faults:
            url = "%s/RST2.srf" % self.offsite_base()
            log.info("fault rst-302-offsite: redirecting to %s", url)
            return web.Response(302, "", "text/html; charset=utf-8", headers=[("Location", url)])
        if "rst-psf-redirect" in self.faults and self.requests == 1:
            url = "%s/RST2.srf" % self.server.web_base
            log.info("fault rst-psf-redirect: redirecting to %s", url)
            return self.fault("psf:Redirect", "Authentication Failure",
                              "<psf:redirectUrl>%s</psf:redirectUrl>" % escape(url))
        return await self.handle(req)

    def offsite_base(self):
        """This server's web base under a host name the client was not configured with: a
        working service (/RST2.srf answers), so only the client's redirect policy stops it."""
        return self.server.web_base.replace("://localhost:", "://127.0.0.1:", 1)

    async def handle(self, req):
        """The real RST.srf (also served as /RST2.srf)."""
        if req.method != "POST":
            return web.Response(405, "", "text/plain", headers=[("Allow", "POST")])
        try:
            username, password, tokens = parse_request(req.body)
        except RequestError as exc:
            log.warning("RST: 400: %s", exc)
            return web.text_response(400, str(exc))
        except ValueError as exc:
            log.warning("RST: invalid request: %s", exc)
            return self.fault("wst:InvalidRequest", str(exc))
        record.count(username, "RST", req.path)
        clear = [pol for addr, pol in tokens if addr == MESSENGER_CLEAR]
        if not clear:
            return self.fault("wst:InvalidRequest", "no token requested for %s" % MESSENGER_CLEAR)
        if not clear[0]:
            return self.fault("wst:InvalidRequest",
                              "%s requested without a PolicyReference URI" % MESSENGER_CLEAR)
        if clear[0] != REQUIRED_POLICY:
            return self.fault("wst:InvalidRequest", "%s requested with policy %r, expected %r"
                              % (MESSENGER_CLEAR, clear[0], REQUIRED_POLICY))
        account = self.server.directory.get(username)
        if account is None or not account.check_password(password):
            log.info("RST: authentication failed for %r (%s)", username,
                     "unknown account" if account is None else "wrong password")
            return self.fault("wsse:FailedAuthentication", "Authentication Failure")
        tb, services = issue(account, [a for a, _ in tokens], self.cfg.ticket_lifetime)
        log.info("RST: issued %d tokens to %s (%s)", 1 + len(services), account.email,
                 ", ".join(t.service for t in services))
        return web.Response(200, render(account, tb, services))
