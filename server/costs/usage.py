"""Parts used on orders: taken out of a store and charged to the order at the
part's cost of the moment; returns give unused ones back at that same cost.

Each use and return is also a (internal) timeline event of the order, so it
reaches the sync feed and the order's history like any other change.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.costs import ledger, schemas
from server.costs.access import check_worker, may_draw, require_staff
from server.costs.money import to_money
from server.costs.orders import visible_order
from server.costs.tables import StockMovement
from server.database import fetch, is_sqlite, row_lock_sql
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.sql import Sql
from server.workorders.unit import OrderUnit, unit_of_work

RETURNED_SQL = (
    "SELECT coalesce(sum(quantity), 0) AS returned FROM stock_movement "
    "WHERE kind = 'return' AND returns = {}"
)
USES_SQL = (
    "SELECT u.id, u.part AS part_id, p.code, p.name, p.unit, u.from_store AS store_id, "
    "u.quantity, u.unit_cost_cents, u.override, u.reason, u.actor AS actor_id, u.at, "
    "(SELECT coalesce(sum(r.quantity), 0) FROM stock_movement r "
    "WHERE r.kind = 'return' AND r.returns = u.id) AS returned "
    "FROM stock_movement u JOIN part p ON p.id = u.part WHERE u.kind = 'use' AND {where} "
    "ORDER BY u.at, u.id"
)


async def use_part(unit: OrderUnit, order_id: UUID, data: schemas.PartUse) -> UUID:
    """Take parts from a store for an order: 409 ``insufficient_stock`` when the store
    holds fewer, unless a manager overrides with a reason."""
    actor = unit.actor
    order = await unit.order(order_id)
    check_worker(actor, order)
    if data.override and not actor.can_manage:
        raise Forbidden(
            "only admins and managers take more than the stock holds", code="override_forbidden"
        )
    if data.override and not data.reason.strip():
        raise Invalid(
            "say why the stock may go below zero", {"reason": "required"}, code="reason_required"
        )
    movement_id = await ledger.claim_id(unit, data.id)
    part = await ledger.part_of(unit, data.part_id)
    ledger.require_active(part)
    store = await ledger.store_of(unit, data.store_id)
    if not may_draw(actor, store):
        raise Forbidden(
            "field staff take parts from their own van or their department's warehouse",
            {"store_id": str(data.store_id)},
            code="store_not_yours",
        )
    # Checks are done: the stock moves, then the writes follow.
    level, overridden = await ledger.take(
        unit, store["id"], part["id"], data.quantity, override=data.override
    )
    ledger.record(
        unit,
        movement_id,
        "use",
        part,
        data.quantity,
        from_store=store["id"],
        order=order_id,
        override=overridden,
        reason=data.reason,
        device_time=data.device_time,
    )
    await ledger.watch(unit, level, part, store, fell=True)
    unit.change(
        order_id,
        {},
        "part_used",
        {
            "movement_id": str(movement_id),
            "part_id": str(part["id"]),
            "code": part["code"],
            "quantity": data.quantity,
            "store_id": str(store["id"]),
        },
        data.device_time,
        f"{data.quantity} {part['unit']} {part['code']} {part['name']}"[:200],
        internal=True,
    )
    return movement_id


async def return_part(unit: OrderUnit, data: schemas.Return) -> UUID:
    """Give back parts a use took and did not need, into its store (or another the
    caller may draw from); at most what is left of the use."""
    actor = unit.actor
    require_staff(actor)
    sqlite = is_sqlite(StockMovement._meta.db)
    # The use's row lock keeps two returns of it from both counting the same units.
    rows = await fetch(
        StockMovement._meta.db,
        'SELECT id, part, from_store, quantity, unit_cost_cents, "order", actor '
        f"FROM stock_movement WHERE id = {{}} AND kind = 'use'{row_lock_sql(sqlite)}",
        [data.use_id],
    )
    if not rows:
        raise NotFound("no such use of a part", {"use_id": str(data.use_id)})
    use = rows[0]
    order_id = UUID(str(use["order"]))
    order = await unit.order(order_id)
    check_worker(actor, order)
    if not actor.can_manage and UUID(str(use["actor"])) != actor.user_id:
        raise Forbidden("field staff return what they took", code="not_your_use")
    returned = int(
        (await fetch(StockMovement._meta.db, RETURNED_SQL, [data.use_id]))[0]["returned"]
    )
    left = int(use["quantity"]) - returned
    if data.quantity > left:
        raise Conflict(
            f"only {left} of this use are left to return",
            {"left": left, "requested": data.quantity},
            code="return_exceeds_use",
        )
    movement_id = await ledger.claim_id(unit, data.id)
    part = await ledger.part_of(unit, UUID(str(use["part"])))
    store_id = data.store_id or UUID(str(use["from_store"]))
    store = await ledger.store_of(unit, store_id)
    if not may_draw(actor, store):
        raise Forbidden(
            "field staff return parts to their own van or their department's warehouse",
            {"store_id": str(store_id)},
            code="store_not_yours",
        )
    level = await ledger.add(unit, store["id"], part["id"], data.quantity)
    ledger.record(
        unit,
        movement_id,
        "return",
        part,
        data.quantity,
        to_store=store["id"],
        unit_cost_cents=int(use["unit_cost_cents"]),
        order=order_id,
        returns=data.use_id,
        reason=data.reason,
    )
    await ledger.watch(unit, level, part, store, fell=False)
    unit.change(
        order_id,
        {},
        "part_returned",
        {
            "movement_id": str(movement_id),
            "use_id": str(data.use_id),
            "part_id": str(part["id"]),
            "code": part["code"],
            "quantity": data.quantity,
            "store_id": str(store["id"]),
        },
        None,
        f"{data.quantity} {part['unit']} {part['code']} {part['name']}"[:200],
        internal=True,
    )
    return movement_id


def to_order_part(row: dict[str, Any]) -> schemas.OrderPart:
    quantity, returned, cost = (
        int(row["quantity"]),
        int(row["returned"]),
        int(row["unit_cost_cents"]),
    )
    return msgspec.convert(
        {
            **row,
            "unit_cost": to_money(cost),
            "cost": to_money((quantity - returned) * cost),
            "override": bool(row["override"]),
        },
        schemas.OrderPart,
        strict=False,
    )


async def _uses(where: Sql) -> list[schemas.OrderPart]:
    text = USES_SQL.format(where=where.text)
    return [to_order_part(row) for row in await fetch(StockMovement._meta.db, text, where.args)]


class PartUseService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def use(self, order_id: UUID, data: schemas.PartUse) -> schemas.OrderPart:
        async with unit_of_work(self.actor, self.clock) as unit:
            movement_id = await use_part(unit, order_id, data)
        (found,) = await _uses(Sql("u.id = {}", movement_id))
        return found

    async def parts(self, order_id: UUID) -> list[schemas.OrderPart]:
        """The parts used on the order, each less what was returned of it."""
        await visible_order(self.actor, order_id)
        return await _uses(Sql('u."order" = {}', order_id))
