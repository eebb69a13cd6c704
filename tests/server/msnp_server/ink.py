"""Handwritten ink the bot sends (MSNP15 reference §11.9): sample data made here, not captured.

* `isf_smiley()`: an Ink Serialized Format stream of a smiley face (a circle, two eyes, a
  mouth), written by a small ISF encoder: the stream header, the HIMETRIC size, one
  drawing-attributes block, an isotropic scale transform (the points are 96-dpi pixels, as
  Messenger's are) and the strokes, each packet property bit-packed ("Gorilla", the simplest
  legal packet codec: algorithm byte = bit width, values two's complement, most significant bit
  first).
* `gif_smiley()`: a small two-colour GIF89a of the same face, written by a tiny GIF encoder
  that emits uncompressed LZW (each pixel its own code, a clear code often enough that the code
  width never grows).
* `switchboard_payloads(kind, data)`: the MSG payloads of ink over the switchboard: the body
  `base64:...`, cut into `Message-ID`/`Chunks` parts of 1202 characters when longer (aMSN's
  size), as the reference describes.
* `p2p_blob(kind, data)`: the data of a P2P ink message (SessionID 64): the same MIME message
  in UTF-16LE with a U+0000 after the blank line and one at the end.
"""

import base64
import math
import struct
import uuid

ISF_TYPE = "application/x-ms-ink"
GIF_TYPE = "image/gif"
CHUNK_CHARS = 1202                 # base64 characters per switchboard part (aMSN)
HIMETRIC_PER_PIXEL = 26.458334     # the scale Messenger writes (2540 / 96)
PEN_HIMETRIC = 100                 # about 3.8 pixels
SMILEY_PIXELS = 100                # the face's size, in pixels

# ISF tags and drawing-attribute properties used here.
TAG_DRAWING_ATTRIBUTES = 3
TAG_STROKE = 10
TAG_TRANSFORM_ISOTROPIC_SCALE = 17
TAG_HIMETRIC_SIZE = 29
PROP_COLOUR = 68
PROP_PEN_WIDTH = 69
PROP_DRAWING_FLAGS = 72
FLAG_ANTIALIASED = 0x10


# ---- ISF ---------------------------------------------------------------------------------------

def mbuint(value):
    """Multi-byte unsigned integer: 7 bits a byte, least significant first, high bit = more."""
    if value < 0:
        raise ValueError("negative MBUINT")
    out = bytearray()
    while True:
        group = value & 0x7F
        value >>= 7
        out.append(group | (0x80 if value else 0))
        if not value:
            return bytes(out)


def mbsint(value):
    """Multi-byte signed integer: the sign in bit 0 of an MBUINT."""
    return mbuint((abs(value) << 1) | (1 if value < 0 else 0))


def _sized(payload):
    return mbuint(len(payload)) + payload


def _bit_width(values):
    """Bits for two's complement values: at least one more than the largest magnitude needs."""
    most = max(max(values), -min(values) - 1, 1)
    return most.bit_length() + 1


def gorilla(values):
    """One packet property's block: algorithm byte (the bit width), the values MSB first."""
    width = _bit_width(values)
    if width > 32:
        raise ValueError("value too large for bit packing")
    acc, bits, out = 0, 0, bytearray([width & 0x1F])
    for v in values:
        acc = (acc << width) | (v & ((1 << width) - 1))
        bits += width
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
    if bits:
        out.append((acc << (8 - bits)) & 0xFF)
    return bytes(out)


def encode_isf(strokes, width_px, height_px, colour=0x000000, pen=PEN_HIMETRIC):
    """An ISF stream of polylines given in pixels ([[(x, y), ...], ...])."""
    tags = bytearray()
    tags += mbuint(TAG_HIMETRIC_SIZE) + _sized(
        mbsint(round(width_px * HIMETRIC_PER_PIXEL)) + mbsint(round(height_px * HIMETRIC_PER_PIXEL)))
    tags += mbuint(TAG_DRAWING_ATTRIBUTES) + _sized(
        mbuint(PROP_COLOUR) + mbuint(colour) + mbuint(PROP_PEN_WIDTH) + mbuint(pen)
        + mbuint(PROP_DRAWING_FLAGS) + mbuint(FLAG_ANTIALIASED))
    tags += mbuint(TAG_TRANSFORM_ISOTROPIC_SCALE) + struct.pack("<f", HIMETRIC_PER_PIXEL)
    for points in strokes:
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        tags += mbuint(TAG_STROKE) + _sized(mbuint(len(points)) + gorilla(xs) + gorilla(ys))
    return mbuint(0) + mbuint(len(tags)) + bytes(tags)


def _arc(cx, cy, r, start_deg, end_deg, step_deg):
    count = int((end_deg - start_deg) / step_deg)
    return [(round(cx + r * math.cos(math.radians(start_deg + i * step_deg))),
             round(cy + r * math.sin(math.radians(start_deg + i * step_deg))))
            for i in range(count + 1)]


def smiley_strokes(size=SMILEY_PIXELS, step_deg=1):
    """A face within size x size pixels: outline, two eyes, a smiling mouth (y grows down)."""
    c, r = size / 2, size / 2 - 5
    face = _arc(c, c, r, 0, 360, step_deg)
    eye = size * 0.06
    left = [(round(c - r * 0.35), round(c - r * 0.35 - eye)),
            (round(c - r * 0.35), round(c - r * 0.35 + eye))]
    right = [(round(c + r * 0.35), round(c - r * 0.35 - eye)),
             (round(c + r * 0.35), round(c - r * 0.35 + eye))]
    mouth = _arc(c, c, r * 0.55, 30, 150, step_deg)
    return [face, left, right, mouth]


def isf_smiley():
    """The bot's ISF ink: dense enough (one point a degree) to need several switchboard parts."""
    return encode_isf(smiley_strokes(), SMILEY_PIXELS, SMILEY_PIXELS)


# ---- GIF ---------------------------------------------------------------------------------------

def _lzw_uncompressed(pixels, min_code_size=2):
    """LZW data in which every pixel is a literal code. After a clear code the decoder's table
    grows by one entry per code after the first, and the code width grows when it reaches
    2**width; two literals per clear keep it at min_code_size + 1 bits."""
    width = min_code_size + 1
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    codes = []
    for i in range(0, len(pixels), 2):
        codes.append(clear)
        codes.extend(pixels[i:i + 2])
    codes.append(end)
    acc, bits, out = 0, 0, bytearray()
    for code in codes:              # GIF packs codes least significant bit first
        acc |= code << bits
        bits += width
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)


def encode_gif(width, height, pixels, palette=((255, 255, 255), (0, 0, 0))):
    """GIF89a with a 4-entry global palette (the first two given); pixels are palette indexes."""
    if len(pixels) != width * height:
        raise ValueError("pixel count does not match the size")
    colours = list(palette) + [(0, 0, 0)] * (4 - len(palette))
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", width, height, 0x80 | 0x01, 0, 0)  # global table of 4 entries
    for r, g, b in colours:
        out += bytes((r, g, b))
    out += b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)     # image descriptor
    data = _lzw_uncompressed(pixels)
    out.append(2)                                                   # LZW minimum code size
    for i in range(0, len(data), 255):
        block = data[i:i + 255]
        out.append(len(block))
        out += block
    out += b"\x00;"
    return bytes(out)


def gif_smiley(size=32):
    """The face as a size x size black-on-white GIF."""
    strokes = smiley_strokes(size, step_deg=3)
    pen = 1.6
    segments = [(a, b) for points in strokes for a, b in zip(points, points[1:] or points)]

    def near(x, y):
        for (ax, ay), (bx, by) in segments:
            dx, dy = bx - ax, by - ay
            length = dx * dx + dy * dy
            t = 0 if length == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length))
            if math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= pen:
                return True
        return False
    pixels = [1 if near(x, y) else 0 for y in range(size) for x in range(size)]
    return encode_gif(size, size, pixels)


# ---- carriers ----------------------------------------------------------------------------------

def switchboard_payloads(kind, data, chunk_chars=CHUNK_CHARS):
    """MSG payloads of ink over the switchboard: one, or Message-ID/Chunks parts."""
    head = "MIME-Version: 1.0\r\nContent-Type: %s\r\n" % kind
    body = "base64:" + base64.b64encode(data).decode("ascii")
    if len(body) <= chunk_chars:
        return [(head + "\r\n" + body).encode("ascii")]
    pieces = [body[i:i + chunk_chars] for i in range(0, len(body), chunk_chars)]
    msgid = "{%s}" % str(uuid.uuid4()).upper()
    out = [(head + "Message-ID: %s\r\nChunks: %d\r\n\r\n%s" % (msgid, len(pieces), pieces[0]))
           .encode("ascii")]
    for i, piece in enumerate(pieces[1:], 1):
        out.append(("Message-ID: %s\r\nChunk: %d\r\n\r\n%s" % (msgid, i, piece)).encode("ascii"))
    return out


def p2p_blob(kind, data):
    """The data of a P2P ink message: the MIME message in UTF-16LE, NULs around the body."""
    text = ("MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n\0base64:%s\0"
            % (kind, base64.b64encode(data).decode("ascii")))
    return text.encode("utf-16-le")
