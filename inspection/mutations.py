"""The inspection operations a phone queues offline (see sync/registry.py)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from inspection import runs, schemas
from inspection.results import record
from sync.registry import APPLIED, Applied, MutationContext, MutationType


class RecordInspection(schemas.InspectionCreate, forbid_unknown_fields=True, kw_only=True):
    """As ``POST /api/inspections``; the mutation's device_time is when it was made."""

    id: UUID


class SkipCheckpointAt(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    run_id: UUID
    asset_id: UUID
    reason: schemas.Reason


async def record_inspection(ctx: MutationContext, args: RecordInspection) -> Applied:
    data = msgspec.structs.replace(args, device_time=ctx.device_time or args.device_time)
    await record(ctx.unit, data)
    return APPLIED


async def skip_checkpoint(ctx: MutationContext, args: SkipCheckpointAt) -> Applied:
    at = ctx.device_time or ctx.clock()
    await runs.skip(
        ctx.unit,
        args.run_id,
        schemas.SkipCheckpoint(asset_id=args.asset_id, reason=args.reason),
        at,
    )
    return APPLIED


def _none(args: object) -> list[UUID]:
    return []


MUTATIONS = [
    MutationType("record_inspection", RecordInspection, record_inspection, orders=_none),
    MutationType("skip_checkpoint", SkipCheckpointAt, skip_checkpoint, orders=_none),
]
