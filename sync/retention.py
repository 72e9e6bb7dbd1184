"""How long the server keeps what sync needs only for a while.

Tombstones (orders that left someone's scope, deleted master data): a device away
longer than the window gets ``resync_required`` instead of a pull that would let
deleted data come back. Recorded push outcomes: they answer a device that pushes
the same ids again after a lost answer; one retrying after the window is told
``outcome_unknown`` (the mutation was applied; its result is not kept).
"""

from __future__ import annotations

from datetime import datetime

from server.database import write_transaction
from server.masterdata.tables import DeletedRecord
from server.workorders.tables import Counter, OrderExit
from sync.tables import SyncMutation


async def purge_tombstones(before: datetime) -> int:
    """Delete the tombstones recorded before ``before``; the sequence value up to
    which they are gone (cursors older than it must take a new snapshot)."""
    async with write_transaction(OrderExit._meta.db):
        newest = (
            await OrderExit.select(OrderExit.seq)
            .where(OrderExit.at < before)
            .order_by(OrderExit.seq, ascending=False)
            .first()
        )
        current = await Counter.select(Counter.value).where(Counter.name == "sync_purged").first()
        purged = int(current["value"]) if current else 0
        if newest is None or newest["seq"] <= purged:
            return purged
        horizon = int(newest["seq"])
        await OrderExit.delete().where(OrderExit.seq <= horizon)
        await DeletedRecord.delete().where(DeletedRecord.seq <= horizon)
        await Counter.update({Counter.value: horizon}).where(Counter.name == "sync_purged")
        return horizon


async def purge_outcomes(before: datetime) -> int:
    """Forget the outcomes of mutations applied before ``before``; how many."""
    async with write_transaction(SyncMutation._meta.db):
        old = await SyncMutation.count().where(SyncMutation.applied_at < before)
        await SyncMutation.delete().where(SyncMutation.applied_at < before)
    return int(old)
