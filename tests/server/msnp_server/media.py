"""Wink packages and voice clips the server's peers can send, built here from nothing.

Nothing in this module copies a real wink or recording:
  * build_cab(files)     a Microsoft cabinet (MS-CAB) with one uncompressed ("stored") folder,
                         which every reader accepts; CFDATA blocks carry the real checksum.
  * wink_cab()           a wink: content.xml (thumbnail + animation items, wink:name/sizex/sizey),
                         a generated PNG thumbnail and a placeholder Flash file.
  * mco_package()        the .mco form: an outer cabinet whose content.xml names the wink cabinet.
  * voice_clip_wav(fr)   the RIFF/WAVE container MSN clients use for Siren (format tag 0x028E).
  * siren_frames(n)      n frames of 40 bytes for the clip (see its docstring for what they are).
Run as `python3 -m msnp_server.media OUTDIR` (from tests/server) to write wink.cab, wink.mco and
voice-clip.wav.
"""

import struct
import sys
import zlib

CAB_BLOCK = 32768  # the most uncompressed bytes one CFDATA block may hold
ATTRIB_ARCHIVE = 0x20
SIREN_FRAME_BYTES = 40
SIREN_FRAME_SAMPLES = 320


def cab_checksum(data, seed=0):
    """The CFDATA checksum: XOR of little-endian 32-bit words, a short tail packed high to low."""
    csum = seed
    whole = len(data) // 4 * 4
    for (word,) in struct.iter_unpack("<I", data[:whole]):
        csum ^= word
    tail = data[whole:]
    value = 0
    for byte in tail:
        value = (value << 8) | byte
    return (csum ^ value) & 0xFFFFFFFF


def _data_blocks(payload):
    blocks = []
    for start in range(0, max(len(payload), 1), CAB_BLOCK):
        chunk = payload[start:start + CAB_BLOCK]
        sizes = struct.pack("<HH", len(chunk), len(chunk))
        csum = cab_checksum(sizes, cab_checksum(chunk))
        blocks.append(struct.pack("<I", csum) + sizes + chunk)
    return blocks


def build_cab(files, set_id=0x4D53):
    """files: list of (name, bytes). Returns the cabinet bytes (one stored folder)."""
    header_size, folder_size = 36, 8
    entries = []
    offset = 0
    for name, data in files:
        encoded = name.encode("utf-8")
        attribs = ATTRIB_ARCHIVE | (0x80 if any(b >= 0x80 for b in encoded) else 0)
        # Date 2009-01-01, time 12:00:00 in the FAT format the CFFILE fields use.
        entry = struct.pack("<IIHHHH", len(data), offset, 0, (29 << 9) | (1 << 5) | 1, 12 << 11, attribs)
        entries.append(entry + encoded + b"\0")
        offset += len(data)
    payload = b"".join(data for _, data in files)
    blocks = _data_blocks(payload)
    files_offset = header_size + folder_size
    data_offset = files_offset + sum(len(e) for e in entries)
    total = data_offset + sum(len(b) for b in blocks)
    header = b"MSCF" + struct.pack("<IIIIIBBHHHHH", 0, total, 0, files_offset, 0, 3, 1, 1, len(files), 0, set_id, 0)
    folder = struct.pack("<IHH", data_offset, len(blocks), 0)
    return header + folder + b"".join(entries) + b"".join(blocks)


def png(width, height, pixel):
    """An RGB PNG; pixel(x, y) -> (r, g, b)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def thumbnail_png():
    """A 50x50 picture: a yellow disc with a wink's closed eye on a blue background."""
    def pixel(x, y):
        dx, dy = x - 24.5, y - 24.5
        if dx * dx + dy * dy <= 20 * 20:
            eye = (abs(y - 19) <= 1 and 13 <= x <= 20) or ((x - 31) ** 2 + (y - 19) ** 2 <= 6)
            mouth = 28 <= y <= 31 and abs(dx) <= 10 and (y - 28) >= (dx * dx) / 40
            return (60, 40, 20) if eye or mouth else (255, 214, 64)
        return (70, 130, 230)

    return png(50, 50, pixel)


def placeholder_swf():
    """Not a playable animation: an uncompressed SWF header (FWS, version 8) and an End tag."""
    body = bytes([0x50, 0x00, 0x0C, 0x80, 0x00, 0x0C, 0x80, 0x00]) + struct.pack("<HH", 0x0C00, 1) + b"\0\0"
    return b"FWS" + bytes([8]) + struct.pack("<I", 8 + len(body)) + body


WINK_NAME = "Test wink"


def content_xml(thumbnail, animation, name=WINK_NAME):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<package xmlns="http://messenger.msn.com/messengercontent/1.0" '
        'xmlns:wink="http://messenger.msn.com/wink/1.0" version="1.0" type="wink">\r\n'
        f'  <item type="thumbnail" mimetype="image/png" file="{thumbnail}" />\r\n'
        f'  <item type="animation" mimetype="application/x-shockwave-flash" file="{animation}" '
        f'wink:name="{name}" wink:sizex="300" wink:sizey="200" />\r\n'
        "</package>\r\n"
    ).encode("utf-8")


def wink_cab():
    return build_cab([
        ("content.xml", content_xml("testwink.png", "testwink.swf")),
        ("testwink.png", thumbnail_png()),
        ("testwink.swf", placeholder_swf()),
    ])


def mco_package():
    inner = wink_cab()
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\r\n'
        '<package xmlns="http://messenger.msn.com/messengercontent/1.0" version="1.0" type="wink">\r\n'
        '  <item file="testwink.cab" stamp="" />\r\n'
        "</package>\r\n"
    ).encode("utf-8")
    return build_cab([("content.xml", xml), ("testwink.cab", inner)])


def voice_clip_wav(frames):
    """RIFF/WAVE for Siren frames with the exact header values MSN clients write."""
    if len(frames) % SIREN_FRAME_BYTES:
        raise ValueError("Siren data must be whole 40-byte frames")
    samples = len(frames) // SIREN_FRAME_BYTES * SIREN_FRAME_SAMPLES
    fmt = struct.pack("<HHIIHHHH", 0x028E, 1, 16000, 2000, SIREN_FRAME_BYTES, 0, 2, SIREN_FRAME_SAMPLES)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    chunks += b"fact" + struct.pack("<II", 4, samples)
    chunks += b"data" + struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def siren_frames(count):
    """Placeholder frames: all bits zero, which the msnsiren decoder accepts (see docs)."""
    return bytes(SIREN_FRAME_BYTES * count)


# What the bot sends (bot.py): a three-second clip, a wink's stamp (a signature clients do not
# check; any base64 will do) and, for `bad wink`, data that is no cabinet.
VOICE_CLIP_FRAMES = 150
STAMP = "U3RhbXAgb2YgYSB0ZXN0IHdpbms="
NOT_A_CAB = b"MSCF" + bytes(60) + b"this is not a cabinet"


def sample_voice_clip():
    return voice_clip_wav(siren_frames(VOICE_CLIP_FRAMES))


def friendly(name):
    """An msnobj's Friendly: base64 of the UTF-16LE name with its NUL."""
    import base64

    return base64.b64encode((name + "\0").encode("utf-16-le")).decode("ascii")


def write_samples(out_dir):
    import pathlib

    out = pathlib.Path(out_dir)
    (out / "wink.cab").write_bytes(wink_cab())
    (out / "wink.mco").write_bytes(mco_package())
    (out / "voice-clip.wav").write_bytes(voice_clip_wav(siren_frames(50)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    write_samples(sys.argv[1])
