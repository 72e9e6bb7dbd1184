"""How long the server keeps tombstones (orders that left someone's scope, deleted
master data). A device away longer than that gets ``resync_required`` instead of a
pull that would let deleted data come back."""

from __future__ import annotations

from datetime import datetime

from server.database import write_transaction
from server.masterdata.tables import DeletedRecord
from server.workorders.tables import Counter, OrderExit


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
