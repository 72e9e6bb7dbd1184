"""Reading the costs of an order: scoped like the order itself."""

from __future__ import annotations

from uuid import UUID

from server.accounts.actor import Actor
from server.costs.access import require_staff
from server.database import fetch
from server.errors import NotFound
from server.sql import Sql
from server.workorders.scope import in_scope
from server.workorders.tables import WorkOrder


async def visible_order(actor: Actor, order_id: UUID) -> None:
    """404 unless the order is in the caller's scope; 403 for requesters, who see
    their orders but not what they cost."""
    where = Sql("w.id = {}", order_id) & in_scope(actor, "w")
    rows = await fetch(
        WorkOrder._meta.db, f"SELECT w.id FROM work_order w WHERE {where.text}", where.args
    )
    if not rows:
        raise NotFound("no such work order", {"id": str(order_id)})
    require_staff(actor)
