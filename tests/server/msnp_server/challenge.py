"""CHL -> QRY answer (docs/protocol/notification-server.md, "Challenge (CHL/QRY)")."""

import hashlib
import secrets
import struct

PRODUCT_ID = "PROD0119GSJUC$18"
PRODUCT_KEY = "ILTXC!4IXB5FB*PX"
_M = 0x7FFFFFFF


def answer(challenge, product_id=PRODUCT_ID, product_key=PRODUCT_KEY):
    """The 32 lowercase hex characters a client must send for `challenge`."""
    digest = hashlib.md5((challenge + product_key).encode("ascii")).digest()
    h = struct.unpack("<4I", digest)
    m = [x & _M for x in h]
    s = (challenge + product_id).encode("ascii")
    if len(s) % 8:
        s += b"0" * (8 - len(s) % 8)
    c = struct.unpack("<%dI" % (len(s) // 4), s)
    hi = lo = 0
    for i in range(0, len(c), 2):
        t = (0x0E79A9C1 * c[i]) % _M
        t = (m[0] * (t + hi) + m[1]) % _M
        lo += t
        hi = (m[2] * ((c[i + 1] + t) % _M) + m[3]) % _M
        lo += hi
    hi = (hi + m[1]) % _M
    lo = (lo + m[3]) % _M
    out = struct.pack("<4I", h[0] ^ hi, h[1] ^ lo, h[2] ^ hi, h[3] ^ lo)
    return out.hex()


def new_challenge():
    """A fresh 20-digit decimal challenge (first digit not 0)."""
    return str(10 ** 19 + secrets.randbelow(9 * 10 ** 19))
