"""NS side of contact lists and presence (docs/protocol/contact-list.md, presence.md).

* ADL / RML are checked against the address book and memberships kept by the SOAP services:
  an FL entry must be a messenger contact of the book, an AL/BL entry must be on that role,
  never AL and BL together, the network must match; anything else is answered with 241 and the
  offending entries (nothing of that ADL is applied). Payloads over 7500 bytes: 241.
* FQY answers with `t` filled in for addresses that are Passports here, 241 otherwise.
* Presence: after a session's first CHG it gets `ILN {trid of that CHG}` + `UBX` for every
  FL contact it announced by ADL that is online and lets it see them; afterwards every change
  (CHG, PRP MFN, UUX, sign-out, BLP, Allow/Block/Pending changes) is sent as NLN / FLN / UBX to
  every signed-in session that announced this account on its FL and may see it. A target is
  visible to a viewer when it has sent a CHG, is not HDN, and the viewer is not on its Block or
  Pending role and, under `BLP BL`, is on its Allow role.
* When A puts B (a real account) on its FL, the server adds A to B's Reverse (and Pending unless B
  already has A on Allow/Block) and sends B `ADL 0` with `l="8"`; when A removes B, B gets
  `RML 0` with the bits removed (8, or 24 with Pending).
"""

import logging
import urllib.parse

from . import bot, ns
from .contacts import valid_address, xml_text

log = logging.getLogger("msnp.presence")

FL, AL, BL, RL, PL = 1, 2, 4, 8, 16
NETWORKS = frozenset({1, 2, 4, 8, 16, 32})
ADL_MAX_BYTES = 7500


class SessionState:
    """What one NS session announced (ADL) and was told (ILN/NLN/UBX)."""

    def __init__(self):
        self.subscribed = {}      # lower email -> network: FL entries announced by ADL
        self.shown = {}           # lower email -> view tuple last sent
        self.ubx = b""            # this session's own UBX payload (from UUX)
        self.initial = False      # got the initial ADL l="1"


def read_ml(data):
    """-> (root, [(local, domain, attrs)]); ValueError if not an <ml> of <d n>/<c n>."""
    root = ns.parse_xml(data)
    if root.tag != "ml":
        raise ValueError("root element is <%s>, not <ml>" % root.tag)
    out = []
    for d in root:
        domain = d.get("n")
        if d.tag != "d" or not domain:
            raise ValueError("<ml> child <%s n=%r> is not <d n=...>" % (d.tag, domain))
        for c in d:
            name = c.get("n")
            if c.tag != "c" or not name:
                raise ValueError("<d> child <%s n=%r> is not <c n=...>" % (c.tag, name))
            out.append((name, domain, dict(c.attrib)))
    return root, out


def ml_payload(domains, root_attrs=""):
    """domains: {domain: [attribute strings of <c>]} -> bytes."""
    parts = ["<ml%s>" % root_attrs]
    for domain, cs in domains.items():
        parts.append('<d n="%s">' % xml_text(domain))
        parts.extend("<c %s />" % c for c in cs)
        parts.append("</d>")
    parts.append("</ml>")
    return "".join(parts).encode("utf-8")


def quote(text):
    return urllib.parse.quote(text, safe="")


class Presence:
    def __init__(self, server):
        self.server = server
        self.books = server.books
        self.directory = server.directory

    def is_passport(self, email):
        """An address that exists here: an account, a generated contact, the --bot."""
        return self.books.is_passport(email) or bot.presence(self.server, email) is not None

    def state(self, conn):
        st = getattr(conn, "presence_state", None)
        if st is None:
            st = conn.presence_state = SessionState()
        return st

    # ---- list commands ---------------------------------------------------------------------

    def _entry_values(self, attrs):
        lists, net = attrs.get("l", ""), attrs.get("t", "")
        if not (lists.isdigit() and net.isdigit()) or len(lists) > 3 or len(net) > 3:
            return None, None, "l/t missing or not numbers"
        lists, net = int(lists), int(net)
        if not FL <= lists <= (FL | AL | BL):
            return None, None, "l=%d is not a combination of FL/AL/BL" % lists
        if lists & (AL | BL) == (AL | BL):
            return None, None, "AL and BL together"
        if net not in NETWORKS:
            return None, None, "unknown network t=%d" % net
        return lists, net, None

    def _list_command(self, conn, cmd, what):
        """Common ADL/RML checks; -> (root, [(email, lists, net)]) or None if answered."""
        data = cmd.payload
        if len(data) > ADL_MAX_BYTES:
            conn.fail(241, cmd.trid, "%s payload of %d bytes exceeds %d"
                      % (what, len(data), ADL_MAX_BYTES), close=False)
            return None
        try:
            root, items = read_ml(data)
        except ValueError as exc:
            conn.fail(240, cmd.trid, "%s payload: %s" % (what, exc), close=False)
            return None
        book = self.books.get(conn.account)
        st = self.state(conn)
        me = conn.account.email.lower()
        good, bad = [], []
        for local, domain, attrs in items:
            email = "%s@%s" % (local, domain)
            lists, net, why = self._entry_values(attrs)
            if why is None and ("@" in local or "@" in domain or not valid_address(email)):
                why = "not an address"
            if why is None and email.lower() == me:
                why = "own address"
            if why is None and what == "ADL":
                why = self._adl_problem(book, email, lists, net)
            if why is None and what == "RML" and lists & FL and email.lower() not in st.subscribed:
                why = "not on this session's forward list"
            if why is None:
                good.append((email, lists, net))
            else:
                bad.append((domain, attrs))
                log.warning("%s: %s %s entry %s (l=%r t=%r): %s", conn.tag, what, cmd.trid,
                            email, attrs.get("l"), attrs.get("t"), why)
        if bad:
            body = ns.bad_ml(bad)
            conn.send("241 %s %d" % (cmd.trid, len(body)), body)
            return None
        return root, good

    def _adl_problem(self, book, email, lists, net):
        if lists & FL:
            c = book.messenger_contact(email)
            if c is None:
                return "not a messenger contact in the address book"
            if c.network != net:
                return "network %d, the address book says %d" % (net, c.network)
        for bit, role in ((AL, "Allow"), (BL, "Block")):
            if lists & bit:
                m = book.member(role, email)
                if m is None:
                    return "not on the %s list" % role
                if m.network != net:
                    return "network %d, the %s list says %d" % (net, role, m.network)
        return None

    def on_adl(self, conn, cmd):
        checked = self._list_command(conn, cmd, "ADL")
        if checked is None:
            return
        root, entries = checked
        st = self.state(conn)
        newly = []
        for email, lists, net in entries:
            if lists & FL:
                key = email.lower()
                if key not in st.subscribed:
                    newly.append(key)
                st.subscribed[key] = net
            conn.adl.append((email, lists, net))
        if root.get("l") == "1":
            st.initial = True
        if conn.adl_count == 0:
            self._flood(conn)
        conn.adl_count += 1
        conn.send("ADL %s OK" % cmd.trid)
        if conn.chg_count > 0:
            for key in newly:
                self._sync(conn, st, key)

    def _flood(self, conn):
        """--presence-flood: NLNs the client must ignore (no one has these addresses)."""
        count = self.server.cfg.presence_flood
        for i in range(count):
            conn.send("NLN NLN flood%06d@flood.invalid 1 Flood 0" % i)
        if count:
            log.info("%s: sent %d NLN about unknown addresses", conn.tag, count)

    def on_rml(self, conn, cmd):
        checked = self._list_command(conn, cmd, "RML")
        if checked is None:
            return
        st = self.state(conn)
        for email, lists, net in checked[1]:
            if lists & FL:
                st.subscribed.pop(email.lower(), None)
                st.shown.pop(email.lower(), None)
        conn.send("RML %s OK" % cmd.trid)

    def on_fqy(self, conn, cmd):
        if len(cmd.args) != 1:
            return conn.fail(200, cmd.trid, "FQY needs exactly a length")
        try:
            _, items = read_ml(cmd.payload)
        except ValueError as exc:
            return conn.fail(240, cmd.trid, "FQY payload: %s" % exc, close=False)
        known, unknown = {}, []
        for local, domain, attrs in items:
            email = "%s@%s" % (local, domain)
            if "@" not in local and valid_address(email) and self.is_passport(email):
                known.setdefault(domain, []).append('n="%s" t="1"' % xml_text(local))
            else:
                unknown.append((domain, {"n": local}))
        if unknown:
            body = ns.bad_ml(unknown)
            log.info("%s: FQY %s: unknown %r", conn.tag, cmd.trid, unknown)
            return conn.send("241 %s %d" % (cmd.trid, len(body)), body)
        body = ml_payload(known)
        conn.send("FQY %s %d" % (cmd.trid, len(body)), body)

    # ---- own presence ------------------------------------------------------------------------

    def on_chg(self, conn, trid, first):
        if first:
            st = self.state(conn)
            for key in list(st.subscribed):
                self._sync(conn, st, key, trid)
        self.refresh(conn.account)
        robot = bot.get(self.server)
        if robot is not None and conn.msnobj:
            robot.msnobj_announced(self.server, conn)    # the bot asks for new pictures

    def on_prp(self, conn):
        if conn.friendly is not None:
            self.books.get(conn.account).set_display_name(conn.friendly)
        self.refresh(conn.account)

    def on_uux(self, conn):
        st = self.state(conn)
        psm, media = "", ""
        if conn.uux:
            root = ns.parse_xml(conn.uux)          # already checked by ns.on_UUX
            psm = root.findtext("PSM") or ""
            media = root.findtext("CurrentMedia") or ""
            st.ubx = ("<Data><PSM>%s</PSM><CurrentMedia>%s</CurrentMedia></Data>"
                      % (xml_text(psm), xml_text(media))).encode("utf-8")
        else:
            st.ubx = b""
        self.books.get(conn.account).psm = psm
        self.refresh(conn.account)

    def on_blp(self, conn):
        self.books.get(conn.account).blp = conn.blp
        self.refresh(conn.account)

    def on_signout(self, conn):
        if conn.account is not None and conn.state == "ONLINE":
            self.refresh(conn.account)

    def privacy_changed(self, account):
        self.refresh(account)

    # ---- reverse list -------------------------------------------------------------------------

    def display_name(self, account):
        s = account.session
        if s is not None and s.friendly is not None:
            return s.friendly
        return self.books.get(account).display_name

    def contact_added(self, owner, email, invite_name=None, message=None):
        """`owner` (an Account) put `email` on its FL."""
        target = self.directory.get(email)
        book = self.books.get(email)
        if target is None or book is None or target is owner:
            return
        who = owner.email
        name = invite_name or self.display_name(owner)
        added = 0
        if book.member("Reverse", who) is None:
            book.add_member("Reverse", who, display_name=name)
            added |= RL
        if all(book.member(r, who) is None for r in ("Allow", "Block", "Pending")):
            book.add_member("Pending", who, display_name=name, invite=message)
            added |= PL
        log.info("%s added %s: %s%s", who, target.email, "Reverse" if added & RL else "",
                 " Pending" if added & PL else "")
        if added & RL:
            local, domain = who.split("@", 1)
            body = ml_payload({domain: ['n="%s" l="%d" t="1" f="%s"'
                                        % (xml_text(local), RL, xml_text(quote(name)))]},
                              ' l="1"')
            self._notify(target, "ADL", body)
        self.refresh(target)

    def contact_removed(self, owner, email):
        """`owner` took `email` off its FL."""
        target = self.directory.get(email)
        book = self.books.get(email)
        if target is None or book is None or target is owner:
            return
        removed = 0
        for bit, role in ((RL, "Reverse"), (PL, "Pending")):
            m = book.member(role, owner.email)
            if m is not None:
                book.remove_member(m)
                removed |= bit
        if removed:
            local, domain = owner.email.split("@", 1)
            body = ml_payload({domain: ['n="%s" l="%d" t="1"' % (xml_text(local), removed)]})
            self._notify(target, "RML", body)

    def _notify(self, account, command, body):
        s = account.session
        if s is not None and not s.wire.closed:
            s.send("%s 0 %d" % (command, len(body)), body)

    # ---- fan-out -------------------------------------------------------------------------------

    def allows(self, target, email):
        """Whether `target` (Account) lets `email` see its presence (and talk to it): not on its
        Block or Pending role, and on its Allow role under BLP BL."""
        book = self.books.get(target)
        if book.member("Block", email) is not None or book.member("Pending", email) is not None:
            return False
        return book.blp != "BL" or book.member("Allow", email) is not None

    def view(self, key, viewer):
        """What `viewer` (Account) may see of the address `key`: a tuple, or None (offline)."""
        target = self.directory.get(key)
        if target is None:
            b = bot.presence(self.server, key)     # the --bot, --contact-pictures peers
            if b is None:
                return None
            ubx = ("<Data><PSM>%s</PSM><CurrentMedia></CurrentMedia></Data>"
                   % xml_text(b.psm or "")).encode("utf-8")
            return (b.status, quote(b.friendly), str(b.caps),
                    quote(b.msnobj) if b.msnobj else None, ubx)
        s = target.session
        if s is None or s.status is None or s.status == "HDN" or s.wire.closed:
            return None
        book = self.books.get(target)
        if not self.allows(target, viewer.email):
            return None
        name = s.friendly if s.friendly is not None else book.display_name
        msnobj = quote(s.msnobj) if s.msnobj else None
        return (s.status, quote(name), str(s.caps), msnobj, self.state(s).ubx)

    def _sync(self, w, st, key, trid=None):
        """Bring viewer session `w` up to date about the address `key` (lower case)."""
        view = self.view(key, w.account)
        old = st.shown.get(key)
        target = self.directory.get(key)
        email = target.email if target is not None else key
        net = st.subscribed.get(key, 1)
        if view is None:
            if old is not None:
                del st.shown[key]
                w.send("FLN %s %d" % (email, net))
            return
        status, name, caps, msnobj, ubx = view
        tail = " ".join(x for x in (name, caps, msnobj) if x)
        if trid is not None:
            w.send("ILN %s %s %s %d %s" % (trid, status, email, net, tail))
            w.send("UBX %s %d %d" % (email, net, len(ubx)), ubx)
        else:
            if old is None or old[:4] != view[:4]:
                w.send("NLN %s %s %d %s" % (status, email, net, tail))
            if old is None or old[4] != ubx:
                w.send("UBX %s %d %d" % (email, net, len(ubx)), ubx)
        st.shown[key] = view

    def refresh(self, account):
        """Tell every session watching `account` what it now may see of it."""
        key = account.email.lower()
        for w in self.directory.online():
            if w.account is account or w.wire.closed or w.chg_count == 0:
                continue
            st = self.state(w)
            if key in st.subscribed:
                self._sync(w, st, key)

