"""The cost operations a phone queues offline (see sync/registry.py): parts used,
time worked and expenses paid, each with an id the phone made.

A push the phone retries is answered from the recorded outcomes (sync/push.py);
and the same operation sent again under another mutation id (a phone that lost
its answers and its counter) finds its id taken by its own earlier self and
applies as nothing, so stock, labour and expenses are never counted twice.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from piccolo.table import Table

from server.costs import schemas
from server.costs.expenses import add_expense
from server.costs.labour import log_labour
from server.costs.money import Money, check_amount
from server.costs.tables import Expense, LabourEntry, StockMovement
from server.costs.usage import use_part
from server.types import Timestamp
from server.workorders.schemas import Note, Sha256
from server.workorders.unit import OrderUnit
from sync.registry import APPLIED, Applied, MutationContext, MutationType


class UsePart(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """As ``POST /api/work-orders/{order_id}/parts``; the mutation's device_time is
    when the part was used."""

    order_id: UUID
    id: UUID
    part_id: UUID
    store_id: UUID
    quantity: schemas.Quantity
    override: bool = False
    reason: Note = ""


class LogLabour(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """As ``POST /api/work-orders/{order_id}/labour``."""

    order_id: UUID
    id: UUID
    minutes: schemas.Minutes | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    note: Note = ""


class AddExpense(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """As ``POST /api/work-orders/{order_id}/expenses``."""

    order_id: UUID
    id: UUID
    category: schemas.ExpenseCategory
    amount: Money
    note: Note = ""
    receipt_sha256: Sha256 | None = None

    def __post_init__(self) -> None:
        check_amount(self.amount, "amount", positive=True)


async def _made_before(
    unit: OrderUnit, table: type[Table], row_id: UUID, order_id: UUID, author: str
) -> bool:
    """Whether this very operation was applied before: its id is taken by a row of
    the same caller on the same order."""
    if not await unit.taken(table, row_id):
        return False
    row = await unit.row(table, row_id)
    return row is not None and row["order"] == order_id and row[author] == unit.actor.user_id


async def use(ctx: MutationContext, args: UsePart) -> Applied:
    if await _made_before(ctx.unit, StockMovement, args.id, args.order_id, "actor"):
        return APPLIED
    data = schemas.PartUse(
        id=args.id,
        part_id=args.part_id,
        store_id=args.store_id,
        quantity=args.quantity,
        override=args.override,
        reason=args.reason,
        device_time=ctx.device_time,
    )
    await use_part(ctx.unit, args.order_id, data)
    return APPLIED


async def log(ctx: MutationContext, args: LogLabour) -> Applied:
    if await _made_before(ctx.unit, LabourEntry, args.id, args.order_id, "created_by"):
        return APPLIED
    data = schemas.LabourCreate(
        id=args.id,
        minutes=args.minutes,
        started_at=args.started_at,
        ended_at=args.ended_at,
        note=args.note,
        device_time=ctx.device_time,
    )
    await log_labour(ctx.unit, args.order_id, data)
    return APPLIED


async def expense(ctx: MutationContext, args: AddExpense) -> Applied:
    if await _made_before(ctx.unit, Expense, args.id, args.order_id, "created_by"):
        return APPLIED
    data = schemas.ExpenseCreate(
        id=args.id,
        category=args.category,
        amount=args.amount,
        note=args.note,
        receipt_sha256=args.receipt_sha256,
        device_time=ctx.device_time,
    )
    await add_expense(ctx.unit, args.order_id, data)
    return APPLIED


def _ids(table: type[Table]) -> Any:
    async def prefetch(unit: OrderUnit, batch: list[Any]) -> None:
        await unit.load_keys(table, [args.id for args in batch])

    return prefetch


MUTATIONS = [
    MutationType("use_part", UsePart, use, prefetch=_ids(StockMovement)),
    MutationType("log_labour", LogLabour, log, prefetch=_ids(LabourEntry)),
    MutationType("add_expense", AddExpense, expense, prefetch=_ids(Expense)),
]
