"""The spare parts catalogue: read by everyone who works orders, kept by admins and
managers. Parts are never deleted (the ledger names them): they are retired."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.costs import schemas
from server.costs.access import require_manager, require_staff
from server.costs.constraints import unique
from server.costs.money import to_cents, to_money
from server.costs.tables import Part
from server.database import contains, write_transaction
from server.errors import NotFound
from server.ids import new_id
from server.workorders.changes import next_sync_seq

PART_COLUMNS = (
    Part.id,
    Part.code,
    Part.name,
    Part.unit,
    Part.unit_cost_cents,
    Part.low_stock_threshold,
    Part.active,
    Part.updated_at,
)


def to_part(row: dict[str, Any]) -> schemas.Part:
    return msgspec.convert(
        {**row, "unit_cost": to_money(row["unit_cost_cents"])}, schemas.Part, strict=False
    )


class PartService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def parts(self, q: str | None, active: bool | None) -> list[schemas.Part]:
        """Parts by code, optionally matching ``q`` (code, name) or active or retired."""
        require_staff(self.actor)
        query = Part.select(*PART_COLUMNS).order_by(Part.code)
        if q and q.strip():
            query = query.where(contains((Part.code, Part.name), q.strip()))
        if active is not None:
            query = query.where(Part.active == active)
        return [to_part(row) for row in await query]

    async def get(self, part_id: UUID) -> schemas.Part:
        require_staff(self.actor)
        row = await Part.select(*PART_COLUMNS).where(Part.id == part_id).first()
        if row is None:
            raise NotFound("no such part", {"id": str(part_id)})
        return to_part(row)

    async def create(self, data: schemas.PartCreate) -> schemas.Part:
        require_manager(self.actor, "keep the parts catalogue")
        part_id = new_id()
        now = self.clock()
        async with unique("code", data.code, "code_taken"), write_transaction(Part._meta.db):
            await Part.insert(
                Part(
                    id=part_id,
                    code=data.code,
                    name=data.name,
                    unit=data.unit,
                    unit_cost_cents=to_cents(data.unit_cost),
                    low_stock_threshold=data.low_stock_threshold,
                    active=True,
                    created_at=now,
                    updated_at=now,
                    sync_seq=await next_sync_seq(),
                )
            )
        return await self.get(part_id)

    async def update(self, part_id: UUID, data: schemas.PartUpdate) -> schemas.Part:
        """Change a part; a new unit cost applies to uses from now on."""
        require_manager(self.actor, "keep the parts catalogue")
        values: dict[Any, Any] = {}
        for field in msgspec.structs.fields(data):
            value = getattr(data, field.name)
            if value is msgspec.UNSET:
                continue
            if field.name == "unit_cost":
                values[Part.unit_cost_cents] = to_cents(value)
            else:
                values[getattr(Part, field.name)] = value
        if not values:
            return await self.get(part_id)
        values[Part.updated_at] = self.clock()
        async with write_transaction(Part._meta.db):
            values[Part.sync_seq] = await next_sync_seq()
            rows = await Part.update(values).where(Part.id == part_id).returning(Part.id)
        if not rows:
            raise NotFound("no such part", {"id": str(part_id)})
        return await self.get(part_id)
