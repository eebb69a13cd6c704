"""The bot account (--bot EMAIL, --bot-name NAME) and the other peers the server plays.

They are not signed-in NS sessions: they have no password and never sign in. A peer joins every
switchboard it is CALled to (from anyone), and in a conversation:
  * the bot answers a text/plain message (multi-part `Chunks:` messages reassembled) with a
    typing notification and then `You said: <text>` with the sender's X-MMS-IM-Format header
    (split into `Message-ID`/`Chunks` parts when longer than one MSG may be), and a nudge
    (text/x-msnmsgr-datacast `ID: 1`) with a nudge;
  * every peer speaks MSNP2P (p2p.py): it serves its display picture and declines anything
    else; everything else (typing, caps, emoticons, ...) is ignored;
  * the bot also takes files and sends them (ft.py): `send me a file` and `file N` (KiB) are
    commands, not echoed;
  * custom emoticons (emoticons.py): `emoticon` makes the bot use its own, and an emoticon the
    user announces is fetched and reported.
  * `ink`, `ink gif`, `ink p2p`, `ink broken` make the bot send handwriting (ink.py; see
    INK_COMMANDS), not echoed.
  * `wink`, `voice` and `bad wink` make the bot send a wink, a voice clip or a "wink" that is
    no cabinet (media.py; see MEDIA_COMMANDS), not echoed.
The bot also asks for pictures: when a user who has the bot on its forward list (the bot keeps
everyone who added it) announces a display picture (CHG with an msnobj), the bot rings that
user (RNG, as a caller would), requests exactly that object over P2P, checks it against SHA1D,
closes with BYE and says in that switchboard what it got.

With --contact-pictures, every generated contact (contacts.py) is such a peer too: online (NLN),
with its own small picture, without the echo.
OIMs sent to the bot are accepted by Store2 and dropped (oim.py).

For the presence side (contact lists): `presence(server, email)` says how a peer appears to
anyone who has it on a list; `get(server)` gives the Bot (or None without --bot), `peer(server,
email)` any peer.
"""

import asyncio
import logging
import os
import uuid
from collections import namedtuple

from . import contacts, cross, emoticons, ft, ink, media, p2p, sb

log = logging.getLogger("msnp.bot")

PEER_CAPS = 0x80000000 | 0x20      # client id: MSNC 8.5 with P2P packets (p2p.py)
CAPS = PEER_CAPS | 0x20000         # ... and the "Bot" flag
JOIN_DELAY = 0.05                  # seconds between CAL RINGING and the bot's JOI
REPLY_DELAY = 0.2                  # seconds between the typing notification and the reply
PSM = "I repeat what you say"
MAX_PENDING_CHUNKS = 64            # multi-part messages being reassembled, per conversation
FETCH_DELAY = 0.3                  # seconds between a user's new msnobj and the bot's RNG
RING_TIMEOUT = 30.0                # seconds the bot waits for the user to answer its RNG
FETCH_APP_ID = 1                   # AppID of the bot's picture requests (the plugin's)

# Text commands, not echoed: `ink` sends an ISF smiley over the switchboard (in parts), `ink gif`
# a GIF one, `ink p2p` the ISF over P2P SessionID 64, `ink broken` an ISF body that is no ISF.
INK_COMMANDS = frozenset({"ink", "ink gif", "ink p2p", "ink broken"})
BROKEN_ISF = b"\x00\x05\x0a\xff\xff\xff\xff"  # a stroke tag whose size runs past the end
# Text commands, not echoed: a datacast (ID 2 or 3) announcing an object the bot then serves over
# P2P, as WLM sends winks and voice clips (media.py).
MEDIA_COMMANDS = frozenset({"wink", "voice", "bad wink"})

Presence = namedtuple("Presence", "status network friendly caps msnobj psm")


def get(server):
    """The Bot of this server, or None (no --bot)."""
    return getattr(server, "bot", None)


def peer(server, email):
    """The peer the server plays under `email` (the bot, or with --contact-pictures a generated
    contact), or None."""
    bot = get(server)
    if bot is not None and bot.is_bot(email):
        return bot
    if not getattr(server.cfg, "contact_pictures", False) or not email:
        return None
    key = email.lower()
    peers = server.picture_peers
    found = peers.get(key)
    if found is None and server.books.is_generated(key):
        index = int(key[len("contact"):key.index("@")])
        name = contacts.persona(index, server.cfg.contact_names)[1]
        found = peers[key] = Peer(contacts.persona(index)[0], name, "contact:%d" % index)
    return found


def presence(server, email):
    """If `email` is a peer: how it appears to everyone (always online, status NLN, network
    1, with its display picture); else None. For ILN/NLN/UBX of contact lists that hold it."""
    found = peer(server, email)
    if found is None:
        return None
    return Presence(found.status, 1, found.friendly, found.caps, found.msnobj, found.psm)


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


class Peer:
    """An always-online participant played by the server, with a display picture."""

    echo = False
    files = None                   # ft.FileSessions: only the bot takes and sends files

    def __init__(self, email, friendly, seed, cell=6):
        self.email = email
        self.friendly = friendly
        self.caps = PEER_CAPS
        self.status = "NLN"
        self.psm = ""
        self.picture = p2p.make_png(seed, cell=cell)
        self.msnobj = p2p.make_msnobj(email, self.picture)
        self.p2p_sessions = p2p.PeerSessions()  # across all its switchboards

    def is_bot(self, email):
        return email.lower() == self.email.lower()

    def invite(self, session):
        """CALled into `session`: join it shortly (after the caller's CAL RINGING)."""
        asyncio.get_running_loop().call_later(JOIN_DELAY, self._join, session)

    def _join(self, session):
        if session.ended or session.member(self.email) is not None:
            return
        session.join(BotMember(self, session))


class Bot(Peer):
    echo = True

    def __init__(self, email, friendly, direct="listen", file_max=ft.DEFAULT_MAX_SIZE,
                 dc_break=0, cross_kib=0):
        super().__init__(email, friendly, "bot:" + email.lower(), cell=3)
        self.files = ft.FileSessions(email, direct, file_max, dc_break)
        # --bot-cross: a file offered in a switchboard the user opened makes the bot open one
        # of its own at once (cross.py).
        self.cross_kib = cross_kib
        self.files.on_accepted = lambda endpoint, remote: cross.file_offered(
            self, endpoint.owner, remote)
        self.caps = CAPS
        self.psm = PSM
        self.asked = {}                # user lower -> SHA1D last requested
        self.emoticon = emoticons.make_image(email)
        self.emoticon_msnobj = p2p.make_msnobj(email, self.emoticon, obj_type=2)

    def msnobj_announced(self, server, conn):
        """A signed-in user's CHG: fetch its picture when it is new to the bot."""
        attrs = p2p.parse_msnobj(conn.msnobj or "")
        if attrs is None or attrs.get("Type") != "3":
            return
        account = conn.account
        key = account.email.lower()
        book = server.books.get(account)
        if book is None or book.messenger_contact(self.email) is None:
            return                     # the bot keeps only those who added it
        if self.asked.get(key) == attrs["SHA1D"]:
            return
        self.asked[key] = attrs["SHA1D"]
        loop = asyncio.get_running_loop()
        loop.call_later(FETCH_DELAY, self._ring, server, account, conn.msnobj)

    def _ring(self, server, account, msnobj):
        """Open a switchboard and RNG the user, as a client's CAL would."""
        ns = account.session
        if ns is None or ns.wire.closed or ns.msnobj != msnobj:
            return                     # signed out, or a newer picture is announced
        if sb.online_status(account) in (None, "HDN") or not sb.accepts(server, account,
                                                                         self.email):
            return
        service = server.switchboard
        session = sb.Session(service)
        member = BotMember(self, session)
        member.opened_by_bot = True
        member.fetch_on_join = (account.email, msnobj)
        session.members.append(member)
        cookie = service.new_cookie("rng", account.email, session)
        session.invited[account.email.lower()] = cookie
        ns.send("RNG %s %s CKI %s %s %s U messenger.msn.com 1"
                % (session.id, service.address, cookie, self.email, sb.urlenc(self.friendly)))
        log.info("bot: rings %s (session %s) for its display picture", account.email,
                 session.id)
        member.later(RING_TIMEOUT, lambda: member.give_up_ringing(account.email))


class BotMember:
    """A peer (the bot or a picture peer) as a participant of one switchboard session."""

    def __init__(self, bot, session):
        self.bot = bot
        self.session = session
        self.email = bot.email
        self.friendly = bot.friendly
        self.caps = bot.caps
        self.chunks = {}          # (sender, Message-ID) -> [headers, {index: body}, total]
        self.timers = set()
        self.fetch_on_join = None  # (email, msnobj) when the bot rang someone for a picture
        self.opened_by_bot = False  # the bot rang the user into this switchboard
        self.file_on_join = None   # (email, KiB): the file the bot sends here (cross.py)
        self.crossed = False       # the bot opened its own switchboard against this one
        self.endpoint = p2p.Endpoint(bot.email, bot.picture, bot.msnobj, self.say, self.later,
                                     bot.p2p_sessions, bot.files)
        self.endpoint.tell = self.tell
        self.endpoint.backlog = self.backlog
        self.endpoint.owner = self
        self.endpoint.reaches = self.reaches
        if bot.files is not None:
            bot.files.endpoints.append(self.endpoint)
        if getattr(bot, "emoticon", None) is not None:
            self.endpoint.objects[bot.emoticon_msnobj] = bot.emoticon

    # ---- participant interface (see sb.Session) ---------------------------------------------

    def send(self, line, payload=None):
        """Lines addressed to the bot: a JOI of the user it rang starts the picture request."""
        tokens = line.split(" ")
        if tokens[0] == "JOI" and self.file_on_join is not None and len(tokens) >= 2 \
                and tokens[1].lower() == self.file_on_join[0].lower():
            self.later(0, lambda: cross.joined(self, tokens[1]))
            return
        if tokens[0] != "JOI" or self.fetch_on_join is None or len(tokens) < 2:
            return
        email, msnobj = self.fetch_on_join
        if tokens[1].lower() != email.lower():
            return
        self.fetch_on_join = None
        self.later(0, lambda: self.endpoint.fetch(email, msnobj, FETCH_APP_ID,
                                                  lambda data, ok, why:
                                                  self.fetched(email, data, ok, why)))

    def drop(self):
        self.session_ended(self.session)

    def session_ended(self, session):
        self.endpoint.close()
        for handle in self.timers:
            handle.cancel()
        self.timers.clear()

    def give_up_ringing(self, email):
        if self.fetch_on_join is not None or self.file_on_join is not None:
            log.info("bot: %s did not answer the RNG within %g s", email, RING_TIMEOUT)
            self.fetch_on_join = self.file_on_join = None
            self.session.end()

    def reaches(self, email):
        """Whether `email` can be reached through this switchboard now."""
        return (not self.session.ended and self in self.session.members
                and self.session.member(email) is not None)

    def fetched(self, email, data, ok, why):
        """The picture request to `email` is over: record it and say so in the switchboard."""
        if data is not None:
            p2p.STATS.received[email.lower()] = (p2p.sha1_b64(data), len(data), ok)
            text = "Got your display picture: %d bytes, %s" % (len(data), why)
        else:
            text = "Could not get your display picture: %s" % why
        log.info("bot: %s", text)
        if not self.session.ended and self in self.session.members:
            for reply in text_payloads(None, text):
                self.say(reply)

    def deliver(self, sender, payload):
        try:
            self.handle(sender, payload)
        except Exception:              # a bot bug must not break the conversation
            log.exception("bot: failed to handle a message from %s", sender.email)
        return True

    # ---- behaviour ---------------------------------------------------------------------------

    def later(self, delay, fn):
        """Run fn after `delay` s while the bot is still in the session; -> the handle."""
        handle = None

        def fire():
            self.timers.discard(handle)
            if not self.session.ended and self in self.session.members:
                try:
                    fn()
                except Exception:      # a bot bug must not break the conversation
                    log.exception("bot: %s failed in session %s", self.email, self.session.id)
        handle = asyncio.get_running_loop().call_later(delay, fire)
        self.timers.add(handle)
        return handle

    def say(self, payload):
        self.session.relay(self, payload)

    def tell(self, text):
        """A text message to the conversation, while the bot is still in it."""
        if not self.session.ended and self in self.session.members:
            for reply in text_payloads(None, text):
                self.say(reply)

    def backlog(self):
        """Bytes the switchboard still has queued for the other participants (the pace of
        the bot's file data, as a real peer waits for the switchboard's ACKs)."""
        most = 0
        for m in self.session.others(self):
            transport = getattr(getattr(getattr(m, "wire", None), "writer", None), "transport",
                                None)
            if transport is not None and not transport.is_closing():
                most = max(most, transport.get_write_buffer_size())
        return most

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
        if kind == "application/x-msnmsgrp2p":
            # After the sender's switchboard ACK, as over a network.
            self.later(0, lambda: self.endpoint.receive(sender.email, payload))
        elif not self.bot.echo:
            return
        elif kind in (emoticons.STATIC, emoticons.ANIMATED):
            self.later(0, lambda: self.fetch_emoticons(sender.email, body))
        elif kind == "text/plain":
            text = body.decode(_charset(ctype), "replace")
            log.info("bot: %s said %r", sender.email, text[:80])
            if text.strip().lower() == emoticons.COMMAND:
                self.later(0, self.use_emoticon)
                return
            if text.strip().lower() == emoticons.BAD_COMMAND:
                self.later(0, self.bad_emoticons)
                return
            command = text.strip().lower()
            if command in MEDIA_COMMANDS:
                # After the sender's ACK, as over a network.
                self.later(0, lambda: self.send_media(command))
                return
            if command in INK_COMMANDS:
                # After the sender's ACK, as over a network.
                self.later(0, lambda: self.send_ink(sender.email, command))
                return
            kib = ft.command_size(text) if self.bot.files is not None else None
            if kib is not None:
                # After the sender's ACK, as over a network.
                self.later(0, lambda: self.bot.files.send_file(self.endpoint, sender.email, kib))
                return
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

    def use_emoticon(self):
        """The bot's own emoticon: announced, then used in a text (after the ACK)."""
        self.say(emoticons.announcement([(emoticons.BOT_SHORTCUT, self.bot.emoticon_msnobj)]))
        self.tell("Here is my emoticon %s, SHA1D %s" % (emoticons.BOT_SHORTCUT,
                                                         p2p.sha1_b64(self.bot.emoticon)))

    def bad_emoticons(self):
        for payload in emoticons.bad_announcements(self.email, self.bot.emoticon):
            self.say(payload)
        self.tell("Bad emoticons sent")

    def fetch_emoticons(self, email, body):
        """Each emoticon the user announced is fetched from them and reported."""
        for shortcut, msnobj, attrs in emoticons.parse_announcement(body):
            if attrs["Creator"].lower() != email.lower():
                self.tell(emoticons.report(shortcut, None, False, "not created by its sender"))
                continue
            log.info("bot: fetches the emoticon %r of %s", shortcut, email)
            self.endpoint.fetch(email, msnobj, emoticons.EMOTICON_APP_ID,
                                lambda data, ok, why, s=shortcut:
                                self.tell(emoticons.report(s, data, ok, why)))

    def send_ink(self, email, command):
        """A handwritten smiley (ink.py) to `email`, the way INK_COMMANDS says."""
        log.info("bot: %s asked for %r", email, command)
        kind, data = {
            "ink": (ink.ISF_TYPE, ink.isf_smiley()),
            "ink gif": (ink.GIF_TYPE, ink.gif_smiley()),
            "ink p2p": (ink.ISF_TYPE, ink.isf_smiley()),
            "ink broken": (ink.ISF_TYPE, BROKEN_ISF),
        }[command]
        # What was sent, for the harness to compare with what the client shows.
        name = "ink-sent.gif" if kind == ink.GIF_TYPE else "ink-sent.isf"
        with open(os.path.join(self.session.service.cfg.state_dir, name), "wb") as f:
            f.write(data)
        if command == "ink p2p":
            self.endpoint.send_ink(email, ink.p2p_blob(kind, data))
            return
        for payload in ink.switchboard_payloads(kind, data):
            self.say(payload)

    def send_media(self, command):
        """A wink, voice clip or broken wink (MEDIA_COMMANDS): announced, then served."""
        log.info("bot: sends a %s", command)
        state = self.session.service.cfg.state_dir
        if command == "voice":
            data, obj_type, location, datacast_id = media.sample_voice_clip(), 11, "TFR2C.tmp", 3
            files = {"voice-sent.wav": data}
        else:
            data = media.wink_cab() if command == "wink" else media.NOT_A_CAB
            obj_type, location, datacast_id = 8, "TFR1.cab", 2
            files = {"wink-sent.cab": data, "wink-sent.png": media.thumbnail_png()}
        # What was sent, for the harness to compare with what the client shows and saves.
        for name, content in files.items():
            with open(os.path.join(state, name), "wb") as f:
                f.write(content)
        msnobj = p2p.make_msnobj(self.email, data, location=location,
                                 friendly=media.friendly(media.WINK_NAME), obj_type=obj_type)
        # Served as asked for: receivers drop the wink's stamp from the INVITE's Context.
        self.endpoint.objects[msnobj] = data
        announced = msnobj[:-2] + ' stamp="%s"/>' % media.STAMP if obj_type == 8 else msnobj
        self.say(("MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\n"
                  "ID: %d\r\nData: %s\r\n\r\n" % (datacast_id, announced)).encode("utf-8"))

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
