"""Preventive maintenance plans and meter readings."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.accounts.system import SYSTEM
from server.accounts.tables import Department, Team, User
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.maintenance import schemas
from server.maintenance.sweep import active_plans, evaluate
from server.maintenance.tables import MaintenanceDue, MaintenancePlan, MeterReading
from server.masterdata.tables import Asset, ServiceItem
from server.references import require_reference
from server.workorders.changes import next_sync_seq
from server.workorders.plan_scope import plan_in_scope, plans_in_scope
from server.workorders.unit import OrderUnit

ORDER_REFERENCES = {
    "service_item_id": (ServiceItem, "service item"),
    "department_id": (Department, "department"),
    "team_id": (Team, "team"),
    "assignee_id": (User, "assignee"),
}
READINGS = 50


def _check_plan(data: schemas.MaintenancePlanCreate) -> None:
    problems: dict[str, str] = {}
    if (data.asset_id is None) == (data.asset_type is None):
        problems["asset_id"] = "give asset_id or asset_type, one of them"
    if data.trigger == "meter" and data.meter_interval is None:
        problems["meter_interval"] = "a usage-based plan needs the units between services"
    if data.trigger == "time" and data.meter_interval is not None:
        problems["meter_interval"] = "only for usage-based plans"
    if data.trigger == "meter" and data.interval_days is not None:
        problems["interval_days"] = "only for time-based plans"
    if problems:
        raise Invalid("the plan is not consistent", problems, code="invalid_plan")


def _reading(row: dict[str, Any]) -> schemas.MeterReading:
    return schemas.MeterReading(
        id=row["id"],
        asset_id=row["asset"],
        value=row["value"],
        read_at=row["read_at"],
        recorded_by_id=row["recorded_by"],
    )


class MaintenanceService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    def _require_manager(self) -> None:
        if not self.actor.can_manage:
            raise Forbidden("only admins and managers keep maintenance plans")

    async def _plans(self, rows: list[dict[str, Any]]) -> list[schemas.MaintenancePlan]:
        """The plans of ``rows``, their assets' due records read at once for all."""
        dues: dict[str, list[dict[str, Any]]] = {str(row["id"]): [] for row in rows}
        if rows:
            for due in await MaintenanceDue.select().where(
                MaintenanceDue.plan.is_in([row["id"] for row in rows])
            ):
                dues[str(due["plan"])].append(due)
        return [self._plan(row, dues[str(row["id"])]) for row in rows]

    def _plan(self, row: dict[str, Any], dues: list[dict[str, Any]]) -> schemas.MaintenancePlan:
        return schemas.MaintenancePlan(
            id=row["id"],
            name=row["name"],
            asset_id=row["asset"],
            asset_type=row["asset_type"],
            trigger=row["trigger"],
            interval_days=row["interval_days"],
            anchor=row["anchor"],
            meter_interval=row["meter_interval"],
            lead_days=row["lead_days"],
            lead_units=row["lead_units"],
            starts_on=row["starts_on"],
            active=row["active"],
            order=msgspec.convert(json_column(row["order"]), schemas.PmOrder),
            assets=[
                schemas.AssetDue(
                    asset_id=due["asset"],
                    due_on=due["due_on"],
                    due_reading=due["due_reading"],
                    open_order_id=due["open_order"],
                    services=due["services"],
                )
                for due in dues
            ],
        )

    async def plans(self) -> list[schemas.MaintenancePlan]:
        self._require_manager()
        rows = (
            await MaintenancePlan.select()
            .where(
                MaintenancePlan.active == True  # noqa: E712
            )
            .order_by(MaintenancePlan.name)
        )
        return await self._plans(await plans_in_scope(self.actor, rows))

    async def get(self, plan_id: UUID) -> schemas.MaintenancePlan:
        self._require_manager()
        row = await MaintenancePlan.select().where(MaintenancePlan.id == plan_id).first()
        if row is None or not row["active"] or not await plan_in_scope(self.actor, row):
            raise NotFound("no such maintenance plan", {"id": str(plan_id)})
        return (await self._plans([row]))[0]

    async def create(self, data: schemas.MaintenancePlanCreate) -> schemas.MaintenancePlan:
        """Create a plan; what falls due already opens its orders at once."""
        self._require_manager()
        _check_plan(data)
        await require_reference(Asset, data.asset_id, "asset_id", "asset")
        for field, (table, what) in ORDER_REFERENCES.items():
            await require_reference(table, getattr(data.order, field), field, what)
        now = self.clock()
        plan_id = new_id()
        row: dict[str, Any] = {
            "id": plan_id,
            "name": data.name,
            "asset": data.asset_id,
            "asset_type": data.asset_type,
            "trigger": data.trigger,
            "interval_days": data.interval_days,
            "anchor": data.anchor,
            "meter_interval": data.meter_interval,
            "lead_days": data.lead_days,
            "lead_units": data.lead_units,
            "order": msgspec.json.encode(data.order).decode(),
            "starts_on": data.starts_on or now.astimezone(UTC).date(),
            "active": True,
            "created_by": self.actor.user_id,
            "created_at": now,
        }
        async with write_transaction(MaintenancePlan._meta.db):
            await MaintenancePlan.insert(MaintenancePlan(**row))
            unit = OrderUnit(SYSTEM, self.clock)
            await evaluate(unit, [row], now)
            await unit.flush()
        return await self.get(plan_id)

    async def delete(self, plan_id: UUID) -> None:
        """Stop the plan; its open orders stay."""
        self._require_manager()
        row = await (
            MaintenancePlan.select(MaintenancePlan.order, MaintenancePlan.created_by)
            .where(MaintenancePlan.id == plan_id)
            .first()
        )
        if row is None or not await plan_in_scope(self.actor, row):
            raise NotFound("no such maintenance plan", {"id": str(plan_id)})
        rows = (
            await MaintenancePlan.update({MaintenancePlan.active: False})
            .where(MaintenancePlan.id == plan_id, MaintenancePlan.active == True)  # noqa: E712
            .returning(MaintenancePlan.id)
        )
        if not rows:
            raise NotFound("no such maintenance plan", {"id": str(plan_id)})

    async def record_reading(
        self, asset_id: UUID, data: schemas.MeterReadingCreate
    ) -> schemas.MeterReading:
        """Record a meter reading: the asset's meter moves on (never back), and a
        usage-based plan of the asset falling due opens its order in the same
        transaction."""
        if not (self.actor.can_manage or self.actor.is_field_worker):
            raise Forbidden("only staff and field staff record meter readings")
        now = self.clock()
        read_at = data.read_at or now
        reading_id = new_id()
        async with write_transaction(Asset._meta.db):
            asset = await Asset.select(Asset.meter_reading).where(Asset.id == asset_id).first()
            if asset is None:
                raise NotFound("no such asset", {"id": str(asset_id)})
            if asset["meter_reading"] is not None and data.value < asset["meter_reading"]:
                raise Invalid(
                    "a meter does not run backwards",
                    {"value": data.value, "current": asset["meter_reading"]},
                    code="meter_backwards",
                )
            await MeterReading.insert(
                MeterReading(
                    id=reading_id,
                    asset=asset_id,
                    value=data.value,
                    read_at=read_at,
                    recorded_by=self.actor.user_id,
                )
            )
            await Asset.update(
                {
                    Asset.meter_reading: data.value,
                    Asset.meter_read_at: read_at,
                    Asset.sync_seq: await next_sync_seq(),
                }
            ).where(Asset.id == asset_id)
            unit = OrderUnit(SYSTEM, self.clock)
            await evaluate(unit, await active_plans("meter"), now, only={asset_id})
            await unit.flush()
        return _reading(
            {
                "id": reading_id,
                "asset": asset_id,
                "value": data.value,
                "read_at": read_at,
                "recorded_by": self.actor.user_id,
            }
        )

    async def readings(self, asset_id: UUID) -> list[schemas.MeterReading]:
        """The asset's latest readings, newest first."""
        if not await Asset.exists().where(Asset.id == asset_id):
            raise NotFound("no such asset", {"id": str(asset_id)})
        rows = (
            await MeterReading.select()
            .where(MeterReading.asset == asset_id)
            .order_by(MeterReading.read_at, MeterReading.id, ascending=False)
            .limit(READINGS)
        )
        return [_reading(row) for row in rows]
