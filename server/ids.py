"""Ids for the rows the server makes.

Time-ordered (UUIDv7): each new row's primary key lands at the end of its index
instead of on a random page, so a write touches one hot page rather than
dirtying (and logging) a page per row. Ids that devices make keep whatever
version the device chose.
"""

from __future__ import annotations

from uuid import UUID

# The compat flavour makes the standard library's UUID (sqlite3 finds its adapters by
# exact type), in 1.3 µs against 6 µs for the uuid6 package: a sync push makes ~150.
from uuid_utils.compat import uuid7


def new_id() -> UUID:
    return uuid7()
