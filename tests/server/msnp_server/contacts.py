"""Per-account address books and memberships (the ABCH's data), and generated books.

One `Book` per account holds what the contact services serve:
  * address-book contacts (FL = contacts with isMessengerUser=true) and groups, including
    tombstones of deleted ones so that delta ABFindAll can report them (fDeleted=true);
  * the Messenger service's memberships: Allow, Block, Reverse, Pending (with tombstones);
  * the owner's own data: display name (the `Me` contact), BLP, cache key.

Every change gets a unique, strictly increasing timestamp from `Clock`; delta requests return
what changed after the client's lastChange. A lastChange older than the book's `horizon` (the
time the book was created/generated, or of the oldest forgotten tombstone) or newer than anything
issued cannot be answered with a delta: FullSyncRequired.

`--contacts N` gives every account exactly N generated forward-list contacts: several groups,
some contacts in two groups or none, long and non-ASCII names, some on Allow, some on Block
(never both), most on Reverse. Addresses are contactNNNNN@example.{com,net,org}; the person
behind an address (name, domain) depends only on NNNNN, the book's choices (groups, lists, ids)
on a seed derived from the owner's address, so every run gives the same books.
"""

import datetime
import hashlib
import random
import re
import time
import uuid

NETWORK_PASSPORT = 1
ROLES = ("Allow", "Block", "Reverse", "Pending")
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
MESSENGER_GROUP_TYPE = "c8529ce2-6ead-434d-881f-341e17db3ff8"

MAX_FL = 1000                 # messenger contacts one may add (WLM 8.5 era limit)
MAX_GROUPS = 100              # guess
MAX_GROUP_NAME = 61           # characters (the old NS limit; error 229 / BadArgumentLength)
MAX_DISPLAY_NAME = 387        # characters, like PRP MFN
MAX_TOMBSTONES = 5000         # per book and kind; older ones are forgotten (horizon moves)

GENERATED_RE = re.compile(r"^contact\d{5,}@example\.(com|net|org)$")
_ADDRESS_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
_XML_BAD = re.compile("[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def valid_address(email):
    return bool(email) and len(email) <= 129 and bool(_ADDRESS_RE.match(email))


def puid_of(email):
    """The 63-bit id the server derives from an address (same formula for every account)."""
    digest = hashlib.sha1(email.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFFFFFFFFFF


_XML_SPECIAL = re.compile('[&<>"]|' + _XML_BAD.pattern)


def xml_text(text):
    """Escape for XML text/attributes; drop characters XML 1.0 cannot carry."""
    if not _XML_SPECIAL.search(text):
        return text
    text = _XML_BAD.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


# ---- timestamps ---------------------------------------------------------------------------------

class Clock:
    """Unique, strictly increasing change stamps (microseconds since the epoch)."""

    def __init__(self):
        self.last = 0

    def stamp(self):
        now = int(time.time() * 1_000_000)
        self.last = max(now, self.last + 1)
        return self.last


_EPOCH = datetime.datetime(1970, 1, 1)
_STAMP_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,7}))?"
                       r"(Z|[+-]\d\d:\d\d)?$")


def format_stamp(us):
    """`2008-06-01T12:00:00.1234560Z` (7 fraction digits, as .NET writes them)."""
    secs, frac = divmod(us, 1_000_000)
    dt = _EPOCH + datetime.timedelta(seconds=secs)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d0Z" % frac


def parse_stamp(text):
    """-> microseconds since the epoch, or None if `text` is not an xsd:dateTime."""
    m = _STAMP_RE.match((text or "").strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        dt = datetime.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        dt -= sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    us = int(((frac or "") + "000000")[:6])
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + us


# ---- records -------------------------------------------------------------------------------------

class Contact:
    __slots__ = ("id", "email", "network", "kind", "display_name", "groups", "messenger",
                 "nickname", "deleted", "changed", "xml")

    def __init__(self, cid, email, display_name, changed, kind="Regular", network=1,
                 groups=None, messenger=True):
        self.id = cid
        self.email = email
        self.network = network
        self.kind = kind                  # Regular, Me
        self.display_name = display_name
        self.groups = list(groups or [])  # group ids, in order
        self.messenger = messenger        # isMessengerUser: on the FL
        self.nickname = None              # AB.NickName annotation
        self.deleted = False
        self.changed = changed
        self.xml = None                   # cached ABFindAll fragment


class Group:
    __slots__ = ("id", "name", "favorite", "deleted", "changed", "xml")

    def __init__(self, gid, name, changed):
        self.id = gid
        self.name = name
        self.favorite = False
        self.deleted = False
        self.changed = changed
        self.xml = None


class Member:
    __slots__ = ("id", "role", "email", "network", "kind", "display_name", "invite",
                 "joined", "changed", "deleted", "xml")

    def __init__(self, mid, role, email, changed, network=1, kind="Passport",
                 display_name=None, invite=None):
        self.id = mid                     # MembershipId (an integer, unique in the book)
        self.role = role
        self.email = email
        self.network = network
        self.kind = kind                  # Passport or Email
        self.display_name = display_name
        self.invite = invite              # MSN.IM.InviteMessage
        self.joined = changed
        self.changed = changed
        self.deleted = False
        self.xml = None


# ---- one account's book --------------------------------------------------------------------------

class Book:
    def __init__(self, clock, owner_email, created, exists=True):
        self.clock = clock
        self.owner = owner_email
        self.exists = exists              # False until ABAdd for --new-account accounts
        self.created = created
        self.horizon = created            # deltas from before this need a full sync
        self.ab_changed = created
        self.members_changed = created
        self.contacts = {}                # id -> Contact (tombstones included)
        self.by_email = {}                # lower email -> live Regular Contact
        self.groups = {}                  # id -> Group (tombstones included)
        self.roles = {r: {} for r in ROLES}   # role -> lower email -> live Member
        self.member_tombstones = []
        self.next_membership_id = 1
        self.blp = "AL"
        digest = hashlib.sha1(("cachekey:" + owner_email.lower()).encode()).hexdigest()
        self.cache_key = "12r1:" + digest
        me_id = str(uuid.UUID(bytes=hashlib.md5(("me:" + owner_email.lower()).encode())
                              .digest(), version=4))
        self.me = Contact(me_id, owner_email, owner_email, created, kind="Me", messenger=False)
        self.contacts[me_id] = self.me
        self.psm = ""

    # -- lookups --

    def contact(self, email):
        return self.by_email.get(email.lower())

    def messenger_contact(self, email):
        c = self.by_email.get(email.lower())
        return c if c is not None and c.messenger else None

    def fl_count(self):
        return sum(1 for c in self.by_email.values() if c.messenger)

    def live_groups(self):
        return [g for g in self.groups.values() if not g.deleted]

    def group_by_name(self, name):
        low = name.lower()
        for g in self.groups.values():
            if not g.deleted and g.name.lower() == low:
                return g
        return None

    def member(self, role, email):
        return self.roles[role].get(email.lower())

    def member_by_id(self, role, mid):
        for m in self.roles[role].values():
            if str(m.id) == mid:
                return m
        return None

    @property
    def display_name(self):
        return self.me.display_name

    # -- changes --

    def _touch_ab(self, obj, stamp=None):
        stamp = stamp or self.clock.stamp()
        obj.changed = stamp
        obj.xml = None
        self.ab_changed = max(self.ab_changed, stamp)
        return stamp

    def set_display_name(self, name):
        if name != self.me.display_name:
            self.me.display_name = name
            self._touch_ab(self.me)

    def add_contact(self, email, display_name=None, messenger=True, network=1, cid=None,
                    stamp=None):
        cid = cid or str(uuid.uuid4())
        c = Contact(cid, email, display_name or email, 0, network=network, messenger=messenger)
        self.contacts[cid] = c
        self.by_email[email.lower()] = c
        self._touch_ab(c, stamp)
        return c

    def update_contact(self, c):
        self._touch_ab(c)

    def delete_contact(self, c):
        c.deleted = True
        c.groups = []
        if self.by_email.get(c.email.lower()) is c:
            del self.by_email[c.email.lower()]
        self._touch_ab(c)
        self._forget_old(self.contacts)

    def add_group(self, name, gid=None, stamp=None):
        gid = gid or str(uuid.uuid4())
        g = Group(gid, name, 0)
        self.groups[gid] = g
        self._touch_ab(g, stamp)
        return g

    def rename_group(self, g, name):
        g.name = name
        self._touch_ab(g)

    def delete_group(self, g):
        stamp = self.clock.stamp()
        for c in self.contacts.values():
            if g.id in c.groups:
                c.groups.remove(g.id)
                self._touch_ab(c, stamp)
        g.deleted = True
        self._touch_ab(g, stamp)
        self._forget_old(self.groups)

    def group_contact(self, g, c, add):
        if add:
            c.groups.append(g.id)
        else:
            c.groups.remove(g.id)
        self._touch_ab(c)

    def add_member(self, role, email, network=1, kind="Passport", display_name=None,
                   invite=None, stamp=None):
        stamp = stamp or self.clock.stamp()
        m = Member(self.next_membership_id, role, email, stamp, network, kind, display_name,
                   invite)
        self.next_membership_id += 1
        self.roles[role][email.lower()] = m
        self.members_changed = max(self.members_changed, stamp)
        return m

    def remove_member(self, m):
        del self.roles[m.role][m.email.lower()]
        m.deleted = True
        m.changed = self.clock.stamp()
        m.xml = None
        self.members_changed = max(self.members_changed, m.changed)
        self.member_tombstones.append(m)
        if len(self.member_tombstones) > MAX_TOMBSTONES:
            old = self.member_tombstones.pop(0)
            self.horizon = max(self.horizon, old.changed)

    def _forget_old(self, table):
        dead = [o for o in table.values() if o.deleted]
        if len(dead) > MAX_TOMBSTONES:
            dead.sort(key=lambda o: o.changed)
            for o in dead[:len(dead) - MAX_TOMBSTONES]:
                del table[o.id]
                self.horizon = max(self.horizon, o.changed)

    # -- delta support --

    def delta_ok(self, since):
        """True if changes after `since` (microseconds) can be listed."""
        return since is not None and self.horizon <= since <= self.clock.last + 1

    def members(self, since=None):
        """role -> [Member] (live, plus tombstones when `since` is given), changed after since."""
        out = {r: [] for r in ROLES}
        for role in ROLES:
            for m in self.roles[role].values():
                if since is None or m.changed > since:
                    out[role].append(m)
        if since is not None:
            for m in self.member_tombstones:
                if m.changed > since:
                    out[m.role].append(m)
        return out


# ---- generated books -----------------------------------------------------------------------------

_FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Élodie", "Farid", "Greta", "Hiroshi", "Ingrid",
          "Jürgen", "Kofi", "Léa", "Mateus", "Nadia", "Oskar", "Priya", "Quentin", "Rosa",
          "Søren", "Tomás", "Ursula", "Vikram", "Wen", "Xavier", "Yusuf", "Zoë"]
_LAST = ["Ångström", "Novak", "O'Neil", "Müller", "García", "Kowalski", "Nakamura", "Smith",
         "Øvergaard", "Dubois", "Ivanova", "Bianchi", "Papadopoulos", "Nguyễn", "Kim", "Zoë"]
_SPECIAL = ["李雷", "韩梅梅", "山田 太郎", "Ωμέγα Ψ", "Алексей Смирнов", "שירה כהן", "محمد علي",
            "🎸 Rock Star 🎸", "☕ Coffee first 😀", "Tom & Jerry <3", "\"Quoted\" Name",
            "Łukasz Żółć", "💬 always online 💬", "Ægir Þórsson"]
_LONG_WORDS = ["Maximilian", "Alexander", "von", "Hohenzollern-Sigmaringen", "the", "Third,",
               "Esq.", "(work", "phone:", "ask", "me", "first)", "—", "currently", "travelling",
               "through", "Ünïcødé", "lands", "🌍", "and", "not", "reading", "messages"]
_FIXED = ["Zoë Ångström", "李雷", "🎸 Rock Star 🎸", None, "Tom & Jerry <3"]  # None = long name
GROUP_NAMES = ["Friends", "Family", "Work", "Ünïcødé Grüppé", "同学", "🎮 Gamers",
               "Tom & Jerry's <club>",
               "A fairly long group name that stays within sixty-one chars"]
# --contact-names plain (the demo): names a person would read as names, no stress cases.
_PLAIN_FIRST = ["Anna", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Greta", "Hiroshi", "Ingrid",
                "James", "Kofi", "Laura", "Mateus", "Nadia", "Oskar", "Priya", "Rosa", "Sam",
                "Tomás", "Vikram", "Wen", "Yusuf"]
_PLAIN_LAST = ["Novak", "O'Neil", "Müller", "García", "Kowalski", "Nakamura", "Smith", "Dubois",
               "Ivanova", "Bianchi", "Kim", "Jensen", "Okafor", "Silva", "Brown", "Fischer"]
PLAIN_GROUP_NAMES = ["Friends", "Family", "Work", "School", "Football club", "Neighbours",
                     "Book club", "Old colleagues"]


def _long_name(rng):
    """A long display name (110 to 300 characters): the word list in order, cycling."""
    want = rng.randint(110, 300)
    words, k = [], rng.randrange(len(_LONG_WORDS))
    while sum(len(w) + 1 for w in words) < want:
        words.append(_LONG_WORDS[k % len(_LONG_WORDS)])
        k += 1
    return " ".join(words)[:MAX_DISPLAY_NAME]


def persona(i, names="stress"):
    """(address, display name) of generated person number i (same in every book). `names`
    "stress" mixes in long, non-ASCII, emoji and markup names; "plain" gives first and last
    names only (the address is the same either way)."""
    rng = random.Random("persona:%d" % i)
    r = rng.random()
    domain = "example.com" if r < 0.7 else ("example.net" if r < 0.85 else "example.org")
    if names == "plain":
        # Walks the name lists so that neighbouring contacts never share a name.
        first = _PLAIN_FIRST[i % len(_PLAIN_FIRST)]
        last = _PLAIN_LAST[(i * 7 + i // len(_PLAIN_FIRST)) % len(_PLAIN_LAST)]
        return "contact%05d@%s" % (i, domain), "%s %s" % (first, last)
    if i < len(_FIXED):
        name = _FIXED[i] if _FIXED[i] is not None else _long_name(rng)
    elif i % 10 == 7:
        name = rng.choice(_SPECIAL)
    elif i % 23 == 11:
        name = _long_name(rng)
    else:
        name = "%s %s" % (rng.choice(_FIRST), rng.choice(_LAST))
    return "contact%05d@%s" % (i, domain), name


def _guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate(book, n, names="stress"):
    """Fill `book` with n generated FL contacts (deterministic for the owner's address); `names`
    as in persona(), and plain group names with "plain"."""
    if n <= 0:
        return
    rng = random.Random("book:" + book.owner.lower())
    created = book.created
    year = 365 * 86400 * 1_000_000

    def past():
        return created - rng.randrange(1, year)

    group_names = PLAIN_GROUP_NAMES if names == "plain" else GROUP_NAMES
    groups = [book.add_group(name, _guid(rng), past())
              for name in group_names[:min(len(group_names), 3 + n // 8)]]
    owner = book.owner.lower()
    i = 0
    made = 0
    while made < n:
        email, name = persona(i, names)
        i += 1
        if email == owner:
            continue
        c = book.add_contact(email, name, cid=_guid(rng), stamp=past())
        made += 1
        k = made - 1
        r = rng.random()
        if k == 0 or (k > 2 and r > 0.85 and len(groups) > 1):
            c.groups = rng.sample([g.id for g in groups], 2)
        elif k == 1 or (k > 2 and r > 0.15):
            c.groups = [rng.choice(groups).id]
        r = rng.random()
        if k == 1 or (k > 2 and r < 0.07):
            book.add_member("Block", email, stamp=past())
        elif k == 0 or (k > 2 and r < 0.75):
            book.add_member("Allow", email, stamp=past())
        if rng.random() < 0.8 or k == 0:
            book.add_member("Reverse", email, stamp=past())
    # The state "as of" startup: nothing older can be listed as a delta.
    book.ab_changed = book.members_changed = book.horizon = created


class Books:
    """Every account's Book, plus who counts as an existing Passport."""

    def __init__(self, directory, contacts=0, new_accounts=(), friends=(), names="stress"):
        self.directory = directory
        self.clock = Clock()
        now = self.clock.stamp()
        self.generated = set()
        self._books = {}
        fresh = {e.lower() for e in new_accounts}
        for account in directory:
            key = account.email.lower()
            book = Book(self.clock, account.email, now, exists=key not in fresh)
            if key not in fresh:
                generate(book, contacts, names)
                self.generated.update(book.by_email)
            self._books[key] = book
        self._befriend(friends)

    def _befriend(self, friends):
        """--friends: every listed account has the others on FL (group "Friends"), Allow and
        Reverse, as two people who added each other long ago."""
        for email in friends:
            book = self._books.get(email.lower())
            if book is None or not book.exists:
                continue  # the bot (or a fresh account) has no book to fill
            group = book.group_by_name("Friends") or book.add_group("Friends")
            for other in friends:
                if other.lower() == email.lower() or book.contact(other) is not None:
                    continue
                c = book.add_contact(other)
                book.group_contact(group, c, True)
                for role in ("Allow", "Reverse"):
                    if book.member(role, other) is None:
                        book.add_member(role, other)

    def get(self, account_or_email):
        email = getattr(account_or_email, "email", account_or_email)
        return self._books.get(email.lower())

    def is_generated(self, email):
        """A generated person (--contacts) that is on some account's book."""
        return email.lower() in self.generated

    def is_passport(self, email):
        """Does this address belong to a Passport this server knows?"""
        key = email.lower()
        return key in self._books or key in self.generated or bool(GENERATED_RE.match(key))
