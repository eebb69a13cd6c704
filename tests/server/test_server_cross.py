"""--bot-cross in tests/server/msnp-server: a file offered to the bot in a switchboard the user
opened makes the bot open its own switchboard to the user at once and send a file there, so the
two cross. The bot keeps the switchboard opened by the lower address, as clients do
(docs/protocol/p2p.md): with a user below it, it leaves its own right after its INVITE and goes
on in the user's; with a user above it, it stays in its own, and the user's file goes on there
once the user has left theirs.

Run: /usr/bin/python3 -m unittest discover -s tests/server -p 'test_*.py'
"""

import hashlib
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_server_ft as tf  # noqa: E402
import test_server_p2p as tp  # noqa: E402

ALICE, BOT = tp.ALICE, tp.BOT       # alice@ is below bot@, zoe@ above
ZOE = "zoe@example.com"


class CrossTest(tf.FtCase):
    args = ("--bot", BOT, "--bot-cross", "1", "--bot-direct", "off")
    accounts = (ALICE, ZOE)

    def crossed(self, who):
        """`who` calls the bot and offers a file; the bot rings back. -> (NS, the user's
        switchboard peer, the bot's switchboard peer, our file's sid, its data)."""
        ns, _ = self.online(who)
        ours = tf.FtPeer(self.call(ns, who, BOT), who, BOT)
        data = os.urandom(3000)
        _, sid = self.offer(ours, "crossing.bin", len(data))
        rng, _ = ns.expect("RNG")
        self.assertEqual(rng[3:6], ["CKI", rng[4], BOT])
        sb = self.connect(rng[2])
        t = sb.send("ANS", who, rng[4], rng[1])
        sb.expect("IRO", t)
        sb.expect("ANS", t, "OK")
        theirs = tf.FtPeer(sb, who, BOT)
        expected = tf.bot_file(1)
        self.assertEqual(theirs.text(), "Sending you bot-file-1.bin: 1024 bytes, SHA-1 "
                         + hashlib.sha1(expected).hexdigest())
        first, invite, _ = theirs.read_message()
        start, headers, fields = tp.unslp(invite)
        self.assertEqual((start, fields["EUF-GUID"]), ("INVITE MSNMSGR:%s MSNSLP/1.0" % who,
                                                       tf.FILE_GUID))
        return ours, theirs, (first, headers, int(fields["SessionID"])), sid, data

    def finish(self, peer, who, invite, sid, data):
        """Our file's data and the answer to the bot's INVITE over `peer`; both complete."""
        first, headers, bot_sid = invite
        peer.ack(first)
        self.expect_done(peer, sid, peer.send(data, sid, tf.DATA_FLAGS, 2))
        self.assertEqual(peer.text(), "Got your file crossing.bin: 3000 bytes, SHA-1 "
                         + hashlib.sha1(data).hexdigest())
        sent = peer.send(tp.slp("MSNSLP/1.0 200 OK", BOT, who, headers["Call-ID"],
                                "SessionID: %d\r\n\r\n" % bot_sid, cseq=1,
                                branch=headers["Via"].split("branch=")[1]))
        peer.expect_ack_of(sent)
        got_first, got, _ = peer.read_message()
        self.assertEqual((got_first["sid"], got), (bot_sid, tf.bot_file(1)))
        peer.ack(got_first)
        self.expect_log(r"bot-file-1\.bin to %s: completed" % who.replace(".", r"\."))
        self.assertEqual(self.file_record(who, "crossing.bin")["outcome"], "completed")
        self.assertEqual(self.file_record(who, "bot-file-1.bin")["outcome"], "completed")

    def test_user_below_the_bot_keeps_the_users_switchboard(self):
        ours, theirs, invite, sid, data = self.crossed(ALICE)
        # The bot leaves its own right after the INVITE; everything goes on in alice's.
        theirs.sb.expect("BYE", BOT)
        self.finish(ours, ALICE, invite, sid, data)
        self.expect_log(r"keeps alice@example\.com's switchboard")

    def test_user_above_the_bot_moves_to_the_bots_switchboard(self):
        ours, theirs, invite, sid, data = self.crossed(ZOE)
        # zoe leaves hers (the bot's address is the lower one); her file goes on in the bot's.
        ours.sb.send_raw(b"OUT\r\n")
        self.assertTrue(ours.sb.closed(2))
        self.expect_log(r"file crossing\.bin with zoe@example\.com goes on in another switchboard")
        self.finish(theirs, ZOE, invite, sid, data)


if __name__ == "__main__":
    unittest.main()
