"""The ink the bot sends (msnp_server/ink.py, MSNP15 reference §11.9): the ISF encoder's integers
and bit packing, the stream read back by a small tag walk written here, the GIF decoded by an
LZW decoder written here, and both carriers (switchboard parts, the UTF-16LE P2P blob).

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import os
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from msnp_server import ink  # noqa: E402


def read_mbuint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def read_mbsint(data, pos):
    v, pos = read_mbuint(data, pos)
    return (-(v >> 1) if v & 1 else v >> 1), pos


def unpack_bits(data, width, count):
    """`count` two's complement values of `width` bits, most significant bit first."""
    bits = "".join(format(b, "08b") for b in data)
    out = []
    for i in range(count):
        v = int(bits[i * width:(i + 1) * width], 2)
        out.append(v - (1 << width) if v & (1 << (width - 1)) else v)
    return out, (count * width + 7) // 8


def walk_isf(stream):
    """-> (himetric size, attributes dict, scale, strokes as lists of (x, y))."""
    tag, pos = read_mbuint(stream, 0)
    assert tag == 0
    size, pos = read_mbuint(stream, pos)
    assert pos + size == len(stream)
    himetric, attributes, scale, strokes = None, {}, None, []
    while pos < len(stream):
        tag, pos = read_mbuint(stream, pos)
        if tag == 17:
            scale = struct.unpack_from("<f", stream, pos)[0]
            pos += 4
            continue
        length, pos = read_mbuint(stream, pos)
        payload, pos = stream[pos:pos + length], pos + length
        if tag == 29:
            w, p = read_mbsint(payload, 0)
            h, p = read_mbsint(payload, p)
            himetric = (w, h)
        elif tag == 3:
            p = 0
            while p < len(payload):
                prop, p = read_mbuint(payload, p)
                attributes[prop], p = read_mbuint(payload, p)
        elif tag == 10:
            count, p = read_mbuint(payload, 0)
            axes = []
            for _ in range(2):
                algorithm = payload[p]
                assert algorithm & 0xC0 == 0 and not algorithm & 0x20  # plain bit packing
                values, used = unpack_bits(payload[p + 1:], algorithm & 0x1F or 32, count)
                axes.append(values)
                p += 1 + used
            assert p == len(payload)
            strokes.append(list(zip(*axes)))
        else:
            raise AssertionError("unexpected tag %d" % tag)
    return himetric, attributes, scale, strokes


def lzw_decode(data, min_code_size):
    """A plain GIF LZW decoder (codes least significant bit first, width grows at 2**width)."""
    clear, end = 1 << min_code_size, (1 << min_code_size) + 1
    width, pos, out, table, prev = min_code_size + 1, 0, [], None, None
    acc = int.from_bytes(data, "little")
    total = len(data) * 8
    while pos + width <= total:
        code = (acc >> pos) & ((1 << width) - 1)
        pos += width
        if code == clear:
            table = [[i] for i in range(clear)] + [None, None]
            width, prev = min_code_size + 1, None
            continue
        if code == end:
            return out
        if prev is None:
            entry = table[code]
        else:
            entry = table[code] if code < len(table) else table[prev] + [table[prev][0]]
            table.append(table[prev] + [entry[0]])
            if len(table) == (1 << width) and width < 12:
                width += 1
        out.extend(entry)
        prev = code
    raise AssertionError("no end code")


class Integers(unittest.TestCase):
    def test_mbuint_and_mbsint(self):
        self.assertEqual(ink.mbuint(0), b"\x00")
        self.assertEqual(ink.mbuint(127), b"\x7f")
        self.assertEqual(ink.mbuint(128), b"\x80\x01")
        self.assertEqual(ink.mbuint(300), b"\xac\x02")
        self.assertEqual(ink.mbsint(-3), b"\x07")
        self.assertEqual(ink.mbsint(3), b"\x06")
        for v in (0, 1, 63, 64, 1 << 20, -(1 << 20)):
            self.assertEqual(read_mbsint(ink.mbsint(v), 0)[0], v)

    def test_gorilla(self):
        # Width 3 (two's complement -4..3): algorithm byte 3, then 011 100 000, MSB first.
        self.assertEqual(ink.gorilla([3, -4, 0]), bytes([3, 0x70, 0x00]))
        values = [0, 1, -1, 100, -100, 95]
        block = ink.gorilla(values)
        self.assertEqual(unpack_bits(block[1:], block[0], len(values))[0], values)


class Isf(unittest.TestCase):
    def test_smiley_stream(self):
        himetric, attributes, scale, strokes = walk_isf(ink.isf_smiley())
        self.assertEqual(himetric, (2646, 2646))
        self.assertEqual(attributes, {68: 0, 69: ink.PEN_HIMETRIC, 72: 0x10})
        self.assertAlmostEqual(scale, 26.458334, places=4)
        self.assertEqual(len(strokes), 4)
        self.assertEqual(strokes[0][0], (95, 50))        # the face starts at 0 degrees
        self.assertEqual(len(strokes[0]), 361)
        self.assertEqual(strokes[1], [(34, 28), (34, 40)])
        every = [p for s in strokes for p in s]
        self.assertTrue(all(5 <= x <= 95 and 5 <= y <= 95 for x, y in every))


class Gif(unittest.TestCase):
    def test_smiley_decodes(self):
        gif = ink.gif_smiley(48)
        self.assertEqual(gif[:6], b"GIF89a")
        width, height, packed = struct.unpack_from("<HHB", gif, 6)
        self.assertEqual((width, height, packed), (48, 48, 0x81))
        self.assertEqual(gif[13:19], b"\xff\xff\xff\x00\x00\x00")
        pos = 13 + 12
        self.assertEqual(gif[pos:pos + 1], b",")
        pos += 10
        min_code_size = gif[pos]
        pos += 1
        data = bytearray()
        while gif[pos]:
            data += gif[pos + 1:pos + 1 + gif[pos]]
            pos += 1 + gif[pos]
        self.assertEqual(gif[pos:], b"\x00;")
        pixels = lzw_decode(bytes(data), min_code_size)
        self.assertEqual(len(pixels), 48 * 48)
        self.assertEqual(set(pixels), {0, 1})
        self.assertEqual(pixels[24 * 48 + 24], 0)        # the middle of the face is white
        self.assertEqual(pixels[24 * 48 + 43], 1)        # the outline on the right is black


class Carriers(unittest.TestCase):
    def test_switchboard_parts(self):
        data = ink.isf_smiley()
        parts = ink.switchboard_payloads(ink.ISF_TYPE, data)
        self.assertGreater(len(parts), 1)
        first_head, _, first_body = parts[0].partition(b"\r\n\r\n")
        self.assertIn(b"Content-Type: application/x-ms-ink\r\n", first_head)
        self.assertIn(b"Chunks: %d" % len(parts), first_head)
        bodies = [first_body]
        for i, part in enumerate(parts[1:], 1):
            head, _, body = part.partition(b"\r\n\r\n")
            self.assertTrue(head.endswith(b"Chunk: %d" % i))
            self.assertLessEqual(len(body), ink.CHUNK_CHARS)
            bodies.append(body)
        joined = b"".join(bodies)
        self.assertTrue(joined.startswith(b"base64:"))
        self.assertEqual(base64.b64decode(joined[7:]), data)
        # A small GIF fits one MSG.
        single = ink.switchboard_payloads(ink.GIF_TYPE, ink.gif_smiley())
        self.assertEqual(len(single), 1)
        self.assertTrue(single[0].startswith(b"MIME-Version: 1.0\r\nContent-Type: image/gif\r\n\r\n"
                                             b"base64:R0lGODlh"))

    def test_p2p_blob(self):
        data = ink.isf_smiley()
        text = ink.p2p_blob(ink.ISF_TYPE, data).decode("utf-16-le")
        head, _, rest = text.partition("\r\n\r\n")
        self.assertEqual(head, "MIME-Version: 1.0\r\nContent-Type: application/x-ms-ink")
        self.assertTrue(rest.startswith("\0base64:") and rest.endswith("\0"))
        self.assertEqual(base64.b64decode(rest[8:-1]), data)


if __name__ == "__main__":
    unittest.main()
