"""Ids for the rows the server makes.

Time-ordered (UUIDv7): each new row's primary key lands at the end of its index
instead of on a random page, so a write touches one hot page rather than
dirtying (and logging) a page per row. Ids that devices make keep whatever
version the device chose.
"""

from __future__ import annotations

from uuid import UUID

from uuid6 import uuid7


def new_id() -> UUID:
    # A plain UUID: sqlite3 finds its adapters by exact type, not by subclass.
    return UUID(int=uuid7().int)
