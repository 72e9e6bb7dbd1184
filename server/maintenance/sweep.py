"""Preventive maintenance falling due: the hourly sweep, and the check after each
meter reading.

Each (plan, asset) pair keeps its next due date or meter reading and the order open
for it (maintenance_due). An order opens when the due date is ``lead_days`` away or
the meter is ``lead_units`` short of the due reading, unless one is open already.
When that order is resolved or closed, the next due follows: the completion date
plus the interval (anchor "completion"), the next step of the series counted from
installation (anchor "installation"), or the due reading plus the interval (meter).
A cancelled order skips that service. The sweep also warns the control centre,
once per asset and date, of warranties ending within 30 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.system import SYSTEM
from server.database import json_column
from server.ids import new_id
from server.maintenance import schemas
from server.maintenance.tables import MaintenanceDue, MaintenancePlan
from server.masterdata.tables import Asset
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.scheduler.kinds import JobContext, JobKind, Tick, enqueue, job_row
from server.workorders.lifecycle import OPEN
from server.workorders.operations import OrderOperations
from server.workorders.schemas import WorkOrderCreate
from server.workorders.tables import WorkOrder
from server.workorders.unit import OrderUnit

SWEEP = "maintenance.sweep"
WARRANTY = "maintenance.warranty"
WARRANTY_NOTICE = timedelta(days=30)
# A usage-based order is due this long after the meter crossed its mark.
METER_ORDER_DAYS = 7
DUE_COLUMNS = ("due_on", "due_reading", "open_order", "services")
DUE_UPSERT = (
    'ON CONFLICT ("plan", asset) DO UPDATE SET due_on = excluded.due_on, '
    "due_reading = excluded.due_reading, open_order = excluded.open_order, "
    "services = excluded.services"
)


class WarrantyNotice(msgspec.Struct, frozen=True):
    asset_id: UUID
    warranty_until: date


def _interval(plan: dict[str, Any], asset: dict[str, Any]) -> int | None:
    return plan["interval_days"] or asset["maintenance_interval_days"]


def _first_due(plan: dict[str, Any], asset: dict[str, Any]) -> tuple[date | None, float | None]:
    if plan["trigger"] == "meter":
        reading, step = asset["meter_reading"], plan["meter_interval"]
        if reading is None:
            return None, None
        return None, (reading // step + 1) * step
    days = _interval(plan, asset)
    if days is None:
        return None, None
    if plan["anchor"] == "installation":
        due = asset["installed_on"] or plan["starts_on"]
        while due < plan["starts_on"]:
            due += timedelta(days=days)
        return due, None
    start = max(d for d in (asset["installed_on"], plan["starts_on"]) if d is not None)
    return start + timedelta(days=days), None


def _after_service(
    plan: dict[str, Any], asset: dict[str, Any], due: dict[str, Any], done: date
) -> tuple[date | None, float | None]:
    """The next due date or reading once the open order is finished on ``done``."""
    if plan["trigger"] == "meter":
        step, reading = plan["meter_interval"], asset["meter_reading"] or 0.0
        mark = due["due_reading"] + step
        while mark <= reading:
            mark += step
        return None, mark
    days = _interval(plan, asset) or 0
    if plan["anchor"] == "installation" and due["due_on"] is not None:
        mark = due["due_on"] + timedelta(days=days)
        while mark <= done:
            mark += timedelta(days=days)
        return mark, None
    return done + timedelta(days=days), None


def _is_due(plan: dict[str, Any], asset: dict[str, Any], due: dict[str, Any], today: date) -> bool:
    if plan["trigger"] == "meter":
        reading = asset["meter_reading"]
        return reading is not None and reading >= due["due_reading"] - plan["lead_units"]
    return today >= due["due_on"] - timedelta(days=plan["lead_days"])


async def _assets(plan: dict[str, Any], only: set[UUID] | None) -> list[dict[str, Any]]:
    query = Asset.select(
        Asset.id,
        Asset.name,
        Asset.site,
        Asset.installed_on,
        Asset.maintenance_interval_days,
        Asset.meter_reading,
    )
    if plan["asset"] is not None:
        query = query.where(Asset.id == plan["asset"])
    else:
        query = query.where(Asset.asset_type == plan["asset_type"])
    if only is not None:
        query = query.where(Asset.id.is_in(list(only)))
    return await query


async def evaluate(
    unit: OrderUnit, plans: list[dict[str, Any]], now: datetime, only: set[UUID] | None = None
) -> int:
    """Open the orders of the plans' assets (or of ``only`` these) that fall due;
    the number opened. Runs in the caller's write transaction, on a system unit."""
    opened = 0
    today = now.astimezone(UTC).date()
    for plan in plans:
        # A meter reading checks one asset: the plans that do not cover it read nothing more.
        assets = await _assets(plan, only)
        if not assets:
            continue
        dues = {
            str(row["asset"]): row
            for row in await MaintenanceDue.select().where(MaintenanceDue.plan == plan["id"])
        }
        open_ids = [row["open_order"] for row in dues.values() if row["open_order"] is not None]
        orders = {
            str(row["id"]): row
            for row in (
                await WorkOrder.select(
                    WorkOrder.id, WorkOrder.status, WorkOrder.resolved_at, WorkOrder.closed_at
                ).where(WorkOrder.id.is_in(open_ids))
                if open_ids
                else []
            )
        }
        for asset in assets:
            stored = dues.get(str(asset["id"]))
            due = dict(stored) if stored is not None else None
            if due is None:
                due_on, due_reading = _first_due(plan, asset)
                if due_on is None and due_reading is None:
                    continue
                due = {
                    "id": new_id(),
                    "due_on": due_on,
                    "due_reading": due_reading,
                    "open_order": None,
                    "services": 0,
                }
            order = orders.get(str(due["open_order"])) if due["open_order"] else None
            if order is not None and order["status"] in OPEN:
                continue
            if order is not None:
                finished = order["resolved_at"] or order["closed_at"] or now
                due["due_on"], due["due_reading"] = _after_service(
                    plan, asset, due, finished.date()
                )
                due["services"] += order["status"] != "cancelled"
                due["open_order"] = None
            if _is_due(plan, asset, due, today):
                due["open_order"] = await _open(unit, plan, asset, due, now)
                opened += 1
            if stored is not None and all(stored[k] == due[k] for k in DUE_COLUMNS):
                continue
            unit.insert(
                MaintenanceDue,
                {
                    "id": due["id"],
                    "plan": plan["id"],
                    "asset": asset["id"],
                    "due_on": due["due_on"],
                    "due_reading": due["due_reading"],
                    "open_order": due["open_order"],
                    "services": due["services"],
                },
                DUE_UPSERT,
            )
    return opened


async def _open(
    unit: OrderUnit, plan: dict[str, Any], asset: dict[str, Any], due: dict[str, Any], now: datetime
) -> UUID:
    fields = msgspec.convert(json_column(plan["order"]), schemas.PmOrder)
    if due["due_on"] is not None:
        due_at = datetime.combine(due["due_on"] + timedelta(days=1), time(0), UTC)
    else:
        due_at = now + timedelta(days=METER_ORDER_DAYS)
    data = msgspec.convert(
        {
            **msgspec.structs.asdict(fields),
            "kind": "preventive",
            "asset_id": asset["id"],
            "site_id": asset["site"],
            "due_at": due_at,
        },
        WorkOrderCreate,
    )
    order_id = await OrderOperations(unit).create(data)
    unit.derive(order_id, {"created_by": plan["created_by"]})
    return order_id


async def active_plans(trigger: str | None = None) -> list[dict[str, Any]]:
    query = MaintenancePlan.select().where(MaintenancePlan.active == True)  # noqa: E712
    if trigger is not None:
        query = query.where(MaintenancePlan.trigger == trigger)
    return await query


async def sweep(context: JobContext, ticks: list[Tick]) -> None:
    now = context.clock()
    unit = OrderUnit(SYSTEM, context.clock)
    await evaluate(unit, await active_plans(), now)
    await unit.flush()
    today = now.astimezone(UTC).date()
    ending = await Asset.select(Asset.id, Asset.warranty_until).where(
        Asset.warranty_until >= today, Asset.warranty_until <= today + WARRANTY_NOTICE
    )
    await enqueue(
        job_row(
            WARRANTY,
            f"warranty/{row['id']}/{row['warranty_until'].isoformat()}",
            now,
            WarrantyNotice(row["id"], row["warranty_until"]),
            now,
        )
        for row in ending
    )


async def warn_warranty(context: JobContext, notices: list[WarrantyNotice]) -> None:
    unit = OrderUnit(SYSTEM, context.clock)
    centre = await Recipients(context.settings.control_centre_team).control_centre()
    for notice in notices:
        asset = (
            await Asset.select(Asset.name, Asset.tag, Asset.site.name.as_alias("site"))
            .where(Asset.id == notice.asset_id)
            .first()
        )
        if asset is None:
            continue
        notify(
            unit,
            centre,
            "warranty_expiring",
            None,
            asset=asset["name"],
            tag=asset["tag"],
            site=asset["site"],
            asset_id=str(notice.asset_id),
            warranty_until=notice.warranty_until.isoformat(),
        )
    await unit.flush()


MAINTENANCE_SWEEP = JobKind(name=SWEEP, payload=Tick, run=sweep, every=timedelta(hours=1))
WARRANTY_WARNING = JobKind(name=WARRANTY, payload=WarrantyNotice, run=warn_warranty)
