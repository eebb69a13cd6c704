"""MSNP2P (P2Pv1 over the switchboard) as the server's own peers speak it: display pictures.

Written from the MSNP15 reference (§11.1-11.3, 11.5, 11.6, 11.8), independently of the
client engine. A P2P message is a switchboard MSG payload: the MIME block (`Content-Type:
application/x-msnmsgrp2p`, `P2P-Dest`), a 48-byte little-endian header, 0..1202 bytes of data
and a 4-byte big-endian footer (the application id). SessionID 0 carries MSNSLP text (INVITE,
200 OK, 603 Decline, BYE), NUL-terminated; other session ids carry data.

`Endpoint` is one peer played by the server (the --bot, a generated contact with a picture)
inside one switchboard session. It
  * P2P-ACKs every complete message it receives (never ACKs, never control packets);
  * serves its own display picture: an INVITE with the MSN-object EUF-GUID, AppID 1 or 12 and
    a Context that is exactly its msnobj gets the P2P ACK, `200 OK`, the data-preparation
    message and the data (flags 0x20, chunks of at most 1202 bytes, footer = the INVITE's
    AppID); any other INVITE gets `603 Decline`, except that the bot hands file offers and
    direct-connection INVITEs, and the data, answers, ACKs and BYEs of its file sessions, to
    ft.FileSessions;
  * serves its other MSN objects (`objects`, msnobj string -> data: the bot's custom emoticon)
    the same way, also for AppID 11 (WLM's for emoticons);
  * fetches someone else's picture or emoticon (`fetch`): INVITE, ACKs of 200/data
    preparation/data, the SHA1D check, BYE, and a callback with the result.
Every parser here is bounded: a reassembled SLP message is at most MAX_SLP bytes, picture data
at most MAX_DATA, and at most MAX_PENDING messages are reassembled at once per endpoint.

`STATS` holds what the state dump (dump.py) shows: P2P session INVITEs seen on any
switchboard per (from, to), the peak number of picture sessions the server's peers served at
once per requesting user, and the last picture the bot fetched from each user.
"""

import base64
import collections
import hashlib
import logging
import re
import secrets
import struct
import uuid
import zlib

log = logging.getLogger("msnp.p2p")

HEADER = struct.Struct("<IIQQIIIIQ")   # SessionID Identifier Offset TotalSize Length Flags
                                       # AckID AckUID AckSize
CONTENT_TYPE = b"application/x-msnmsgrp2p"
INK_SESSION = 64               # SessionID reserved for ink (reference §11.6, §11.9)
INK_FOOTER = 3                 # what a public Perl client sends with ink (any is accepted)
MAX_CHUNK = 1202               # data bytes in one P2P message on the switchboard
MAX_SLP = 16 * 1024            # bytes of one reassembled SLP message
MAX_DATA = 256 * 1024          # bytes of one picture (the plugin refuses more over HTTP too)
MAX_PENDING = 32               # messages being reassembled at once, per endpoint
MAX_MSNOBJ = 2048              # characters of an msnobj string

FLAG_NAK, FLAG_ACK, FLAG_RAK, FLAG_ERROR = 0x1, 0x2, 0x4, 0x8
FLAG_DATA, FLAG_CLOSE, FLAG_TLP_ERROR, FLAG_DC = 0x20, 0x40, 0x80, 0x100
DATA_FLAGS = frozenset({0x20, 0x1000000, 0x1000020, 0x1000030})
EUF_MSNOBJ = "{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}"
PICTURE_APP_IDS = frozenset({1, 11, 12})  # 11: WLM's AppID for custom emoticons
SESSION_REQ = "application/x-msnmsgr-sessionreqbody"
SESSION_CLOSE = "application/x-msnmsgr-sessionclosebody"

SERVE_TIMEOUT = 60.0           # seconds a served session may live without ending
BYE_WAIT = 5.0                 # seconds to wait for the requester's BYE after the data's ACK
FETCH_TIMEOUT = 60.0           # seconds for a whole fetch (papyon's wait for an SLP answer)


class P2PError(ValueError):
    """A payload that is not a well-formed P2P message."""


Header = collections.namedtuple(
    "Header", "session ident offset total length flags ack_id ack_uid ack_size")


# ---- the binary layer ------------------------------------------------------------------------

def mime_headers(block):
    """`Key: Value` lines -> {lower key: value} (bytes in, str out)."""
    out = {}
    for line in block.split(b"\r\n")[:32]:
        name, sep, value = line.partition(b":")
        if sep:
            out[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    return out


def is_p2p(payload):
    head = payload.partition(b"\r\n\r\n")[0]
    return mime_headers(head).get("content-type", "").encode("latin-1").lower() \
        .startswith(CONTENT_TYPE)


def parse(payload):
    """A switchboard MSG payload -> (P2P-Dest, Header, body, footer); raises P2PError."""
    head, sep, rest = payload.partition(b"\r\n\r\n")
    if not sep:
        raise P2PError("no MIME header block")
    headers = mime_headers(head)
    if not headers.get("content-type", "").encode("latin-1").lower().startswith(CONTENT_TYPE):
        raise P2PError("not application/x-msnmsgrp2p")
    if len(rest) < HEADER.size + 4:
        raise P2PError("%d bytes after the MIME block, less than header + footer" % len(rest))
    h = Header._make(HEADER.unpack_from(rest))
    body = rest[HEADER.size:-4]
    footer = struct.unpack(">I", rest[-4:])[0]
    if h.length != len(body):
        raise P2PError("Length %d but %d data bytes" % (h.length, len(body)))
    if h.length > MAX_CHUNK:
        raise P2PError("Length %d exceeds %d" % (h.length, MAX_CHUNK))
    if h.offset + h.length > h.total:
        raise P2PError("Offset %d + Length %d exceeds TotalSize %d"
                       % (h.offset, h.length, h.total))
    return headers.get("p2p-dest", ""), h, body, footer


def is_data(payload):
    """Whether a MSG payload is a P2P data chunk (SessionID not 0, at least one data byte)."""
    if b"x-msnmsgrp2p" not in payload[:160]:
        return False
    try:
        _, h, _, _ = parse(payload)
    except P2PError:
        return False
    return h.session != 0 and h.length > 0


def build(dest, h, body=b"", footer=0):
    """-> the MSG payload of one P2P message to `dest`."""
    return (("MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\n"
             "P2P-Dest: %s\r\n\r\n" % dest).encode("utf-8")
            + HEADER.pack(*h) + body + struct.pack(">I", footer))


def ack_for(ident, h):
    """The P2P ACK (flags 0x2) of the complete message whose first header is `h`."""
    return Header(h.session, ident, 0, h.total, 0, FLAG_ACK, h.ident, h.ack_id, h.total)


# ---- MSNSLP ------------------------------------------------------------------------------------

class Slp:
    """One parsed SLP message: `start` line, `headers` {lower: value}, `fields` of the body."""

    def __init__(self, start, headers, fields):
        self.start = start
        self.headers = headers
        self.fields = fields

    @property
    def method(self):
        return self.start.split(" ", 1)[0]

    @property
    def status(self):
        """`200`, `603`, ... for a response; None for a request."""
        parts = self.start.split(" ")
        return parts[1] if parts[0] == "MSNSLP/1.0" and len(parts) > 1 else None

    @property
    def call_id(self):
        return self.headers.get("call-id", "")

    @property
    def content_type(self):
        return self.headers.get("content-type", "")

    def address(self, header):
        """The address in `To: <msnmsgr:x>` / `From: ...`, lower case."""
        m = re.match(r"^<msnmsgr:([^>]{1,129})>$", self.headers.get(header, ""))
        return m.group(1).lower() if m else ""


def parse_slp(data):
    """Reassembled SessionID-0 data -> Slp; raises P2PError."""
    text = data.split(b"\0", 1)[0].decode("utf-8", "replace")
    head, sep, body = text.partition("\r\n\r\n")
    if not sep:
        raise P2PError("SLP message without an empty line after its headers")
    lines = head.split("\r\n")
    headers = {}
    for line in lines[1:64]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    fields = {}
    for line in body.split("\r\n")[:64]:
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip().lower()] = value.strip()
    return Slp(lines[0], headers, fields)


def build_slp(start, to, frm, branch, cseq, call_id, ctype, body):
    """-> SLP bytes, NUL-terminated; Content-Length counts the body and the NUL (§11.2)."""
    data = body.encode("utf-8") + b"\0"
    return ("%s\r\nTo: <msnmsgr:%s>\r\nFrom: <msnmsgr:%s>\r\n"
            "Via: MSNSLP/1.0/TLP ;branch=%s\r\nCSeq: %d\r\nCall-ID: %s\r\n"
            "Max-Forwards: 0\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
            % (start, to, frm, branch, cseq, call_id, ctype, len(data))).encode("utf-8") + data


def new_guid():
    return "{%s}" % str(uuid.uuid4()).upper()


def new_session_id():
    """A random SessionID: never 0 (SLP) nor 64 (ink)."""
    while True:
        sid = 4 + secrets.randbelow(0xFFFFFF00)
        if sid != 64:
            return sid


# ---- MSN objects and pictures --------------------------------------------------------------------

def sha1_b64(data):
    return base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")


def make_msnobj(creator, data, location="0", friendly="AAA=", obj_type=3):
    """The msnobj string of `data` (§11.5): attribute order fixed, SHA1D and SHA1C computed."""
    sha1d = sha1_b64(data)
    sha1c = sha1_b64(("Creator%sSize%dType%dLocation%sFriendly%sSHA1D%s"
                      % (creator, len(data), obj_type, location, friendly, sha1d))
                     .encode("utf-8"))
    return ('<msnobj Creator="%s" Size="%d" Type="%d" Location="%s" Friendly="%s" '
            'SHA1D="%s" SHA1C="%s"/>' % (creator, len(data), obj_type, location, friendly,
                                         sha1d, sha1c))


_ATTR = re.compile(r'([A-Za-z0-9]{1,16})="([^"]{0,512})"')


def parse_msnobj(text):
    """An msnobj string -> {attribute: value}, or None when it is not one (bounded)."""
    if not text or len(text) > MAX_MSNOBJ or not text.startswith("<msnobj ") \
            or not text.endswith("/>"):
        return None
    attrs = dict(_ATTR.findall(text))
    if not all(k in attrs for k in ("Creator", "Size", "Type", "SHA1D")):
        return None
    return attrs


def _png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def make_png(seed, size=96, cell=6):
    """A valid size x size RGB PNG: a pattern of cell x cell squares whose colours come from
    `seed` (a few kilobytes: more than one 1202-byte chunk, like a real picture)."""
    digest = b""
    counter = 0
    cells = size // cell
    while len(digest) < cells * cells * 3:
        digest += hashlib.sha256(("%s:%d" % (seed, counter)).encode("utf-8")).digest()
        counter += 1
    rows = []
    for y in range(size):
        row = bytearray(b"\0")                     # filter type None
        for x in range(size):
            i = ((y // cell) * cells + x // cell) * 3
            row += digest[i:i + 3]
        rows.append(bytes(row))
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _png_chunk(b"IEND", b""))


# ---- what the dump shows -------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.invites = collections.Counter()       # (from lower, to lower) -> session INVITEs
        self.active = collections.Counter()        # requester lower -> sessions served now
        self.peak = collections.Counter()          # requester lower -> most at once
        self.received = {}                          # user lower -> (sha1d, size, sha1d ok)

    def note_relay(self, sender, payload):
        """Count a session INVITE (SessionID 0, first chunk, sessionreqbody) on its way."""
        if b"x-msnmsgrp2p" not in payload[:160]:
            return
        try:
            dest, h, body, _ = parse(payload)
        except P2PError:
            return
        if h.session == 0 and h.offset == 0 and body.startswith(b"INVITE ") \
                and SESSION_REQ.encode("ascii") in body:
            self.invites[(sender.lower(), dest.lower())] += 1

    def serving(self, requester, delta):
        key = requester.lower()
        self.active[key] += delta
        self.peak[key] = max(self.peak[key], self.active[key])


STATS = Stats()


# ---- one peer in one switchboard -----------------------------------------------------------------

class _Served:
    """A picture session this endpoint serves."""

    def __init__(self, remote, sid, call_id, app_id):
        self.remote = remote
        self.sid = sid
        self.call_id = call_id
        self.app_id = app_id
        self.data_ident = None         # Identifier of the data message, for its final ACK
        self.timer = None
        self.endpoint = None           # the Endpoint (switchboard) the session started in


class _Fetch:
    """A picture this endpoint requested."""

    def __init__(self, remote, msnobj, attrs, done):
        self.remote = remote
        self.msnobj = msnobj
        self.sha1d = attrs["SHA1D"]
        self.sid = new_session_id()
        self.call_id = new_guid()
        self.branch = new_guid()
        self.done = done               # callback(data or None, why)
        self.accepted = False          # a 200 OK came: giving up needs a BYE (§11.6)
        self.bye_ident = None
        self.result = None
        self.timer = None
        self.endpoint = None           # the Endpoint (switchboard) the session started in


class PeerSessions:
    """The P2P sessions of one server peer, shared by its endpoints in every switchboard."""

    def __init__(self):
        self.served = {}
        self.fetches = {}


class Endpoint:
    """A server peer (`me`, with `picture` bytes and its `msnobj` string, or none) in one
    switchboard. `send(payload)` relays a P2P payload to the session; `later(delay, fn)` runs
    fn unless the session has ended and returns a handle with cancel()."""

    def __init__(self, me, picture, msnobj, send, later, sessions=None, files=None):
        self.me = me
        # The bot's file sessions (ft.FileSessions; None: file INVITEs are declined), and how
        # it speaks in the conversation and sees the reader's backlog (set by the bot).
        self.files = files
        self.tell = None
        self.backlog = None
        self.picture = picture
        self.msnobj = msnobj
        self.objects = {}              # other MSN objects served: msnobj string -> data
        self.send_payload = send
        self.later = later
        self.ident = 1000 + secrets.randbelow(0x7FFFFFFF)
        self.pending = collections.OrderedDict()  # (remote, sid, ident) -> [Header, bytearray]
        # The peer's P2P sessions, by Call-ID. A real peer keeps them per remote, not per
        # switchboard: the answer to an INVITE may come back over another switchboard with the
        # same remote, so the endpoints of one peer share `sessions` (a PeerSessions).
        sessions = sessions if sessions is not None else PeerSessions()
        self.served = sessions.served  # call id -> _Served
        self.fetches = sessions.fetches  # call id -> _Fetch

    # -- sending --

    def _next_ident(self):
        self.ident = (self.ident + 1) & 0xFFFFFFFF or 1
        return self.ident

    def _send(self, remote, h, body=b"", footer=0):
        self.send_payload(build(remote, h, body, footer))

    def _send_message(self, remote, session, data, flags=0, footer=0):
        """One P2P message, split into chunks of at most MAX_CHUNK; -> its Identifier."""
        ident, ack_id = self._next_ident(), secrets.randbits(32)
        for offset in range(0, max(len(data), 1), MAX_CHUNK):
            piece = data[offset:offset + MAX_CHUNK]
            self._send(remote, Header(session, ident, offset, len(data), len(piece), flags,
                                      ack_id, 0, 0), piece, footer)
        return ident

    def send_ink(self, remote, blob):
        """Ink over P2P (reference §11.9): SessionID 64, no INVITE, footer 3; -> Identifier."""
        return self._send_message(remote, INK_SESSION, blob, 0, INK_FOOTER)

    def _send_slp(self, remote, data):
        return self._send_message(remote, 0, data)

    # -- receiving --

    def receive(self, sender, payload):
        """A MSG payload from `sender` (email) in this switchboard."""
        try:
            dest, h, body, footer = parse(payload)
        except P2PError as exc:
            return log.warning("%s: bad P2P message from %s: %s", self.me, sender, exc)
        if dest.lower() != self.me.lower():
            return                     # for another participant (§11.6 multiplexing)
        remote = sender.lower()
        if h.flags in (FLAG_ACK, FLAG_CLOSE) or (h.flags & FLAG_ACK and h.length == 0):
            return self._on_ack(remote, h)
        if h.flags & (FLAG_ERROR | FLAG_TLP_ERROR):
            log.info("%s: P2P error flags 0x%x from %s (session %d)", self.me, h.flags, sender,
                     h.session)
            return self._abort_session(remote, h.session)
        if h.flags == FLAG_NAK and h.length == 0 and self.files is not None:
            return self.files.on_nak(remote, h)    # go on after a broken direct connection
        if h.flags & (FLAG_NAK | FLAG_RAK | FLAG_DC) and h.length == 0:
            return                     # control packets: nothing to send back
        if h.session != 0 and self.files is not None and self.files.takes(remote, h.session):
            # File data is hashed chunk by chunk, never reassembled (ft.py).
            return self.files.on_chunk(remote, h, body, "sb")
        if h.flags not in (0,) and h.flags not in DATA_FLAGS:
            return log.info("%s: P2P flags 0x%x from %s ignored", self.me, h.flags, sender)
        complete = self._reassemble(remote, h, body)
        if complete is None:
            return
        first, data = complete
        self._send(remote, ack_for(self._next_ident(), first))
        if first.session == 0:
            return self._on_slp(remote, data)
        self._on_data(remote, first, data)

    def _reassemble(self, remote, h, body):
        """-> (first header, data) when the message is complete, else None."""
        limit = MAX_SLP if h.session == 0 else MAX_DATA
        if h.total > limit:
            log.warning("%s: P2P message of %d bytes from %s (session %d) exceeds %d; dropped",
                        self.me, h.total, remote, h.session, limit)
            return None
        key = (remote, h.session, h.ident)
        entry = self.pending.get(key)
        if entry is None:
            if h.offset != 0:
                log.warning("%s: P2P chunk at offset %d of an unknown message from %s",
                            self.me, h.offset, remote)
                return None
            if len(self.pending) >= MAX_PENDING:
                self.pending.popitem(last=False)
            entry = self.pending[key] = [h, bytearray()]
        elif h.offset != len(entry[1]) or h.total != entry[0].total:
            log.warning("%s: P2P chunk at offset %d (total %d) from %s, expected offset %d; "
                        "message dropped", self.me, h.offset, h.total, remote, len(entry[1]))
            del self.pending[key]
            return None
        entry[1] += body
        if len(entry[1]) < entry[0].total:
            return None
        del self.pending[key]
        return entry[0], bytes(entry[1])

    # -- SLP --

    def _on_slp(self, remote, data):
        try:
            slp = parse_slp(data)
        except P2PError as exc:
            return log.warning("%s: bad SLP from %s: %s", self.me, remote, exc)
        log.info("%s: SLP from %s: %s (Call-ID %s)", self.me, remote, slp.start[:80],
                 slp.call_id)
        if slp.method == "INVITE":
            return self._on_invite(remote, slp)
        if slp.method == "BYE":
            return self._on_bye(remote, slp)
        if self.files is not None and slp.status is not None \
                and self.files.on_response(remote, slp):
            return
        fetch = self.fetches.get(slp.call_id)
        if fetch is None:
            return
        if slp.status == "200":
            fetch.accepted = True
            log.info("%s: %s accepted the picture request", self.me, remote)
        elif slp.status is not None:
            self._finish_fetch(fetch, None, "%s answered %s" % (remote, slp.start[11:]))

    def _reply(self, remote, slp, status, sid):
        body = "SessionID: %s\r\n\r\n" % sid
        branch = re.search(r"branch=(\S+)", slp.headers.get("via", ""))
        self._send_slp(remote, build_slp("MSNSLP/1.0 " + status, remote, self.me,
                                         branch.group(1) if branch else new_guid(), 1,
                                         slp.call_id, SESSION_REQ, body))

    def _on_invite(self, remote, slp):
        if self.files is not None and self.files.on_invite(self, remote, slp):
            return
        sid = slp.fields.get("sessionid", "")
        why = self._invite_problem(slp)
        if why is not None:
            log.info("%s: 603 Decline to %s: %s", self.me, remote, why)
            return self._reply(remote, slp, "603 Decline", sid if sid.isdigit() else "0")
        app_id = int(slp.fields["appid"])
        served = _Served(remote, int(sid), slp.call_id, app_id)
        served.endpoint = self
        self.served[slp.call_id] = served
        STATS.serving(remote, +1)
        served.timer = self.later(SERVE_TIMEOUT, lambda: self._end_served(served, "timeout"))
        data = self.objects.get(self._asked(slp), self.picture)
        self._reply(remote, slp, "200 OK", sid)
        # Data preparation (4 zero bytes; footer 1 as WLM sends it), then the object.
        self._send_message(remote, served.sid, b"\0\0\0\0", 0, 1)
        served.data_ident = self._send_message(remote, served.sid, data, FLAG_DATA, app_id)
        log.info("%s: sent an object (%d bytes, AppID %d) to %s", self.me, len(data), app_id,
                 remote)

    @staticmethod
    def _asked(slp):
        """The msnobj string of an INVITE's Context (None when it is not base64)."""
        try:
            context = base64.b64decode(slp.fields.get("context", ""), validate=True)
        except ValueError:
            return None
        return context.rstrip(b"\0").decode("utf-8", "replace")

    def _invite_problem(self, slp):
        """Why an INVITE is declined, or None to serve it."""
        if slp.content_type != SESSION_REQ:
            return "content type %r" % slp.content_type
        if slp.address("to") != self.me.lower():
            return "addressed to %r" % slp.headers.get("to")
        if slp.fields.get("euf-guid", "").upper() != EUF_MSNOBJ:
            return "EUF-GUID %s" % slp.fields.get("euf-guid")
        app_id, sid = slp.fields.get("appid", ""), slp.fields.get("sessionid", "")
        if not app_id.isdigit() or int(app_id) not in PICTURE_APP_IDS:
            return "AppID %r" % app_id
        if not sid.isdigit() or not 0 < int(sid) <= 0xFFFFFFFF or int(sid) == 64:
            return "SessionID %r" % sid
        if slp.call_id in self.served:
            return "Call-ID %s already in use" % slp.call_id
        asked = self._asked(slp)
        if asked is None:
            return "Context is not base64"
        if asked in self.objects:
            return None
        if self.picture is None or asked != self.msnobj:
            return "Context is not one of this peer's msnobjs: %r" % asked[:300]
        return None

    def _on_bye(self, remote, slp):
        if self.files is not None and self.files.on_bye(remote, slp):
            return
        served = self.served.get(slp.call_id)
        if served is not None:
            return self._end_served(served, "BYE from %s" % remote)
        fetch = self.fetches.get(slp.call_id)
        if fetch is not None:
            self._finish_fetch(fetch, None, "%s closed the session with BYE" % remote)

    def _end_served(self, served, why):
        if self.served.get(served.call_id) is not served:
            return
        del self.served[served.call_id]
        if served.timer is not None:
            served.timer.cancel()
        STATS.serving(served.remote, -1)
        log.info("%s: picture session %d with %s over (%s)", self.me, served.sid,
                 served.remote, why)

    def _abort_session(self, remote, sid):
        if self.files is not None:
            self.files.abort(remote, sid)
        for served in [s for s in self.served.values() if s.sid == sid and s.remote == remote]:
            self._end_served(served, "error flags")
        for fetch in [f for f in self.fetches.values() if f.sid == sid and f.remote == remote]:
            self._finish_fetch(fetch, None, "error flags from %s" % remote)

    def _on_ack(self, remote, h):
        if self.files is not None and self.files.on_ack(remote, h):
            return
        for served in self.served.values():
            if served.remote == remote and served.data_ident == h.ack_id:
                # The data arrived; the requester should now close with BYE (§11.6).
                served.timer.cancel()
                served.timer = self.later(
                    BYE_WAIT, lambda s=served: self._end_served(s, "no BYE after the data"))
                return
        for fetch in list(self.fetches.values()):
            if fetch.remote == remote and fetch.bye_ident is not None \
                    and fetch.bye_ident == h.ack_id:
                self._complete_fetch(fetch)
                return

    # -- data --

    def _on_data(self, remote, first, data):
        fetch = next((f for f in self.fetches.values()
                      if f.sid == first.session and f.remote == remote), None)
        if fetch is None:
            return log.info("%s: %d bytes for unknown session %d from %s ignored", self.me,
                            len(data), first.session, remote)
        if first.flags == 0 and first.total == 4 and data == b"\0\0\0\0":
            return                     # data preparation: ACKed, nothing else to do
        if first.flags not in DATA_FLAGS:
            return log.info("%s: session %d data with flags 0x%x ignored", self.me,
                            first.session, first.flags)
        ok = sha1_b64(data) == fetch.sha1d
        fetch.result = (data, ok)
        fetch.bye_ident = self._send_bye(fetch)
        # The requester's BYE is confirmed by the peer's ACK; do not wait for ever.
        fetch.timer.cancel()
        fetch.timer = self.later(BYE_WAIT, lambda: self._complete_fetch(fetch))

    # -- fetching --

    def fetch(self, remote, msnobj, app_id, done):
        """Request `remote`'s object `msnobj` (string as announced); `done(data, ok, why)`."""
        attrs = parse_msnobj(msnobj)
        fetch = _Fetch(remote.lower(), msnobj, attrs, done)
        fetch.endpoint = self
        self.fetches[fetch.call_id] = fetch
        body = ("EUF-GUID: %s\r\nSessionID: %d\r\nAppID: %d\r\nContext: %s\r\n\r\n"
                % (EUF_MSNOBJ, fetch.sid, app_id,
                   base64.b64encode(msnobj.encode("utf-8")).decode("ascii")))
        self._send_slp(fetch.remote, build_slp("INVITE MSNMSGR:%s MSNSLP/1.0" % remote, remote,
                                               self.me, fetch.branch, 0, fetch.call_id,
                                               SESSION_REQ, body))
        fetch.timer = self.later(FETCH_TIMEOUT, lambda: self._give_up(fetch))
        log.info("%s: requests %s from %s (session %d)", self.me, attrs["SHA1D"], remote,
                 fetch.sid)

    def _send_bye(self, fetch):
        """BYE on the fetch's Call-ID with a new branch; -> its Identifier."""
        return self._send_slp(fetch.remote, build_slp(
            "BYE MSNMSGR:%s MSNSLP/1.0" % fetch.remote, fetch.remote, self.me, new_guid(), 0,
            fetch.call_id, SESSION_CLOSE, "\r\n"))

    def _give_up(self, fetch):
        if fetch.accepted and fetch.result is None:
            self._send_bye(fetch)
        self._finish_fetch(fetch, None, "no picture from %s within %g s"
                           % (fetch.remote, FETCH_TIMEOUT))

    def _complete_fetch(self, fetch):
        data, ok = fetch.result
        self._finish_fetch(fetch, data, "SHA1D ok" if ok else "SHA1D mismatch", ok)

    def _finish_fetch(self, fetch, data, why, ok=False):
        if self.fetches.pop(fetch.call_id, None) is None:
            return
        if fetch.timer is not None:
            fetch.timer.cancel()
        log.info("%s: fetch from %s over: %s", self.me, fetch.remote, why)
        fetch.done(data, ok, why)

    def close(self):
        """The switchboard session ended: forget every session started in it."""
        for served in [s for s in self.served.values() if s.endpoint is self]:
            self._end_served(served, "switchboard closed")
        for fetch in [f for f in self.fetches.values() if f.endpoint is self]:
            self._finish_fetch(fetch, None, "the switchboard closed")
        if self.files is not None:
            self.files.endpoint_closed(self)
        self.pending.clear()

