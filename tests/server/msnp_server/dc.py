"""Direct connections (TCPv1) of the bot's file sessions: MSNP15 reference §11.7, split out of
ft.py (which keeps the sessions themselves). Written from the reference, independently of the
client engine: listening, connecting, the `foo` + nonce handshake with a plain `Nonce` or a
`Hashed-Nonce` (any mismatch falls back to the switchboard), and a connection that breaks
mid-way (`--bot-dc-break N`): the receiver's NAK over the switchboard says where the sender goes
on. `DirectSessions` is the half of ft.FileSessions that does this; it logs as msnp.ft.
"""

import asyncio
import hashlib
import ipaddress
import logging
import secrets
import socket
import struct
import uuid

from . import p2p

log = logging.getLogger("msnp.ft")

TRANS_REQ = "application/x-msnmsgr-transreqbody"
TRANS_RESP = "application/x-msnmsgr-transrespbody"
DC_CHUNK = 1352                    # data bytes per direct-connection packet (§11.7)
DC_MAX_PACKET = 48 + 8192          # the plugin's DC_MAX_BODY_SIZE; anything longer is refused
ZERO_NONCE = "{00000000-0000-0000-0000-000000000000}"
TRANSRESP_WAIT = 5.0               # our transreq without an answer: switchboard
CONNECT_TIMEOUT = 5.0              # per address, and for the handshake (plugin, papyon)
LISTEN_TIMEOUT = 15.0              # listening without a connection (plugin)
RESUME_WAIT = 10.0                 # a broken direct connection: for the NAK, or for the data


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


class Direct:
    """An established direct connection for one transfer."""

    def __init__(self, files, t, reader, writer):
        self.files, self.t = files, t
        self.reader, self.writer = reader, writer
        self.closed = False
        self.task = None

    def send(self, h, body=b""):
        if not self.closed and self.writer.transport.is_closing():
            self.closed = True  # the peer has gone; see wire.Wire.write_raw
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


# ---- the bot's side of direct connections ---------------------------------------------------------

class DirectSessions:
    """The direct-connection half of ft.FileSessions (a mixin: it uses that class's state and
    helpers: by_call, direct, dc_break, _reply, _tell, _finish, _later, find, ...)."""

    # -- direct connections: the client's offer (bot receiving) --

    def on_transreq(self, endpoint, remote, slp):
        from .ft import Transfer   # ft imports this module
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

    async def _send_dc(self, t):
        from .ft import FILE_FLAGS   # ft imports this module
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
