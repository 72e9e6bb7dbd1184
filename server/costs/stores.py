"""Stores (warehouses and technicians' vans) and what each holds.

Everyone who works orders reads them; admins and managers keep them, and set a
store's own low-stock threshold for a part (otherwise the part's applies).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.accounts.tables import Department, User
from server.clock import Clock
from server.costs import schemas
from server.costs.access import (
    keeps_store,
    may_draw,
    require_keeper,
    require_manager,
    require_staff,
)
from server.costs.constraints import unique
from server.costs.money import to_money
from server.costs.tables import Part, Store
from server.database import fetch, write_transaction
from server.errors import NotFound
from server.ids import new_id
from server.references import require_reference
from server.sql import Sql
from server.workorders.changes import next_sync_seq

STORE_COLUMNS = (
    Store.id,
    Store.name,
    Store.kind,
    Store.owner.as_alias("owner_id"),
    Store.department.as_alias("department_id"),
    Store.active,
)
STOCK_SQL = (
    "SELECT s.store AS store_id, s.part AS part_id, p.code, p.name, p.unit, s.quantity, "
    "s.threshold AS store_threshold, coalesce(s.threshold, p.low_stock_threshold) AS threshold, "
    "p.unit_cost_cents FROM stock s JOIN part p ON p.id = s.part WHERE {where} "
    "ORDER BY s.store, p.code"
)
THRESHOLD_SQL = (
    "INSERT INTO stock (id, store, part, quantity, threshold, low_alerted, updated_at, sync_seq) "
    "VALUES ({}, {}, {}, 0, {}, {}, {}, {}) ON CONFLICT (store, part) DO UPDATE SET "
    "threshold = excluded.threshold, updated_at = excluded.updated_at, "
    "sync_seq = excluded.sync_seq"
)


def to_level(row: dict[str, Any]) -> schemas.StockLevel:
    quantity, cost = int(row["quantity"]), int(row["unit_cost_cents"])
    return msgspec.convert(
        {
            **row,
            "low": quantity <= int(row["threshold"]),
            "unit_cost": to_money(cost),
            "value": to_money(quantity * cost),
        },
        schemas.StockLevel,
        strict=False,
    )


async def stock_levels(where: Sql) -> list[schemas.StockLevel]:
    """The stock rows ``where`` (over ``s``, the stock, and ``p``, its part) selects."""
    rows = await fetch(Store._meta.db, STOCK_SQL.format(where=where.text), where.args)
    return [to_level(row) for row in rows]


class StoreService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def stores(self, kind: str | None, owner_id: UUID | None) -> list[schemas.Store]:
        """The stores the caller sees, by name, optionally of one kind or one owner."""
        require_staff(self.actor)
        query = Store.select(*STORE_COLUMNS).order_by(Store.name)
        if kind is not None:
            query = query.where(Store.kind == kind)
        if owner_id is not None:
            query = query.where(Store.owner == owner_id)
        rows = [row for row in await query if self._sees(row)]
        return msgspec.convert(rows, list[schemas.Store])

    def _sees(self, row: dict[str, Any]) -> bool:
        store = {**row, "owner": row["owner_id"], "department": row["department_id"]}
        return may_draw(self.actor, store) or keeps_store(self.actor, store)

    async def get(self, store_id: UUID) -> schemas.Store:
        require_staff(self.actor)
        row = await Store.select(*STORE_COLUMNS).where(Store.id == store_id).first()
        if row is None or not self._sees(row):
            raise NotFound("no such store", {"id": str(store_id)})
        return msgspec.convert(row, schemas.Store)

    async def create(self, data: schemas.StoreCreate) -> schemas.Store:
        require_manager(self.actor, "keep stores")
        require_keeper(self.actor, {"id": None, "department": data.department_id})
        store_id = new_id()
        async with unique("name", data.name, "name_taken"), write_transaction(Store._meta.db):
            await require_reference(User, data.owner_id, "owner_id", "user")
            await require_reference(Department, data.department_id, "department_id", "department")
            await Store.insert(
                Store(
                    id=store_id,
                    name=data.name,
                    kind=data.kind,
                    owner=data.owner_id,
                    department=data.department_id,
                    active=True,
                    created_at=self.clock(),
                    sync_seq=await next_sync_seq(),
                )
            )
        return await self.get(store_id)

    async def update(self, store_id: UUID, data: schemas.StoreUpdate) -> schemas.Store:
        """Rename, hand over (a van to another technician), move or close a store."""
        require_manager(self.actor, "keep stores")
        current = await self.get(store_id)
        require_keeper(self.actor, {"id": store_id, "department": current.department_id})
        if data.department_id is not msgspec.UNSET:
            require_keeper(self.actor, {"id": store_id, "department": data.department_id})
        values: dict[Any, Any] = {
            getattr(Store, field.name.removesuffix("_id")): getattr(data, field.name)
            for field in msgspec.structs.fields(data)
            if getattr(data, field.name) is not msgspec.UNSET
        }
        if not values:
            return await self.get(store_id)
        async with unique("name", data.name, "name_taken"), write_transaction(Store._meta.db):
            await require_reference(User, data.owner_id, "owner_id", "user")
            await require_reference(Department, data.department_id, "department_id", "department")
            # The old and the new owner's phones both take the store's stock again.
            values[Store.sync_seq] = await next_sync_seq()
            rows = await Store.update(values).where(Store.id == store_id).returning(Store.id)
        if not rows:
            raise NotFound("no such store", {"id": str(store_id)})
        return await self.get(store_id)

    async def stock(self, store_id: UUID) -> schemas.StockPage:
        """What the store holds, by part code, with its value at today's costs."""
        await self.get(store_id)
        items = await stock_levels(Sql("s.store = {}", store_id))
        return schemas.StockPage(
            items=items, value=sum((item.value for item in items), start=to_money(0))
        )

    async def set_threshold(
        self, store_id: UUID, part_id: UUID, data: schemas.StockSettings
    ) -> schemas.StockLevel:
        """The store's own low-stock threshold for the part (null: the part's)."""
        require_manager(self.actor, "set low-stock thresholds")
        store = await self.get(store_id)
        require_keeper(self.actor, {"id": store_id, "department": store.department_id})
        if not await Part.exists().where(Part.id == part_id):
            raise NotFound("no such part", {"id": str(part_id)})
        now = self.clock()
        async with write_transaction(Store._meta.db):
            seq = await next_sync_seq()
            await fetch(
                Store._meta.db,
                THRESHOLD_SQL,
                [new_id(), store_id, part_id, data.threshold, False, now, seq],
            )
        where = Sql("s.store = {}", store_id) & Sql("s.part = {}", part_id)
        return (await stock_levels(where))[0]
