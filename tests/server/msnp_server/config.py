"""Command-line options of msnp-server."""

import argparse
import ipaddress
from dataclasses import dataclass, field

from .faults import KNOWN as KNOWN_FAULTS, Faults, valid as _valid_fault


@dataclass
class Config:
    accounts: dict = field(default_factory=dict)   # email (as given) -> password
    contacts: int = 0
    state_dir: str = ""
    host: str = "127.0.0.1"
    ns_port: int = 0
    https_port: int = 0
    verbose: bool = False
    log_file: str = ""                              # also log here (main.py)
    qng: int = 60
    chl_interval: float = 0.0
    chl_timeout: float = 50.0
    rst_fault_status: int = 500
    ticket_lifetime: int = 24 * 3600
    redirect: bool = False
    faults: Faults = field(default_factory=Faults)
    sb_idle: float = 300.0                          # switchboard idle timeout (sb.py)
    bot: str = ""                                   # e-mail of the bot account (bot.py)
    bot_name: str = "Echo Bot"
    new_accounts: list = field(default_factory=list)  # accounts without an address book yet
    friends: list = field(default_factory=list)  # addresses on each other's lists (--friends)
    contact_names: str = "stress"                   # style of generated names (contacts.py)
    rsi_metadata: str = "element"                   # how rsi GetMetadata answers (oim.py)
    contact_pictures: bool = False                  # generated contacts online with pictures
    bot_direct: str = "listen"                      # the bot's direct connections (dc.py)
    bot_file_max: int = 200 * 1024 * 1024           # largest file the bot takes (ft.py)
    presence_flood: int = 0                         # NLNs before the first ADL OK (presence.py)
    bot_dc_break: int = 0                           # its direct connections break after (dc.py)
    bot_cross: int = 0                              # KiB the bot sends crossing (cross.py)


def _friends(p, a, accounts):
    """The --friends list: valid addresses, each an --account or the --bot."""
    friends = [e.strip() for e in a.friends.split(",") if e.strip()]
    for email in friends:
        if email.lower() not in accounts and email.lower() != a.bot.lower():
            p.error("--friends %s is neither an --account nor the --bot" % email)
    return friends


def _account(text):
    email, sep, password = text.partition(":")
    if not sep or not email or not password:
        raise argparse.ArgumentTypeError("expected EMAIL:PASSWORD, got %r" % text)
    local, at, domain = email.partition("@")
    if not at or not local or not domain or any(c.isspace() for c in email):
        raise argparse.ArgumentTypeError("not an e-mail address: %r" % email)
    return email, password


def _port(text):
    n = int(text)
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError("port out of range: %s" % text)
    return n


def _loopback(text):
    if text == "localhost":
        return "127.0.0.1"
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--host must be a loopback IP address: %r" % text)
    if not addr.is_loopback:
        raise argparse.ArgumentTypeError("--host must be a loopback address, not %s" % text)
    return str(addr)


def _nonneg(kind):
    def conv(text):
        v = kind(text)
        if v < 0:
            raise argparse.ArgumentTypeError("must not be negative: %s" % text)
        return v
    return conv


def _cross_kib(text):
    """--bot-cross: 0 (off) or the KiB of the bot's file, as `file N` takes them."""
    v = int(text)
    if not 0 <= v <= 10 * 1024:
        raise argparse.ArgumentTypeError("must be 0 (off) to 10240 KiB: %s" % text)
    return v


def _fault(text):
    if not _valid_fault(text):
        raise argparse.ArgumentTypeError("unknown fault %r (known: %s)"
                                         % (text, ", ".join(KNOWN_FAULTS)))
    return text


def _positive(text):
    v = float(text)
    if not v > 0:
        raise argparse.ArgumentTypeError("must be positive: %s" % text)
    return v


def parser():
    p = argparse.ArgumentParser(
        prog="msnp-server",
        description="Local reference MSNP15 server (NS + HTTPS web services) for tests.")
    p.add_argument("--account", action="append", type=_account, default=[],
                   metavar="EMAIL:PASSWORD", help="an account (repeatable)")
    p.add_argument("--contacts", type=_nonneg(int), default=0, metavar="N",
                   help="generated forward-list contacts per account (contacts.py)")
    p.add_argument("--contact-names", choices=("stress", "plain"), default="stress",
                   help="names of the generated contacts and groups: 'stress' (default) mixes in "
                   "long, non-ASCII, emoji and markup names for tests; 'plain' gives ordinary "
                   "first and last names (the demo)")
    p.add_argument("--new-account", action="append", type=_account, default=[],
                   metavar="EMAIL:PASSWORD", help="an account whose address book does not exist "
                   "yet (ABFindAll: ABDoesNotExist until ABAdd; repeatable)")
    p.add_argument("--state-dir", default="", metavar="DIR",
                   help="CA, certificates and state (default: a fresh temporary directory)")
    p.add_argument("--host", type=_loopback, default="127.0.0.1",
                   help="loopback address to listen on (default 127.0.0.1)")
    p.add_argument("--ns-port", type=_port, default=0, help="NS (dispatch) port, 0 = any")
    p.add_argument("--https-port", type=_port, default=0, help="HTTPS port, 0 = any")
    p.add_argument("--verbose", action="store_true", help="log every wire line to stderr")
    p.add_argument("--log-file", default="", metavar="PATH",
                   help="also write the log to PATH, one record per line starting with its "
                        "level (WARNING, ERROR, ...): what a test scans for problems")
    p.add_argument("--qng", type=_nonneg(int), default=60, metavar="SECONDS",
                   help="interval sent in QNG (default 60)")
    p.add_argument("--chl-interval", type=_nonneg(float), default=0.0, metavar="SECONDS",
                   help="send a new CHL this long after each answered one (0 = only once)")
    p.add_argument("--chl-timeout", type=_nonneg(float), default=50.0, metavar="SECONDS",
                   help="time allowed to answer a CHL (default 50)")
    p.add_argument("--rst-fault-status", type=int, default=500, choices=(200, 403, 500),
                   help="HTTP status of RST.srf SOAP faults (default 500)")
    p.add_argument("--ticket-lifetime", type=_nonneg(int), default=24 * 3600, metavar="SECONDS",
                   help="lifetime of issued Passport tickets (default 86400)")
    p.add_argument("--redirect", action="store_true",
                   help="NS port is a dispatch server answering USR SSO I with XFR")
    p.add_argument("--fault", action="append", default=[], type=_fault, metavar="NAME",
                   help="inject a fault (repeatable): " + ", ".join(KNOWN_FAULTS))
    p.add_argument("--sb-idle", type=_positive, default=300.0, metavar="SECONDS",
                   help="close a switchboard without messages for this long (default 300)")
    p.add_argument("--bot", default="", metavar="EMAIL",
                   help="an always-online bot account that echoes messages (default none)")
    p.add_argument("--friends", default="", metavar="EMAIL,EMAIL,...",
                   help="these accounts (and the --bot) have each other on FL, Allow and "
                        "Reverse, in a group 'Friends' (the demo's someone to talk to)")
    p.add_argument("--bot-name", default="Echo Bot", metavar="NAME",
                   help="friendly name of the bot (default 'Echo Bot')")
    p.add_argument("--bot-direct", choices=("listen", "connect", "refuse", "off"), default="listen",
                   help="the bot's direct connections for file transfers (ft.py): 'listen' "
                        "(default) listens on 127.0.0.1 when the client offers one; 'connect' "
                        "answers Listening: false and connects to a client that then listens; "
                        "'refuse' answers Listening: true with a port where nothing listens; "
                        "'off' answers Listening: false and never offers one")
    p.add_argument("--bot-file-max", type=_nonneg(int), default=200 * 1024 * 1024,
                   metavar="BYTES", help="largest file the bot accepts; a bigger one is "
                   "accepted, then closed with BYE (default 209715200)")
    p.add_argument("--bot-cross", type=_cross_kib, default=0, metavar="KIB",
                   help="a file offered to the bot in a switchboard the user opened makes the "
                        "bot open its own switchboard to them at once and send bot-file-KIB.bin "
                        "there: two crossed switchboards (cross.py; default 0, off)")
    p.add_argument("--bot-dc-break", type=_nonneg(int), default=0, metavar="BYTES",
                   help="the bot's direct connection for a file breaks (reset) once this many "
                   "file bytes crossed it, either way; the file then goes on over the "
                   "switchboard from where the receiver's NAK says (default 0: never)")
    p.add_argument("--contact-pictures", action="store_true",
                   help="the generated contacts (--contacts) are online peers, each with its "
                        "own display picture served over P2P (bot.py, p2p.py)")
    p.add_argument("--rsi-metadata", default="element", choices=("element", "escaped", "broken"),
                   help="rsi GetMetadata: 'element' answers <MD> as elements (default); "
                        "'escaped' behaves like a revival server: an HTTP 500 for a GetMetadata "
                        "element without children, else the Mail-Data as escaped text; "
                        "'broken' answers every GetMetadata with an HTTP 500")
    p.add_argument("--presence-flood", type=_nonneg(int), default=0, metavar="N",
                   help="answer a session's first ADL only after N NLN notices about addresses "
                   "on no one's list: a server flooding presence while the client is still "
                   "putting its list in place (default 0)")
    return p


def parse(argv=None):
    p = parser()
    a = p.parse_args(argv)
    accounts = {}
    seen = set()
    for email, password in a.account + a.new_account:
        if email.lower() in seen:
            p.error("account given twice: %s" % email)
        seen.add(email.lower())
        accounts[email] = password
    if a.bot:
        try:
            _account(a.bot + ":-")           # the same address syntax as accounts
        except argparse.ArgumentTypeError as exc:
            p.error("--bot: %s" % exc)
        if a.bot.lower() in seen:
            p.error("--bot %s is also an --account" % a.bot)
        if not a.bot_name.strip():
            p.error("--bot-name must not be empty")
    return Config(accounts=accounts, contacts=a.contacts, state_dir=a.state_dir, host=a.host,
                  ns_port=a.ns_port, https_port=a.https_port, verbose=a.verbose, qng=a.qng,
                  log_file=a.log_file,
                  chl_interval=a.chl_interval, chl_timeout=a.chl_timeout,
                  rst_fault_status=a.rst_fault_status, ticket_lifetime=a.ticket_lifetime,
                  redirect=a.redirect, faults=Faults(a.fault),
                  sb_idle=a.sb_idle, bot=a.bot, bot_name=a.bot_name,
                  new_accounts=[e for e, _ in a.new_account],
                  friends=_friends(p, a, seen), contact_names=a.contact_names,
                  rsi_metadata=a.rsi_metadata, contact_pictures=a.contact_pictures,
                  bot_direct=a.bot_direct, bot_file_max=a.bot_file_max,
                  presence_flood=a.presence_flood, bot_dc_break=a.bot_dc_break,
                  bot_cross=a.bot_cross)
