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
  * direct connections (TCPv1, loopback only): listening, connecting, the `foo` + nonce
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
import ipaddress
import logging
import re
import secrets
import socket
import struct
import uuid

from . import p2p

log = logging.getLogger("msnp.ft")

FILE_GUID = "{5D3E02AB-6190-11D3-BBBB-00C04F795683}"
FILE_APP_ID = 2
TRANS_REQ = "application/x-msnmsgr-transreqbody"
TRANS_RESP = "application/x-msnmsgr-transrespbody"
FILE_FLAGS = 0x1000030             # what the bot sends (§11.11)
RECV_FLAGS = frozenset({0x1000030, 0x1000020, 0x20, 0x1000000})
SB_CHUNK = 1202
DC_CHUNK = 1352                    # data bytes per direct-connection packet (§11.7)
DC_MAX_PACKET = 48 + 8192          # the plugin's DC_MAX_BODY_SIZE; anything longer is refused
DEFAULT_MAX_SIZE = 200 * 1024 * 1024
DEFAULT_KIB = 64                   # `send me a file`
MAX_KIB = 10 * 1024                # `file N` is capped here
ZERO_NONCE = "{00000000-0000-0000-0000-000000000000}"

ANSWER_TIMEOUT = 60.0              # our INVITE without 200/603 (papyon)
TRANSRESP_WAIT = 5.0               # our transreq without an answer: switchboard
CONNECT_TIMEOUT = 5.0              # per address, and for the handshake (plugin, papyon)
LISTEN_TIMEOUT = 15.0              # listening without a connection (plugin)
FINAL_ACK_WAIT = 30.0              # all data sent, no ACK or BYE yet
IDLE_TIMEOUT = 120.0               # a receiving session without data progress (MSNPSharp)
RESUME_WAIT = 10.0                 # a broken direct connection: for the NAK, or for the data
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


# ---- nonces and direct-connection packets (§11.7, vectors/dc-handshake.txt) ---------------------

def nonce_bytes(text):
    """`{GUID}` -> its 16 bytes in Windows order, or None when it is not a GUID."""
    try:
        return uuid.UUID(text.strip().strip("{}")).bytes_le
    except ValueError:
        return None


def nonce_text(raw):
    return "{%s}" % str(uuid.UUID(bytes_le=raw)).upper()


def hashed_nonce(raw):
    """The Hashed-Nonce text of a plain nonce: its SHA-1, first 16 bytes, in GUID order."""
    return nonce_text(hashlib.sha1(raw).digest()[:16])


def dc_packet(h, body=b""):
    data = p2p.HEADER.pack(*h) + body
    return struct.pack("<I", len(data)) + data


def nonce_header(ident, raw):
    ack_id, ack_uid, ack_size = struct.unpack("<IIQ", raw)
    return p2p.Header(0, ident, 0, 0, 0, p2p.FLAG_DC, ack_id, ack_uid, ack_size)


class DcError(Exception):
    """The direct connection broke or the peer broke its rules (`mistake`: a client mistake,
    logged as a WARNING; else an ordinary end, INFO)."""

    def __init__(self, why, mistake=False):
        super().__init__(why)
        self.mistake = mistake


async def read_dc_packet(reader):
    """-> raw packet bytes; raises DcError (EOF, too long)."""
    try:
        n = struct.unpack("<I", await reader.readexactly(4))[0]
        if n > DC_MAX_PACKET:
            raise DcError("packet of %d bytes (at most %d)" % (n, DC_MAX_PACKET), True)
        return await reader.readexactly(n)
    except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
        raise DcError("connection closed (%s)" % exc.__class__.__name__)


def parse_dc_header(packet):
    if len(packet) < p2p.HEADER.size:
        raise DcError("packet of %d bytes, shorter than a header" % len(packet))
    h = p2p.Header._make(p2p.HEADER.unpack_from(packet))
    body = packet[p2p.HEADER.size:]
    if h.length != len(body):
        raise DcError("Length %d but %d data bytes" % (h.length, len(body)))
    if h.offset + h.length > h.total:
        raise DcError("Offset %d + Length %d exceeds TotalSize %d"
                      % (h.offset, h.length, h.total))
    return h, body


def nonce_of(packet):
    """The 16 nonce bytes of a handshake packet, or None when it is not one."""
    if len(packet) != p2p.HEADER.size:
        return None
    h = p2p.Header._make(p2p.HEADER.unpack_from(packet))
    if h.flags != p2p.FLAG_DC or h.session != 0 or h.length != 0:
        return None
    return packet[32:48]


class Nonces:
    """What one direct connection checks and sends. Plain: one GUID both ways. Hashed: each
    side sends its own secret and checks the other's against the Hashed-Nonce it was given."""

    def __init__(self, hashed, mine, theirs_check=None):
        self.hashed = hashed
        self.mine = mine                   # 16 bytes sent in our handshake packet
        self.theirs_check = theirs_check   # plain: the same bytes; hashed: their Hashed-Nonce

    def advertised(self):
        """The SLP field for our transresp/transreq."""
        if self.hashed:
            return "Hashed-Nonce: %s" % hashed_nonce(self.mine)
        return "Nonce: %s" % nonce_text(self.mine)

    def accepts(self, got):
        if self.hashed:
            return self.theirs_check is not None and hashed_nonce(got) == self.theirs_check
        return got == self.mine


def loopback_targets(fields):
    """(host, port) pairs of a transresp, internal first, loopback addresses only."""
    out = []
    for kind in ("ipv4internal", "ipv4external"):
        port = fields.get(kind + "-port", "")
        if not port.isdigit() or not 0 < int(port) < 65536:
            continue
        for addr in fields.get(kind + "-addrs", "").split():
            try:
                if ipaddress.ip_address(addr).is_loopback and (addr, int(port)) not in out:
                    out.append((addr, int(port)))
            except ValueError:
                continue
    return out


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


class Direct:
    """An established direct connection for one transfer."""

    def __init__(self, files, t, reader, writer):
        self.files, self.t = files, t
        self.reader, self.writer = reader, writer
        self.closed = False
        self.task = None

    def send(self, h, body=b""):
        if not self.closed:
            self.writer.write(dc_packet(h, body))

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.writer.close()
            except (ConnectionError, OSError, RuntimeError):
                pass

    def abort(self):
        """Breaks the connection (reset): what is still buffered is lost, as in a real break."""
        if not self.closed:
            self.closed = True
            self.writer.transport.abort()

    async def run(self):
        """Read packets until EOF; each goes to the bot's P2P handling."""
        try:
            while not self.closed:
                packet = await read_dc_packet(self.reader)
                try:
                    h, body = parse_dc_header(packet)
                except DcError as exc:
                    log.warning("bot: direct connection with %s: %s; closing", self.t.remote,
                                exc)
                    break
                self.files.on_dc_packet(self, h, body)
        except DcError as exc:
            if exc.mistake:
                log.warning("bot: direct connection with %s: %s; closing", self.t.remote, exc)
            elif not self.closed and not self.t.done:
                log.info("bot: direct connection with %s: %s", self.t.remote, exc)
        finally:
            self.close()
            self.files.dc_gone(self)


# ---- the bot's file sessions ---------------------------------------------------------------------

class FileSessions:
    """Every file session of the bot, shared by its endpoints in all switchboards."""

    def __init__(self, me, direct="listen", max_size=DEFAULT_MAX_SIZE, dc_break=0):
        self.me = me
        self.direct = direct               # listen, connect, refuse, off (--bot-direct)
        self.max_size = max_size
        self.dc_break = dc_break           # --bot-dc-break: bytes, 0 never
        self.by_call = {}                  # Call-ID -> Transfer (open)
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

    # -- direct connections: the client's offer (bot receiving) --

    def on_transreq(self, endpoint, remote, slp):
        t = self.by_call.get(slp.call_id)
        if t is None or t.remote != remote:
            log.info("bot: transreq from %s for no open file session: 603", remote)
            return self._reply(Transfer("in", endpoint, remote, "", 0, 0, slp.call_id, None),
                               slp, "603 Decline", p2p.SESSION_REQ,
                               "SessionID: %s\r\n\r\n" % slp.fields.get("sessionid", "0"))
        if t.direction == "out" or t.dc is not None or t.listener is not None:
            # The bot makes its own offer as the sender, and one offer per transfer is enough.
            log.info("bot: transreq from %s on %s: not listening again", remote, t.name)
            return self._not_listening(t, slp, "Nonce: " + ZERO_NONCE)
        t.nonces = self._nonces_for(remote, slp)
        if self.direct in ("listen", "refuse") and \
                "TCPv1" in slp.fields.get("bridges", "TCPv1").split():
            t.task = asyncio.get_running_loop().create_task(self._listen(t, slp))
            return
        advertised = t.nonces.advertised() if t.nonces.hashed and self.direct == "connect" \
            else ("Hashed-Nonce: " if t.nonces.hashed else "Nonce: ") + ZERO_NONCE
        log.info("bot: not listening for %s (--bot-direct %s)", remote, self.direct)
        self._not_listening(t, slp, advertised)

    def _not_listening(self, t, slp, nonce_line):
        self._reply(t, slp, "200 OK", TRANS_RESP,
                    "Bridge: TCPv1\r\nListening: false\r\n%s\r\n\r\n" % nonce_line)

    def _nonces_for(self, remote, slp):
        """The nonces of a direct connection the client offers: its Hashed-Nonce (the bot
        then has its own secret), or its plain Nonce echoed (a new one when none or zero)."""
        plain, hashed = slp.fields.get("nonce"), slp.fields.get("hashed-nonce")
        if hashed is not None:
            theirs = nonce_bytes(hashed)
            if theirs is None:
                log.warning("bot: transreq from %s with Hashed-Nonce %r", remote, hashed)
            return Nonces(True, secrets.token_bytes(16), theirs and nonce_text(theirs))
        mine = nonce_bytes(plain) if plain else None
        if plain and mine is None:
            log.warning("bot: transreq from %s with Nonce %r", remote, plain)
        if mine == bytes(16):
            mine = None                # a zero nonce asks for nothing: the bot picks one
        return Nonces(False, mine or secrets.token_bytes(16))

    async def _listen(self, t, slp):
        established = asyncio.get_running_loop().create_future()

        async def on_connection(reader, writer):
            if t.done or established.done():
                writer.close()
                return
            try:
                await asyncio.wait_for(self._accept_handshake(t, reader, writer),
                                       CONNECT_TIMEOUT)
            except (DcError, asyncio.TimeoutError) as exc:
                log.warning("bot: direct connection from %s refused: %s", t.remote,
                            exc or "handshake timeout")
                writer.close()
                return
            if not established.done():
                established.set_result((reader, writer))

        if self.direct == "refuse":
            # A port that was free a moment ago: the client's connect is refused.
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
            probe.close()
            self._listening_reply(t, slp, port)
            log.info("bot: advertises 127.0.0.1:%d for %s, where nothing listens "
                     "(--bot-direct refuse)", port, t.remote)
            return
        t.listener = await asyncio.start_server(on_connection, "127.0.0.1", 0)
        port = t.listener.sockets[0].getsockname()[1]
        self._listening_reply(t, slp, port)
        log.info("bot: listens on 127.0.0.1:%d for %s", port, t.remote)
        try:
            reader, writer = await asyncio.wait_for(established, LISTEN_TIMEOUT)
        except asyncio.TimeoutError:
            log.info("bot: no direct connection from %s within %g s", t.remote, LISTEN_TIMEOUT)
            return
        finally:
            if t.listener is not None:
                t.listener.close()
                t.listener = None
        self._established(t, reader, writer)

    def _listening_reply(self, t, slp, port):
        self._reply(t, slp, "200 OK", TRANS_RESP,
                    "Bridge: TCPv1\r\nListening: true\r\n%s\r\nIPv4External-Addrs: 127.0.0.1\r\n"
                    "IPv4External-Port: %d\r\nIPv4Internal-Addrs: 127.0.0.1\r\n"
                    "IPv4Internal-Port: %d\r\n\r\n" % (t.nonces.advertised(), port, port))

    async def _accept_handshake(self, t, reader, writer):
        foo = await read_dc_packet(reader)
        if foo != b"foo\0":
            raise DcError("first packet %r, expected foo\\0" % foo[:16])
        got = nonce_of(await read_dc_packet(reader))
        if got is None:
            raise DcError("second packet is no nonce packet")
        if not t.nonces.accepts(got):
            raise DcError("nonce %s does not match" % nonce_text(got))
        writer.write(dc_packet(nonce_header(t.endpoint._next_ident(), t.nonces.mine)))

    def on_reverse(self, remote, slp):
        """The client listens after we said Listening: false (§11.7 step 4)."""
        t = self.by_call.get(slp.call_id)
        fields = slp.fields
        if t is None or t.nonces is None or t.done or t.direction != "in":
            return log.info("bot: reverse INVITE from %s for no open offer", remote)
        if fields.get("listening", "").lower() != "true" or self.direct == "off":
            return log.info("bot: reverse INVITE from %s not taken (Listening %s, --bot-direct "
                            "%s)", remote, fields.get("listening"), self.direct)
        if t.nonces.hashed:
            theirs = nonce_bytes(fields.get("hashed-nonce", ""))
            if theirs is not None:
                t.nonces.theirs_check = nonce_text(theirs)
        else:
            got = nonce_bytes(fields.get("nonce", ""))
            if got is None:
                return log.warning("bot: reverse INVITE from %s without a Nonce", remote)
            t.nonces.mine = got
        targets = loopback_targets(fields)
        if not targets:
            return log.info("bot: reverse INVITE from %s has no loopback address", remote)
        t.task = asyncio.get_running_loop().create_task(self._connect(t, targets))

    async def _connect(self, t, targets):
        """Connect and shake hands (§11.7); -> True when the direct connection is up."""
        for host, port in targets:
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port),
                                                        CONNECT_TIMEOUT)
            except (OSError, asyncio.TimeoutError) as exc:
                log.info("bot: cannot connect to %s:%d for %s: %s", host, port, t.remote, exc)
                continue
            try:
                writer.write(struct.pack("<I", 4) + b"foo\0")
                writer.write(dc_packet(nonce_header(t.endpoint._next_ident(), t.nonces.mine)))
                got = nonce_of(await asyncio.wait_for(read_dc_packet(reader), CONNECT_TIMEOUT))
                if got is None:
                    raise DcError("the answer is no nonce packet")
                if not t.nonces.accepts(got):
                    raise DcError("nonce %s does not match" % nonce_text(got))
            except (DcError, asyncio.TimeoutError) as exc:
                log.warning("bot: direct connection to %s (%s:%d) failed: %s; switchboard",
                            t.remote, host, port, exc or "handshake timeout")
                writer.close()
                return False
            if t.done:
                writer.close()
                return False
            self._established(t, reader, writer)
            return True
        return False

    def _established(self, t, reader, writer):
        t.dc = Direct(self, t, reader, writer)
        t.dc.task = asyncio.get_running_loop().create_task(t.dc.run())
        log.info("bot: direct connection with %s up (session %d)", t.remote, t.sid)

    def dc_gone(self, dc):
        t = dc.t
        if t.dc is dc:
            t.dc = None
        if t.done or t.bridge != "dc":
            return
        t.bridge = "dc+sb"
        if t.direction == "out":
            return log.info("bot: direct connection for %s broke; waiting for %s's NAK",
                            t.name, t.remote)   # _send_file goes on
        if t.received >= t.size:
            return
        # Receiving: the sender learns what arrived, and goes on from there.
        first = t.first
        t.endpoint._send(t.remote, p2p.Header(t.sid, t.endpoint._next_ident(), 0, t.size, 0,
                                              p2p.FLAG_NAK, first.ident if first else 0,
                                              first.ack_id if first else 0, t.received))
        log.info("bot: direct connection for %s broke at %d bytes; NAK to %s", t.name,
                 t.received, t.remote)
        self._later(t, RESUME_WAIT, lambda: self._no_resume(t))

    def _no_resume(self, t):
        self._tell(t, "File %s failed: nothing more after the direct connection broke" % t.name)
        self._finish(t, "failed", "no data after the broken direct connection", bye=True)

    def on_nak(self, remote, h):
        """The receiver's NAK after a broken direct connection: go on from AckSize."""
        t = self.find(remote, h.session)
        if t is None or t.direction != "out" or not t.accepted:
            return log.info("bot: NAK from %s for session %d ignored", remote, h.session)
        if h.ack_id not in (0, t.data_ident) or h.ack_size > t.size:
            return log.warning("bot: NAK from %s on %s for Identifier %d, offset %d", remote,
                               t.name, h.ack_id, h.ack_size)
        log.info("bot: NAK from %s: %s goes on at byte %d", remote, t.name, h.ack_size)
        if t.resume is not None and not t.resume.done():
            return t.resume.set_result(h.ack_size)
        t.nak_offset = h.ack_size
        if t.dc is not None:
            t.dc.close()               # the peer lost it first; _send_dc stops
        if t.all_sent:
            t.all_sent = False
            t.task = asyncio.get_running_loop().create_task(self._go_on(t))

    def on_dc_packet(self, dc, h, body):
        t = dc.t
        remote = t.remote
        if h.flags & p2p.FLAG_DC or (h.flags == p2p.FLAG_RAK and h.length == 0):
            return
        if h.flags in (p2p.FLAG_ACK, p2p.FLAG_CLOSE):
            return self.on_ack(remote, h)
        if h.session == 0:
            if h.offset != 0 or h.length != h.total:
                return log.warning("bot: SLP in %d-byte pieces over the direct connection",
                                   h.length)
            dc.send(p2p.ack_for(t.endpoint._next_ident(), h))
            return t.endpoint._on_slp(remote, body)
        if h.session != t.sid:
            return log.warning("bot: data for session %d over the direct connection of "
                               "session %d", h.session, t.sid)
        if h.length > DC_CHUNK:
            log.warning("bot: %d data bytes in one direct-connection packet (at most %d)",
                        h.length, DC_CHUNK)
        self.on_chunk(remote, h, body, "dc")

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
        """The switchboard of `endpoint` ended: its transfers without a direct connection
        end too (P2Pv1 has no resume)."""
        for t in [t for t in self.by_call.values() if t.endpoint is endpoint]:
            if t.dc is not None and not t.dc.closed and t.bridge == "dc":
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

    def _breaks(self, t, crossed):
        """--bot-dc-break: resets the direct connection once `crossed` bytes passed it."""
        if not self.dc_break or t.dc_broken or crossed < self.dc_break or t.dc is None:
            return False
        t.dc_broken = True
        log.info("bot: breaks the direct connection for %s after %d bytes (--bot-dc-break)",
                 t.name, crossed)
        t.dc.abort()
        return True

    async def _go_on(self, t):
        """After a broken direct connection: the rest over the switchboard from the offset of
        the receiver's NAK (or its ACK ends the transfer meanwhile)."""
        offset = t.nak_offset
        if offset is None:
            t.resume = asyncio.get_running_loop().create_future()
            try:
                offset = await asyncio.wait_for(t.resume, RESUME_WAIT)
            except asyncio.TimeoutError:
                self._tell(t, "Could not send %s: no word after the direct connection broke"
                           % t.name)
                return self._finish(t, "failed", "no NAK after the broken connection", bye=True)
            finally:
                t.resume = None
        t.nak_offset = None
        t.bridge = "dc+sb"
        await self._send_sb(t, offset)
        self._all_sent(t)

    def _no_final_ack(self, t):
        self._tell(t, "Could not send %s: no ACK within %g s" % (t.name, FINAL_ACK_WAIT))
        self._finish(t, "failed", "no final ACK", bye=True)

    async def _offer_dc(self, t):
        """transreqbody on the same Call-ID (plain Nonce); -> True with a DC established."""
        t.nonces = Nonces(False, secrets.token_bytes(16))
        t.dc_offered = asyncio.get_running_loop().create_future()
        body = ("Bridges: TCPv1\r\nNetID: 0\r\nConn-Type: Direct-Connect\r\n"
                "TCP-Conn-Type: Direct-Connect\r\nUPnPNat: false\r\nICF: false\r\n%s\r\n"
                "SessionID: %d\r\n\r\n" % (t.nonces.advertised(), t.sid))
        t.endpoint._send_slp(t.remote, p2p.build_slp(
            "INVITE MSNMSGR:%s MSNSLP/1.0" % t.remote, t.remote, self.me, p2p.new_guid(), 0,
            t.call_id, TRANS_REQ, body))
        try:
            answer = await asyncio.wait_for(t.dc_offered, TRANSRESP_WAIT)
        except asyncio.TimeoutError:
            log.info("bot: no answer to the direct-connection offer from %s within %g s",
                     t.remote, TRANSRESP_WAIT)
            return False
        finally:
            t.dc_offered = None
        fields = answer.fields
        if answer.status != "200" or fields.get("listening", "").lower() != "true":
            log.info("bot: %s does not listen (%s); switchboard", t.remote, answer.start[11:])
            return False
        got = nonce_bytes(fields.get("nonce", ""))
        if got is None:
            log.warning("bot: %s listens without a plain Nonce (%r); switchboard", t.remote,
                        fields.get("nonce") or fields.get("hashed-nonce"))
            return False
        t.nonces.mine = got            # the listener's nonce is the one both sides send
        targets = loopback_targets(fields)
        if not targets:
            log.info("bot: %s listens on no loopback address; switchboard", t.remote)
            return False
        return await self._connect(t, targets)

    async def _send_sb(self, t, start=0):
        """The data in 1202-byte chunks, footer 2, paced by the reader's switchboard socket;
        from `start` in the same message when it goes on after a broken connection."""
        endpoint = t.endpoint
        if t.data_ident is None:
            t.data_ident = endpoint._next_ident()
            t.data_ack = secrets.randbits(32)
        for offset in range(start, t.size, SB_CHUNK):
            if t.done:
                return
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

    async def _send_dc(self, t):
        dc = t.dc
        t.data_ident = t.endpoint._next_ident()
        t.data_ack = secrets.randbits(32)
        for offset in range(0, t.size, DC_CHUNK):
            if t.done or dc.closed or self._breaks(t, offset):
                return
            piece = t.data[offset:offset + DC_CHUNK]
            dc.send(p2p.Header(t.sid, t.data_ident, offset, t.size, len(piece), FILE_FLAGS,
                               t.data_ack, 0, 0), piece)
            try:
                await dc.writer.drain()
            except (ConnectionError, OSError):
                dc.close()
                return
