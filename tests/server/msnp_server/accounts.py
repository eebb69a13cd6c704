"""Accounts, the Passport tickets issued to them, and who is signed in.

Per-account state lives here so that later issues can add contact lists (Config.contacts),
presence fan-out and switchboards on top of `Account` and `Directory`.
"""

import collections
import hashlib
import time
from dataclasses import dataclass

MESSENGER_CLEAR = "messengerclear.live.com"
PASSPORT_TB = "http://Passport.NET/tb"
MAX_TICKETS = 64  # per account; the oldest are forgotten first


@dataclass
class Ticket:
    service: str      # AppliesTo address, e.g. messengerclear.live.com
    t: str
    p: str
    secret: bytes     # raw BinarySecret (proof key)
    created: float
    expires: float

    @property
    def string(self):
        """The ticket as a client sends it (`t=...&p=...`)."""
        return "t=%s&p=%s" % (self.t, self.p)

    def expired(self, now=None):
        return (time.time() if now is None else now) >= self.expires


class Account:
    def __init__(self, email, password, contacts=0):
        self.email = email
        self.password = password
        self.contacts_wanted = contacts   # --contacts N; generated in a later issue
        self.contacts = []
        self.tickets = collections.deque(maxlen=MAX_TICKETS)
        self.session = None               # the signed-in NS connection, if any
        digest = hashlib.sha1(email.lower().encode("utf-8")).digest()
        self.puid = int.from_bytes(digest[:8], "big") & 0x7FFFFFFFFFFFFFFF

    def remember(self, tickets):
        self.tickets.extend(tickets)

    def find_ticket(self, service, ticket_string):
        for ticket in reversed(self.tickets):
            if ticket.service == service and ticket.string == ticket_string:
                return ticket
        return None

    def check_password(self, password):
        return password == self.password

    def __repr__(self):
        return "Account(%s)" % self.email


class Directory:
    def __init__(self, accounts, contacts=0):
        self._by_key = {}
        for email, password in accounts.items():
            self._by_key[email.lower()] = Account(email, password, contacts)

    def get(self, email):
        return self._by_key.get(email.lower()) if email else None

    def __iter__(self):
        return iter(self._by_key.values())

    def online(self):
        return [a.session for a in self if a.session is not None]
