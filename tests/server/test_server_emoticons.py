"""Custom emoticons in tests/server/msnp-server (MSNP15 reference §9.5, §11.8): the bot's
`emoticon` command (an announcement, then a text using it, and the object served over P2P with
AppID 11), the bot fetching an emoticon the user announces and reporting its SHA-1, and
announcements it cannot use changing nothing else.

The announcement format and the P2P side are the test's own reading of the reference (the P2P
helpers come from test_server_p2p.py), not the server's emoticons.py.
Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import base64
import hashlib
import os
import struct
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import msnp_testclient as mc  # noqa: E402
from test_server_p2p import (ALICE, BOB, BOT, CAROL, DAVE, P2PCase, Peer, b64sha1,  # noqa: E402
                             msnobj_attrs, slp, unslp)


def emoticon_msnobj(creator, data):
    sha1d = b64sha1(data)
    sha1c = b64sha1(("Creator%sSize%dType2LocationTFR2C2.tmpFriendlyAAA=SHA1D%s"
                     % (creator, len(data), sha1d)).encode())
    return ('<msnobj Creator="%s" Size="%d" Type="2" Location="TFR2C2.tmp" Friendly="AAA=" '
            'SHA1D="%s" SHA1C="%s"/>' % (creator, len(data), sha1d, sha1c))


def announcement(body, kind="text/x-mms-emoticon"):
    return ("MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n" % kind).encode() + body.encode()


class EmoticonTest(P2PCase):
    accounts = (ALICE, BOB, CAROL, DAVE)

    def test_bot_uses_and_serves_its_emoticon(self):
        a, _ = self.online(ALICE, fl=[BOT])
        sb = self.call(a, ALICE, BOT)
        t = sb.send("MSG", "A", payload=mc.text_message("emoticon"))
        sb.expect("ACK", t)
        _, payload = sb.expect("MSG", BOT)
        head, body = payload.split(b"\r\n\r\n", 1)
        self.assertIn(b"Content-Type: text/x-mms-emoticon", head)
        fields = body.decode().split("\t")
        self.assertEqual((len(fields), fields[0], fields[2]), (3, "(bot)", ""))  # trailing TAB
        msnobj = urllib.parse.unquote(fields[1])
        attrs = msnobj_attrs(msnobj)
        self.assertEqual((attrs["Creator"], attrs["Type"]), (BOT, "2"))
        _, text = sb.expect("MSG", BOT)
        self.assertIn(b"Content-Type: text/plain", text)
        said = text.split(b"\r\n\r\n", 1)[1].decode()
        peer = Peer(sb, ALICE, BOT)
        data, _, footers, _ = self.fetch(peer, msnobj, 11)
        self.assertEqual(footers, {11})
        self.assertEqual((len(data), b64sha1(data)), (int(attrs["Size"]), attrs["SHA1D"]))
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(struct.unpack(">II", data[16:24]), (19, 19))
        self.assertEqual(said, "Here is my emoticon (bot), SHA1D " + b64sha1(data))

    def serve(self, peer, who, data, corrupt=False):
        """Answer the bot's INVITE for our emoticon; -> the INVITE's fields."""
        first, invite, _ = peer.read_message()
        start, headers, fields = unslp(invite)
        self.assertEqual(start, "INVITE MSNMSGR:%s MSNSLP/1.0" % who)
        sid = int(fields["SessionID"])
        peer.ack(first)
        sent = peer.send(slp("MSNSLP/1.0 200 OK", BOT, who, headers["Call-ID"],
                             "SessionID: %d\r\n\r\n" % sid, cseq=1,
                             branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        peer.expect_ack_of(peer.send(b"\0\0\0\0", sid, 0, 1))
        peer.expect_ack_of(peer.send(data[:-1] + b"!" if corrupt else data, sid, 0x20, 11))
        first, bye, _ = peer.read_message()
        self.assertTrue(unslp(bye)[0].startswith("BYE "))
        peer.ack(first)
        return fields

    def test_bot_fetches_a_users_emoticon(self):
        b, _ = self.online(BOB, fl=[BOT])
        sb = self.call(b, BOB, BOT)
        data = bytes(range(256)) * 6
        msnobj = emoticon_msnobj(BOB, data)
        # URL-encoded and without the trailing TAB: both forms are accepted.
        t = sb.send("MSG", "A", payload=announcement(
            "(b)\t" + urllib.parse.quote(msnobj, safe="")))
        sb.expect("ACK", t)
        peer = Peer(sb, BOB, BOT)
        fields = self.serve(peer, BOB, data)
        self.assertEqual(fields["AppID"], "11")
        self.assertEqual(base64.b64decode(fields["Context"]).decode(), msnobj)
        _, text = sb.expect("MSG", BOT)
        self.assertEqual(text.split(b"\r\n\r\n", 1)[1].decode(),
                         "Got your emoticon ((b)): %d bytes, SHA-1 %s"
                         % (len(data), hashlib.sha1(data).hexdigest()))

    def test_bad_announcements_change_nothing(self):
        c, _ = self.online(CAROL, fl=[BOT])
        sb = self.call(c, CAROL, BOT)
        picture = emoticon_msnobj(CAROL, b"a picture").replace('Type="2"', 'Type="3"')
        for body in ("garbage", "\t\t\t", "(x)\t<msnobj/>\t", "(p)\t" + picture + "\t",
                     "(c\x01)\t" + emoticon_msnobj(CAROL, b"ctl") + "\t",
                     "%s\t%s\t" % ("(" * 40, emoticon_msnobj(CAROL, b"long"))):
            sb.send("MSG", "N", payload=announcement(body))
        # No INVITE, no report: the next thing the bot sends is the echo's typing notice.
        t = sb.send("MSG", "A", payload=mc.text_message("still there"))
        sb.expect("ACK", t)
        _, typing = sb.expect("MSG", BOT)
        self.assertIn(b"text/x-msmsgscontrol", typing)
        self.assertEqual(sb.expect("MSG", BOT)[1], mc.text_message("You said: still there"))

    def test_someone_elses_emoticon_is_not_fetched(self):
        d, _ = self.online(DAVE, fl=[BOT])
        sb = self.call(d, DAVE, BOT)
        sb.send("MSG", "N", payload=announcement(
            "(o)\t" + emoticon_msnobj(CAROL, b"carol's") + "\t"))
        _, text = sb.expect("MSG", BOT)
        self.assertEqual(text.split(b"\r\n\r\n", 1)[1].decode(),
                         "Could not get your emoticon ((o)): not created by its sender")
        t = sb.send("MSG", "A", payload=mc.text_message("hi"))
        sb.expect("ACK", t)
        sb.expect("MSG", BOT)     # typing
        self.assertEqual(sb.expect("MSG", BOT)[1], mc.text_message("You said: hi"))


if __name__ == "__main__":
    unittest.main()
