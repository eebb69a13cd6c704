"""A read-only view of the server's state, for the plugin's integration harness.

On SIGUSR1 the server writes `STATE_DIR/dump.xml` (atomically: a temporary file, then a
rename): every account's address book (groups, contacts with their groups and names), its
Messenger memberships (Allow, Block, Reverse, Pending), its own display name and BLP, whether it
is signed in (and its status, name, PSM payload as last sent), and how many ABFindAll and
FindMembership requests it made, full and delta, and the protocol steps record.py counts
(CHL sent, QRY right/wrong, PNG answered, XFR SB, OUT received, RST requests per path); and,
in `<p2p>`, the display-picture traffic p2p.py keeps: session INVITEs per (from, to) on any
switchboard, the peak number of picture sessions the server's peers served at once per
requesting user, and per user the picture the bot last fetched; and the bot's file transfers
(ft.py: direction, user, name, size, SHA-1, bridge, outcome) with the peak of concurrent file
sessions per user. Nothing here changes what the
server does: the request counters wrap the two SOAP operations and call them unchanged.

`install(server)` must run inside the event loop, before the web routes are built
(`abch.routes`), so that the counting wrappers are the operations the routes bind.
"""

import asyncio
import logging
import os
import signal
import xml.etree.ElementTree as ET

from . import abch, abservice, ft, p2p, record, sharing

log = logging.getLogger("msnp.dump")

DUMP_NAME = "dump.xml"

# lower email -> Counter of "ABFindAll full", "ABFindAll delta", "FindMembership full", ...
_requests = record.counts


def _is_delta(call):
    return (abch.text(call.body, "deltasOnly") or "").strip().lower() in ("true", "1")


def _counting(op, method):
    def wrapper(self, call):
        kind = "delta" if _is_delta(call) else "full"
        _requests[call.account.email.lower()]["%s %s" % (op, kind)] += 1
        return method(self, call)
    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def _wrap_once(cls, op):
    method = getattr(cls, op)
    if getattr(method, "_msnp_counted", False):
        return
    wrapped = _counting(op, method)
    wrapped._msnp_counted = True
    setattr(cls, op, wrapped)


def _attr(value):
    return "" if value is None else str(value)


def _book_xml(parent, book):
    groups = {g.id: g.name for g in book.groups.values() if not g.deleted}
    parent.set("exists", "1" if book.exists else "0")
    parent.set("display_name", _attr(book.display_name))
    parent.set("blp", _attr(book.blp))
    for name in sorted(groups.values()):
        ET.SubElement(parent, "group", name=name)
    for c in sorted(book.by_email.values(), key=lambda c: c.email.lower()):
        el = ET.SubElement(parent, "contact", email=c.email,
                           display_name=_attr(c.display_name),
                           messenger="1" if c.messenger else "0")
        if c.nickname:
            el.set("nickname", c.nickname)
        for gid in c.groups:
            if gid in groups:
                ET.SubElement(el, "in", group=groups[gid])
    for role, members in sorted(book.roles.items()):
        for m in sorted(members.values(), key=lambda m: m.email.lower()):
            ET.SubElement(parent, "member", role=role, email=m.email)


def _session_xml(parent, server, account):
    s = account.session
    if s is None or getattr(s.wire, "closed", False):
        parent.set("online", "0")
        return
    ubx = b""
    try:
        ubx = server.presence.state(s).ubx or b""
    except Exception:  # noqa: BLE001 - a view must never break the server
        ubx = b""
    parent.set("online", "1")
    parent.set("status", _attr(s.status))
    parent.set("friendly", _attr(s.friendly))
    parent.set("ubx", ubx.decode("utf-8", "replace") if isinstance(ubx, bytes) else str(ubx))


def snapshot(server):
    """-> the dump as an XML string (UTF-8 text)."""
    root = ET.Element("dump")
    for account in server.directory:
        key = account.email.lower()
        el = ET.SubElement(root, "account", email=account.email)
        book = server.books.get(account)
        if book is not None:
            _book_xml(el, book)
        _session_xml(el, server, account)
        for name, count in sorted(_requests.get(key, {}).items()):
            op, _, kind = name.partition(" ")
            ET.SubElement(el, "requests", op=op, kind=kind, count=str(count))
    _p2p_xml(ET.SubElement(root, "p2p"))
    return ET.tostring(root, encoding="unicode")


def _p2p_xml(parent):
    stats = p2p.STATS
    for (sender, dest), count in sorted(stats.invites.items()):
        ET.SubElement(parent, "invite", {"from": sender, "to": dest, "count": str(count)})
    for requester, peak in sorted(stats.peak.items()):
        ET.SubElement(parent, "sessions", requester=requester, peak=str(peak),
                      active=str(stats.active[requester]))
    for user, (sha1d, size, ok) in sorted(stats.received.items()):
        ET.SubElement(parent, "received", {"from": user, "sha1d": sha1d, "size": str(size),
                                           "ok": "1" if ok else "0"})
    for t in ft.STATS.transfers:
        el = ET.SubElement(parent, "file", direction=t.direction, user=t.remote, name=t.name,
                      size=str(t.size), sha1=t.digest or "", bridge=t.bridge,
                      outcome=t.outcome or "active")
        if t.direction == "in":
            el.set("received", str(t.received))
    for user, peak in sorted(ft.STATS.peak.items()):
        ET.SubElement(parent, "file-sessions", user=user, peak=str(peak),
                      active=str(ft.STATS.active[user]))


def write(server, state_dir):
    path = os.path.join(state_dir, DUMP_NAME)
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(snapshot(server))
        os.replace(tmp, path)
        log.info("state written to %s", path)
    except OSError as exc:
        log.error("cannot write %s: %s", path, exc)


def install(server):
    """Counts the list requests and writes the dump on SIGUSR1 (from the running loop)."""
    _wrap_once(abservice.AbService, "ABFindAll")
    _wrap_once(sharing.SharingService, "FindMembership")
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, write, server, server.cfg.state_dir)
