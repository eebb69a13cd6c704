"""A small HTTP/1.1 server over asyncio + TLS, with a routing table.

Only what SOAP clients need: Content-Length bodies (no chunked requests), keep-alive unless
`Connection: close` (or HTTP/1.0 without keep-alive), bounded sizes, 400 for malformed requests.
A handler gets a Request and returns a Response, CLOSE (drop the connection without answering)
or SILENT (never answer, keep the connection open until the peer closes it).
"""

import asyncio
import email.utils
import itertools
import logging
import re
import ssl
import urllib.parse

from . import wire

log = logging.getLogger("msnp.web")

MAX_LINE = 8192
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS = 100
MAX_BODY = 1024 * 1024
MAX_REQUESTS_PER_CONNECTION = 1000
IDLE_TIMEOUT = 60.0          # waiting for (the first line of) a request
BODY_TIMEOUT = 30.0          # waiting for the rest of a request

CLOSE = object()
SILENT = object()

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_ids = itertools.count(1)

REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required",
           413: "Payload Too Large", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 501: "Not Implemented",
           505: "HTTP Version Not Supported"}


class Request:
    def __init__(self, method, target, version, headers, body, conn_tag):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers            # list of (name, value), names as sent
        self.body = body
        self.conn_tag = conn_tag
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.query = parts.query

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default


class Response:
    def __init__(self, status, body=b"", content_type="text/xml; charset=utf-8", headers=(),
                 close=False):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = list(headers)
        self.close = close


def text_response(status, text, close=False):
    return Response(status, text + "\n", "text/plain; charset=utf-8", close=close)


class BadRequest(Exception):
    def __init__(self, status, why):
        super().__init__(why)
        self.status = status


class WebServer:
    def __init__(self, routes, verbose=False):
        self.routes = routes                     # path -> async handler(request)
        self.verbose = verbose

    def ssl_context(self, cert_pem, key_pem):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert_pem, key_pem)
        return ctx

    async def handle(self, reader, writer):
        tag = "web#%d" % next(_ids)
        peer = writer.get_extra_info("peername")
        log.info("%s: connection from %s", tag, peer)
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                keep = await self._one(tag, reader, writer)
                if not keep:
                    break
        except (ConnectionError, OSError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
            log.info("%s: connection error: %s", tag, exc)
        finally:
            try:
                writer.close()
            except (ConnectionError, OSError, RuntimeError):
                pass
            log.info("%s: closed", tag)

    async def _one(self, tag, reader, writer):
        """Serve one request; True to keep the connection for another."""
        try:
            first = await asyncio.wait_for(reader.readuntil(b"\n"), IDLE_TIMEOUT)
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                log.warning("%s: connection closed inside the request line", tag)
            return False
        except asyncio.LimitOverrunError:
            await self._send(tag, writer, text_response(400, "request line too long"), "")
            return False
        except asyncio.TimeoutError:
            log.info("%s: idle for %g s; closing", tag, IDLE_TIMEOUT)
            return False
        try:
            req = await asyncio.wait_for(self._read_request(tag, first, reader), BODY_TIMEOUT)
        except BadRequest as exc:
            log.warning("%s: %d: %s", tag, exc.status, exc)
            await self._send(tag, writer, text_response(exc.status, str(exc), close=True), "")
            return False
        except asyncio.TimeoutError:
            log.warning("%s: request incomplete after %g s", tag, BODY_TIMEOUT)
            await self._send(tag, writer, text_response(408, "request timeout", close=True), "")
            return False
        log.info("%s: %s %s (%d bytes)", tag, req.method, req.target, len(req.body))
        if self.verbose:
            for k, v in req.headers:
                log.debug("%s >>> %s: %s", tag, k, v)
            if req.body:
                log.debug("%s >>> [body] %s", tag, wire.show(req.body, 8000))
        handler = self.routes.get(req.path)
        if handler is None:
            resp = text_response(404, "no service at %s" % req.path)
        else:
            try:
                resp = await handler(req)
            except Exception:          # a server bug: answer 500, keep serving others
                log.exception("%s: handler for %s failed", tag, req.path)
                resp = text_response(500, "internal error in msnp-server", close=True)
        if resp is CLOSE:
            log.info("%s: closing without a response", tag)
            return False
        if resp is SILENT:
            log.info("%s: not answering; waiting for the client to close", tag)
            total = 0
            while total < 16 * 1024 * 1024:      # bounded by the peer's data; ends at EOF
                data = await reader.read(65536)
                if not data:
                    break
                total += len(data)
            return False
        conn_hdr = (req.header("Connection") or "").lower()
        tokens = {t.strip() for t in conn_hdr.split(",")}
        if req.version == "HTTP/1.0":
            keep = "keep-alive" in tokens
        else:
            keep = "close" not in tokens
        keep = keep and not resp.close
        await self._send(tag, writer, resp, req.version, keep)
        return keep

    async def _read_request(self, tag, first, reader):
        if not first.endswith(b"\r\n"):
            raise BadRequest(400, "request line not terminated by CRLF")
        try:
            line = first[:-2].decode("ascii")
        except UnicodeDecodeError:
            raise BadRequest(400, "request line is not ASCII")
        parts = line.split(" ")
        if len(parts) != 3:
            raise BadRequest(400, "malformed request line %r" % line[:200])
        method, target, version = parts
        if not _TOKEN.match(method):
            raise BadRequest(400, "bad method %r" % method[:40])
        if not re.match(r"^HTTP/\d\.\d$", version):
            raise BadRequest(400, "bad HTTP version %r" % version[:40])
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise BadRequest(505, "unsupported HTTP version %s" % version)
        if not target.startswith("/"):
            # absolute-form is allowed (RFC 7230 5.3.2); anything else is not
            split = urllib.parse.urlsplit(target)
            if split.scheme not in ("http", "https") or not split.netloc:
                raise BadRequest(400, "bad request target %r" % target[:200])
            target = urllib.parse.urlunsplit(("", "", split.path or "/", split.query, ""))
        headers = []
        size = len(first)
        while True:                  # bounded by MAX_HEADERS / MAX_HEADER_BYTES
            try:
                raw = await reader.readuntil(b"\n")
            except asyncio.LimitOverrunError:
                raise BadRequest(431, "header line too long")
            except asyncio.IncompleteReadError:
                raise BadRequest(400, "connection closed inside the headers")
            size += len(raw)
            if size > MAX_HEADER_BYTES:
                raise BadRequest(431, "headers larger than %d bytes" % MAX_HEADER_BYTES)
            if not raw.endswith(b"\r\n"):
                raise BadRequest(400, "header line not terminated by CRLF")
            if raw == b"\r\n":
                break
            if len(headers) >= MAX_HEADERS:
                raise BadRequest(431, "more than %d header fields" % MAX_HEADERS)
            try:
                text = raw[:-2].decode("latin-1")
            except UnicodeDecodeError:     # pragma: no cover - latin-1 decodes anything
                raise BadRequest(400, "bad header encoding")
            if text[:1] in (" ", "\t"):
                raise BadRequest(400, "obsolete header line folding")
            name, sep, value = text.partition(":")
            if not sep or not _TOKEN.match(name):
                raise BadRequest(400, "malformed header line %r" % text[:200])
            headers.append((name, value.strip(" \t")))
        req = Request(method, target, version, headers, b"", tag)
        if version == "HTTP/1.1" and req.header("Host") is None:
            raise BadRequest(400, "HTTP/1.1 request without Host")
        if req.header("Transfer-Encoding") is not None:
            raise BadRequest(501, "Transfer-Encoding is not supported; send Content-Length")
        lengths = {v.strip() for k, v in headers if k.lower() == "content-length"}
        if len(lengths) > 1:
            raise BadRequest(400, "conflicting Content-Length headers")
        if lengths:
            cl = lengths.pop()
            if not cl.isdigit() or len(cl) > 12:
                raise BadRequest(400, "bad Content-Length %r" % cl[:40])
            n = int(cl)
            if n > MAX_BODY:
                raise BadRequest(413, "body of %d bytes exceeds %d" % (n, MAX_BODY))
            try:
                req.body = await reader.readexactly(n)
            except asyncio.IncompleteReadError as exc:
                raise BadRequest(400, "connection closed after %d of %d body bytes"
                                 % (len(exc.partial), n))
        elif method in ("POST", "PUT"):
            raise BadRequest(411, "%s without Content-Length" % method)
        return req

    async def _send(self, tag, writer, resp, version, keep=False):
        reason = REASONS.get(resp.status, "Unknown")
        head = ["HTTP/1.1 %d %s" % (resp.status, reason),
                "Date: %s" % email.utils.formatdate(usegmt=True),
                "Server: msnp-server",
                "Content-Type: %s" % resp.content_type,
                "Content-Length: %d" % len(resp.body),
                "Connection: %s" % ("keep-alive" if keep else "close")]
        head += ["%s: %s" % kv for kv in resp.headers]
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + resp.body
        log.info("%s: -> %d %s (%d bytes)", tag, resp.status, reason, len(resp.body))
        if self.verbose and resp.body:
            log.debug("%s <<< [body] %s", tag, wire.show(resp.body, 8000))
        writer.write(data)
        await writer.drain()
