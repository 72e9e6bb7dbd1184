"""The order change feed that devices sync from.

Every change to an order stamps it with the next value of one server-wide
sequence. The value comes from a single ``UPDATE counter ... RETURNING``, whose row
lock the writing transaction holds until it commits: the next writer gets its value
only after this one is visible, so values become visible in sequence order on
PostgreSQL too, and a pull that has read up to value N can never later find a
smaller value committed behind it. (SQLite writers are serialised anyway.)

A change that moves an order between scopes (assignee, team, department) also
records the scope it had before, so that a pull can tell whoever lost the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from server.workorders.tables import Counter, OrderExit, WorkOrder

SCOPE_COLUMNS = ("assignee", "team", "department")


async def next_sync_seq() -> int:
    """Call inside the writing transaction, which then holds the counter's lock."""
    rows = (
        await Counter.update({Counter.value: Counter.value + 1})
        .where(Counter.name == "sync")
        .returning(Counter.value)
    )
    return int(rows[0]["value"])


async def stamp(order_id: UUID) -> int:
    """Mark a change to an order that does not rewrite its row (flags, comments)."""
    seq = await next_sync_seq()
    await WorkOrder.update({WorkOrder.sync_seq: seq}).where(WorkOrder.id == order_id)
    return seq


async def record_exit(row: dict[str, Any], changed: dict[str, Any], seq: int, at: datetime) -> None:
    """Keep the scope an order had before ``changed`` moves it, if it does."""
    if all(changed.get(column, row[column]) == row[column] for column in SCOPE_COLUMNS):
        return
    await OrderExit.insert(
        OrderExit(
            seq=seq,
            order=row["id"],
            assignee=row["assignee"],
            team=row["team"],
            department=row["department"],
            requester=row["requester"],
            created_by=row["created_by"],
            at=at,
        )
    )
