"""The bot account (--bot EMAIL, --bot-name NAME): always online, echoes on the switchboard.

It is not a signed-in NS session: it has no password and never signs in. It joins every
switchboard it is CALled to (from anyone), and in a conversation:
  * a text/plain message (multi-part `Chunks:` messages reassembled) is answered with a typing
    notification and then `You said: <text>` with the sender's X-MMS-IM-Format header (split
    into `Message-ID`/`Chunks` parts when longer than one MSG may be);
  * a nudge (text/x-msnmsgr-datacast `ID: 1`) is answered with a nudge;
  * everything else (typing, caps, emoticons, P2P, ...) is ignored.
OIMs sent to the bot are accepted by Store2 and dropped (oim.py).

For the presence side (contact lists): `presence(server, email)` says how the bot appears to
anyone who has it on a list; `get(server)` gives the Bot (or None without --bot).
"""

import asyncio
import logging
import uuid
from collections import namedtuple

from . import sb

log = logging.getLogger("msnp.bot")

CAPS = 0x20000                     # client id: "Bot" flag only (no MSNC / P2P support)
JOIN_DELAY = 0.05                  # seconds between CAL RINGING and the bot's JOI
REPLY_DELAY = 0.2                  # seconds between the typing notification and the reply
PSM = "I repeat what you say"
MAX_PENDING_CHUNKS = 64            # multi-part messages being reassembled, per conversation

Presence = namedtuple("Presence", "status network friendly caps msnobj psm")


def get(server):
    """The Bot of this server, or None (no --bot)."""
    return getattr(server, "bot", None)


def presence(server, email):
    """If `email` is the bot: how it appears to everyone (it is always online, status NLN,
    network 1, no display picture); else None. For ILN/NLN/UBX of contact lists that hold it."""
    bot = get(server)
    if bot is None or not bot.is_bot(email):
        return None
    return Presence(bot.status, 1, bot.friendly, bot.caps, None, PSM)


def _headers(block):
    out = {}
    for line in block.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            out[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    return out


def _charset(ctype):
    for part in ctype.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip('"') or "iso-8859-1"
    return "iso-8859-1"            # text/plain without charset (docs/protocol/switchboard.md)


def _split_utf8(data, size):
    """Split bytes into pieces of at most `size` bytes without cutting a UTF-8 sequence."""
    pieces = []
    while len(data) > size:
        cut = size
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        pieces.append(data[:cut])
        data = data[cut:]
    pieces.append(data)
    return pieces


def text_payloads(email_format, text, limit=sb.MAX_MSG):
    """MSG payloads for a text reply: one, or a Message-ID/Chunks multi-part message."""
    head = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
    if email_format:
        head += "X-MMS-IM-Format: %s\r\n" % email_format
    body = text.encode("utf-8")
    single = (head + "\r\n").encode("utf-8") + body
    if len(single) <= limit:
        return [single]
    msgid = "{%s}" % str(uuid.uuid4()).upper()

    def first_head(count):
        return (head + "Message-ID: %s\r\nChunks: %d\r\n\r\n" % (msgid, count)).encode("utf-8")
    room_first = limit - len(first_head(9999))
    room_rest = limit - len(("Message-ID: %s\r\nChunk: 9999\r\n\r\n" % msgid).encode("utf-8"))
    parts = _split_utf8(body, room_first)
    rest = b"".join(parts[1:])
    pieces = [parts[0]] + (_split_utf8(rest, room_rest) if rest else [])
    out = [first_head(len(pieces)) + pieces[0]]
    for i, piece in enumerate(pieces[1:], 1):
        out.append(("Message-ID: %s\r\nChunk: %d\r\n\r\n" % (msgid, i)).encode("utf-8") + piece)
    return out


class Bot:
    def __init__(self, email, friendly):
        self.email = email
        self.friendly = friendly
        self.caps = CAPS
        self.status = "NLN"

    def is_bot(self, email):
        return email.lower() == self.email.lower()

    def invite(self, session):
        """CALled into `session`: join it shortly (after the caller's CAL RINGING)."""
        asyncio.get_running_loop().call_later(JOIN_DELAY, self._join, session)

    def _join(self, session):
        if session.ended or session.member(self.email) is not None:
            return
        session.join(BotMember(self, session))


class BotMember:
    """The bot as a participant of one switchboard session."""

    def __init__(self, bot, session):
        self.bot = bot
        self.session = session
        self.email = bot.email
        self.friendly = bot.friendly
        self.caps = bot.caps
        self.chunks = {}          # (sender, Message-ID) -> [headers, {index: body}, total]
        self.timers = set()

    # ---- participant interface (see sb.Session) ---------------------------------------------

    def send(self, line, payload=None):
        """JOI/BYE lines addressed to the bot: nothing to do."""

    def drop(self):
        self.session_ended(self.session)

    def session_ended(self, session):
        for handle in self.timers:
            handle.cancel()
        self.timers.clear()

    def deliver(self, sender, payload):
        try:
            self.handle(sender, payload)
        except Exception:              # a bot bug must not break the conversation
            log.exception("bot: failed to handle a message from %s", sender.email)
        return True

    # ---- behaviour ---------------------------------------------------------------------------

    def later(self, delay, fn):
        handle = None

        def fire():
            self.timers.discard(handle)
            if not self.session.ended and self in self.session.members:
                fn()
        handle = asyncio.get_running_loop().call_later(delay, fire)
        self.timers.add(handle)

    def say(self, payload):
        self.session.relay(self, payload)

    def handle(self, sender, payload):
        head, sep, body = payload.partition(b"\r\n\r\n")
        if not sep:
            return
        headers = _headers(head)
        if "chunk" in headers or "chunks" in headers:
            assembled = self.reassemble(sender, headers, body)
            if assembled is None:
                return
            headers, body = assembled
        ctype = headers.get("content-type", "")
        kind = ctype.split(";")[0].strip().lower()
        if kind == "text/plain":
            text = body.decode(_charset(ctype), "replace")
            log.info("bot: %s said %r", sender.email, text[:80])
            typing = ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n"
                      "TypingUser: %s\r\n\r\n\r\n" % self.email).encode("utf-8")
            replies = text_payloads(headers.get("x-mms-im-format"), "You said: " + text)

            def answer():
                for reply in replies:
                    self.say(reply)
            # After the sender's ACK, as over a network: typing at once, the answer a bit later.
            self.later(0, lambda: self.say(typing))
            self.later(REPLY_DELAY, answer)
        elif kind == "text/x-msnmsgr-datacast":
            fields = _headers(body)
            if fields.get("id") == "1":
                log.info("bot: nudge from %s; nudging back", sender.email)
                self.later(REPLY_DELAY, lambda: self.say(
                    b"MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\n"
                    b"ID: 1\r\n"))

    def reassemble(self, sender, headers, body):
        """Collect the parts of a multi-part message; -> (headers, body) once complete."""
        msgid = headers.get("message-id")
        if not msgid:
            return None
        key = (sender.email.lower(), msgid)
        if "chunks" in headers:
            total = headers["chunks"]
            if not (total.isascii() and total.isdigit()) or not 1 <= int(total) <= 100:
                return None
            if len(self.chunks) >= MAX_PENDING_CHUNKS:
                self.chunks.pop(next(iter(self.chunks)))
            self.chunks[key] = [headers, {0: body}, int(total)]
        else:
            entry = self.chunks.get(key)
            index = headers.get("chunk", "")
            if entry is None or not (index.isascii() and index.isdigit()) \
                    or not 0 < int(index) < entry[2]:
                return None
            entry[1][int(index)] = body
        entry = self.chunks[key]
        if len(entry[1]) < entry[2]:
            return None
        del self.chunks[key]
        return entry[0], b"".join(entry[1][i] for i in range(entry[2]))
