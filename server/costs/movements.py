"""Stock movements that are not uses on an order: receipts, transfers and
adjustments (admins and managers), and returns of parts an order did not need.
Uses are made on their order (server/costs/usage.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.costs import ledger, schemas
from server.costs.access import require_keeper, require_manager, require_staff
from server.costs.money import to_money
from server.costs.tables import StockMovement
from server.costs.usage import return_part
from server.database import fetch
from server.errors import Invalid
from server.sql import Sql
from server.workorders.unit import OrderUnit, unit_of_work

MOVEMENT_SQL = (
    "SELECT m.id, m.kind, m.part AS part_id, p.code AS part_code, m.from_store AS from_store_id, "
    'm.to_store AS to_store_id, m.quantity, m.unit_cost_cents, m."order" AS order_id, '
    "m.returns AS returns_id, m.override, m.reason, m.actor AS actor_id, m.at, m.device_time "
    "FROM stock_movement m JOIN part p ON p.id = m.part WHERE {where} "
    "ORDER BY m.at DESC, m.id DESC LIMIT {limit}"
)
# The stores field staff may read the ledger of: those they may draw from (access.py).
THEIR_STORES = (
    "SELECT st.id FROM store st WHERE st.owner = {} "
    "OR (st.kind = 'warehouse' AND st.department = {})"
)
# A manager's: those of the departments they manage.
KEPT_STORES = (
    "SELECT st.id FROM store st WHERE st.department IN "
    "(SELECT md.department FROM managed_department md WHERE md.manager = {})"
)


def _stores_of(actor: Actor) -> tuple[str, list[Any]]:
    """The stores whose ledger the caller reads (not an admin), as a subquery."""
    if actor.is_manager:
        return KEPT_STORES, [actor.user_id]
    return THEIR_STORES, [actor.user_id, actor.department_id]


def to_movement(row: dict[str, Any]) -> schemas.StockMovement:
    return msgspec.convert(
        {**row, "unit_cost": to_money(row["unit_cost_cents"]), "override": bool(row["override"])},
        schemas.StockMovement,
        strict=False,
    )


async def receive(unit: OrderUnit, data: schemas.Receive) -> UUID:
    require_manager(unit.actor, "receive stock")
    movement_id = await ledger.claim_id(unit, data.id)
    part = await ledger.part_of(unit, data.part_id)
    ledger.require_active(part)
    store = await ledger.store_of(unit, data.store_id)
    require_keeper(unit.actor, store)
    level = await ledger.add(unit, store["id"], part["id"], data.quantity)
    ledger.record(
        unit, movement_id, "receive", part, data.quantity, to_store=store["id"], reason=data.reason
    )
    await ledger.watch(unit, level, part, store, fell=False)
    return movement_id


async def transfer(unit: OrderUnit, data: schemas.Transfer) -> UUID:
    require_manager(unit.actor, "transfer stock")
    if data.from_store_id == data.to_store_id:
        raise Invalid(
            "a transfer goes to another store",
            {"from_store_id": str(data.from_store_id)},
            code="same_store",
        )
    movement_id = await ledger.claim_id(unit, data.id)
    part = await ledger.part_of(unit, data.part_id)
    source = await ledger.store_of(unit, data.from_store_id, "from_store_id")
    target = await ledger.store_of(unit, data.to_store_id, "to_store_id")
    require_keeper(unit.actor, source)
    require_keeper(unit.actor, target)
    taken, _ = await ledger.take(unit, source["id"], part["id"], data.quantity)
    given = await ledger.add(unit, target["id"], part["id"], data.quantity)
    ledger.record(
        unit,
        movement_id,
        "transfer",
        part,
        data.quantity,
        from_store=source["id"],
        to_store=target["id"],
        reason=data.reason,
    )
    await ledger.watch(unit, taken, part, source, fell=True)
    await ledger.watch(unit, given, part, target, fell=False)
    return movement_id


async def adjust(unit: OrderUnit, data: schemas.Adjust) -> UUID:
    """Correct a store's stock (never below zero: what is not there cannot be lost)."""
    require_manager(unit.actor, "adjust stock")
    if data.change == 0:
        raise Invalid("an adjustment changes the stock", {"change": 0}, code="zero_change")
    movement_id = await ledger.claim_id(unit, data.id)
    part = await ledger.part_of(unit, data.part_id)
    store = await ledger.store_of(unit, data.store_id)
    require_keeper(unit.actor, store)
    quantity = abs(data.change)
    if data.change < 0:
        level, _ = await ledger.take(unit, store["id"], part["id"], quantity)
        ledger.record(
            unit, movement_id, "adjust", part, quantity, from_store=store["id"], reason=data.reason
        )
    else:
        level = await ledger.add(unit, store["id"], part["id"], quantity)
        ledger.record(
            unit, movement_id, "adjust", part, quantity, to_store=store["id"], reason=data.reason
        )
    await ledger.watch(unit, level, part, store, fell=data.change < 0)
    return movement_id


class MovementService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def create(self, data: schemas.MovementCreate) -> schemas.StockMovement:
        async with unit_of_work(self.actor, self.clock) as unit:
            if isinstance(data, schemas.Receive):
                movement_id = await receive(unit, data)
            elif isinstance(data, schemas.Transfer):
                movement_id = await transfer(unit, data)
            elif isinstance(data, schemas.Adjust):
                movement_id = await adjust(unit, data)
            else:
                movement_id = await return_part(unit, data)
        (found,) = await self.movements(Sql("m.id = {}", movement_id), 1, checked=True)
        return found

    async def lines(
        self,
        store_id: UUID | None,
        part_id: UUID | None,
        order_id: UUID | None,
        limit: int,
    ) -> list[schemas.StockMovement]:
        """The ledger, newest first: everything for admins and managers, the lines of
        the stores they draw from for field staff."""
        where = Sql()
        if store_id is not None:
            where = where & Sql("(m.from_store = {} OR m.to_store = {})", store_id, store_id)
        if part_id is not None:
            where = where & Sql("m.part = {}", part_id)
        if order_id is not None:
            where = where & Sql('m."order" = {}', order_id)
        return await self.movements(where, limit)

    async def movements(
        self, where: Sql, limit: int, checked: bool = False
    ) -> list[schemas.StockMovement]:
        require_staff(self.actor)
        if not (checked or self.actor.is_admin):
            mine, args = _stores_of(self.actor)
            where = where & Sql(
                f"(m.from_store IN ({mine}) OR m.to_store IN ({mine}))", *args, *args
            )
        text = MOVEMENT_SQL.format(where=where.text or "1 = 1", limit=int(limit))
        rows = await fetch(StockMovement._meta.db, text, where.args)
        return [to_movement(row) for row in rows]
