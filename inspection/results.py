"""Recording an inspection: the scanned label proves presence, the answers are judged
against the asset type's checklist, and the result is kept for good.

A failure opens a corrective order (kind ``service``, so its SLA runs) linked to the
result, its priority from the worst failure's severity; while that order is open,
later failures of the same asset are added to it (a timeline event, the priority
raised if worse) instead of opening another. A number item marked as the meter moves
the asset's meter on (never back: a lower reading is kept in the answers and flagged).
The result also ticks off its checkpoint when it belongs to a round run.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from geo.fence import verdict
from geo.positions import MAX_AHEAD
from inspection import runs, schemas
from inspection.checklists import judge, of_type
from inspection.scope import may_see
from inspection.tables import InspectionResult
from server.accounts.actor import Actor
from server.database import fetch, json_column
from server.errors import Forbidden, Invalid, NotFound
from server.ids import new_id
from server.maintenance.tables import MeterReading
from server.masterdata.services import normalise_tag
from server.masterdata.tables import Asset, Site
from server.sql import Sql, one_of
from server.workorders.lifecycle import OPEN
from server.workorders.operations import OrderOperations
from server.workorders.schemas import WorkOrderCreate
from server.workorders.unit import SEQ, OrderUnit

PRIORITY = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4"}
METER_SQL = (
    "UPDATE asset SET meter_reading = {}, meter_read_at = {}, sync_seq = {} "
    "WHERE id = {} AND (meter_reading IS NULL OR meter_reading <= {})"
)


async def asset_of(actor: Actor, code: str) -> dict[str, Any]:
    """The asset a scanned code names, if the caller may see it; 404 echoing the
    code otherwise (an asset out of scope looks exactly like an unknown code)."""
    normal = normalise_tag(code)
    asset = await Asset.select().where(Asset.tag == normal).first()
    if asset is None or not await may_see(actor, asset):
        raise NotFound(f"no asset has the code {normal!r}", {"code": normal}, code="unknown_code")
    return asset


async def record(unit: OrderUnit, data: schemas.InspectionCreate) -> UUID:
    if not (unit.actor.is_field_worker or unit.actor.can_manage):
        raise Forbidden("only field staff and managers record inspections")
    result_id = data.id or new_id()
    if await unit.taken(InspectionResult, result_id):
        raise Invalid(
            "an inspection with this id exists", {"id": str(result_id)}, code="already_exists"
        )
    if (data.latitude is None) != (data.longitude is None):
        raise Invalid("give latitude and longitude together", code="incomplete_location")
    asset = await asset_of(unit.actor, data.code)
    checklist = await of_type(asset["asset_type"])
    failures = judge(checklist.items if checklist else [], data.answers)
    run = await runs.check(unit, data.run_id, asset["id"]) if data.run_id else None
    received = unit.clock()
    flags: list[str] = []
    at = received
    if data.device_time is not None:
        if data.device_time > received + MAX_AHEAD:
            flags.append("clock_skew")
        else:
            at = data.device_time
    distance = None
    if data.latitude is not None and data.longitude is not None:
        site = await unit.row(Site, asset["site"])
        assert site is not None
        found = verdict(
            (site["latitude"], site["longitude"]),
            site["geofence_radius_m"],
            (data.latitude, data.longitude),
            data.accuracy_m or 0.0,
        )
        distance = round(found.distance_m, 1)
        if not found.inside:
            flags.insert(0, "outside_geofence")
    # Checks are done: the writes follow.
    if checklist is not None:
        flags += _meter(unit, asset, checklist.items, data.answers, at)
    corrective = await _corrective(unit, asset, failures, result_id, run) if failures else None
    unit.insert(
        InspectionResult,
        {
            "id": result_id,
            "asset": asset["id"],
            "run": data.run_id,
            "inspector": unit.actor.user_id,
            "code": data.code,
            "answers": msgspec.json.encode(data.answers).decode(),
            "failures": msgspec.json.encode(failures).decode(),
            "passed": not failures,
            "device_time": data.device_time,
            "received_at": received,
            "at": at,
            "latitude": data.latitude,
            "longitude": data.longitude,
            "accuracy_m": data.accuracy_m,
            "distance_m": distance,
            "flags": msgspec.json.encode(flags).decode(),
            "corrective_order": corrective,
            "sync_seq": SEQ,
        },
    )
    if run is not None:
        runs.done(unit, run, asset["id"], result_id, at)
    return result_id


def _meter(
    unit: OrderUnit,
    asset: dict[str, Any],
    items: list[schemas.ChecklistItem],
    answers: dict[str, schemas.Answer],
    at: Any,
) -> list[str]:
    """Move the asset's meter on from the answers; ``meter_backwards`` when lower."""
    key = "meter", asset["id"]
    current = unit.memo.get(key, asset["meter_reading"])
    for item in items:
        value = answers.get(item.key)
        if not item.meter or value is None or isinstance(value, bool | str):
            continue
        if current is not None and value < current:
            return ["meter_backwards"]
        unit.insert(
            MeterReading,
            {
                "id": new_id(),
                "asset": asset["id"],
                "value": value,
                "read_at": at,
                "recorded_by": unit.actor.user_id,
            },
        )
        unit.execute(METER_SQL, (value, at, SEQ, asset["id"], value))
        unit.memo[key] = current = value
    return []


async def _corrective(
    unit: OrderUnit,
    asset: dict[str, Any],
    failures: list[schemas.Failure],
    result_id: UUID,
    run: dict[str, Any] | None,
) -> UUID:
    """The open corrective order of the asset, told of this failure, or a new one."""
    priority = min(PRIORITY[f.severity] for f in failures)
    what = "; ".join(f"{f.label}: {f.why}" for f in failures)
    key = "corrective", asset["id"]
    order_id = unit.memo.get(key) or await _open_corrective(asset["id"])
    if order_id is not None and await unit.exists(order_id):
        order = await unit.order(order_id, scoped=False)
        if order["status"] in OPEN:
            values = {"priority": priority} if priority < order["priority"] else {}
            changes: dict[str, Any] = {"inspection_id": str(result_id), "failures": what}
            if values:
                changes["priority"] = [order["priority"], priority]
            unit.change(order_id, values, "inspection_failed", changes, None, what)
            unit.memo[key] = order_id
            return order_id
    department = run["department"] if run else unit.actor.department_id
    order_id = await OrderOperations(unit).create(
        WorkOrderCreate(
            id=new_id(),
            kind="service",
            title=f"Inspection failed: {asset['name']} ({asset['tag']})"[:200],
            description=f"Found by inspection {result_id}: {what}"[:10_000],
            priority=priority,  # type: ignore[arg-type]
            site_id=asset["site"],
            asset_id=asset["id"],
            department_id=department,
        )
    )
    unit.memo[key] = order_id
    return order_id


async def _open_corrective(asset_id: UUID) -> UUID | None:
    """The newest open order a failed inspection of the asset opened."""
    where = Sql("r.asset = {}", asset_id) & one_of("w.status", sorted(OPEN))
    rows = await fetch(
        InspectionResult._meta.db,
        "SELECT r.corrective_order FROM inspection_result r JOIN work_order w "
        f"ON w.id = r.corrective_order WHERE {where.text} ORDER BY r.received_at DESC LIMIT 1",
        where.args,
    )
    return UUID(str(rows[0]["corrective_order"])) if rows else None


def to_result(row: dict[str, Any]) -> schemas.InspectionResult:
    return msgspec.convert(
        {
            **row,
            "asset_id": row["asset"],
            "run_id": row["run"],
            "inspector_id": row["inspector"],
            "corrective_order_id": row["corrective_order"],
            "answers": json_column(row["answers"]),
            "failures": json_column(row["failures"]),
            "flags": json_column(row["flags"]),
        },
        schemas.InspectionResult,
        strict=False,
    )
