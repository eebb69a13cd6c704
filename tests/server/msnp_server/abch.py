"""SOAP plumbing of the contact services (ABCH: abservice.asmx, SharingService.asmx) and of the
storage service: the checks made on every request, the TicketToken lookup, envelopes, faults.

A request is checked in the order an ASP.NET web service would: POST, a SOAPAction naming one of
the service's operations, well-formed XML, a SOAP 1.1 Envelope whose Body holds exactly that
operation in the service's namespace; then the service's own check of the TicketToken (the
ticket RST.srf issued to an account for this service's address, not expired). Every fault is
answered with HTTP 500, as ASP.NET does.
"""

import logging
import time
import xml.etree.ElementTree as ET

from . import web
from .contacts import xml_text

log = logging.getLogger("msnp.abch")

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
AB_NS = "http://www.msn.com/webservices/AddressBook"
STORAGE_NS = "http://www.msn.com/webservices/storage/w10"
AB_VERSION = "12.01.1111.0000"
MACHINE = "msnp-server"

ENVELOPE_OPEN = ('<?xml version="1.0" encoding="utf-8"?>'
                 '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xmlns:xsd="http://www.w3.org/2001/XMLSchema">')
ENVELOPE_CLOSE = '</soap:Envelope>'


class Fault(Exception):
    """A SOAP fault. `errorcode` fills detail/errorcode (the service's own error name)."""

    def __init__(self, faultcode, text, errorcode=None, extra=""):
        super().__init__(text)
        self.faultcode = faultcode
        self.text = text
        self.errorcode = errorcode
        self.extra = extra           # more XML inside detail/additionalDetails


def client_fault(errorcode, text, extra=""):
    return Fault("soap:Client", text, errorcode, extra)


def fault_body(fault, ns, actor):
    if fault.faultcode.startswith("q0:"):
        code = '<faultcode xmlns:q0="%s">%s</faultcode>' % (ns, xml_text(fault.faultcode))
    else:
        code = "<faultcode>%s</faultcode>" % xml_text(fault.faultcode)
    out = [ENVELOPE_OPEN, "<soap:Body><soap:Fault>", code,
           "<faultstring>%s</faultstring>" % xml_text(fault.text)]
    if actor:
        out.append("<faultactor>%s</faultactor>" % xml_text(actor))
    if fault.errorcode:
        out.append('<detail><errorcode xmlns="%s">%s</errorcode>'
                   '<errorstring xmlns="%s">%s</errorstring>'
                   '<machineName xmlns="%s">%s</machineName>'
                   '<additionalDetails><originalExceptionErrorMessage>%s'
                   '</originalExceptionErrorMessage>%s</additionalDetails></detail>'
                   % (ns, fault.errorcode, ns, xml_text(fault.text), ns, MACHINE,
                      xml_text(fault.text), fault.extra))
    else:
        out.append("<detail />")
    out.append("</soap:Fault></soap:Body>" + ENVELOPE_CLOSE)
    return "".join(out)


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def child(el, *names, ns=AB_NS):
    """Descend by local names in namespace `ns`; None if a step is missing."""
    for name in names:
        if el is None:
            return None
        el = el.find("{%s}%s" % (ns, name))
    return el


def text(el, *names, ns=AB_NS, default=None):
    el = child(el, *names, ns=ns) if names else el
    if el is None:
        return default
    return (el.text or "").strip()


def children(el, name, ns=AB_NS):
    return [] if el is None else el.findall("{%s}%s" % (ns, name))


def boolean(value, what):
    if value is None:
        return None
    v = value.strip().lower()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    raise client_fault("BadArgument", "%s must be true or false, not %r" % (what, value[:40]))


class Call:
    """One checked request: the account it acts for and the operation element."""

    def __init__(self, op, account, ticket, header, body):
        self.op = op
        self.account = account
        self.ticket = ticket
        self.header = header          # soap:Header element (or None)
        self.body = body              # the operation element
        self.scenario = None
        self.cache_key = None


class Endpoint:
    """One .asmx: `ops` maps operation names to fn(call) -> response element XML (str)."""

    def __init__(self, server, name, ns, ticket_service, ops, header_fn):
        self.server = server
        self.name = name
        self.ns = ns
        self.ticket_service = ticket_service
        self.ops = ops
        self.header_fn = header_fn    # fn(call) -> soap:Header inner XML

    def respond_fault(self, fault, op):
        actor = "%s/%s" % (self.ns, op) if op else None
        log.info("%s %s: fault %s (%s): %s", self.name, op or "?", fault.faultcode,
                 fault.errorcode or "-", fault.text)
        return web.Response(500, fault_body(fault, self.ns, actor))

    def find_ticket(self, token):
        now = time.time()
        for account in self.server.directory:
            ticket = account.find_ticket(self.ticket_service, token)
            if ticket is not None:
                return account, ticket, ticket.expired(now)
        return None, None, False

    async def handle(self, req):
        if req.method != "POST":
            return web.Response(405, "", "text/plain", headers=[("Allow", "POST")])
        op = None
        try:
            call = self.check(req)
            op = call.op
            faults = self.server.cfg.faults
            if faults.close_at(op.upper()):
                log.info("fault close-at:%s", op.upper())
                return web.CLOSE
            if faults.silent_at(op.upper()):
                log.info("fault silent-at:%s", op.upper())
                return web.SILENT
            started = time.monotonic()
            body = self.ops[op](call)
            out = "".join((ENVELOPE_OPEN, "<soap:Header>", self.header_fn(call),
                           "</soap:Header><soap:Body>", body, "</soap:Body>", ENVELOPE_CLOSE))
            log.info("%s %s for %s: %d bytes in %.3f s", self.name, op, call.account.email,
                     len(out), time.monotonic() - started)
            return web.Response(200, out)
        except Fault as fault:
            return self.respond_fault(fault, op or self._op_from_action(req))

    def _op_from_action(self, req):
        action = (req.header("SOAPAction") or "").strip().strip('"')
        prefix = self.ns + "/"
        return action[len(prefix):] if action.startswith(prefix) and \
            action[len(prefix):] in self.ops else None

    def check(self, req):
        action = req.header("SOAPAction")
        if action is None or not action.strip().strip('"'):
            raise Fault("soap:Client", "Unable to handle request without a valid action "
                        "parameter. Please supply a valid soap action.")
        action = action.strip().strip('"')
        prefix = self.ns + "/"
        op = action[len(prefix):] if action.startswith(prefix) else None
        if op not in self.ops:
            raise Fault("soap:Client", "Server did not recognize the value of HTTP Header "
                        "SOAPAction: %s." % action)
        if b"<!DOCTYPE" in req.body or b"<!ENTITY" in req.body:
            raise Fault("soap:Client", "Server was unable to read request. ---> DTDs are not "
                        "allowed.")
        try:
            root = ET.fromstring(req.body)
        except ET.ParseError as exc:
            line, col = getattr(exc, "position", (0, 0))
            raise Fault("soap:Client", "Server was unable to read request. ---> There is an "
                        "error in XML document (%d, %d)." % (line, col + 1))
        if root.tag == "{%s}Envelope" % SOAP12_NS:
            raise Fault("soap:VersionMismatch", "Possible SOAP version mismatch: Envelope "
                        "namespace %s was unexpected. Expecting %s." % (SOAP12_NS, SOAP_NS))
        if root.tag != "{%s}Envelope" % SOAP_NS:
            raise Fault("soap:Client", "Server was unable to read request. ---> The root "
                        "element <%s> is not a SOAP 1.1 Envelope." % local(root.tag))
        header = root.find("{%s}Header" % SOAP_NS)
        body = root.find("{%s}Body" % SOAP_NS)
        if body is None:
            raise Fault("soap:Client", "Server was unable to read request. ---> The SOAP "
                        "Envelope has no Body.")
        elems = list(body)
        if len(elems) != 1 or elems[0].tag != "{%s}%s" % (self.ns, op):
            got = elems[0].tag if elems else "(nothing)"
            raise Fault("soap:Client", "Server was unable to read request. ---> The Body must "
                        "hold exactly one <%s xmlns='%s'>, found %s." % (op, self.ns, got))
        token = self.token(header)
        if not token:
            raise Fault("q0:BadContextToken", "Invalid Context Token: no TicketToken in the "
                        "SOAP header", "BadContextToken")
        account, ticket, expired = self.find_ticket(token)
        if account is None:
            raise Fault("q0:BadContextToken", "Invalid Context Token: ticket was not issued "
                        "for %s" % self.ticket_service, "BadContextToken")
        if expired:
            raise Fault("q0:BadContextToken", "Invalid Context Token: ticket expired",
                        "BadContextToken")
        call = Call(op, account, ticket, header, elems[0])
        self.annotate(call)
        return call

    def token(self, header):
        raise NotImplementedError

    def annotate(self, call):
        pass


class AbEndpoint(Endpoint):
    """abservice.asmx / SharingService.asmx: ABApplicationHeader + ABAuthHeader."""

    def token(self, header):
        return text(header, "ABAuthHeader", "TicketToken")

    def annotate(self, call):
        app = child(call.header, "ABApplicationHeader")
        call.scenario = text(app, "PartnerScenario")
        call.cache_key = text(app, "CacheKey")
        log.info("%s %s for %s (PartnerScenario %s)", self.name, call.op, call.account.email,
                 call.scenario)


def ab_service_header(books):
    def header(call):
        book = books.get(call.account)
        changed = "false" if call.cache_key == book.cache_key else "true"
        return ('<ServiceHeader xmlns="%s"><Version>%s</Version><CacheKey>%s</CacheKey>'
                '<CacheKeyChanged>%s</CacheKeyChanged>'
                '<PreferredHostName>localhost</PreferredHostName></ServiceHeader>'
                % (AB_NS, AB_VERSION, book.cache_key, changed))
    return header


def routes(server):
    """path -> handler for every contact/storage service (added to main.py's routing table)."""
    from . import abservice, sharing, storage
    header = ab_service_header(server.books)
    ab = AbEndpoint(server, "abservice", AB_NS, "contacts.msn.com",
                    abservice.operations(server), header)
    share = AbEndpoint(server, "sharing", AB_NS, "contacts.msn.com",
                       sharing.operations(server), header)
    store = storage.endpoint(server)
    return {
        "/abservice/abservice.asmx": ab.handle,
        "/abservice/SharingService.asmx": share.handle,
        "/storageservice/SchematizedStore.asmx": store.handle,
    }
