"""Notification server connections (and the dispatch server of --redirect mode).

One NsConnection per TCP connection. Sign-in walks VER -> CVR -> USR SSO I -> USR SSO S;
after that the commands of docs/protocol/notification-server.md are accepted. Every check a real
server makes on the sign-in path is made here: command order, the Passport ticket issued by RST.srf,
the MBI blob, payload lengths, the CHL/QRY challenge.
"""

import asyncio
import base64
import itertools
import logging
import os
import time
import urllib.parse
import xml.etree.ElementTree as ET

from . import challenge, faults, mbi, payloads, record, wire
from .accounts import MESSENGER_CLEAR

log = logging.getLogger("msnp.ns")

STATUSES = frozenset({"NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN"})
PRP_TYPES = frozenset({"MFN", "PHH", "PHW", "PHM", "MOB", "MBE", "WWE"})
NETWORKS = frozenset({1, 2, 4, 8, 16, 32})
FL, AL, BL = 1, 2, 4
# Known client commands this server does not implement (yet): answered 502 "command disabled",
# connection kept (their payload, if any, is read so the stream stays framed).
NOT_IMPLEMENTED = frozenset({"UUN", "UUM", "URL", "SBP", "SDC", "MSG",
                             "GCF", "ADC", "REM", "ADG", "RMG", "REG", "SYN", "GTC", "LST", "REA"})
SIGNIN = ("VER", "CVR", "USR")
ONLINE_COMMANDS = frozenset({"BLP", "ADL", "PRP", "CHG", "UUX", "QRY", "XFR", "RML", "FQY"})
KNOWN = frozenset(SIGNIN) | ONLINE_COMMANDS | NOT_IMPLEMENTED | wire.NO_TRID

CVR_REPLY = "8.5.1302 8.5.1302 8.5.1302 http://messenger.msn.com/download http://messenger.msn.com"
OVERSIZED_LINE = 1024 * 1024
OUT_AFTER_SIGNIN_DELAY = 1.0
NS_CLOSE_AFTER_XFR_DELAY = 1.0   # ns-close-after-xfr: after the first XFR SB answer

_ids = itertools.count(1)


class NsConnection:
    def __init__(self, server, reader, writer, role):
        self.server = server
        self.cfg = server.cfg
        self.faults = server.cfg.faults
        self.role = role                      # "ns" or "dispatch"
        self.tag = "%s#%d" % (role, next(_ids))
        self.wire = wire.Wire(reader, writer, self.tag, log)
        peer = writer.get_extra_info("peername") or ("0.0.0.0", 0)
        self.peer_ip, self.peer_port = peer[0], peer[1]
        self.state = "VER"                    # VER, CVR, USR-I, USR-S, ONLINE
        self.cvr = None
        self.email = None
        self.account = None
        self.nonce = None
        self.ticket = None
        self.silent = False
        self.task = None
        self.timers = set()
        # Session state kept for later issues (contacts, presence, switchboards).
        self.blp = None
        self.adl = []                         # (email, lists, network) announced by ADL
        self.adl_count = 0
        self.chg_count = 0
        self.status = None
        self.caps = None
        self.msnobj = None
        self.friendly = None
        self.uux = None
        self.pending_chl = None
        self.chl_answered = 0
        self.xfr_close_armed = False

    # ---- plumbing -------------------------------------------------------------------------

    async def run(self):
        self.task = asyncio.current_task()
        log.info("%s: connection from %s:%s", self.tag, self.peer_ip, self.peer_port)
        try:
            # Each iteration consumes at least one command line from the peer.
            while not self.wire.closed:
                cmd = await self.wire.read_command()
                try:
                    self.dispatch(cmd)
                except Exception:      # a server bug: report it on the wire and in the log
                    log.exception("%s: failed to handle %r", self.tag, cmd.raw[:200])
                    self.fail(500, cmd.trid if (cmd.trid or "").isdigit() else None,
                              "internal error")
                await self.wire.flush()
                if self.silent and not self.wire.closed:
                    await self.wire.drain_input()
                    break
        except wire.Closed:
            pass
        except wire.FramingError as exc:
            log.warning("%s: %s; closing", self.tag, exc)
        finally:
            self.detach()
            self.wire.close()
            log.info("%s: closed (state %s%s)", self.tag, self.state,
                     ", account " + self.email if self.email else "")

    def send(self, line, payload=None):
        self.wire.send(line, payload)

    def fail(self, code, trid, why, close=True):
        log.warning("%s: %d %s: %s%s", self.tag, code, trid, why, "; closing" if close else "")
        self.send("%d %s" % (code, trid if trid is not None else 0))
        if close:
            self.wire.close()

    def go_silent(self, step):
        log.info("%s: fault silent-at:%s: not answering, keeping the connection open",
                 self.tag, step)
        self.silent = True

    def fault_close(self, step):
        log.info("%s: fault close-at:%s: closing", self.tag, step)
        self.wire.close()

    def step_fault(self, step):
        """Apply close-at/silent-at for `step`; True if the command must not be answered."""
        if self.faults.close_at(step):
            self.fault_close(step)
            return True
        if self.faults.silent_at(step):
            self.go_silent(step)
            return True
        return False

    def later(self, delay, fn):
        async def fire():
            await asyncio.sleep(delay)
            if not self.wire.closed:
                fn()
        task = asyncio.get_running_loop().create_task(fire())
        self.timers.add(task)
        task.add_done_callback(self.timers.discard)
        return task

    def detach(self):
        for task in list(self.timers):
            task.cancel()
        if self.account is not None and self.account.session is self:
            self.account.session = None
            log.info("%s: %s signed out", self.tag, self.account.email)
        self.server.presence.on_signout(self)              # presence.py: FLN to watchers

    def kick(self, reason):
        """Send `OUT reason` (OTH, SSD) and close."""
        log.info("%s: sending OUT %s and closing", self.tag, reason)
        self.send("OUT " + reason)
        self.detach()
        self.wire.close()
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()

    # ---- dispatch -------------------------------------------------------------------------

    def dispatch(self, cmd):
        name = cmd.name
        trid = cmd.trid
        if name not in KNOWN:
            good = trid if trid is not None and trid.isdigit() else None
            return self.fail(200, good, "unknown command %r" % name[:20])
        if any(tok == "" for tok in cmd.tokens):
            return self.fail(200, trid if trid and trid.isdigit() else None,
                             "empty parameter (double or trailing space) in %r" % cmd.raw[:200])
        if name not in wire.NO_TRID and (trid is None or not trid.isdigit() or len(trid) > 10):
            return self.fail(200, None, "missing or non-numeric TrID in %r" % cmd.raw[:200])
        if name in wire.PAYLOAD_COMMANDS and cmd.payload is None:
            return self.fail(200, trid, "%s without a payload length" % name)
        if name == "PNG":
            record.count(self.email, "PNG", "answered")
            return self.send("QNG %d" % self.cfg.qng)
        if name == "OUT":
            log.info("%s: client sent OUT", self.tag)
            record.count(self.email, "OUT", "received")
            return self.wire.close()
        if self.state != "ONLINE":
            expected = {"VER": "VER", "CVR": "CVR", "USR-I": "USR", "USR-S": "USR"}[self.state]
            if name != expected:
                return self.fail(715, trid, "%s while expecting %s (%s)"
                                 % (name, expected, self.state))
            return getattr(self, "do_" + self.state.replace("-", "_"))(cmd)
        if name in SIGNIN:
            if name == "USR":
                return self.fail(207, trid, "USR after sign-in", close=False)
            return self.fail(715, trid, "%s after sign-in" % name)
        if name in NOT_IMPLEMENTED:
            return self.fail(502, trid, "%s is not implemented by this server" % name,
                             close=False)
        return getattr(self, "on_" + name)(cmd)

    # ---- sign-in ----------------------------------------------------------------------------

    def do_VER(self, cmd):
        if self.step_fault("VER"):
            return
        # Both line faults put their odd line before the real answer: a client that skips
        # what it cannot read signs in as usual.
        if "garbage-line" in self.faults:
            log.info("%s: fault garbage-line", self.tag)
            self.wire.write_raw(faults.garbage_line())
        if "oversized-line" in self.faults:
            log.info("%s: fault oversized-line", self.tag)
            self.wire.write_raw(b"A" * OVERSIZED_LINE + b"\r\n", log=False)
        if not cmd.args:
            return self.fail(200, cmd.trid, "VER without protocol list")
        if "MSNP15" not in cmd.args:
            log.warning("%s: client does not offer MSNP15 (%s)", self.tag, " ".join(cmd.args))
            self.send("VER %s 0" % cmd.trid)
            return self.wire.close()
        self.send("VER %s MSNP15" % cmd.trid)
        self.state = "CVR"

    def do_CVR(self, cmd):
        if self.step_fault("CVR"):
            return
        if len(cmd.args) != 8:
            return self.fail(731, cmd.trid, "CVR needs 8 parameters, got %d" % len(cmd.args))
        self.cvr = cmd.args
        self.send("CVR %s %s" % (cmd.trid, CVR_REPLY))
        self.state = "USR-I"

    def do_USR_I(self, cmd):
        a = cmd.args
        if len(a) >= 2 and a[:2] == ["SSO", "S"]:
            return self.fail(715, cmd.trid, "USR SSO S before USR SSO I")
        if len(a) != 3 or a[:2] != ["SSO", "I"]:
            return self.fail(911, cmd.trid, "expected USR trid SSO I email, got %r" % cmd.raw)
        if self.step_fault("USR-I"):
            return
        email = a[2]
        if self.cvr[7].lower() != email.lower():
            log.warning("%s: USR account %s differs from CVR account %s",
                        self.tag, email, self.cvr[7])
        if self.role == "dispatch":
            host, port = self.server.ns_address
            self.send("XFR %s NS %s:%d U D" % (cmd.trid, host, port))
            log.info("%s: redirected %s to %s:%d", self.tag, email, host, port)
            return self.wire.close()
        account = self.server.directory.get(email)
        if account is None:
            return self.fail(911, cmd.trid, "unknown account %s" % email)
        self.email = email
        self.account = account
        self.nonce = base64.b64encode(os.urandom(48)).decode("ascii")   # 64 characters
        self.send("USR %s SSO S MBI_KEY_OLD %s" % (cmd.trid, self.nonce))
        self.state = "USR-S"

    def do_USR_S(self, cmd):
        a = cmd.args
        if len(a) >= 2 and a[:2] == ["SSO", "I"]:
            return self.fail(715, cmd.trid, "second USR SSO I")
        if len(a) != 4 or a[:2] != ["SSO", "S"]:
            return self.fail(911, cmd.trid, "expected USR trid SSO S ticket blob, got %r"
                             % cmd.raw[:200])
        if self.step_fault("USR-S"):
            return
        ticket = self.account.find_ticket(MESSENGER_CLEAR, a[2])
        if ticket is None:
            return self.fail(911, cmd.trid, "ticket %r... was not issued to %s for %s"
                             % (a[2][:40], self.email, MESSENGER_CLEAR))
        if ticket.expired():
            return self.fail(911, cmd.trid, "ticket expired")
        try:
            mbi.verify(a[3], ticket.secret, self.nonce)
        except mbi.MbiError as exc:
            return self.fail(911, cmd.trid, "MBI blob rejected: %s" % exc)
        self.ticket = ticket
        self.send("USR %s OK %s 1 0" % (cmd.trid, self.email))
        self.state = "ONLINE"
        log.info("%s: %s signed in", self.tag, self.email)
        self.server.sign_in(self)
        if self.faults.close_at("PROFILE"):
            return self.fault_close("PROFILE")
        if "oversized-payload" in self.faults:
            log.info("%s: fault oversized-payload", self.tag)
            self.wire.write_raw(b"MSG Hotmail Hotmail 999999999\r\nMIME-Version: 1.0\r\n")
            return self.go_silent("PROFILE (oversized-payload)")
        self.send("SBS 0 null")
        profile = payloads.profile(int(time.time()), self.account.puid,
                                   "%s&p=%s" % (ticket.t, ticket.p), self.peer_ip, self.peer_port)
        self.send("MSG Hotmail Hotmail %d" % len(profile), profile)
        mail = payloads.initial_mail_data(self.server.oim.mail_data(self.account))
        self.send("MSG Hotmail Hotmail %d" % len(mail), mail)

    # ---- signed in --------------------------------------------------------------------------

    def on_BLP(self, cmd):
        if cmd.args not in (["AL"], ["BL"]):
            return self.fail(201, cmd.trid, "BLP needs AL or BL", close=False)
        self.blp = cmd.args[0]
        self.send("BLP %s %s" % (cmd.trid, self.blp))
        self.server.presence.on_blp(self)

    def on_ADL(self, cmd):
        if len(cmd.args) != 1:
            return self.fail(200, cmd.trid, "ADL needs exactly a length")
        if self.step_fault("ADL"):
            return
        self.server.presence.on_adl(self, cmd)             # presence.py: checks and fan-out

    def on_RML(self, cmd):
        if len(cmd.args) != 1:
            return self.fail(200, cmd.trid, "RML needs exactly a length")
        self.server.presence.on_rml(self, cmd)

    def on_FQY(self, cmd):
        self.server.presence.on_fqy(self, cmd)

    def on_PRP(self, cmd):
        a = cmd.args
        if len(a) != 2:
            return self.fail(200, cmd.trid, "PRP needs a type and a value", close=False)
        if a[0] not in PRP_TYPES:
            return self.fail(201, cmd.trid, "unknown PRP type %r" % a[0], close=False)
        if a[0] == "MFN" and len(a[1]) > 387:
            return self.fail(201, cmd.trid, "PRP MFN longer than 387 characters (%d)"
                             % len(a[1]), close=False)
        if a[0] == "MFN":
            self.friendly = urllib.parse.unquote(a[1])
        self.send("PRP %s %s %s" % (cmd.trid, a[0], a[1]))
        if a[0] == "MFN":
            self.server.presence.on_prp(self)

    def on_CHG(self, cmd):
        a = cmd.args
        if not 2 <= len(a) <= 3:
            return self.fail(200, cmd.trid, "CHG needs STATUS caps [msnobj], got %r" % cmd.raw,
                             close=False)
        if self.step_fault("CHG"):
            return
        if a[0] not in STATUSES:
            return self.fail(201, cmd.trid, "invalid status %r" % a[0], close=False)
        if not a[1].isdigit() or int(a[1]) > 0xFFFFFFFF:
            return self.fail(201, cmd.trid, "invalid client id %r" % a[1], close=False)
        if self.adl_count == 0 and self.chg_count == 0:
            log.info("%s: note: CHG before any ADL", self.tag)
        self.status, self.caps = a[0], int(a[1])
        self.msnobj = urllib.parse.unquote(a[2]) if len(a) == 3 else None
        self.send("CHG %s %s" % (cmd.trid, " ".join(a)))
        self.chg_count += 1
        self.server.presence.on_chg(self, cmd.trid, self.chg_count == 1)   # ILN, NLN/FLN
        if self.chg_count == 1:
            self.send_challenge()
            for reason in ("OTH", "SSD"):
                if ("out-%s-after-signin" % reason.lower()) in self.faults:
                    self.later(OUT_AFTER_SIGNIN_DELAY, lambda r=reason: self.kick(r))

    def on_XFR(self, cmd):
        if cmd.args == ["SB"]:
            record.count(self.email, "XFR", "SB")
        self.server.switchboard.on_xfr(self, cmd)          # sb.py
        if "ns-close-after-xfr" in self.faults and not self.xfr_close_armed:
            self.xfr_close_armed = True
            self.later(NS_CLOSE_AFTER_XFR_DELAY, self.drop_for_fault)

    def drop_for_fault(self):
        log.info("%s: fault ns-close-after-xfr: closing without OUT", self.tag)
        self.wire.close()
        if self.task is not None:
            self.task.cancel()

    def on_UUX(self, cmd):
        if len(cmd.args) != 1:
            return self.fail(200, cmd.trid, "UUX needs exactly a length")
        if cmd.payload:
            try:
                root = parse_xml(cmd.payload)
            except ValueError as exc:
                return self.fail(200, cmd.trid, "UUX payload: %s" % exc, close=False)
            if root.tag != "Data":
                return self.fail(200, cmd.trid, "UUX root is <%s>, not <Data>" % root.tag,
                                 close=False)
        self.uux = cmd.payload
        self.send("UUX %s 0" % cmd.trid)
        self.server.presence.on_uux(self)                  # UBX to watchers

    # ---- challenge ---------------------------------------------------------------------------

    def send_challenge(self):
        chal = challenge.new_challenge()
        self.pending_chl = chal
        self.send("CHL 0 %s" % chal)
        record.count(self.email, "CHL", "sent")
        if self.cfg.chl_timeout > 0:
            self.later(self.cfg.chl_timeout, lambda: self.chl_timed_out(chal))

    def chl_timed_out(self, chal):
        if self.pending_chl == chal:
            log.warning("%s: no QRY within %g s of CHL 0 %s; closing",
                        self.tag, self.cfg.chl_timeout, chal)
            self.wire.close()
            if self.task is not None:
                self.task.cancel()

    def on_QRY(self, cmd):
        a = cmd.args
        if len(a) != 2:
            return self.fail(200, cmd.trid, "QRY needs a product id and a length")
        chal = self.pending_chl
        if chal is None:
            return self.fail(715, cmd.trid, "QRY without an outstanding CHL")
        want = challenge.answer(chal)
        got = cmd.payload.decode("latin-1")
        if a[0] != challenge.PRODUCT_ID or a[1] != "32" or got != want:
            record.count(self.email, "QRY", "wrong")
            return self.fail(540, cmd.trid, "QRY %s %s %r for CHL %s, expected %s 32 %s"
                             % (a[0], a[1], got, chal, challenge.PRODUCT_ID, want))
        self.pending_chl = None
        self.chl_answered += 1
        record.count(self.email, "QRY", "right")
        self.send("QRY %s" % cmd.trid)
        if self.cfg.chl_interval > 0:
            self.later(self.cfg.chl_interval, self.send_challenge)


# ---- <ml> documents ------------------------------------------------------------------------

def parse_xml(data):
    """Parse a small client XML payload; ValueError if it is not well-formed (no DTDs)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("DTDs are not allowed")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError("not well-formed XML (%s)" % exc) from None


def bad_ml(bad):
    root = ET.Element("ml")
    domains = {}
    for domain, attrs in bad:
        if domain not in domains:
            domains[domain] = ET.SubElement(root, "d", n=domain)
        ET.SubElement(domains[domain], "c", attrs)
    return ET.tostring(root)
