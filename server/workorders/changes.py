"""The order change feed that devices sync from.

Every change to an order stamps it with the value its transaction drew from one
server-wide sequence. The value comes from a single ``UPDATE counter ... RETURNING``, whose row
lock the writing transaction holds until it commits: the next writer gets its value
only after this one is visible, so values become visible in sequence order on
PostgreSQL too, and a pull that has read up to value N can never later find a
smaller value committed behind it. (SQLite writers are serialised anyway.)

A change that moves an order between scopes (assignee, team, department) also
records the scope it had before, so that a pull can tell whoever lost the order
(server/workorders/unit.py writes both).
"""

from __future__ import annotations

from contextvars import ContextVar

from server.workorders.tables import Counter

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
