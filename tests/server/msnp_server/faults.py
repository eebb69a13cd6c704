"""Fault injection (--fault NAME, repeatable) for the plugin's integration tests.

Every fault is deterministic and applies to every occurrence of its step, on every listener
(dispatch and NS alike in --redirect mode).
"""

# Steps that can be closed (`close-at:STEP`) or left unanswered (`silent-at:STEP`).
# ABFINDALL and FINDMEMBERSHIP: those SOAP requests (abch.py), once they passed every check.
CLOSE_STEPS = ("VER", "CVR", "USR-I", "RST", "USR-S", "PROFILE", "ADL", "CHG", "ABFINDALL",
               "FINDMEMBERSHIP")
SILENT_STEPS = ("VER", "CVR", "USR-I", "RST", "USR-S", "ADL", "CHG", "ABFINDALL",
                "FINDMEMBERSHIP")

SIMPLE = (
    "garbage-line",          # a line of binary junk + CRLF before the VER answer
    "oversized-line",        # 1 MiB of 'A' + CRLF before the VER answer
    "oversized-payload",     # after USR OK: MSG Hotmail Hotmail 999999999 + a few bytes, silent
    "rst-http-500",          # RST.srf: HTTP 500 with an HTML body
    "rst-redirect-loop",     # RST.srf: 302 Location: /RST.srf, forever
    "rst-psf-redirect",      # first RST request: SOAP fault psf:Redirect to /RST2.srf
    "rst-psf-redirect-offsite",  # RST.srf: psf:Redirect to this server under another host name
    "rst-302-offsite",       # RST.srf: 302 to this server under another host name
    "out-oth-after-signin",  # OUT OTH and close 1 s after the client's first CHG
    "out-ssd-after-signin",  # OUT SSD and close 1 s after the client's first CHG
    "ns-close-after-xfr",    # the NS connection closes (no OUT) 1 s after its first XFR SB
)

# Switchboard faults (sb.py).
SWITCHBOARD = (
    "sb-nak-once",           # the first MSG with ack mode N/A/D (server-wide) gets NAK, unrelayed
    "sb-no-ack",             # MSGs are relayed but never ACKed (NAK still sent when undelivered)
    "sb-ack-lost-once",      # the first delivered MSG A/D (server-wide): relayed, then the
                             # switchboard closes all connections before its ACK
    "cal-217",               # every CAL is answered 217
)
# Offline-message faults (oim.py): the first request of the kind that carries a valid ticket
# finds that ticket expired (it stays expired; a new RST.srf login gives a working one).
OIM = (
    "oim-store-expired-once",  # Store2: AuthenticationFailed with RequiredAuthPolicy
    "oim-rsi-expired-once",    # rsi GetMetadata/GetMessage/DeleteMessages: AuthenticationFailed
)
# Address book faults (sharing.py): like a revival server that has no deltas.
SHARING = (
    "membership-full-sync",  # every FindMembership with deltasOnly true: FullSyncRequired
)
# Faults with a numeric argument, `NAME:N` (N >= 1).
COUNTED = (
    "sb-close-after",        # a switchboard closes all its connections after relaying N messages
    "sb-close-after-p2p-data",  # a switchboard closes all its connections once it relayed N P2P
                             # data MSGs (SessionID not 0, data bytes), whoever sent them
)

KNOWN = (tuple("close-at:" + s for s in CLOSE_STEPS)
         + tuple("silent-at:" + s for s in SILENT_STEPS) + SIMPLE + SWITCHBOARD + OIM + SHARING
         + tuple(n + ":N" for n in COUNTED))


def valid(name):
    """Whether `name` is a known fault (`NAME:N` with a number for the COUNTED ones)."""
    if name in KNOWN and not name.endswith(":N"):
        return True
    base, sep, count = name.partition(":")
    return bool(sep) and base in COUNTED and count.isdigit() and 1 <= int(count) <= 10 ** 6


class Faults:
    def __init__(self, names=()):
        names = list(names)
        unknown = [n for n in names if not valid(n)]
        if unknown:
            raise ValueError("unknown fault(s): %s (known: %s)"
                             % (", ".join(unknown), ", ".join(KNOWN)))
        self.names = frozenset(names)

    def __contains__(self, name):
        return name in self.names

    def close_at(self, step):
        return ("close-at:" + step) in self.names

    def silent_at(self, step):
        return ("silent-at:" + step) in self.names

    def value(self, name):
        """N of a `name:N` fault (the smallest if given more than once), or None."""
        counts = [int(n.partition(":")[2]) for n in self.names if n.startswith(name + ":")]
        return min(counts) if counts else None

    def __repr__(self):
        return "Faults(%s)" % ", ".join(sorted(self.names))


# Deterministic "random binary junk" for garbage-line: no CR or LF inside it.
def garbage_line():
    out = bytearray()
    x = 0x2545F491
    while len(out) < 96:
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        b = (x >> 16) & 0xFF
        if b not in (0x0A, 0x0D):
            out.append(b)
    return bytes(out) + b"\r\n"
