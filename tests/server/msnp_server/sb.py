"""Switchboard (SB) server: conversations (docs/protocol/switchboard.md).

The NS hands out SB cookies (`XFR trid SB` -> `XFR trid SB host:port CKI cookie U
messenger.msn.com 1`) through `Switchboard.on_xfr`; the caller authenticates on the SB port
with `USR trid email cookie`, invites with `CAL`, and the invitee gets `RNG` on its NS and joins
with `ANS trid email cookie sessionid`. Messages (`MSG trid U|N|A|D len`) are relayed to every
other participant as `MSG email urlenc-friendly len`, with ACK/NAK by ack mode.

Everything a real SB checks is checked here: cookies are single-use, bound to the account they
were issued to (and, for RNG cookies, to the session) and expire; payload lengths are exact and
at most 1664 bytes (a longer MSG closes the connection without a reply); CAL answers 208/215/217/
713. Participants are `SbConnection`s (real clients) or peers the server plays (the bot, the
--contact-pictures contacts: bot.py); both have `email`, `friendly`, `caps` and
`deliver(sender, payload)`. P2P session INVITEs on their way are counted for the dump (p2p.py).
"""

import asyncio
import collections
import itertools
import logging
import re
import secrets
import time
import urllib.parse

from . import p2p, wire

log = logging.getLogger("msnp.sb")

MAX_MSG = 1664                 # bytes of one MSG payload (headers + body)
COOKIE_LIFETIME = 120.0        # seconds an XFR or RNG cookie stays usable
AUTH_TIMEOUT = 60.0            # seconds a new SB connection may take to send USR/ANS
CAL_LIMIT = 8                  # CALs allowed on one SB connection within CAL_WINDOW
CAL_WINDOW = 10.0              # seconds; one more CAL is answered 713
ACK_MODES = frozenset("UNAD")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")

_ids = itertools.count(1)


def urlenc(text):
    """Friendly names on command lines: percent-encode everything but a few safe characters."""
    return urllib.parse.quote(text, safe="@!*'()~-_.")


def friendly_of(server, account):
    """The display name an account shows on the SB: its NS PRP MFN, else the display name of
    its address book (contacts.py), else its e-mail."""
    ns = account.session
    name = getattr(ns, "friendly", None) if ns is not None else None
    if name is None:
        book = _book(server, account)
        name = getattr(book, "display_name", None) if book is not None else None
    return name or account.email


def caps_of(account):
    ns = account.session
    return (getattr(ns, "caps", None) if ns is not None else None) or 0


def online_status(account):
    """Status shown to others, or None when offline. A signed-in account is offline (FLN) until
    its first CHG."""
    ns = account.session if account is not None else None
    if ns is None or getattr(ns, "state", None) != "ONLINE" or ns.wire.closed:
        return None
    return getattr(ns, "status", None)


def _book(server, account):
    books = getattr(server, "books", None)
    return books.get(account) if books is not None else None


def accepts(server, account, caller_email):
    """Whether `account` accepts a conversation or an OIM from `caller_email`, by its privacy
    settings as the contact services keep them (contacts.py): not when the caller is on its
    Block role, nor under BLP BL unless the caller is on its Allow role. (Pending and Reverse
    do not matter: under BLP AL anyone not blocked may talk.)"""
    book = _book(server, account)
    if book is None:
        return True
    if book.member("Block", caller_email) is not None:
        return False
    if getattr(book, "blp", "AL") == "BL" and book.member("Allow", caller_email) is None:
        return False
    return True


class Cookie:
    __slots__ = ("value", "kind", "email", "session", "expires")

    def __init__(self, value, kind, email, session=None):
        self.value = value
        self.kind = kind                       # "xfr" or "rng"
        self.email = email
        self.session = session                 # for "rng": the Session invited to
        self.expires = time.monotonic() + COOKIE_LIFETIME


class Switchboard:
    """The SB service: listener address, cookies, live sessions, server-wide fault state."""

    def __init__(self, server):
        self.server = server
        self.cfg = server.cfg
        self.faults = server.cfg.faults
        self.address = None                    # "host:port" once listening
        self.cookies = {}
        # Invitation cookies of sessions that ended before the invitee answered (value ->
        # session id), kept a while so that their late ANS is told apart from a bad cookie.
        self.ended_invitations = collections.OrderedDict()
        self.sessions = {}
        self.nak_once_used = False
        self.ack_lost_used = False
        self.close_after = self.faults.value("sb-close-after")
        self.close_after_p2p_data = self.faults.value("sb-close-after-p2p-data")

    # ---- cookies ---------------------------------------------------------------------------

    def new_cookie(self, kind, email, session=None):
        now = time.monotonic()
        for value in [v for v, c in self.cookies.items() if c.expires <= now]:
            del self.cookies[value]
        value = "%d.%d" % (10 ** 8 + secrets.randbelow(9 * 10 ** 9),
                           10 ** 6 + secrets.randbelow(9 * 10 ** 8))
        self.cookies[value] = Cookie(value, kind, email, session)
        return value

    MAX_ENDED_INVITATIONS = 256

    def remember_ended_invitation(self, value, session_id):
        self.ended_invitations[value] = session_id
        while len(self.ended_invitations) > self.MAX_ENDED_INVITATIONS:
            self.ended_invitations.popitem(last=False)

    def take_cookie(self, value):
        """Remove and return the cookie (single use), or None when unknown or expired."""
        cookie = self.cookies.pop(value, None)
        if cookie is None or cookie.expires <= time.monotonic():
            return None
        return cookie

    def new_session_id(self):
        while True:
            sid = str(10 ** 7 + secrets.randbelow(9 * 10 ** 7))
            if sid not in self.sessions:
                return sid

    # ---- NS side -----------------------------------------------------------------------------

    def on_xfr(self, ns, cmd):
        """`XFR trid SB` on a signed-in NS connection."""
        if len(cmd.args) != 1:
            return ns.fail(200, cmd.trid, "XFR needs exactly one parameter", close=False)
        if cmd.args[0] != "SB":
            return ns.fail(201, cmd.trid, "XFR to %r (only SB)" % cmd.args[0], close=False)
        status = getattr(ns, "status", None)
        if status is None or status == "HDN":
            return ns.fail(913, cmd.trid, "XFR SB while %s" % (status or "offline (no CHG yet)"),
                           close=False)
        cookie = self.new_cookie("xfr", ns.account.email)
        ns.send("XFR %s SB %s CKI %s U messenger.msn.com 1" % (cmd.trid, self.address, cookie))
        log.info("%s: %s gets an SB cookie", ns.tag, ns.account.email)

    # ---- connections -------------------------------------------------------------------------

    async def handle(self, reader, writer):
        """Listener callback for the SB port."""
        self.server.track()
        await SbConnection(self, reader, writer).run()

    def shutdown(self):
        for session in list(self.sessions.values()):
            session.abort("server shutting down")


class Session:
    """One conversation: its participants (in join order) and pending invitations."""

    def __init__(self, service):
        self.service = service
        self.id = service.new_session_id()
        self.members = []                      # SbConnection or bot member, join order
        self.invited = {}                      # email lower -> cookie value
        self.relayed = 0                       # client messages relayed (sb-close-after)
        self.p2p_data = 0                      # P2P data MSGs relayed (sb-close-after-p2p-data)
        self.closing = False                   # a fault closes it: nothing more is relayed
        self.ended = False
        self.last_activity = time.monotonic()
        service.sessions[self.id] = self
        self.idle_task = asyncio.get_running_loop().create_task(self._idle_watch())
        log.info("session %s: started", self.id)

    def touch(self):
        self.last_activity = time.monotonic()

    def member(self, email):
        key = email.lower()
        return next((m for m in self.members if m.email.lower() == key), None)

    def others(self, me):
        return [m for m in self.members if m is not me]

    def clients(self):
        return [m for m in self.members if isinstance(m, SbConnection)]

    def join(self, newcomer):
        """Add a participant; JOI to everyone already there."""
        self.touch()
        self.invited.pop(newcomer.email.lower(), None)
        for m in self.members:
            m.send("JOI %s %s %d" % (newcomer.email, urlenc(newcomer.friendly), newcomer.caps))
        self.members.append(newcomer)
        log.info("session %s: %s joined (%d participants)", self.id, newcomer.email,
                 len(self.members))

    def leave(self, member):
        """Remove a participant; BYE to the others. The session ends with its last client."""
        if member not in self.members:
            return
        self.members.remove(member)
        log.info("session %s: %s left", self.id, member.email)
        for m in self.members:
            m.send("BYE %s" % member.email)
        if not self.clients():
            self.end()

    def relay(self, sender, payload):
        """MSG from `sender` to every other participant; -> how many received it."""
        if self.closing:
            return 0
        self.touch()
        p2p.STATS.note_relay(sender.email, payload)
        n = 0
        for m in self.others(sender):
            if m.deliver(sender, payload):
                n += 1
        limit = self.service.close_after_p2p_data
        if limit is not None and p2p.is_data(payload):
            self.p2p_data += 1
            if self.p2p_data >= limit:
                # As a switchboard that dies mid-transfer: this MSG (and its ACK) still go
                # out, then every connection closes without BYE.
                self.closing = True
                asyncio.get_running_loop().call_soon(
                    self.abort, "fault sb-close-after-p2p-data:%d" % limit)
        return n

    def end(self):
        if self.ended:
            return
        self.ended = True
        self.service.sessions.pop(self.id, None)
        for value in self.invited.values():
            self.service.cookies.pop(value, None)
            self.service.remember_ended_invitation(value, self.id)
        self.invited.clear()
        for m in list(self.members):
            m.session_ended(self)
        self.members.clear()
        if self.idle_task is not asyncio.current_task():
            self.idle_task.cancel()
        log.info("session %s: ended", self.id)

    def abort(self, why):
        """Close every participant's connection without BYE (faults, shutdown)."""
        log.info("session %s: closing all connections (%s)", self.id, why)
        for m in list(self.members):
            m.drop()
        self.end()

    async def _idle_watch(self):
        idle = self.service.cfg.sb_idle
        while not self.ended:
            left = self.last_activity + idle - time.monotonic()
            if left <= 0:
                break
            await asyncio.sleep(left)
        if self.ended:
            return
        log.info("session %s: idle for %g s; closing", self.id, idle)
        for m in self.clients():
            for other in self.others(m):
                m.send("BYE %s 1" % other.email)
        self.abort("idle timeout")


class SbConnection:
    """A client's TCP connection to the SB port (one per conversation)."""

    def __init__(self, service, reader, writer):
        self.service = service
        self.server = service.server
        self.faults = service.faults
        self.tag = "sb#%d" % next(_ids)
        self.wire = wire.Wire(reader, writer, self.tag, log)
        peer = writer.get_extra_info("peername") or ("0.0.0.0", 0)
        self.peer = "%s:%s" % (peer[0], peer[1])
        self.task = None
        self.session = None
        self.account = None
        self.email = None
        self.friendly = None
        self.caps = 0
        self.cal_times = collections.deque()
        self.auth_timeout = AUTH_TIMEOUT

    # ---- plumbing ----------------------------------------------------------------------------

    async def run(self):
        self.task = asyncio.current_task()
        log.info("%s: connection from %s", self.tag, self.peer)
        # (a short --sb-idle shortens the wait for USR/ANS as well, down to 1 s)
        self.auth_timeout = min(AUTH_TIMEOUT, max(self.service.cfg.sb_idle, 1.0))
        auth_timer = asyncio.get_running_loop().call_later(self.auth_timeout,
                                                           self._auth_timeout)
        try:
            while not self.wire.closed:
                cmd = await self.read_command()
                if cmd is None:
                    break
                try:
                    self.dispatch(cmd)
                except Exception:      # a server bug: report it on the wire and in the log
                    log.exception("%s: failed to handle %r", self.tag, cmd.raw[:200])
                    self.fail(500, cmd.trid if (cmd.trid or "").isdigit() else None,
                              "internal error")
                if self.session is not None:
                    auth_timer.cancel()
                await self.wire.flush()
        except wire.Closed:
            pass
        except wire.FramingError as exc:
            log.warning("%s: %s; closing", self.tag, exc)
        except asyncio.CancelledError:
            pass
        finally:
            auth_timer.cancel()
            self.wire.close()
            if self.session is not None:
                self.session.leave(self)
                self.session = None
            log.info("%s: closed%s", self.tag, ", account " + self.email if self.email else "")

    def _auth_timeout(self):
        if self.session is None and not self.wire.closed:
            log.warning("%s: no USR/ANS within %g s; closing", self.tag, self.auth_timeout)
            self.drop()

    async def read_command(self):
        """Next command; MSG payloads are read in full (None: the connection was closed)."""
        line = await self.wire.read_line()
        tokens = line.split(" ")
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s >>> %s", self.tag, line)
        payload = None
        if tokens[0] == "MSG" and len(tokens) >= 3 and tokens[-1].isascii() \
                and tokens[-1].isdigit():
            n = int(tokens[-1][:10])
            if n > MAX_MSG:
                log.warning("%s: MSG payload of %d bytes exceeds %d; closing without a reply",
                            self.tag, n, MAX_MSG)
                self.wire.close()
                return None
            payload = await self.wire.read_exactly(n)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s >>> [payload %d] %s", self.tag, n, wire.show(payload))
        return wire.Command(line, tokens, payload)

    def send(self, line, payload=None):
        self.wire.send(line, payload)

    def fail(self, code, trid, why, close=True):
        log.warning("%s: %d %s: %s%s", self.tag, code, trid, why, "; closing" if close else "")
        self.send("%d %s" % (code, trid if trid is not None else 0))
        if close:
            self.wire.close()

    def drop(self):
        """Close the connection from outside its task (faults, idle timeout, shutdown)."""
        self.wire.close()
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()

    # ---- participant interface -----------------------------------------------------------------

    def deliver(self, sender, payload):
        if self.wire.closed:
            return False
        self.send("MSG %s %s %d" % (sender.email, urlenc(sender.friendly), len(payload)), payload)
        return True

    def session_ended(self, session):
        if self.session is session:
            self.session = None

    # ---- dispatch ----------------------------------------------------------------------------

    def dispatch(self, cmd):
        name, trid = cmd.name, cmd.trid
        if name == "OUT" and len(cmd.tokens) == 1:
            log.info("%s: client sent OUT", self.tag)
            if self.session is not None:
                self.session.leave(self)
                self.session = None
            return self.wire.close()
        good = trid if (trid is not None and trid.isascii() and trid.isdigit()
                        and len(trid) <= 10) else None
        if name not in ("USR", "ANS", "CAL", "MSG"):
            return self.fail(200, good, "unknown SB command %r" % name[:20])
        if any(tok == "" for tok in cmd.tokens):
            return self.fail(200, good, "empty parameter (double or trailing space) in %r"
                             % cmd.raw[:200])
        if good is None:
            return self.fail(200, None, "missing or non-numeric TrID in %r" % cmd.raw[:200])
        if name == "MSG":
            if cmd.payload is None:
                return self.fail(200, trid, "MSG without a payload length")
            if self.session is None:
                return self.fail(715, trid, "MSG before USR/ANS")
            return self.on_MSG(cmd)
        if name in ("USR", "ANS"):
            if self.email is not None:
                return self.fail(715, trid, "%s on an authenticated SB connection" % name,
                                 close=False)
            return getattr(self, "on_" + name)(cmd)
        if self.session is None:
            return self.fail(715, trid, "%s before USR/ANS" % name)
        return self.on_CAL(cmd)

    # ---- authentication ----------------------------------------------------------------------

    def _authenticate(self, cmd, email, cookie_value, kind, sid=None):
        """Checks shared by USR and ANS; -> the Account or None (911 sent, closed)."""
        cookie = self.service.take_cookie(cookie_value)
        if cookie is None and cookie_value in self.service.ended_invitations:
            # A race every real client meets (the caller left before the callee answered),
            # not a client fault: answered like any dead cookie, logged without a warning.
            sid = self.service.ended_invitations.pop(cookie_value)
            log.info("%s: 911 %s: session %s ended before this answer; closing", self.tag,
                     cmd.trid, sid)
            self.send("911 %s" % cmd.trid)
            self.wire.close()
            return None
        if cookie is None:
            return self.fail(911, cmd.trid, "unknown, used or expired cookie %r" % cookie_value)
        if cookie.kind != kind:
            return self.fail(911, cmd.trid, "%s with a cookie from %s"
                             % (cmd.name, "XFR" if cookie.kind == "xfr" else "RNG"))
        if cookie.email.lower() != email.lower():
            return self.fail(911, cmd.trid, "cookie of %s presented by %s" % (cookie.email, email))
        if kind == "rng":
            session = cookie.session
            if session.id != sid:
                return self.fail(911, cmd.trid, "cookie is for session %s, not %s"
                                 % (session.id, sid))
            if session.ended:
                return self.fail(911, cmd.trid, "session %s has ended" % sid)
            if session.invited.get(email.lower()) != cookie_value:
                return self.fail(911, cmd.trid, "invitation of %s was replaced" % email)
            if session.member(email) is not None:
                return self.fail(911, cmd.trid, "%s is already in session %s" % (email, sid))
        account = self.server.directory.get(email)
        if account is None:
            return self.fail(911, cmd.trid, "unknown account %s" % email)
        self.account = account
        self.email = account.email
        self.friendly = friendly_of(self.server, account)
        self.caps = caps_of(account)
        return account

    def on_USR(self, cmd):
        if len(cmd.args) != 2:
            return self.fail(911, cmd.trid, "expected USR trid email cookie, got %r" % cmd.raw)
        if self._authenticate(cmd, cmd.args[0], cmd.args[1], "xfr") is None:
            return
        self.session = Session(self.service)
        self.session.members.append(self)
        self.send("USR %s OK %s %s" % (cmd.trid, self.email, urlenc(self.friendly)))
        log.info("%s: %s opened session %s", self.tag, self.email, self.session.id)

    def on_ANS(self, cmd):
        if len(cmd.args) != 3:
            return self.fail(911, cmd.trid, "expected ANS trid email cookie sessionid, got %r"
                             % cmd.raw)
        email, cookie, sid = cmd.args
        if self._authenticate(cmd, email, cookie, "rng", sid) is None:
            return
        session = self.service.sessions[sid]
        others = list(session.members)
        for n, m in enumerate(others, 1):
            self.send("IRO %s %d %d %s %s %d" % (cmd.trid, n, len(others), m.email,
                                                urlenc(m.friendly), m.caps))
        self.send("ANS %s OK" % cmd.trid)
        self.session = session
        session.join(self)

    # ---- in a session ------------------------------------------------------------------------

    def on_CAL(self, cmd):
        session = self.session
        if len(cmd.args) != 1:
            return self.fail(200, cmd.trid, "CAL needs exactly one address", close=False)
        callee = cmd.args[0]
        now = time.monotonic()
        while self.cal_times and self.cal_times[0] <= now - CAL_WINDOW:
            self.cal_times.popleft()
        if len(self.cal_times) >= CAL_LIMIT:
            return self.fail(713, cmd.trid, "more than %d CALs within %g s"
                             % (CAL_LIMIT, CAL_WINDOW), close=False)
        self.cal_times.append(now)
        if not EMAIL_RE.match(callee) or len(callee) > 129:
            return self.fail(208, cmd.trid, "invalid address %r" % callee[:200], close=False)
        if session.member(callee) is not None:
            return self.fail(215, cmd.trid, "%s is already in the session" % callee, close=False)
        if "cal-217" in self.faults:
            return self.fail(217, cmd.trid, "fault cal-217", close=False)
        from . import bot              # (bot.py imports this module)
        peer = bot.peer(self.server, callee)
        if peer is not None:
            session.touch()
            self.send("CAL %s RINGING %s" % (cmd.trid, session.id))
            peer.invite(session)
            return
        account = self.server.directory.get(callee)
        if account is None:
            return self.fail(217, cmd.trid, "no such account %s" % callee, close=False)
        status = online_status(account)
        if status is None or status == "HDN":
            return self.fail(217, cmd.trid, "%s is %s" % (callee, status or "offline"),
                             close=False)
        if not accepts(self.server, account, self.email):
            return self.fail(217, cmd.trid, "%s does not accept IMs from %s"
                             % (callee, self.email), close=False)
        old = session.invited.pop(account.email.lower(), None)
        if old is not None:
            self.service.cookies.pop(old, None)
        cookie = self.service.new_cookie("rng", account.email, session)
        session.invited[account.email.lower()] = cookie
        session.touch()
        self.send("CAL %s RINGING %s" % (cmd.trid, session.id))
        account.session.send("RNG %s %s CKI %s %s %s U messenger.msn.com 1"
                             % (session.id, self.service.address, cookie, self.email,
                                urlenc(self.friendly)))
        log.info("%s: %s invites %s to session %s", self.tag, self.email, account.email,
                 session.id)

    def on_MSG(self, cmd):
        session = self.session
        if len(cmd.args) != 2 or cmd.args[0] not in ACK_MODES:
            return self.fail(200, cmd.trid, "expected MSG trid U|N|A|D len, got %r" % cmd.raw,
                             close=False)
        ack = cmd.args[0]
        check_payload(self.tag, ack, cmd.payload)
        if "sb-nak-once" in self.faults and ack != "U" and not self.service.nak_once_used:
            self.service.nak_once_used = True
            session.touch()
            log.info("%s: fault sb-nak-once: NAK %s, not relayed", self.tag, cmd.trid)
            return self.send("NAK %s" % cmd.trid)
        delivered = session.relay(self, cmd.payload)
        if delivered == 0:
            if ack != "U":
                log.info("%s: MSG %s reached nobody: NAK", self.tag, cmd.trid)
                self.send("NAK %s" % cmd.trid)
            return
        if ack in ("A", "D"):
            if "sb-ack-lost-once" in self.faults and not self.service.ack_lost_used:
                self.service.ack_lost_used = True
                # The copies already queued go out; the sender never learns that they did.
                return session.abort("fault sb-ack-lost-once: MSG %s relayed, no ACK" % cmd.trid)
            if "sb-no-ack" in self.faults:
                log.info("%s: fault sb-no-ack: no ACK %s", self.tag, cmd.trid)
            else:
                self.send("ACK %s" % cmd.trid)
        session.relayed += 1
        limit = self.service.close_after
        if limit is not None and session.relayed >= limit:
            # Queued lines (the ACK, the relayed copies) still go out before the close.
            session.abort("fault sb-close-after:%d" % limit)


def check_payload(tag, ack, payload):
    """Warnings (never errors) for payloads a real client would not send."""
    head, sep, _ = payload.partition(b"\r\n\r\n")
    if not sep:
        return log.warning("%s: MSG payload has no CRLF CRLF after its headers", tag)
    lines = head.split(b"\r\n")
    if any(l.lower().startswith(b"chunk:") for l in lines):
        return                         # a later part of a multi-part message: no MIME headers
    if lines[0] != b"MIME-Version: 1.0":
        log.warning("%s: MSG payload does not start with MIME-Version: 1.0", tag)
    ctype = next((l[13:].strip() for l in lines if l.lower().startswith(b"content-type:")), None)
    if ctype is None:
        log.warning("%s: MSG payload without Content-Type", tag)
    elif ctype.lower().startswith(b"application/x-msnmsgrp2p") and ack != "D":
        log.warning("%s: P2P message sent with ack mode %s (expected D)", tag, ack)
