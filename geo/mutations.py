"""The geo operations a phone queues offline (see sync/registry.py)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from geo import positions
from geo.checkins import check_in
from geo.schemas import Accuracy, CheckInCreate, CheckInKind, PositionReport
from server.types import Latitude, Longitude
from sync.registry import APPLIED, Applied, MutationContext, MutationType


class CheckInAt(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    id: UUID
    kind: CheckInKind = "check_in"
    latitude: Latitude
    longitude: Longitude
    accuracy_m: Accuracy


async def check_in_at(ctx: MutationContext, args: CheckInAt) -> Applied:
    """An offline check-in keeps its device time (flagged when that clock is off)."""
    data = CheckInCreate(
        id=args.id,
        kind=args.kind,
        latitude=args.latitude,
        longitude=args.longitude,
        accuracy_m=args.accuracy_m,
        device_time=ctx.device_time,
    )
    await check_in(ctx.unit, args.order_id, data)
    return APPLIED


async def report_positions(ctx: MutationContext, args: PositionReport) -> Applied:
    """On-duty location pings, batched by the phone."""
    await positions.report(ctx.unit, args.fixes)
    return APPLIED


MUTATIONS = [
    MutationType("check_in", CheckInAt, check_in_at),
    MutationType("report_positions", PositionReport, report_positions),
]
