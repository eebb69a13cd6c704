"""Startup: certificates, listeners, the READY line, and shutdown on SIGTERM/SIGINT."""

import asyncio
import logging
import os
import shutil
import signal
import ssl
import sys
import tempfile

from . import certs, config, ns, rst, web
from .accounts import Directory
from . import bot, oim, sb            # switchboard, offline messages, the --bot account
from . import abch, contacts, presence   # address books, contact SOAP services, presence
from . import dump                        # SIGUSR1: state dump for the harness

log = logging.getLogger("msnp")

SHUTDOWN_GRACE = 2.0


class Server:
    """Everything shared by the listeners: config, accounts, addresses."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.directory = Directory(cfg.accounts, cfg.contacts)
        self.books = contacts.Books(self.directory, cfg.contacts, cfg.new_accounts, cfg.friends,
                                    cfg.contact_names)
        self.presence = presence.Presence(self)
        self.picture_peers = {}       # generated contacts as P2P peers (bot.peer)
        self.ns_address = None        # (host, port) of the NS that does the sign-in
        self.web_base = None          # https://localhost:PORT
        self.tasks = set()            # connection handler tasks

    def sign_in(self, conn):
        """`conn` completed USR OK: make it the account's session, kicking any older one."""
        account = conn.account
        old = account.session
        account.session = conn
        if old is not None and old is not conn:
            log.info("%s signed in again (%s); OUT OTH to %s", account.email, conn.tag, old.tag)
            old.kick("OTH")

    def track(self):
        task = asyncio.current_task()
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def ns_handler(self, role):
        async def handler(reader, writer):
            self.track()
            await ns.NsConnection(self, reader, writer, role).run()
        return handler

    def web_handler(self, webserver):
        async def handler(reader, writer):
            self.track()
            await webserver.handle(reader, writer)
        return handler


def _fmt_host(host):
    return "[%s]" % host if ":" in host else host


async def serve(cfg):
    server = Server(cfg)
    server.bot = bot.Bot(cfg.bot, cfg.bot_name, cfg.bot_direct, cfg.bot_file_max,
                         cfg.bot_dc_break, cfg.bot_cross) \
        if cfg.bot else None
    server.switchboard = sb.Switchboard(server)
    server.oim = oim.OimService(server)
    ca_pem, cert_pem, key_pem = certs.ensure(cfg.state_dir)

    dump.install(server)
    rst_service = rst.RstService(server)
    routes = {
        "/RST.srf": rst_service.handle_rst,
        "/RST2.srf": rst_service.handle,
        "/OimWS/oim.asmx": server.oim.handle_store,
        "/rsi/rsi.asmx": server.oim.handle_rsi,
    }
    routes.update(abch.routes(server))  # /abservice/*.asmx, /storageservice/SchematizedStore.asmx
    webserver = web.WebServer(routes, verbose=cfg.verbose)
    ctx = webserver.ssl_context(cert_pem, key_pem)

    listeners = []
    try:
        https = await asyncio.start_server(server.web_handler(webserver), cfg.host,
                                           cfg.https_port, ssl=ctx, limit=web.MAX_LINE,
                                           ssl_handshake_timeout=15)
        listeners.append(https)
        first_role = "dispatch" if cfg.redirect else "ns"
        ns_listener = await asyncio.start_server(server.ns_handler(first_role), cfg.host,
                                                 cfg.ns_port, limit=ns.wire.MAX_LINE)
        listeners.append(ns_listener)
        ns_port = ns_listener.sockets[0].getsockname()[1]
        server.ns_address = (cfg.host, ns_port)
        if cfg.redirect:
            ns2 = await asyncio.start_server(server.ns_handler("ns"), cfg.host, 0,
                                             limit=ns.wire.MAX_LINE)
            listeners.append(ns2)
            server.ns_address = (cfg.host, ns2.sockets[0].getsockname()[1])
        sb_listener = await asyncio.start_server(server.switchboard.handle, cfg.host, 0,
                                                 limit=sb.wire.MAX_LINE)
        listeners.append(sb_listener)
        server.switchboard.address = "%s:%d" % (_fmt_host(cfg.host),
                                                sb_listener.sockets[0].getsockname()[1])
    except OSError as exc:
        log.error("cannot listen on %s: %s", cfg.host, exc)
        for listener in listeners:
            listener.close()
        return 1

    https_port = https.sockets[0].getsockname()[1]
    server.web_base = "https://localhost:%d" % https_port
    if cfg.redirect:
        log.info("dispatch server on %s:%d, NS on %s:%d", cfg.host, ns_port, *server.ns_address)
    log.info("accounts: %s", ", ".join(cfg.accounts) or "(none)")
    log.info("switchboard on %s", server.switchboard.address)
    if server.bot is not None:
        log.info("bot: %s (%s)", server.bot.email, server.bot.friendly)
    if cfg.faults.names:
        log.info("faults: %s", ", ".join(sorted(cfg.faults.names)))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.set_exception_handler(_exception_handler)

    sys.stdout.write("READY ns=%s:%d web=%s ca=%s\n" % (_fmt_host(cfg.host), ns_port,
                                                      server.web_base, ca_pem))
    sys.stdout.flush()

    await stop.wait()
    log.info("shutting down")
    for listener in listeners:
        listener.close()
    for conn in server.directory.online():
        conn.kick("SSD")
    server.switchboard.shutdown()
    for task in list(server.tasks):
        task.cancel()
    if server.tasks:
        await asyncio.wait(list(server.tasks), timeout=SHUTDOWN_GRACE)
    return 0


def _exception_handler(loop, context):
    exc = context.get("exception")
    if isinstance(exc, (ssl.SSLError, ConnectionError, OSError)):
        log.info("connection problem: %s", exc)
    else:
        log.error("unexpected: %s", context.get("message"), exc_info=exc)


class _OneLineFormatter(logging.Formatter):
    """`LEVEL name: message`, a traceback folded into the same line: a test that scans the
    file for `WARNING ` and `ERROR ` at line starts sees every problem exactly once."""

    def format(self, record):
        return super().format(record).replace("\n", " | ")


def _log_to_file(path):
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def main(argv=None):
    cfg = config.parse(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if cfg.verbose else logging.INFO,
                        format="msnp-server %(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("asyncio").setLevel(logging.WARNING)
    if cfg.log_file:
        _log_to_file(cfg.log_file)
    # Until the event loop takes over the signals (after startup), stop cleanly too.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    for email, password in cfg.accounts.items():
        if len(password) > 16:
            log.warning("password of %s is longer than 16 characters; real clients send only "
                        "the first 16 and would fail to sign in", email)
    created = False
    if cfg.state_dir:
        os.makedirs(cfg.state_dir, exist_ok=True)
    else:
        cfg.state_dir = tempfile.mkdtemp(prefix="msnp-server-")
        created = True
    cfg.state_dir = os.path.abspath(cfg.state_dir)
    try:
        return asyncio.run(serve(cfg))
    finally:
        if created:
            shutil.rmtree(cfg.state_dir, ignore_errors=True)
