"""The server's wink and voice-clip writers (msnp_server/media.py): the cabinet layout and
checksum, the wink's content.xml, the .mco nesting and the Siren WAV header values.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import os
import struct
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from msnp_server import media  # noqa: E402


def read_cab(cab):
    """A reader for the writer's own output (stored folder): {name: bytes}."""
    magic, _, total, _, files_off, _, minor, major, folders, count = struct.unpack_from("<4sIIIIIBBHH", cab)
    assert magic == b"MSCF" and total == len(cab) and (major, minor) == (1, 3) and folders == 1
    data_off, blocks, compression = struct.unpack_from("<IHH", cab, 36)
    assert compression == 0
    payload, pos = b"", data_off
    for _ in range(blocks):
        csum, packed, unpacked = struct.unpack_from("<IHH", cab, pos)
        chunk = cab[pos + 8:pos + 8 + packed]
        assert packed == unpacked == len(chunk)
        assert csum == media.cab_checksum(cab[pos + 4:pos + 8], media.cab_checksum(chunk)), "CFDATA checksum"
        payload += chunk
        pos += 8 + packed
    assert pos == len(cab)
    files, pos = {}, files_off
    for _ in range(count):
        size, offset, folder = struct.unpack_from("<IIH", cab, pos)
        end = cab.index(b"\0", pos + 16)
        files[cab[pos + 16:end].decode("utf-8")] = payload[offset:offset + size]
        pos = end + 1
    return files


class CabinetTest(unittest.TestCase):
    def test_checksum_known_answers(self):
        self.assertEqual(media.cab_checksum(b""), 0)
        self.assertEqual(media.cab_checksum(b"\x01\x02\x03\x04"), 0x04030201)
        # A tail of 1-3 bytes is packed first byte highest, then XORed in.
        self.assertEqual(media.cab_checksum(b"\x01\x02\x03\x04\x05\x06"), 0x04030201 ^ 0x0506)
        self.assertEqual(media.cab_checksum(b"\x00\x00\x00\x00", seed=0x1234), 0x1234)

    def test_round_trip_across_blocks(self):
        big = bytes(range(256)) * 300  # 76800 bytes: three CFDATA blocks
        files = read_cab(media.build_cab([("a.txt", b"hello"), ("big.bin", big), ("caf\u00e9", b"")]))
        self.assertEqual(files, {"a.txt": b"hello", "big.bin": big, "caf\u00e9": b""})

    def test_wink_and_mco(self):
        wink = read_cab(media.wink_cab())
        self.assertEqual(sorted(wink), ["content.xml", "testwink.png", "testwink.swf"])
        self.assertIn(b'type="thumbnail"', wink["content.xml"])
        self.assertTrue(wink["testwink.png"].startswith(b"\x89PNG\r\n\x1a\n"))
        self.assertTrue(wink["testwink.swf"].startswith(b"FWS"))
        mco = read_cab(media.mco_package())
        self.assertEqual(read_cab(mco["testwink.cab"]), wink)
        self.assertIn(b'file="testwink.cab"', mco["content.xml"])


class VoiceClipTest(unittest.TestCase):
    def test_header_values(self):
        wav = media.voice_clip_wav(media.siren_frames(3))
        self.assertEqual(wav[:4] + wav[8:16], b"RIFFWAVEfmt ")
        self.assertEqual(struct.unpack_from("<I", wav, 4)[0], len(wav) - 8)
        fmt = struct.unpack_from("<IHHIIHHHH", wav, 16)
        self.assertEqual(fmt, (20, 0x028E, 1, 16000, 2000, 40, 0, 2, 320))
        self.assertEqual(wav[40:48], b"fact" + struct.pack("<I", 4))
        self.assertEqual(struct.unpack_from("<I", wav, 48)[0], 960)
        self.assertEqual(wav[52:60], b"data" + struct.pack("<I", 120))
        self.assertEqual(len(wav), 60 + 120)
        with self.assertRaises(ValueError):
            media.voice_clip_wav(b"\0" * 39)


class BotSamplesTest(unittest.TestCase):
    """What the bot's `wink`, `voice` and `bad wink` send (bot.py)."""

    def test_voice_clip_is_three_seconds(self):
        wav = media.sample_voice_clip()
        self.assertEqual(struct.unpack_from("<I", wav, 48)[0], 3 * 16000)
        self.assertEqual(len(wav), 60 + media.VOICE_CLIP_FRAMES * 40)

    def test_friendly_is_utf16le_with_nul(self):
        import base64

        self.assertEqual(base64.b64decode(media.friendly("Test wink")),
                         "Test wink\0".encode("utf-16-le"))

    def test_bad_wink_is_no_cabinet(self):
        with self.assertRaises(Exception):
            read_cab(media.NOT_A_CAB)


if __name__ == "__main__":
    unittest.main()
