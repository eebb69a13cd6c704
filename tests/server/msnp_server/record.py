"""Per-account counts of what clients did, for the state dump (dump.py).

Kept apart from dump.py so that the protocol modules can count without importing the web
services: `count("alice@example.com", "QRY", "right")` shows up in the dump as
`<requests op="QRY" kind="right" count="1"/>` under that account.
"""

import collections

# lower email -> Counter of "OP KIND" ("ABFindAll full", "CHL sent", "RST /RST2.srf", ...)
counts = collections.defaultdict(collections.Counter)


def count(email, op, kind):
    """One more `op kind` for `email` (ignored while the connection has no account yet)."""
    if email:
        counts[email.lower()]["%s %s" % (op, kind)] += 1
