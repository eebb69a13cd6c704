"""The MBI blob of `USR trid SSO S ticket BLOB` (docs/protocol/notification-server.md)."""

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LABEL_HASH = b"WS-SecureConversationSESSION KEY HASH"
LABEL_ENC = b"WS-SecureConversationSESSION KEY ENCRYPTION"

HEADER = struct.Struct("<7I")  # size, mode, cipher alg, hash alg, iv len, hash len, cipher len
HEADER_SIZE = 28
CRYPT_MODE_CBC = 1
CALG_3DES = 0x6603
CALG_SHA1 = 0x8004
IV_LEN = 8
HASH_LEN = 20
PAD = b"\x08" * 8


class MbiError(ValueError):
    """The blob does not prove knowledge of the session key."""


def _hmac(key, data):
    return hmac.new(key, data, hashlib.sha1).digest()


def derive(key, label):
    """WS-Trust P_SHA1-style derivation giving 24 bytes."""
    h1 = _hmac(key, label)
    h2 = _hmac(key, h1 + label)
    h3 = _hmac(key, h1)
    h4 = _hmac(key, h3 + label)
    return h2 + h4[:4]


def session_keys(secret):
    """(key_hash, key_enc) from the raw 24-byte BinarySecret."""
    return derive(secret, LABEL_HASH), derive(secret, LABEL_ENC)


def _3des(key, iv):
    return Cipher(algorithms.TripleDES(key), modes.CBC(iv))


def build(secret, nonce, iv=None):
    """Build the base64 blob a client sends (used by tests; the server only verifies)."""
    if isinstance(nonce, str):
        nonce = nonce.encode("ascii")
    iv = os.urandom(IV_LEN) if iv is None else iv
    key_hash, key_enc = session_keys(secret)
    digest = _hmac(key_hash, nonce)
    enc = _3des(key_enc, iv).encryptor()
    cipher = enc.update(nonce + PAD) + enc.finalize()
    header = HEADER.pack(HEADER_SIZE, CRYPT_MODE_CBC, CALG_3DES, CALG_SHA1,
                         IV_LEN, HASH_LEN, len(cipher))
    return base64.b64encode(header + iv + digest + cipher).decode("ascii")


def verify(blob_b64, secret, nonce):
    """Raise MbiError unless blob_b64 is a valid MBI blob for (secret, nonce)."""
    if isinstance(nonce, str):
        nonce = nonce.encode("ascii")
    try:
        blob = base64.b64decode(blob_b64.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise MbiError("blob is not base64: %s" % exc) from None
    if len(blob) < HEADER_SIZE:
        raise MbiError("blob shorter than its header (%d bytes)" % len(blob))
    size, mode, calg, halg, iv_len, hash_len, cipher_len = HEADER.unpack_from(blob)
    expected = (HEADER_SIZE, CRYPT_MODE_CBC, CALG_3DES, CALG_SHA1, IV_LEN, HASH_LEN,
                len(nonce) + len(PAD))
    got = (size, mode, calg, halg, iv_len, hash_len, cipher_len)
    if got != expected:
        raise MbiError("bad header fields %r, expected %r" % (got, expected))
    if len(blob) != HEADER_SIZE + IV_LEN + HASH_LEN + cipher_len:
        raise MbiError("blob length %d does not match header" % len(blob))
    pos = HEADER_SIZE
    iv = blob[pos:pos + IV_LEN]
    pos += IV_LEN
    digest = blob[pos:pos + HASH_LEN]
    pos += HASH_LEN
    cipher = blob[pos:]
    key_hash, key_enc = session_keys(secret)
    if not hmac.compare_digest(digest, _hmac(key_hash, nonce)):
        raise MbiError("hash is not HMAC-SHA1(key_hash, nonce)")
    dec = _3des(key_enc, iv).decryptor()
    plain = dec.update(cipher) + dec.finalize()
    if not hmac.compare_digest(plain, nonce + PAD):
        raise MbiError("cipher does not decrypt to nonce + 8 x 0x08")
