"""Offline messages (docs/protocol/offline-messages.md): /OimWS/oim.asmx Store2 and /rsi/rsi.asmx
(GetMetadata, GetMessage, DeleteMessages), the Mail-Data lists and the NS notifications.

Store2 checks what the real service checks: the SOAPAction, the SOAP header elements in their
namespaces, the messengersecure.live.com ticket (issued to the From memberName, unexpired), the
LockKey (answered with a fault carrying a fresh LockKeyChallenge when empty or wrong; accepted
when it is the MSNP15 challenge answer for the last challenge given for that ticket), the RFC 2047
friendlyName, the recipient, the Sequence MessageNumber and the Content block. rsi checks the
messenger.msn.com ticket in PassportCookie (t and p) and only shows the owner's messages.

Messages are kept in memory only (lost when the server stops).
"""

import base64
import binascii
import logging
import quopri
import re
import secrets
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from . import challenge, sb, web

log = logging.getLogger("msnp.oim")

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
OIM_NS = "http://messenger.msn.com/ws/2004/09/oim/"
RM_NS = "http://schemas.xmlsoap.org/ws/2003/03/rm"
UTIL_NS = "http://schemas.xmlsoap.org/ws/2002/07/utility"
RSI_NS = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi"
STORE2_ACTION = "http://messenger.live.com/ws/2006/09/oim/Store2"
RSI_OPERATIONS = ("GetMetadata", "GetMessage", "DeleteMessages")
MESSENGER_SECURE = "messengersecure.live.com"    # Store2 ticket
MESSENGER_MSN = "messenger.msn.com"              # rsi ticket
MAX_LISTED = 25            # more waiting OIMs than this: Mail-Data `too-large`
MAX_TEXT = 64 * 1024       # bytes of decoded text in one OIM
MAX_WAITING = 1000         # OIMs waiting for one recipient
PACIFIC = -8 * 3600        # Date headers are in the (fixed) -0800 zone of the old servers

EMPTY_E = "<E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E><Q><QTM>409600</QTM><QNM>204800</QNM></Q>"
GUID_RE = re.compile(r"^\{[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\}$")
RFC2047_RE = re.compile(r"^=\?([A-Za-z0-9_.:-]+)\?([BbQq])\?([^?\s]*)\?=$")
ENVELOPE = ('<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema">%s<soap:Body>%s</soap:Body>'
            '</soap:Envelope>')
FAULT_STRING = "Exception of type 'System.Web.Services.Protocols.SoapException' was thrown."
TWEENER = ("ct=%d,rver=5.5.4177.0,wp=FS_40SEC_0_COMPACT,lc=1033,id=507,"
           "ru=http:%%2F%%2Fmessenger.msn.com,tw=0,kpp=1,kv=4,ver=2.1.6000.1,rn=1lgjBfIL,"
           "tpf=b0735e3a873dfb5e75054465196398e0")


@dataclass
class Oim:
    id: str                 # GUID, upper case, no braces
    sender: str
    sender_name: str        # RFC 2047 friendlyName as sent
    recipient: str
    run_id: str
    seq: int
    arrival: float
    text: str
    message: str            # what GetMessage returns (LF line ends)
    read: bool = False

    @property
    def size(self):
        return len(self.message.encode("utf-8"))


class SoapError(Exception):
    """A request the service answers with a SOAP fault (HTTP 500)."""

    def __init__(self, code, text, detail=""):
        super().__init__(text)
        self.code = code
        self.detail = detail


def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _rfc822_date(ts):
    return time.strftime("%d %b %Y %H:%M:%S -0800", time.gmtime(ts + PACIFIC))


def _filetime(ts):
    ft = int((ts + 11644473600) * 10 ** 7)
    return "[%08X:%08X]" % (ft & 0xFFFFFFFF, ft >> 32)


def decode_rfc2047(word):
    """The text of one RFC 2047 encoded-word; ValueError if it is not one."""
    m = RFC2047_RE.match(word or "")
    if not m:
        raise ValueError("friendlyName %r is not an RFC 2047 encoded-word" % (word or "")[:100])
    charset, enc, data = m.groups()
    try:
        if enc in "Bb":
            raw = base64.b64decode(data, validate=True)
        else:
            raw = quopri.decodestring(data.encode("ascii"), header=True)
        return raw.decode(charset)
    except (binascii.Error, LookupError, UnicodeError, ValueError) as exc:
        raise ValueError("friendlyName %r does not decode: %s" % (word[:100], exc)) from None


def soap_action(req):
    return (req.header("SOAPAction") or "").strip().strip('"')


def parse_envelope(data):
    """-> (Header, Body) elements of a SOAP 1.1 envelope; SoapError otherwise."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise SoapError("soap:Client", "DTDs are not allowed")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise SoapError("soap:Client", "request is not well-formed XML: %s" % exc) from None
    if root.tag != "{%s}Envelope" % SOAP_NS:
        raise SoapError("soap:Client", "root element is %s, not a SOAP 1.1 Envelope" % root.tag)
    header = root.find("{%s}Header" % SOAP_NS)
    body = root.find("{%s}Body" % SOAP_NS)
    if header is None or body is None:
        raise SoapError("soap:Client", "SOAP Envelope needs a Header and a Body")
    return header, body


def fault_response(err, ns=OIM_NS, actor=None):
    fault = ('<soap:Fault><faultcode xmlns:q0=%s>%s</faultcode><faultstring>%s</faultstring>'
             '%s%s</soap:Fault>'
             % (quoteattr(ns), escape(err.code), escape(str(err)),
                "<faultactor>%s</faultactor>" % escape(actor) if actor else "",
                "<detail>%s</detail>" % err.detail if err.detail else ""))
    return web.Response(500, ENVELOPE % ("", fault))


def parse_content(text):
    """The Store2 <Content> block -> (headers dict, decoded text); SoapError(InvalidContent)."""
    def bad(why):
        return SoapError("q0:InvalidContent", "invalid Content: " + why)
    if "\r" in text:
        log.warning("Store2: Content has CR characters (the reference uses LF line ends)")
        text = text.replace("\r\n", "\n")
    head, sep, body = text.partition("\n\n")
    if not sep:
        raise bad("no empty line after the headers")
    headers = {}
    for line in head.split("\n"):
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise bad("malformed header line %r" % line[:100])
        headers[name.lower()] = value.strip()
    expect = {"mime-version": "1.0", "content-transfer-encoding": "base64",
              "x-oim-message-type": "OfflineMessage"}
    for name, value in expect.items():
        if headers.get(name, "").lower() != value.lower():
            raise bad("%s is %r, expected %r" % (name, headers.get(name), value))
    ctype = headers.get("content-type", "").replace(" ", "").lower()
    if ctype != "text/plain;charset=utf-8":
        raise bad("Content-Type is %r, expected text/plain; charset=UTF-8"
                  % headers.get("content-type"))
    if not GUID_RE.match(headers.get("x-oim-run-id", "")):
        raise bad("X-OIM-Run-Id %r is not a {GUID}" % headers.get("x-oim-run-id"))
    seq = headers.get("x-oim-sequence-num", "")
    if not (seq.isascii() and seq.isdigit()) or len(seq) > 9:
        raise bad("X-OIM-Sequence-Num %r is not a number" % seq)
    lines = body.strip("\n").split("\n")
    if any(len(line) > 76 for line in lines):
        log.warning("Store2: base64 lines longer than 76 characters")
    try:
        raw = base64.b64decode("".join(line.strip() for line in lines), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise bad("body is not base64 of UTF-8 text (%s)" % exc) from None
    if len(raw) > MAX_TEXT:
        raise bad("text of %d bytes exceeds %d" % (len(raw), MAX_TEXT))
    headers["_body"] = "\n".join(line.strip() for line in lines)
    return headers, decoded


def mail_data_md(oims):
    items = []
    for m in oims:
        items.append("<M><T>11</T><S>6</S><RT>%s</RT><RS>%d</RS><SZ>%d</SZ><E>%s</E><I>%s</I>"
                     "<F>00000000-0000-0000-0000-000000000009</F><N>%s</N></M>"
                     % (_iso(m.arrival), 1 if m.read else 0, m.size, escape(m.sender), m.id,
                        escape(m.sender_name)))
    return "<MD>%s%s</MD>" % (EMPTY_E, "".join(items))


def hotmail_msg(content_type, lines):
    return ("MIME-Version: 1.0\r\nContent-Type: %s; charset=UTF-8\r\n\r\n" % content_type
            + "".join(line + "\r\n" for line in lines)).encode("utf-8")


class OimService:
    def __init__(self, server):
        self.server = server
        self.boxes = {}             # recipient (lower case) -> [Oim] in arrival order
        self.lock_challenges = {}   # (sender lower, ticket t) -> last LockKeyChallenge given
        self.sequences = {}         # (sender lower, run id upper) -> last accepted number
        self.expired_once = set()   # the oim-*-expired-once faults already used

    # ---- lists -------------------------------------------------------------------------------

    def waiting(self, account):
        return list(self.boxes.get(account.email.lower(), ()))

    def mail_data(self, account):
        """The Mail-Data value for NS messages: the list, or `too-large` above 25 OIMs."""
        oims = self.waiting(account)
        return "too-large" if len(oims) > MAX_LISTED else mail_data_md(oims)

    def notify(self, account, content_type, lines):
        ns = account.session
        if ns is None or getattr(ns, "state", None) != "ONLINE":
            return
        payload = hotmail_msg(content_type, lines)
        ns.send("MSG Hotmail Hotmail %d" % len(payload), payload)

    def expire_once(self, fault, ticket):
        """The oim-*-expired-once faults: the first valid ticket of the kind expires now."""
        if fault not in self.server.cfg.faults or fault in self.expired_once:
            return
        self.expired_once.add(fault)
        ticket.expires = min(ticket.expires, time.time())
        log.info("fault %s: the %s ticket in use expires now", fault, ticket.service)

    # ---- Store2 ------------------------------------------------------------------------------

    async def handle_store(self, req):
        if req.method != "POST":
            return web.Response(405, "", "text/plain", headers=[("Allow", "POST")])
        try:
            return self.store(req)
        except SoapError as err:
            # The LockKey challenge is the normal first answer: not worth a warning.
            level = logging.INFO if "<LockKeyChallenge" in err.detail else logging.WARNING
            log.log(level, "Store2: fault %s: %s", err.code, err)
            return fault_response(err, OIM_NS, "https://ows.messenger.msn.com/OimWS/oim.asmx")

    def store(self, req):
        action = soap_action(req)
        if action != STORE2_ACTION:
            raise SoapError("soap:Client", "Server did not recognize the value of HTTP Header "
                            "SOAPAction: %s." % action)
        header, body = parse_envelope(req.body)
        parts = {}
        for name, ns in (("From", OIM_NS), ("To", OIM_NS), ("Ticket", OIM_NS),
                         ("Sequence", RM_NS)):
            parts[name] = header.find("{%s}%s" % (ns, name))
            if parts[name] is None:
                raise SoapError("soap:Client", "SOAP header %s (namespace %s) is missing"
                                % (name, ns))
        frm, to, ticket_el, seq_el = parts["From"], parts["To"], parts["Ticket"], parts["Sequence"]
        sender_email = frm.get("memberName") or ""
        recipient_email = to.get("memberName") or ""
        directory = self.server.directory

        # The ticket: messengersecure.live.com, issued to the sender, not expired.
        sender = directory.get(sender_email)
        ticket = sender.find_ticket(MESSENGER_SECURE, ticket_el.get("passport") or "") \
            if sender is not None else None
        if ticket is not None:
            self.expire_once("oim-store-expired-once", ticket)
        if ticket is None or ticket.expired():
            why = ("unknown sender %r" % sender_email if sender is None else
                   "expired %s ticket" % MESSENGER_SECURE if ticket is not None else
                   "passport is not a %s ticket of %s" % (MESSENGER_SECURE, sender_email))
            log.info("Store2: %s", why)
            raise SoapError("q0:AuthenticationFailed", FAULT_STRING,
                            '<TweenerChallenge xmlns="%s">%s</TweenerChallenge>'
                            '<RequiredAuthPolicy xmlns="%s">MBI_SSL</RequiredAuthPolicy>'
                            % (OIM_NS, escape(TWEENER % time.time()), OIM_NS))

        # The lock key: the challenge answer for the last LockKeyChallenge of this ticket.
        key = (sender.email.lower(), ticket.t)
        given = ticket_el.get("lockkey") or ""
        chal = self.lock_challenges.get(key)
        appid = ticket_el.get("appid") or ""
        if appid != challenge.PRODUCT_ID or chal is None or given != challenge.answer(chal):
            fresh = challenge.new_challenge()
            self.lock_challenges[key] = fresh
            log.info("Store2: %s: %s; LockKeyChallenge %s", sender.email,
                     "appid %r is not %s" % (appid, challenge.PRODUCT_ID)
                     if appid != challenge.PRODUCT_ID else
                     "no lock key" if not given else
                     "lock key %r without a challenge" % given if chal is None else
                     "wrong lock key %r for challenge %s" % (given, chal), fresh)
            raise SoapError("q0:AuthenticationFailed", FAULT_STRING,
                            '<TweenerChallenge xmlns="%s">%s</TweenerChallenge>'
                            '<LockKeyChallenge xmlns="%s">%s</LockKeyChallenge>'
                            % (OIM_NS, escape(TWEENER % time.time()), OIM_NS, fresh))

        name_word = frm.get("friendlyName")
        try:
            name = decode_rfc2047(name_word)
        except ValueError as exc:
            raise SoapError("q0:InvalidContent", str(exc)) from None
        if frm.get("proxy") != "MSNMSGR" or frm.get("msnpVer") != "MSNP15":
            log.warning("Store2: From proxy=%r msnpVer=%r (WLM 8.5 sends MSNMSGR, MSNP15)",
                        frm.get("proxy"), frm.get("msnpVer"))

        # The recipient: an account; the bot or a generated contact (accepted, dropped).
        bot = getattr(self.server, "bot", None)
        books = getattr(self.server, "books", None)
        recipient = directory.get(recipient_email)
        dropped = recipient is None and (
            (bot is not None and bot.is_bot(recipient_email))
            or (books is not None and books.is_passport(recipient_email)))
        if not dropped:
            if recipient is None:
                raise SoapError("q0:SystemUnavailable", "recipient %r does not exist"
                                % recipient_email[:200])
            if not sb.accepts(self.server, recipient, sender.email):
                raise SoapError("q0:SystemUnavailable", "recipient does not accept messages "
                                "from %s" % sender.email)
            if len(self.boxes.get(recipient.email.lower(), ())) >= MAX_WAITING:
                raise SoapError("q0:SystemUnavailable", "mailbox of %s is full"
                                % recipient.email)

        # Sequence and content.
        number_el = seq_el.find("{%s}MessageNumber" % RM_NS)
        ident_el = seq_el.find("{%s}Identifier" % UTIL_NS)
        if ident_el is None or (ident_el.text or "").strip() != "http://messenger.msn.com":
            log.warning("Store2: Sequence Identifier is %r (expected http://messenger.msn.com)",
                        None if ident_el is None else ident_el.text)
        number = (number_el.text or "").strip() if number_el is not None else ""
        if not (number.isascii() and number.isdigit()) or len(number) > 9 \
                or int(number) < 1:
            raise SoapError("soap:Client", "Sequence/MessageNumber %r is not a positive number"
                            % number[:40])
        mtype = body.find("{%s}MessageType" % OIM_NS)
        content = body.find("{%s}Content" % OIM_NS)
        if mtype is None or (mtype.text or "").strip() != "text" or content is None:
            raise SoapError("q0:InvalidContent", "Body needs MessageType 'text' and Content")
        headers, text = parse_content(content.text or "")
        seq = int(number)
        if int(headers["x-oim-sequence-num"]) != seq:
            raise SoapError("q0:InvalidContent", "X-OIM-Sequence-Num %s differs from "
                            "MessageNumber %d" % (headers["x-oim-sequence-num"], seq))
        run_id = headers["x-oim-run-id"]
        seq_key = (sender.email.lower(), run_id.upper())
        last = self.sequences.get(seq_key, 0)
        if seq <= last:
            raise SoapError("q0:InvalidContent", "MessageNumber %d already used in run %s "
                            "(last accepted %d)" % (seq, run_id, last))
        if seq != last + 1:
            log.warning("Store2: %s run %s: MessageNumber %d after %d", sender.email, run_id,
                        seq, last)
        self.sequences[seq_key] = seq

        if dropped:
            log.info("Store2: OIM from %s to %s (the bot or a generated contact) dropped",
                     sender.email, recipient_email)
        else:
            oim = self.keep(sender, name_word, name, recipient, headers, text, seq)
            log.info("Store2: OIM %s from %s to %s (seq %d, %d bytes)", oim.id, sender.email,
                     recipient.email, seq, oim.size)
            self.notify(recipient, "text/x-msmsgsoimnotification",
                        ["Mail-Data: %s" % self.mail_data(recipient)])
        return web.Response(200, ENVELOPE % (
            '<soap:Header><StoreResultHeader xmlns="%s"><PointsConsumed>1</PointsConsumed>'
            '</StoreResultHeader></soap:Header>' % OIM_NS,
            '<StoreResponse xmlns="%s" />' % OIM_NS))

    def keep(self, sender, name_word, name, recipient, headers, text, seq):
        now = time.time()
        msg_id = str(uuid.uuid4()).upper()
        from_word = "=?utf-8?B?%s?=" % base64.b64encode(name.encode("utf-8")).decode("ascii")
        lines = [
            "X-Message-Info: %s" % base64.b64encode(secrets.token_bytes(30)).decode("ascii"),
            "Received: from OIM-SSI02.phx.gbl ([127.0.0.1]) by oim1-f1.hotmail.com with "
            "Microsoft SMTPSVC(6.0.3790.211);",
            "\t %s" % time.strftime("%a, %d %b %Y %H:%M:%S -0800", time.gmtime(now + PACIFIC)),
            "From: %s <%s>" % (from_word, sender.email),
            "To: %s" % recipient.email,
            "Subject: ",
            "X-OIM-originatingSource: 127.0.0.1",
            "X-OIMProxy: MSNMSGR",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "X-OIM-Message-Type: OfflineMessage",
            "X-OIM-Run-Id: %s" % headers["x-oim-run-id"],
            "X-OIM-Sequence-Num: %d" % seq,
            "Message-ID: <OIM-SSI02%s@OIM-SSI02.phx.gbl>" % secrets.token_hex(8),
            "X-OriginalArrivalTime: %s.%04d (UTC) FILETIME=%s"
            % (time.strftime("%d %b %Y %H:%M:%S", time.gmtime(now)), int(now % 1 * 10000),
               _filetime(now)),
            "Date: %s" % _rfc822_date(now),
            "Return-Path: ndr@oim.messenger.msn.com",
            "",
            headers["_body"],
        ]
        oim = Oim(msg_id, sender.email, name_word, recipient.email, headers["x-oim-run-id"], seq,
                  now, text, "\n".join(lines) + "\n")
        self.boxes.setdefault(recipient.email.lower(), []).append(oim)
        return oim

    # ---- rsi ---------------------------------------------------------------------------------

    async def handle_rsi(self, req):
        if req.method != "POST":
            return web.Response(405, "", "text/plain", headers=[("Allow", "POST")])
        try:
            return self.rsi(req)
        except SoapError as err:
            log.warning("rsi: fault %s: %s", err.code, err)
            return fault_response(err, RSI_NS)

    def rsi(self, req):
        action = soap_action(req)
        op = action[len(RSI_NS) + 1:] if action.startswith(RSI_NS + "/") else None
        if op not in RSI_OPERATIONS:
            raise SoapError("soap:Client", "Server did not recognize the value of HTTP Header "
                            "SOAPAction: %s." % action)
        header, body = parse_envelope(req.body)
        cookie = header.find("{%s}PassportCookie" % RSI_NS)
        t_el = cookie.find("{%s}t" % RSI_NS) if cookie is not None else None
        p_el = cookie.find("{%s}p" % RSI_NS) if cookie is not None else None
        if t_el is None or p_el is None:
            raise SoapError("soap:Client", "SOAP header PassportCookie with t and p is missing")
        account = self.ticket_owner("t=%s&p=%s" % ((t_el.text or "").strip(),
                                                   (p_el.text or "").strip()))
        if account is None:
            raise SoapError("q0:AuthenticationFailed", "PassportCookie is not a valid %s "
                            "ticket" % MESSENGER_MSN)
        request = body.find("{%s}%s" % (RSI_NS, op))
        if request is None:
            raise SoapError("soap:Client", "Body has no %s element (namespace %s)"
                            % (op, RSI_NS))
        return getattr(self, "rsi_" + op)(account, request)

    def ticket_owner(self, ticket_string):
        for account in self.server.directory:
            ticket = account.find_ticket(MESSENGER_MSN, ticket_string)
            if ticket is not None:
                self.expire_once("oim-rsi-expired-once", ticket)
                if ticket.expired():
                    log.info("rsi: expired %s ticket of %s", MESSENGER_MSN, account.email)
                    return None
                return account
        return None

    def _find(self, account, msg_id):
        key = msg_id.strip().strip("{}").upper()
        return next((m for m in self.boxes.get(account.email.lower(), ()) if m.id == key), None)

    def rsi_GetMetadata(self, account, request):
        oims = self.waiting(account)
        mode = self.server.cfg.rsi_metadata
        log.info("rsi: GetMetadata (%s) for %s: %d OIMs", mode, account.email, len(oims))
        # 'escaped' is a revival server whose handler fails on a request element without
        # children and otherwise puts the Mail-Data into the answer as text, escaped.
        if mode == "broken" or (mode == "escaped" and len(request) == 0):
            return web.Response(500, "Internal Server Error", "text/plain")
        md = mail_data_md(oims)
        return web.Response(200, ENVELOPE % ("", '<GetMetadataResponse xmlns="%s">%s'
                                             '</GetMetadataResponse>'
                                             % (RSI_NS, escape(md) if mode == "escaped" else md)))

    def rsi_GetMessage(self, account, request):
        id_el = request.find("{%s}messageId" % RSI_NS)
        mark_el = request.find("{%s}alsoMarkAsRead" % RSI_NS)
        if id_el is None or not (id_el.text or "").strip():
            raise SoapError("soap:Client", "GetMessage without messageId")
        mark = (mark_el.text or "").strip().lower() if mark_el is not None else "false"
        if mark not in ("true", "false", "1", "0"):
            raise SoapError("soap:Client", "alsoMarkAsRead %r is not a boolean" % mark[:40])
        oim = self._find(account, id_el.text)
        if oim is None:
            raise SoapError("soap:Client", "no message %r for %s"
                            % (id_el.text.strip()[:60], account.email))
        if mark in ("true", "1"):
            oim.read = True
        log.info("rsi: GetMessage %s for %s", oim.id, account.email)
        return web.Response(200, ENVELOPE % ("", '<GetMessageResponse xmlns="%s">'
                                             '<GetMessageResult>%s</GetMessageResult>'
                                             '</GetMessageResponse>'
                                             % (RSI_NS, escape(oim.message))))

    def rsi_DeleteMessages(self, account, request):
        ids_el = request.find("{%s}messageIds" % RSI_NS)
        if ids_el is None:
            raise SoapError("soap:Client", "DeleteMessages without messageIds")
        ids = [(el.text or "").strip() for el in ids_el.findall("{%s}messageId" % RSI_NS)]
        found = [self._find(account, i) for i in ids]
        missing = [i for i, m in zip(ids, found) if m is None]
        if missing:
            raise SoapError("soap:Client", "no message(s) %s for %s; nothing deleted"
                            % (", ".join(repr(i[:60]) for i in missing), account.email))
        box = self.boxes.get(account.email.lower(), [])
        for oim in found:
            if oim in box:
                box.remove(oim)
        log.info("rsi: DeleteMessages for %s: %d deleted, %d left", account.email, len(found),
                 len(box))
        if found:
            self.notify(account, "text/x-msmsgsactivemailnotification",
                        ["Src-Folder: .!!OIM", "Dest-Folder: .!!trAsH",
                         "Message-Delta: %d" % len(found)])
        return web.Response(200, ENVELOPE % ("", '<DeleteMessagesResponse xmlns="%s" />'
                                             % RSI_NS))
