"""The order change feed that devices sync from.

Every change to an order stamps it with the value its transaction drew from one
server-wide sequence. The value comes from a single ``UPDATE counter ... RETURNING``, whose row
lock the writing transaction holds until it commits: the next writer gets its value
only after this one is visible, so values become visible in sequence order on
PostgreSQL too, and a pull that has read up to value N can never later find a
smaller value committed behind it. (SQLite writers are serialised anyway.)

A change that moves an order between scopes (assignee, team, department) also
records the scope it had before, so that a pull can tell whoever lost the order.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from server.workorders.tables import Counter, OrderExit, TimelineEvent, WorkOrder

SCOPE_COLUMNS = ("assignee", "team", "department")


# The value a transaction drew: all its changes become visible at once, at its
# commit, so they share one value (a pull orders ties by id).
_drawn: ContextVar[tuple[object, int] | None] = ContextVar("sync_seq_drawn", default=None)


async def next_sync_seq() -> int:
    """Call inside the writing transaction, which then holds the counter's lock."""
    transaction = Counter._meta.db.current_transaction.get()
    drawn = _drawn.get()
    if transaction is not None and drawn is not None and drawn[0] is transaction:
        return drawn[1]
    rows = (
        await Counter.update({Counter.value: Counter.value + 1})
        .where(Counter.name == "sync")
        .returning(Counter.value)
    )
    value = int(rows[0]["value"])
    if transaction is not None:
        _drawn.set((transaction, value))
    return value


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


async def append_event(
    order_id: UUID,
    actor_id: UUID,
    kind: str,
    changes: dict[str, Any],
    note: str,
    at: datetime,
    device_time: datetime | None,
) -> int:
    """Record an append-only change (a comment, an attachment) as the order's next
    version; call inside the writing transaction. The version is bumped in a single
    statement, so concurrent appends never share one."""
    bumped = (
        await WorkOrder.update(
            {
                WorkOrder.updated_at: at,
                WorkOrder.version: WorkOrder.version + 1,
                WorkOrder.sync_seq: await next_sync_seq(),
            }
        )
        .where(WorkOrder.id == order_id)
        .returning(WorkOrder.version)
    )
    version = int(bumped[0]["version"])
    await TimelineEvent.insert(
        TimelineEvent(
            id=uuid4(),
            order=order_id,
            version=version,
            kind=kind,
            actor=actor_id,
            at=at,
            device_time=device_time,
            changes=changes,
            note=note,
        )
    )
    return version
