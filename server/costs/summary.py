"""The cost summary of an order: parts, labour, expenses and their total, added
up by the database in whole cents (exact on both engines) in one query."""

from __future__ import annotations

from uuid import UUID

from server.accounts.actor import Actor
from server.costs import schemas
from server.costs.access import require_staff
from server.costs.money import to_money
from server.database import fetch
from server.errors import NotFound
from server.sql import Sql
from server.workorders.scope import in_scope
from server.workorders.tables import WorkOrder

# The ledger lines (``stock_movement m``) that cost their order something, and what
# each adds in cents: a return is credited at the cost of the use it gives back
# (stored on its line). The reports add them up the same way (server/reports/).
PARTS_LINES_SQL = "m.kind IN ('use', 'return')"
PARTS_CENTS_SQL = (
    "CASE WHEN m.kind = 'use' THEN m.quantity ELSE -m.quantity END * m.unit_cost_cents"
)
SUMMARY_SQL = (
    f"SELECT (SELECT coalesce(sum({PARTS_CENTS_SQL}), 0) FROM stock_movement m "
    f'WHERE m."order" = w.id AND {PARTS_LINES_SQL}) AS parts, '
    '(SELECT coalesce(sum(l.cost_cents), 0) FROM labour_entry l WHERE l."order" = w.id) '
    "AS labour, "
    '(SELECT coalesce(sum(l.minutes), 0) FROM labour_entry l WHERE l."order" = w.id) '
    "AS minutes, "
    '(SELECT coalesce(sum(e.amount_cents), 0) FROM expense e WHERE e."order" = w.id) '
    "AS expenses FROM work_order w WHERE "
)


async def cost_summary(actor: Actor, order_id: UUID) -> schemas.CostSummary:
    """404 outside the caller's scope, like the order; 403 for requesters."""
    where = Sql("w.id = {}", order_id) & in_scope(actor, "w")
    rows = await fetch(WorkOrder._meta.db, SUMMARY_SQL + where.text, where.args)
    if not rows:
        raise NotFound("no such work order", {"id": str(order_id)})
    require_staff(actor)
    row = rows[0]
    parts, labour, expenses = int(row["parts"]), int(row["labour"]), int(row["expenses"])
    return schemas.CostSummary(
        order_id=order_id,
        parts=to_money(parts),
        labour=to_money(labour),
        expenses=to_money(expenses),
        total=to_money(parts + labour + expenses),
        labour_minutes=int(row["minutes"]),
    )
