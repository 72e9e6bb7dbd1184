"""The stock ledger: each change of a store's stock is a movement line, written in
the same transaction as the stock row it changes.

Stock is taken by one conditional statement (``... SET quantity = quantity - x
WHERE quantity >= x RETURNING``): the check and the write cannot be separated, so
two transactions taking the last units cannot both succeed. On PostgreSQL the
second waits for the first's row lock and checks the condition again on the row
the first committed; on SQLite writers are serialised by IMMEDIATE transactions
(server/database.py write_transaction). Only a manager's override takes stock below
zero.

The statements run at once, not at the unit's flush: a batch of uses in one sync
push must see each other's effect. Callers do every check first, so nothing refuses
after the stock has moved (the unit forgets a refused mutation's writes, not these).
"""

from __future__ import annotations

from typing import Any, NamedTuple
from uuid import UUID

from server.costs.tables import Part, StockMovement, Store
from server.database import fetch
from server.errors import Conflict
from server.ids import new_id
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.references import unknown_reference
from server.workorders.changes import next_sync_seq
from server.workorders.unit import OrderUnit

LEVEL = "RETURNING id, quantity, threshold, low_alerted"
TAKE_SQL = (
    "UPDATE stock SET quantity = quantity - {}, updated_at = {}, sync_seq = {} "
    f"WHERE store = {{}} AND part = {{}} AND quantity >= {{}} {LEVEL}"
)
ADD_SQL = (
    "INSERT INTO stock (id, store, part, quantity, threshold, low_alerted, updated_at, sync_seq) "
    "VALUES ({}, {}, {}, {}, NULL, {}, {}, {}) ON CONFLICT (store, part) DO UPDATE SET "
    "quantity = stock.quantity + excluded.quantity, updated_at = excluded.updated_at, "
    f"sync_seq = excluded.sync_seq {LEVEL}"
)
AVAILABLE_SQL = "SELECT quantity FROM stock WHERE store = {} AND part = {}"
FLAG_SQL = "UPDATE stock SET low_alerted = {} WHERE id = {}"
MOVEMENT_COLUMNS = (
    "id",
    "kind",
    "part",
    "from_store",
    "to_store",
    "quantity",
    "unit_cost_cents",
    "order",
    "returns",
    "override",
    "reason",
    "actor",
    "at",
    "device_time",
)


class Level(NamedTuple):
    """A stock row as a movement left it."""

    stock_id: UUID
    quantity: int
    threshold: int | None
    low_alerted: bool


def _level(row: dict[str, Any]) -> Level:
    threshold = row["threshold"]
    return Level(
        UUID(str(row["id"])),
        int(row["quantity"]),
        None if threshold is None else int(threshold),
        bool(row["low_alerted"]),
    )


async def _run(text: str, args: list[Any]) -> list[dict[str, Any]]:
    return await fetch(StockMovement._meta.db, text, args)


async def part_of(unit: OrderUnit, part_id: UUID, field: str = "part_id") -> dict[str, Any]:
    part = await unit.row(Part, part_id)
    if part is None:
        raise unknown_reference(field, part_id, "part")
    return part


async def store_of(unit: OrderUnit, store_id: UUID, field: str = "store_id") -> dict[str, Any]:
    """A store that can take movements: 422 when unknown, 409 when closed."""
    store = await unit.row(Store, store_id)
    if store is None:
        raise unknown_reference(field, store_id, "store")
    if not store["active"]:
        raise Conflict(
            f"the store {store['name']!r} is closed", {field: str(store_id)}, code="store_inactive"
        )
    return store


def require_active(part: dict[str, Any]) -> None:
    if not part["active"]:
        raise Conflict(
            f"the part {part['code']!r} is retired",
            {"part_id": str(part["id"])},
            code="part_retired",
        )


async def claim_id(unit: OrderUnit, movement_id: UUID | None) -> UUID:
    """The movement's id: the caller's (unused) or a new one."""
    if movement_id is None:
        return new_id()
    if await unit.taken(StockMovement, movement_id):
        raise Conflict(
            "a stock movement with this id exists", {"id": str(movement_id)}, code="already_exists"
        )
    return movement_id


async def available(store_id: UUID, part_id: UUID) -> int:
    rows = await _run(AVAILABLE_SQL, [store_id, part_id])
    return int(rows[0]["quantity"]) if rows else 0


async def take(
    unit: OrderUnit, store_id: UUID, part_id: UUID, quantity: int, *, override: bool = False
) -> tuple[Level, bool]:
    """Take ``quantity`` out of the store; 409 ``insufficient_stock`` (with what is
    available) when it holds less, unless ``override``. Returns the stock as left and
    whether the override was needed."""
    seq = await next_sync_seq()
    rows = await _run(TAKE_SQL, [quantity, unit.clock(), seq, store_id, part_id, quantity])
    if rows:
        return _level(rows[0]), False
    if not override:
        have = await available(store_id, part_id)
        raise Conflict(
            f"the store holds {have} of this part, not {quantity}",
            {
                "available": have,
                "requested": quantity,
                "store_id": str(store_id),
                "part_id": str(part_id),
            },
            code="insufficient_stock",
        )
    return await add(unit, store_id, part_id, -quantity), True


async def add(unit: OrderUnit, store_id: UUID, part_id: UUID, quantity: int) -> Level:
    """Add ``quantity`` (negative: remove it unconditionally) to the store's stock."""
    seq = await next_sync_seq()
    rows = await _run(ADD_SQL, [new_id(), store_id, part_id, quantity, False, unit.clock(), seq])
    return _level(rows[0])


async def watch(
    unit: OrderUnit, level: Level, part: dict[str, Any], store: dict[str, Any], fell: bool
) -> None:
    """Alert once per crossing: when stock that fell is at or below its threshold
    and no alert went out since it was last above it. Stock above it rearms the alert."""
    threshold = level.threshold if level.threshold is not None else part["low_stock_threshold"]
    low = level.quantity <= threshold
    if low and fell and not level.low_alerted:
        await _run(FLAG_SQL, [True, level.stock_id])
        recipients = await Recipients().dispatchers({"department": store["department"]})
        notify(
            unit,
            [store["owner"], *recipients],
            "low_stock",
            None,
            part=part["name"],
            code=part["code"],
            units=part["unit"],
            store=store["name"],
            quantity=level.quantity,
            threshold=threshold,
            part_id=str(part["id"]),
            store_id=str(store["id"]),
        )
    elif not low and level.low_alerted:
        await _run(FLAG_SQL, [False, level.stock_id])


def record(
    unit: OrderUnit,
    movement_id: UUID,
    kind: str,
    part: dict[str, Any],
    quantity: int,
    *,
    from_store: UUID | None = None,
    to_store: UUID | None = None,
    unit_cost_cents: int | None = None,
    order: UUID | None = None,
    returns: UUID | None = None,
    override: bool = False,
    reason: str = "",
    device_time: Any = None,
) -> None:
    """Write the movement's ledger line (at the unit's flush)."""
    values = (
        movement_id,
        kind,
        part["id"],
        from_store,
        to_store,
        quantity,
        part["unit_cost_cents"] if unit_cost_cents is None else unit_cost_cents,
        order,
        returns,
        override,
        reason,
        unit.actor.user_id,
        unit.clock(),
        device_time,
    )
    unit.insert(StockMovement, dict(zip(MOVEMENT_COLUMNS, values, strict=True)))
