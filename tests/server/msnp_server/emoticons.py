"""Custom emoticons as the bot uses them (MSNP15 reference §9.5, §11.8), independently of the
client engine.

An announcement is a switchboard message `text/x-mms-emoticon` (static) or
`text/x-mms-animemoticon` (animated) whose body is `shortcut TAB msnobj` pairs separated by TAB
(a trailing TAB or not); the msnobj may be URL-encoded. It comes before the text that uses the
shortcuts; the receiver fetches each object from its Creator over P2P (p2p.py).

The bot:
  * on the text `emoticon` announces its own emoticon (BOT_SHORTCUT, a small PNG made here)
    and then says `Here is my emoticon (bot), SHA1D D` using it; its endpoints serve the object
    (p2p.Endpoint.objects);
  * on `bad emoticon` sends announcements a client must survive (bad_announcements) and then
    `Bad emoticons sent`;
  * on an announcement from the user fetches each emoticon (AppID 11) and says
    `Got your emoticon (S): N bytes, SHA-1 H` (H: the hex SHA-1 of the data) or
    `Could not get your emoticon (S): why`.
The parser is bounded: at most MAX_PAIRS pairs, shortcuts of at most MAX_SHORTCUT characters
without control characters, bodies of at most MAX_BODY bytes.
"""

import hashlib
import urllib.parse

from . import p2p

COMMAND = "emoticon"
BAD_COMMAND = "bad emoticon"
BOT_SHORTCUT = "(bot)"
EMOTICON_APP_ID = 11           # WLM's AppID for emoticon requests
MAX_PAIRS = 10
MAX_SHORTCUT = 32
MAX_BODY = 8 * 1024
STATIC = "text/x-mms-emoticon"
ANIMATED = "text/x-mms-animemoticon"


def make_image(email):
    """The bot's emoticon: a 19x19 PNG (the usual size of a static custom emoticon)."""
    return p2p.make_png("emoticon:" + email.lower(), size=19, cell=1)


def announcement(pairs, animated=False):
    """The MSG payload announcing [(shortcut, msnobj)], ending with a TAB as WLM does."""
    body = "".join("%s\t%s\t" % (shortcut, msnobj) for shortcut, msnobj in pairs)
    return ("MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n%s"
            % (ANIMATED if animated else STATIC, body)).encode("utf-8")


def bad_announcements(email, image):
    """Announcements from `email` that give a client nothing to show: no pairs, a display
    picture, an emoticon created by someone else, and (z) whose object nobody serves (its
    fetch is declined)."""
    picture = p2p.make_msnobj(email, image, obj_type=3)
    foreign = p2p.make_msnobj("someone@example.com", image, obj_type=2)
    unknown = p2p.make_msnobj(email, image + b"?", obj_type=2)
    return [announcement([("garbage", "")]),
            ("MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n\t\t\t" % STATIC).encode(),
            announcement([("(w)", picture)]),
            announcement([("(o)", foreign)]),
            announcement([("(z)", unknown)], animated=True)]


def _usable_shortcut(shortcut):
    return 0 < len(shortcut) <= MAX_SHORTCUT and all(ord(c) >= 0x20 and ord(c) != 0x7F
                                                     for c in shortcut)


def parse_announcement(body):
    """An announcement body (bytes) -> [(shortcut, msnobj string, attrs)] of its usable Type 2
    pairs, in order; [] for a body that is too long or not UTF-8."""
    if len(body) > MAX_BODY:
        return []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return []
    fields = text.rstrip("\r\n").split("\t")
    out = []
    for i in range(0, len(fields) - 1, 2):
        shortcut, msnobj = fields[i], urllib.parse.unquote(fields[i + 1])
        attrs = p2p.parse_msnobj(msnobj)
        if len(out) >= MAX_PAIRS or not _usable_shortcut(shortcut) or attrs is None \
                or attrs.get("Type") != "2":
            continue
        out.append((shortcut, msnobj, attrs))
    return out


def report(shortcut, data, ok, why):
    """What the bot says once a fetch of the user's emoticon is over."""
    if data is not None and ok:
        return "Got your emoticon (%s): %d bytes, SHA-1 %s" % (
            shortcut, len(data), hashlib.sha1(data).hexdigest())
    return "Could not get your emoticon (%s): %s" % (shortcut, why)
