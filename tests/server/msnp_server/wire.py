"""NS framing: CRLF-terminated command lines, some followed by an exact-length payload."""

import asyncio
import logging

MAX_LINE = 8192              # bytes in one command line, CRLF included
MAX_PAYLOAD = 256 * 1024     # bytes in one client payload

# Client-to-server commands whose last parameter is a payload length
# (docs/protocol/notification-server.md).
PAYLOAD_COMMANDS = frozenset({"ADL", "RML", "FQY", "UUX", "QRY", "UUN", "UUM", "MSG"})
# Client commands that carry no TrID.
NO_TRID = frozenset({"PNG", "OUT"})


class Closed(Exception):
    """The peer closed the connection (cleanly or not)."""


class FramingError(Exception):
    """The byte stream cannot be framed as MSNP; the connection must be dropped."""


class Command:
    def __init__(self, raw, tokens, payload=None):
        self.raw = raw                # the line without CRLF (str)
        self.name = tokens[0]
        self.tokens = tokens
        self.payload = payload        # bytes or None

    @property
    def trid(self):
        return self.tokens[1] if self.name not in NO_TRID and len(self.tokens) > 1 else None

    @property
    def args(self):
        """Parameters after the TrID (after the name for PNG/OUT)."""
        return self.tokens[1:] if self.name in NO_TRID else self.tokens[2:]

    def __repr__(self):
        return "Command(%r, payload=%r)" % (self.raw, self.payload)


class Wire:
    def __init__(self, reader, writer, tag, log):
        self.reader = reader
        self.writer = writer
        self.tag = tag
        self.log = log
        self.closed = False

    async def read_line(self):
        try:
            data = await self.reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise FramingError("connection closed inside a line: %r" % exc.partial[:200])
            raise Closed()
        except asyncio.LimitOverrunError:
            raise FramingError("command line longer than %d bytes" % MAX_LINE)
        except (ConnectionError, OSError) as exc:
            raise Closed() from exc
        if not data.endswith(b"\r\n"):
            raise FramingError("line not terminated by CRLF: %r" % data[:200])
        try:
            return data[:-2].decode("utf-8")
        except UnicodeDecodeError:
            raise FramingError("line is not UTF-8: %r" % data[:200])

    async def read_exactly(self, n):
        try:
            return await self.reader.readexactly(n)
        except asyncio.IncompleteReadError as exc:
            raise FramingError("connection closed after %d of %d payload bytes"
                               % (len(exc.partial), n))
        except (ConnectionError, OSError) as exc:
            raise Closed() from exc

    async def read_command(self):
        """Next Command (with its payload read in full). Raises Closed or FramingError."""
        line = await self.read_line()
        tokens = line.split(" ")
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("%s >>> %s", self.tag, line)
        payload = None
        if tokens[0] in PAYLOAD_COMMANDS and len(tokens) >= 3:
            size = tokens[-1]
            if not size.isdigit() or len(size) > 9:
                raise FramingError("bad payload length in %r" % line)
            n = int(size)
            if n > MAX_PAYLOAD:
                raise FramingError("payload of %d bytes exceeds %d" % (n, MAX_PAYLOAD))
            payload = await self.read_exactly(n)
            if self.log.isEnabledFor(logging.DEBUG):
                self.log.debug("%s >>> [payload %d] %s", self.tag, n, show(payload))
        return Command(line, tokens, payload)

    def send(self, line, payload=None):
        """Queue one command line (and payload) in a single write."""
        if self.closed:
            return
        data = line.encode("utf-8") + b"\r\n" + (payload or b"")
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("%s <<< %s", self.tag, line)
            if payload:
                self.log.debug("%s <<< [payload %d] %s", self.tag, len(payload), show(payload))
        self.write_raw(data, log=False)

    def write_raw(self, data, log=True):
        if self.closed:
            return
        # A peer that has gone is only noticed by the read loop later; writing on meanwhile
        # would make asyncio warn about writes to a lost connection.
        if self.writer.transport.is_closing():
            self.closed = True
            return
        if log and self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("%s <<< [raw %d bytes] %s", self.tag, len(data), show(data))
        try:
            self.writer.write(data)
        except (ConnectionError, OSError, RuntimeError):
            self.closed = True

    async def flush(self):
        if self.closed:
            return
        try:
            await self.writer.drain()
        except (ConnectionError, OSError):
            self.closed = True

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.writer.close()
            except (ConnectionError, OSError, RuntimeError):
                pass

    async def drain_input(self, max_bytes=16 * 1024 * 1024):
        """Read and discard until EOF (used when a step is left unanswered)."""
        total = 0
        while total < max_bytes:
            try:
                data = await self.reader.read(65536)
            except (ConnectionError, OSError):
                return
            if not data:
                return
            total += len(data)
            if self.log.isEnabledFor(logging.DEBUG):
                self.log.debug("%s >>> [ignored %d bytes] %s", self.tag, len(data), show(data))


def show(data, limit=1500):
    text = data[:limit].decode("utf-8", "backslashreplace")
    return text + ("...[+%d bytes]" % (len(data) - limit) if len(data) > limit else "")
