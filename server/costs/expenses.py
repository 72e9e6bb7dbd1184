"""Other costs of an order: travel, parking, materials bought on the way, ...,
each with an optional photo of its receipt."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.costs import schemas
from server.costs.access import check_worker
from server.costs.money import to_cents, to_money
from server.costs.orders import visible_order
from server.costs.tables import Expense
from server.database import fetch
from server.errors import Conflict
from server.ids import new_id
from server.sql import Sql
from server.workorders.scope import in_scope
from server.workorders.unit import OrderUnit, unit_of_work

EXPENSE_COLUMNS = (
    Expense.id,
    Expense.order.as_alias("order_id"),
    Expense.category,
    Expense.amount_cents,
    Expense.note,
    Expense.receipt_sha256,
    Expense.created_by.as_alias("created_by_id"),
    Expense.created_at,
)


async def add_expense(unit: OrderUnit, order_id: UUID, data: schemas.ExpenseCreate) -> UUID:
    order = await unit.order(order_id)
    check_worker(unit.actor, order)
    expense_id = data.id or new_id()
    if await unit.taken(Expense, expense_id):
        raise Conflict(
            "an expense with this id exists", {"id": str(expense_id)}, code="already_exists"
        )
    cents = to_cents(data.amount)
    unit.insert(
        Expense,
        {
            "id": expense_id,
            "order": order_id,
            "category": data.category,
            "amount_cents": cents,
            "note": data.note,
            "receipt_sha256": data.receipt_sha256,
            "created_by": unit.actor.user_id,
            "created_at": unit.clock(),
            "device_time": data.device_time,
        },
    )
    unit.change(
        order_id,
        {},
        "expense_added",
        {"expense_id": str(expense_id), "category": data.category, "amount": str(data.amount)},
        data.device_time,
        data.note[:200],
        internal=True,
    )
    return expense_id


def to_expense(row: dict[str, Any]) -> schemas.Expense:
    return msgspec.convert(
        {**row, "amount": to_money(row["amount_cents"])}, schemas.Expense, strict=False
    )


async def receipt_in_scope(actor: Actor, sha256: str) -> bool:
    """Whether the file is the receipt of an expense on an order the caller (staff,
    not requesters) sees, named by the user who uploaded it: knowing a hash is not
    enough to read a file (as with attachments, sync/blobs.py)."""
    if actor.is_requester:
        return False
    where = Sql("e.receipt_sha256 = {}", sha256) & in_scope(actor, "w")
    rows = await fetch(
        Expense._meta.db,
        'SELECT 1 AS found FROM expense e JOIN work_order w ON w.id = e."order" '
        "JOIN blob b ON b.sha256 = e.receipt_sha256 AND b.uploaded_by = e.created_by "
        f"WHERE {where.text} LIMIT 1",
        where.args,
    )
    return bool(rows)


class ExpenseService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def add(self, order_id: UUID, data: schemas.ExpenseCreate) -> schemas.Expense:
        async with unit_of_work(self.actor, self.clock) as unit:
            expense_id = await add_expense(unit, order_id, data)
        row = await Expense.select(*EXPENSE_COLUMNS).where(Expense.id == expense_id).first()
        assert row is not None
        return to_expense(row)

    async def expenses(self, order_id: UUID) -> list[schemas.Expense]:
        await visible_order(self.actor, order_id)
        rows = (
            await Expense.select(*EXPENSE_COLUMNS)
            .where(Expense.order == order_id)
            .order_by(Expense.created_at)
            .order_by(Expense.id)
        )
        return [to_expense(row) for row in rows]
