"""File transfer as the bot speaks it: MSNP15 reference §11.4, §11.6, §11.7, §11.11.

Written from the reference, independently of the client engine. The bot is an ordinary P2P peer
(p2p.Endpoint hands it every file INVITE, direct-connection INVITE, file data chunk, answer,
ACK and BYE of a file session):

  * receiving: a file INVITE (EUF-GUID FILE_GUID, AppID 2, a v0/v2/v3 context) is accepted with
    200 OK; the data (one P2P message, by SessionID) is hashed chunk by chunk and never kept;
    after the last byte the bot P2P-ACKs once, sends BYE and says `Got your file NAME: N bytes,
    SHA-1 HEX`. A BYE before the end: `File NAME cancelled`.
  * sending (`send me a file`, `file N`): an INVITE with a v2 context for bot-file-N.bin (bytes
    from bot_file_bytes, a documented xorshift32 stream), after the 200 OK an optional
    direct-connection offer, then the data (flags 0x1000030; 1202-byte chunks and footer 2 over
    the switchboard, 1352-byte chunks over a direct connection).
  * direct connections (dc.py; TCPv1, loopback only): listening, connecting, the `foo` + nonce
    handshake with a plain `Nonce` or a `Hashed-Nonce`; any mismatch falls back to the
    switchboard.
  * a direct connection that breaks mid-way (`--bot-dc-break N` resets it once N file bytes
    crossed it): the receiver says what it holds with a NAK over the switchboard (flag 0x1,
    AckID = the data Identifier, AckSize = its bytes; aMSN's reading), and the sender goes on
    in the same message from there over the switchboard (bridge "dc+sb" in the dump).

Client mistakes are WARNINGs (the harness fails on them); ordinary races are INFO.
`STATS` keeps what the state dump shows: every transfer and the peak of concurrent file
sessions per user.
"""

import asyncio
import base64
import collections
import functools
import hashlib
import logging
import re
import secrets
import struct

from . import p2p
from .dc import (  # noqa: F401  (the tests reach these through ft)
    DirectSessions, TRANS_REQ, TRANS_RESP, dc_packet, hashed_nonce, nonce_bytes, nonce_header,
    nonce_of)

log = logging.getLogger("msnp.ft")

FILE_GUID = "{5D3E02AB-6190-11D3-BBBB-00C04F795683}"
FILE_APP_ID = 2
FILE_FLAGS = 0x1000030             # what the bot sends (§11.11)
RECV_FLAGS = frozenset({0x1000030, 0x1000020, 0x20, 0x1000000})
SB_CHUNK = 1202
DEFAULT_MAX_SIZE = 200 * 1024 * 1024
DEFAULT_KIB = 64                   # `send me a file`
MAX_KIB = 10 * 1024                # `file N` is capped here

ANSWER_TIMEOUT = 60.0              # our INVITE without 200/603 (papyon)
FINAL_ACK_WAIT = 30.0              # all data sent, no ACK or BYE yet
IDLE_TIMEOUT = 120.0               # a receiving session without data progress (MSNPSharp)
SB_WINDOW = 32 * 1024              # bytes queued to a switchboard reader before the bot waits
CLOSED_KEEP = 64                   # finished sessions remembered, to tell late chunks apart

CONTEXT_V0, CONTEXT_V2, CONTEXT_V3 = 540, 574, 638


class ContextError(ValueError):
    """A file-transfer context that no client would send."""


# ---- the context (§11.4, §11.11) ----------------------------------------------------------------

def parse_context(blob):
    """Raw context bytes -> (name, size, version, preview bytes); raises ContextError.

    By the length field: v0 540, v3 638, v2 any length (the plugin notes it is unreliable); the
    fixed part must be present in full, a preview is what follows it when type is 0."""
    if len(blob) < 20:
        raise ContextError("context of %d bytes" % len(blob))
    length, version, size, kind = struct.unpack_from("<IIQI", blob)
    if version == 0:
        fixed = CONTEXT_V0
        if length != CONTEXT_V0:
            raise ContextError("v0 context with length %d (expected 540)" % length)
    elif version == 2:
        fixed = CONTEXT_V2
    elif version == 3:
        fixed = CONTEXT_V3
        if length != CONTEXT_V3:
            raise ContextError("v3 context with length %d (expected 638)" % length)
    else:
        raise ContextError("context version %d" % version)
    if len(blob) < fixed:
        raise ContextError("v%d context of %d bytes, shorter than %d" % (version, len(blob),
                                                                          fixed))
    raw = blob[20:540]
    end = next((i for i in range(0, len(raw), 2) if raw[i:i + 2] == b"\0\0"), len(raw))
    try:
        name = raw[:end].decode("utf-16-le")
    except UnicodeDecodeError:
        raise ContextError("file name is not UTF-16LE: %r" % raw[:end][:80])
    if not name or any(c in name for c in "\0/\\") or any(ord(c) < 32 for c in name):
        raise ContextError("file name %r" % name)
    preview = blob[fixed:] if kind == 0 else b""
    return name, size, version, preview


def build_context(name, size):
    """A v2 context without preview (type 1), as the reference says to send."""
    encoded = name.encode("utf-16-le")[:518]
    return (struct.pack("<IIQI", CONTEXT_V2, 2, size, 1) + encoded.ljust(520, b"\0")
            + b"\0" * 30 + b"\xff\xff\xff\xff")


# ---- the bot's files -----------------------------------------------------------------------------

def bot_file_name(kib):
    return "bot-file-%d.bin" % kib


@functools.lru_cache(maxsize=4)       # the biggest takes about a second to make
def bot_file_bytes(kib):
    """The content of bot-file-KIB.bin: KIB * 1024 bytes of xorshift32 (shifts 13, 17, 5) from
    the seed 0x9E3779B9 XOR KIB; each step's 32-bit state is written little-endian."""
    x = (0x9E3779B9 ^ kib) & 0xFFFFFFFF
    out = [0] * (kib * 256)
    for i in range(kib * 256):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x
    return struct.pack("<%dI" % len(out), *out)


def command_size(text):
    """The KiB a chat message asks for (`send me a file`, `file N`), or None."""
    words = text.strip().lower().split()
    if words == ["send", "me", "a", "file"]:
        return DEFAULT_KIB
    if len(words) == 2 and words[0] == "file" and words[1].isascii() and words[1].isdigit() \
            and len(words[1]) <= 9 and int(words[1]) >= 1:
        return min(int(words[1]), MAX_KIB)
    return None


# ---- what the dump shows ------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.transfers = collections.deque(maxlen=1000)
        self.active = collections.Counter()        # user -> file sessions open now
        self.peak = collections.Counter()          # user -> most at once

    def record(self, t):
        self.transfers.append(t)

    def opened(self, t):
        self.active[t.remote] += 1
        self.peak[t.remote] = max(self.peak[t.remote], self.active[t.remote])

    def closed(self, t):
        self.active[t.remote] -= 1


STATS = Stats()


# ---- one transfer --------------------------------------------------------------------------------

class Transfer:
    def __init__(self, direction, endpoint, remote, name, size, sid, call_id, branch):
        self.direction = direction         # "in" (user to bot) or "out" (bot to user)
        self.endpoint = endpoint           # the p2p.Endpoint (switchboard) it started in
        self.remote = remote
        self.name = name
        self.size = size
        self.sid = sid
        self.call_id = call_id
        self.branch = branch
        self.bridge = "sb"
        self.outcome = None                # completed, cancelled, declined, failed
        self.accepted = False
        self.sha1 = hashlib.sha1()
        self.digest = ""
        self.received = 0
        self.first = None                  # first data header received (for the ACK)
        self.data = None                   # outgoing bytes
        self.data_ident = None             # outgoing data Identifier (its ACK completes)
        self.all_sent = False
        self.dc = None                     # an established Direct
        self.listener = None               # asyncio server while listening
        self.nonces = None
        self.peer_hashed = None            # their Hashed-Nonce (hashed mode)
        self.timer = None
        self.task = None
        self.dc_offered = None             # future: the answer to our transreq
        self.data_ack = 0                  # outgoing data AckID (the same after a resume)
        self.resume = None                 # future: the receiver's NAK offset (sending)
        self.nak_offset = None             # a NAK that came before we waited for it
        self.dc_broken = False             # --bot-dc-break did its work

    @property
    def done(self):
        return self.outcome is not None


# ---- the bot's file sessions ---------------------------------------------------------------------

class FileSessions(DirectSessions):
    """Every file session of the bot, shared by its endpoints in all switchboards."""

    def __init__(self, me, direct="listen", max_size=DEFAULT_MAX_SIZE, dc_break=0):
        self.me = me
        self.direct = direct               # listen, connect, refuse, off (--bot-direct)
        self.max_size = max_size
        self.dc_break = dc_break           # --bot-dc-break: bytes, 0 never
        self.by_call = {}                  # Call-ID -> Transfer (open)
        # The bot's endpoints in switchboards still open (p2p.Endpoint with `reaches`): a
        # transfer whose switchboard ends goes on in another one with the same user.
        self.endpoints = []
        self.on_accepted = None            # callback(endpoint, remote) after a file's 200 OK
        self.closed = collections.OrderedDict()  # (remote, sid) -> finished Transfer

    # -- helpers --

    def _later(self, t, delay, fn):
        if t.timer is not None:
            t.timer.cancel()
        t.timer = asyncio.get_running_loop().call_later(delay, fn)

    def find(self, remote, sid):
        return next((t for t in self.by_call.values() if t.remote == remote and t.sid == sid),
                    None)

    def takes(self, remote, sid):
        """Whether data on (remote, sid) belongs to a file session (open or recently over)."""
        return self.find(remote, sid) is not None or (remote, sid) in self.closed

    def _tell(self, t, text):
        log.info("bot: %s", text)
        tell = getattr(t.endpoint, "tell", None)
        if tell is not None:
            tell(text)

    def _reply(self, t, slp, status, ctype, body):
        branch = re.search(r"branch=(\S+)", slp.headers.get("via", ""))
        t.endpoint._send_slp(t.remote, p2p.build_slp(
            "MSNSLP/1.0 " + status, t.remote, self.me,
            branch.group(1) if branch else p2p.new_guid(), 1, slp.call_id, ctype, body))

    def _send_p2p(self, t, h, body=b"", footer=0):
        """One P2P packet to the peer: over the direct connection when there is one."""
        if t.dc is not None and not t.dc.closed:
            t.dc.send(h, body)
        else:
            t.endpoint._send(t.remote, h, body, footer)

    def _bye(self, t):
        data = p2p.build_slp("BYE MSNMSGR:%s MSNSLP/1.0" % t.remote, t.remote, self.me,
                             p2p.new_guid(), 0, t.call_id, p2p.SESSION_CLOSE,
                             "SessionID: %d\r\n\r\n" % t.sid)
        ident = t.endpoint._next_ident()
        self._send_p2p(t, p2p.Header(0, ident, 0, len(data), len(data), 0,
                                     secrets.randbits(32), 0, 0), data)

    def _finish(self, t, outcome, why, bye=False):
        if t.done:
            return
        if bye:
            self._bye(t)
        t.outcome = outcome
        t.digest = t.digest or t.sha1.hexdigest()
        t.data = None                  # the dump keeps the record, not the bytes
        self.by_call.pop(t.call_id, None)
        self.closed[(t.remote, t.sid)] = t
        while len(self.closed) > CLOSED_KEEP:
            self.closed.popitem(last=False)
        if t.timer is not None:
            t.timer.cancel()
        if t.listener is not None:
            t.listener.close()
            t.listener = None
        if t.task is not None and t.task is not asyncio.current_task():
            t.task.cancel()
        if t.accepted:
            STATS.closed(t)
        log.info("bot: file %s %s %s: %s (%s, %s)", t.name,
                 "from" if t.direction == "in" else "to", t.remote, outcome, why, t.bridge)
        if t.dc is not None:
            # Let the BYE (and the peer's ACK of it) through before the socket goes.
            dc = t.dc
            asyncio.get_running_loop().call_later(2.0, dc.close)

    # -- INVITEs --

    def on_invite(self, endpoint, remote, slp):
        """An INVITE for the bot: a file offer, a direct-connection request or a reverse
        offer. -> True when handled here."""
        ctype = slp.content_type
        if ctype == TRANS_REQ:
            self.on_transreq(endpoint, remote, slp)
            return True
        if ctype == TRANS_RESP:
            self.on_reverse(remote, slp)
            return True
        if slp.fields.get("euf-guid", "").upper() != FILE_GUID:
            return False
        self.on_file_invite(endpoint, remote, slp)
        return True

    def on_file_invite(self, endpoint, remote, slp):
        sid = slp.fields.get("sessionid", "")
        t = Transfer("in", endpoint, remote, "?", 0, int(sid) if sid.isdigit() else 0,
                     slp.call_id, None)
        try:
            name, size, version, preview = self._check_invite(remote, slp)
        except ContextError as exc:
            log.warning("bot: file INVITE from %s refused (500): %s", remote, exc)
            return self._reply(t, slp, "500 Internal Error", p2p.SESSION_REQ,
                               "SessionID: %s\r\n\r\n" % (sid if sid.isdigit() else "0"))
        t.name, t.size = name, size
        if size == 0:
            log.info("bot: declines the empty file %s from %s", name, remote)
            return self._reply(t, slp, "603 Decline", p2p.SESSION_REQ,
                               "SessionID: %s\r\n\r\n" % sid)
        self.by_call[t.call_id] = t
        STATS.record(t)
        t.accepted = True
        STATS.opened(t)
        self._reply(t, slp, "200 OK", p2p.SESSION_REQ, "SessionID: %s\r\n\r\n" % sid)
        log.info("bot: accepts %s (%d bytes, context v%d%s) from %s, session %d", name, size,
                 version, ", %d-byte preview" % len(preview) if preview else "", remote, t.sid)
        if size > self.max_size:
            self._tell(t, "File %s is too big: %d bytes (limit %d)" % (name, size,
                                                                     self.max_size))
            return self._finish(t, "failed", "over the size limit", bye=True)
        self._later(t, IDLE_TIMEOUT, lambda: self._idle(t))
        if self.on_accepted is not None:
            self.on_accepted(endpoint, remote)

    def _check_invite(self, remote, slp):
        if slp.address("to") != self.me.lower():
            raise ContextError("addressed to %r" % slp.headers.get("to"))
        app_id, sid = slp.fields.get("appid", ""), slp.fields.get("sessionid", "")
        if app_id != str(FILE_APP_ID):
            raise ContextError("AppID %r (expected 2)" % app_id)
        if not sid.isdigit() or not 0 < int(sid) <= 0xFFFFFFFF or int(sid) == 64:
            raise ContextError("SessionID %r" % sid)
        if slp.call_id in self.by_call or self.find(remote, int(sid)) is not None:
            raise ContextError("Call-ID %s or SessionID %s already in use" % (slp.call_id, sid))
        try:
            blob = base64.b64decode(slp.fields.get("context", ""), validate=True)
        except ValueError:
            raise ContextError("Context is not base64")
        return parse_context(blob)

    def _idle(self, t):
        if t.direction == "in":
            self._tell(t, "File %s failed: no data for %g s" % (t.name, IDLE_TIMEOUT))
        self._finish(t, "failed", "idle", bye=True)

    # -- data from the client --

    def on_chunk(self, remote, h, body, bridge):
        t = self.find(remote, h.session)
        if t is None:
            old = self.closed.get((remote, h.session))
            if old is not None and old.outcome == "completed" and old.direction == "in":
                log.warning("bot: chunk at offset %d after all %d bytes of %s from %s",
                            h.offset, old.size, old.name, remote)
            else:
                log.info("bot: chunk for the closed session %d from %s ignored", h.session,
                         remote)
            return
        if t.direction != "in":
            return log.warning("bot: %s sent data on the bot's own sending session %d",
                               remote, t.sid)
        if h.flags not in RECV_FLAGS:
            return log.info("bot: session %d packet with flags 0x%x ignored", t.sid, h.flags)
        problem = None
        if h.total != t.size:
            problem = "TotalSize %d, but the context announced %d" % (h.total, t.size)
        elif h.offset > t.size:
            problem = "Offset %d beyond TotalSize %d" % (h.offset, t.size)
        elif h.offset != t.received:
            problem = "a gap: chunk at offset %d, %d bytes received" % (h.offset, t.received)
        elif t.first is not None and h.ident != t.first.ident:
            problem = "Identifier %d inside the message %d" % (h.ident, t.first.ident)
        if problem is not None:
            log.warning("bot: file %s from %s: %s", t.name, remote, problem)
            self._tell(t, "File %s failed: %s" % (t.name, problem))
            return self._finish(t, "failed", problem, bye=True)
        if t.first is None:
            t.first = h
            t.bridge = bridge
        t.sha1.update(body)
        t.received += len(body)
        self._later(t, IDLE_TIMEOUT, lambda: self._idle(t))
        if bridge == "dc" and t.received < t.size and self._breaks(t, t.received):
            return
        if t.received < t.size:
            return
        self._send_p2p(t, p2p.ack_for(t.endpoint._next_ident(), t.first))
        t.digest = t.sha1.hexdigest()
        self._tell(t, "Got your file %s: %d bytes, SHA-1 %s" % (t.name, t.size, t.digest))
        self._finish(t, "completed", "all data", bye=True)

    # -- answers, ACKs, BYEs --

    def on_response(self, remote, slp):
        """A 200/603/500 for one of our INVITEs. -> True when it belongs to a file session."""
        t = self.by_call.get(slp.call_id)
        if t is None or t.remote != remote:
            return False
        if t.dc_offered is not None and not t.dc_offered.done():
            t.dc_offered.set_result(slp)
            return True
        if t.direction != "out" or t.accepted:
            log.info("bot: answer %s from %s on %s ignored", slp.start[:40], remote, t.name)
            return True
        if slp.status == "200":
            t.accepted = True
            STATS.opened(t)
            if t.timer is not None:
                t.timer.cancel()
            t.task = asyncio.get_running_loop().create_task(self._send_file(t))
        elif slp.status == "603":
            self._tell(t, "You declined %s" % t.name)
            self._finish(t, "declined", "603")
        else:
            self._tell(t, "Could not send %s: %s" % (t.name, slp.start[11:]))
            self._finish(t, "failed", slp.start[11:])
        return True

    def on_bye(self, remote, slp):
        t = self.by_call.get(slp.call_id)
        if t is None:
            old = next((o for o in self.closed.values() if o.call_id == slp.call_id), None)
            return old is not None
        if t.direction == "in":
            self._tell(t, "File %s cancelled" % t.name)
            self._finish(t, "cancelled", "BYE from %s" % remote)
        elif t.all_sent:
            self._finish(t, "completed", "BYE after all data")
        elif not t.accepted:
            self._finish(t, "cancelled", "BYE before an answer")
        else:
            self._tell(t, "You cancelled %s" % t.name)
            self._finish(t, "cancelled", "BYE from %s" % remote)
        return True

    def on_ack(self, remote, h):
        """A P2P ACK: the one of our data completes a sending transfer. -> True if it did."""
        for t in list(self.by_call.values()):
            if t.remote == remote and t.data_ident is not None and h.ack_id == t.data_ident:
                if h.ack_size != t.size:
                    log.info("bot: ACK of %s says %d bytes", t.name, h.ack_size)
                self._finish(t, "completed", "final ACK")
                return True
        return False

    def abort(self, remote, sid):
        t = self.find(remote, sid)
        if t is not None:
            self._tell(t, "File %s failed: error flags from %s" % (t.name, remote))
            self._finish(t, "failed", "error flags")

    def endpoint_closed(self, endpoint):
        """The switchboard of `endpoint` ended: its transfers without a direct connection go
        on in another switchboard the bot shares with their user (a P2P session belongs to the
        two peers, not to a switchboard: two crossed ones, cross.py), else end (P2Pv1 has no
        resume)."""
        if endpoint in self.endpoints:
            self.endpoints.remove(endpoint)
        for t in [t for t in self.by_call.values() if t.endpoint is endpoint]:
            if t.dc is not None and not t.dc.closed and t.bridge == "dc":
                continue
            other = next((e for e in reversed(self.endpoints)
                          if getattr(e, "reaches", None) is not None and e.reaches(t.remote)),
                         None)
            if other is not None:
                log.info("bot: file %s with %s goes on in another switchboard", t.name,
                         t.remote)
                t.endpoint = other
                continue
            self._finish(t, "failed", "the switchboard closed")

    # -- sending --

    def send_file(self, endpoint, remote, kib):
        """`send me a file` / `file N` from `remote` in `endpoint`'s switchboard."""
        name = bot_file_name(kib)
        data = bot_file_bytes(kib)
        t = Transfer("out", endpoint, remote.lower(), name, len(data), p2p.new_session_id(),
                     p2p.new_guid(), p2p.new_guid())
        t.data = data
        t.digest = hashlib.sha1(data).hexdigest()
        self.by_call[t.call_id] = t
        STATS.record(t)
        self._tell(t, "Sending you %s: %d bytes, SHA-1 %s" % (name, t.size, t.digest))
        body = ("EUF-GUID: %s\r\nSessionID: %d\r\nAppID: %d\r\nContext: %s\r\n\r\n"
                % (FILE_GUID, t.sid, FILE_APP_ID,
                   base64.b64encode(build_context(name, t.size)).decode("ascii")))
        endpoint._send_slp(t.remote, p2p.build_slp(
            "INVITE MSNMSGR:%s MSNSLP/1.0" % t.remote, t.remote, self.me, t.branch, 0,
            t.call_id, p2p.SESSION_REQ, body))
        self._later(t, ANSWER_TIMEOUT, lambda: self._no_answer(t))
        return t

    def _no_answer(self, t):
        self._tell(t, "Could not send %s: no answer within %g s" % (t.name, ANSWER_TIMEOUT))
        self._finish(t, "failed", "no answer", bye=True)

    async def _send_file(self, t):
        if self.direct != "off" and await self._offer_dc(t):
            t.bridge = "dc"
            await self._send_dc(t)
            if not t.done and (t.dc is None or t.dc.closed):
                return await self._go_on(t)     # it broke mid-way
        else:
            await self._send_sb(t)
        self._all_sent(t)

    def _all_sent(self, t):
        if not t.done:
            t.all_sent = True
            self._later(t, FINAL_ACK_WAIT, lambda: self._no_final_ack(t))

    def _no_final_ack(self, t):
        self._tell(t, "Could not send %s: no ACK within %g s" % (t.name, FINAL_ACK_WAIT))
        self._finish(t, "failed", "no final ACK", bye=True)

    async def _send_sb(self, t, start=0):
        """The data in 1202-byte chunks, footer 2, paced by the reader's switchboard socket;
        from `start` in the same message when it goes on after a broken connection."""
        if t.data_ident is None:
            t.data_ident = t.endpoint._next_ident()
            t.data_ack = secrets.randbits(32)
        for offset in range(start, t.size, SB_CHUNK):
            if t.done:
                return
            endpoint = t.endpoint      # it may move to another switchboard (endpoint_closed)
            piece = t.data[offset:offset + SB_CHUNK]
            endpoint._send(t.remote, p2p.Header(t.sid, t.data_ident, offset, t.size, len(piece),
                                                 FILE_FLAGS, t.data_ack, 0, 0), piece,
                           FILE_APP_ID)
            await self._paced(endpoint)

    async def _paced(self, endpoint):
        """Yield, and wait while the switchboard still has much queued for the reader (a real
        peer keeps only a few MSGs unacknowledged)."""
        await asyncio.sleep(0)
        backlog = getattr(endpoint, "backlog", None)
        while backlog is not None and backlog() > SB_WINDOW:
            await asyncio.sleep(0.005)
