"""Known-answer tests for the server's MBI verification and challenge answer.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
VECTORS = os.path.join(HERE, "..", "data", "vectors")

from msnp_server import challenge, mbi  # noqa: E402
import msnp_testclient  # noqa: E402


def load_mbi_cases():
    cases, cur = [], None
    with open(os.path.join(VECTORS, "mbi.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("[case"):
                cur = {"name": line.strip("[]")}
                cases.append(cur)
            elif "=" in line and cur is not None:
                k, v = line.split("=", 1)
                cur[k] = v
    return cases


def load_challenge_cases():
    rows = []
    with open(os.path.join(VECTORS, "challenge.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                chal, want = line.split("\t")
                rows.append((chal, want))
    return rows


class MbiTest(unittest.TestCase):
    cases = load_mbi_cases()

    def test_vector_file_loaded(self):
        self.assertGreaterEqual(len(self.cases), 3)

    def test_derived_keys(self):
        for c in self.cases:
            with self.subTest(c["name"]):
                secret = base64.b64decode(c["binary_secret_b64"])
                key_hash, key_enc = mbi.session_keys(secret)
                self.assertEqual(key_hash.hex(), c["key_hash_24_hex"])
                self.assertEqual(key_enc.hex(), c["key_encrypt_24_hex"])

    def test_vector_blobs_verify(self):
        for c in self.cases:
            with self.subTest(c["name"]):
                mbi.verify(c["expected_blob_b64"], base64.b64decode(c["binary_secret_b64"]),
                           c["nonce"])

    def test_build_matches_vectors(self):
        for c in self.cases:
            with self.subTest(c["name"]):
                secret = base64.b64decode(c["binary_secret_b64"])
                iv = bytes.fromhex(c["iv_hex"])
                self.assertEqual(mbi.build(secret, c["nonce"], iv), c["expected_blob_b64"])
                # the tests' independent client implementation too
                self.assertEqual(msnp_testclient.mbi_blob(secret, c["nonce"], iv),
                                 c["expected_blob_b64"])

    def test_rejects_tampering(self):
        c = self.cases[1]
        secret = base64.b64decode(c["binary_secret_b64"])
        blob = bytearray(base64.b64decode(c["expected_blob_b64"]))
        for pos, what in ((0, "header size"), (8, "cipher alg"), (24, "cipher len"),
                          (30, "iv"), (40, "hash"), (60, "cipher"), (127, "padding block")):
            with self.subTest(what):
                bad = bytearray(blob)
                bad[pos] ^= 0x01
                with self.assertRaises(mbi.MbiError):
                    mbi.verify(base64.b64encode(bytes(bad)).decode(), secret, c["nonce"])
        with self.subTest("other nonce"):
            with self.assertRaises(mbi.MbiError):
                mbi.verify(c["expected_blob_b64"], secret, c["nonce"][:-1] + "A")
        with self.subTest("other secret"):
            with self.assertRaises(mbi.MbiError):
                mbi.verify(c["expected_blob_b64"], os.urandom(24), c["nonce"])
        with self.subTest("truncated"):
            with self.assertRaises(mbi.MbiError):
                mbi.verify(base64.b64encode(bytes(blob[:-8])).decode(), secret, c["nonce"])
        with self.subTest("not base64"):
            with self.assertRaises(mbi.MbiError):
                mbi.verify("HAAA*AAA", secret, c["nonce"])
        with self.subTest("empty"):
            with self.assertRaises(mbi.MbiError):
                mbi.verify("", secret, c["nonce"])

    def test_random_iv_roundtrip(self):
        secret, nonce = os.urandom(24), base64.b64encode(os.urandom(48)).decode()
        mbi.verify(msnp_testclient.mbi_blob(secret, nonce), secret, nonce)


class ChallengeTest(unittest.TestCase):
    rows = load_challenge_cases()

    def test_vector_file_loaded(self):
        self.assertGreaterEqual(len(self.rows), 10)

    def test_known_answers(self):
        for chal, want in self.rows:
            with self.subTest(chal):
                self.assertEqual(challenge.answer(chal), want)

    def test_new_challenge_shape(self):
        for _ in range(50):
            chal = challenge.new_challenge()
            self.assertEqual(len(chal), 20)
            self.assertTrue(chal.isdigit())
            self.assertNotEqual(chal[0], "0")


if __name__ == "__main__":
    unittest.main()
