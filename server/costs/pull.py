"""What a phone keeps of costs, beside its orders (sync/pull_catalogue.py): the
parts catalogue, and the stock of the caller's own stores (their van), so parts
can be used offline from what the van holds.

Parts come like the rest of the catalogue: those changed in (after, upto], all of
them on a snapshot's first page, retired ones included (``active`` false). The
stock comes whole or not at all: ``null`` when none of it changed, else every row
of the caller's stores, to replace what the phone keeps (a van handed to someone
else leaves the old owner's phone with an empty list).
"""

from __future__ import annotations

import asyncio
from typing import Any

from server.accounts.actor import Actor
from server.costs.catalogue import PART_COLUMNS, to_part
from server.costs.stores import stock_levels
from server.costs.tables import Part
from server.database import fetch
from server.sql import Sql

PARTS_SQL = (
    "SELECT {columns} FROM part WHERE sync_seq > {{}} AND sync_seq <= {{}} ORDER BY code"
).format(columns=", ".join(f'"{c._meta.db_column_name}"' for c in PART_COLUMNS))
CHANGED_SQL = (
    "SELECT 1 AS changed WHERE EXISTS (SELECT 1 FROM stock s JOIN store st ON st.id = s.store "
    "WHERE st.owner = {} AND s.sync_seq > {} AND s.sync_seq <= {}) "
    "OR EXISTS (SELECT 1 FROM store st WHERE st.sync_seq > {} AND st.sync_seq <= {})"
)


async def _changed(actor: Actor, after: int | None, upto: int) -> bool:
    if after is None:
        return True
    rows = await fetch(Part._meta.db, CHANGED_SQL, [actor.user_id, after, upto, after, upto])
    return bool(rows)


async def costs_catalogue(actor: Actor, after: int | None, upto: int) -> dict[str, Any]:
    """``after`` None: the first page of a snapshot."""
    if actor.is_requester:
        return {"parts": [], "stock": None}
    low = -1 if after is None else after
    parts, changed, stock = await asyncio.gather(
        fetch(Part._meta.db, PARTS_SQL, [low, upto]),
        _changed(actor, after, upto),
        stock_levels(
            Sql("s.store IN (SELECT st.id FROM store st WHERE st.owner = {})", actor.user_id)
        ),
    )
    return {"parts": [to_part(row) for row in parts], "stock": stock if changed else None}
