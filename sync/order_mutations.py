"""Work-order operations a device may queue offline, and their conflict rules.

- Comments, attachments and flags are appends or per-user marks: they never conflict.
- An edit names the version the device saw. Fields the server did not change since
  then are simply written; a field changed on both sides takes the device's value
  (it arrived later in server order) and a conflict record keeps the server's
  value that lost. Custom fields merge key by key the same way.
- A status change or assignment that is no longer legal when it arrives (the
  dispatcher cancelled the order while the technician finished it offline) is not
  dropped: the order is flagged for review and a conflict record keeps both sides.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta

from server.errors import DomainError, Invalid
from server.workorders import schemas
from server.workorders.attachments import add_attachment
from server.workorders.comments import add_comment as add_comment_to
from server.workorders.operations import OrderOperations
from server.workorders.rating import rate
from server.workorders.tables import Comment, OrderAttachment
from server.workorders.unit import OrderUnit
from server.workorders.urging import urge
from sync.conflicts import record_conflict
from sync.registry import APPLIED, CONFLICT, Applied, MutationContext, MutationType


class CreateOrder(schemas.WorkOrderCreate, forbid_unknown_fields=True, kw_only=True):
    """As POST /api/work-orders; ``id`` is required (the device made it)."""


class EditOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    base_version: Annotated[int, Meta(ge=1, description="the order version the device saw")]
    changes: schemas.WorkOrderUpdate


BaseVersion = Annotated[int, Meta(ge=1, description="the order version the device saw")]


class TransitionOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    base_version: BaseVersion
    action: schemas.Action
    reason: schemas.Note = ""


class AssignOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    base_version: BaseVersion
    assignee_id: UUID
    team_id: UUID | None = None
    reason: schemas.Note = ""


class AddComment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    id: UUID
    body: schemas.CommentBody
    internal: bool = False


class UrgeOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    note: schemas.Note = ""


class RateOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    score: Annotated[int, Meta(ge=1, le=5)]
    comment: schemas.Note = ""


class AttachFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A photo or signature; its file is uploaded apart (PUT /api/blobs/{sha256}),
    before or after."""

    order_id: UUID
    id: UUID
    sha256: schemas.Sha256
    kind: schemas.AttachmentKind = "photo"
    caption: Annotated[str, Meta(max_length=500)] = ""


class SetFlags(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    order_id: UUID
    starred: bool | msgspec.UnsetType = UNSET
    important: bool | msgspec.UnsetType = UNSET


def _orders(ctx: MutationContext) -> OrderOperations:
    return OrderOperations(ctx.unit)


def _new_order(args: CreateOrder) -> list[UUID]:
    """Reading the new id tells whether an order with it exists already."""
    return [args.id] if args.id is not None else []


async def create_order(ctx: MutationContext, args: CreateOrder) -> Applied:
    if args.id is None:
        raise Invalid("an order made offline carries its own id", {"id": "required"})
    data = msgspec.convert(msgspec.structs.asdict(args), schemas.WorkOrderCreate)
    await _orders(ctx).create(msgspec.structs.replace(data, device_time=ctx.device_time))
    return APPLIED


def _changed_on_server(events: list[Any]) -> tuple[set[str], set[str]]:
    """Fields, and custom-field keys, that the server's changes after the device's
    base version touched (``events``: their ``changes``)."""
    fields: set[str] = set()
    keys: set[str] = set()
    for changes in events:
        if isinstance(changes, str):
            changes = msgspec.json.decode(changes)
        for field, change in changes.items():
            if not (isinstance(change, list) and len(change) == 2):
                continue  # not a field's [old, new] (a comment's id, say)
            fields.add(field)
            old, new = change
            if field == "custom_fields":
                old, new = old or {}, new or {}
                keys |= {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    return fields, keys


async def edit_order(ctx: MutationContext, args: EditOrder) -> Applied:
    changes = args.changes
    if changes.version is not UNSET or changes.device_time is not None:
        raise Invalid(
            "give base_version and the mutation's device_time, not version or device_time "
            "inside changes",
            code="invalid_args",
        )
    row = await ctx.unit.order(args.order_id)
    if args.base_version > row["version"]:
        raise Invalid(
            "base_version is newer than the order",
            {"base_version": args.base_version, "current_version": row["version"]},
            code="invalid_base_version",
        )
    # Someone else's changes only: the device's own earlier mutations raised the
    # version too, and a device offline cannot know by how much.
    touched, touched_keys = _changed_on_server(
        await ctx.unit.others_changes(args.order_id, args.base_version)
    )
    lost: list[tuple[str, Any, Any]] = []
    if changes.custom_fields is not UNSET:
        current = row["custom_fields"] or {}
        for key, value in changes.custom_fields.items():
            if key in touched_keys and current.get(key) != value:
                lost.append((f"custom_fields.{key}", value, current.get(key)))
        # The device's keys go over the server's current values, key by key.
        changes = msgspec.structs.replace(
            changes, custom_fields={**current, **changes.custom_fields}
        )
    for name in changes.__struct_fields__:
        value = getattr(changes, name)
        column = name.removesuffix("_id")
        if name in ("custom_fields", "version", "device_time") or value is UNSET:
            continue
        if isinstance(value, msgspec.Struct):
            value = msgspec.to_builtins(value)  # as the row holds it (a location)
        if column in touched and row[column] != value:
            lost.append((name, value, row[column]))
    await _orders(ctx).update(
        args.order_id, msgspec.structs.replace(changes, device_time=ctx.device_time)
    )
    for field_name, kept, server_value in lost:
        await record_conflict(
            ctx,
            args.order_id,
            "field",
            field=field_name,
            base_version=args.base_version,
            kept=_plain(kept),
            lost=_plain(server_value),
        )
    return CONFLICT if lost else APPLIED


def _plain(value: Any) -> Any:
    return msgspec.to_builtins(value)


# What a status change or assignment may meet when the order moved on meanwhile.
MOVED_ON = frozenset(["illegal_transition", "transition_forbidden", "reason_required"])


async def _unless_moved_on(
    ctx: MutationContext,
    order_id: UUID,
    base_version: int,
    change: Awaitable[Any],
    wanted: dict[str, Any],
) -> Applied:
    """Apply a status change or assignment. A refusal is the device's own mistake if
    nobody else changed the order since the device saw it (rejected); otherwise the
    order moved on while the device was offline, and the work stays on record: a
    conflict with both sides, and the order flagged for review."""
    try:
        await change
    except DomainError as error:
        moved_on = error.code in MOVED_ON and bool(
            await ctx.unit.others_changes(order_id, base_version)
        )
        if not moved_on:
            raise
        order = await ctx.unit.order(order_id, scoped=False)
        await record_conflict(
            ctx,
            order_id,
            "transition",
            base_version=base_version,
            kept={"status": order["status"]},
            lost={**wanted, "refused": error.code},
        )
        await _orders(ctx).set_review(
            order_id, True, f"offline change not applied: {error.message}", ctx.device_time
        )
        return CONFLICT
    return APPLIED


async def transition_order(ctx: MutationContext, args: TransitionOrder) -> Applied:
    request = schemas.TransitionRequest(
        action=args.action, reason=args.reason, device_time=ctx.device_time
    )
    change = _orders(ctx).transition(args.order_id, request)
    wanted = {"action": args.action, "reason": args.reason}
    return await _unless_moved_on(ctx, args.order_id, args.base_version, change, wanted)


async def assign_order(ctx: MutationContext, args: AssignOrder) -> Applied:
    request = schemas.AssignRequest(
        assignee_id=args.assignee_id,
        team_id=args.team_id,
        reason=args.reason,
        device_time=ctx.device_time,
    )
    change = _orders(ctx).assign(args.order_id, request)
    wanted = {"assign_to": str(args.assignee_id), "reason": args.reason}
    return await _unless_moved_on(ctx, args.order_id, args.base_version, change, wanted)


async def _scoped(ctx: MutationContext, order_id: UUID) -> bool:
    """Whether an append must find the order in the caller's scope: notes and photos
    made offline while the order was theirs are still taken after it left."""
    return await ctx.unit.visible(order_id) or not await ctx.unit.had(order_id)


async def add_comment(ctx: MutationContext, args: AddComment) -> Applied:
    data = schemas.CommentCreate(
        id=args.id, body=args.body, internal=args.internal, device_time=ctx.device_time
    )
    await add_comment_to(ctx.unit, args.order_id, data, await _scoped(ctx, args.order_id))
    return APPLIED


async def attach_file(ctx: MutationContext, args: AttachFile) -> Applied:
    data = schemas.AttachmentCreate(
        id=args.id,
        sha256=args.sha256,
        kind=args.kind,
        caption=args.caption,
        device_time=ctx.device_time,
    )
    await add_attachment(ctx.unit, args.order_id, data, await _scoped(ctx, args.order_id))
    return APPLIED


async def urge_order(ctx: MutationContext, args: UrgeOrder) -> Applied:
    """Rate-limited by the server's clock: an urge queued offline too soon after the
    last is rejected (urge_too_soon), never applied late as if in time."""
    await urge(ctx.unit, args.order_id, ctx.urging, args.note, ctx.device_time)
    return APPLIED


async def rate_order(ctx: MutationContext, args: RateOrder) -> Applied:
    await rate(ctx.unit, args.order_id, args.score, args.comment, ctx.device_time)
    return APPLIED


async def set_flags(ctx: MutationContext, args: SetFlags) -> Applied:
    data = schemas.FlagsUpdate(starred=args.starred, important=args.important)
    await _orders(ctx).set_flags(args.order_id, data)
    return APPLIED


async def _comment_ids(unit: OrderUnit, batch: list[AddComment]) -> None:
    await unit.load_keys(Comment, [args.id for args in batch])


async def _attachment_ids(unit: OrderUnit, batch: list[AttachFile]) -> None:
    await unit.load_keys(OrderAttachment, [args.id for args in batch])


async def _others_since_base(unit: OrderUnit, batch: list[EditOrder]) -> None:
    after: dict[UUID, int] = {}
    for args in batch:
        after[args.order_id] = min(after.get(args.order_id, args.base_version), args.base_version)
    await unit.load_others(after)


MUTATIONS = [
    MutationType("create_order", CreateOrder, create_order, _new_order),
    MutationType("edit_order", EditOrder, edit_order, prefetch=_others_since_base),
    MutationType("transition_order", TransitionOrder, transition_order),
    MutationType("assign_order", AssignOrder, assign_order),
    MutationType("add_comment", AddComment, add_comment, prefetch=_comment_ids),
    MutationType("rate_order", RateOrder, rate_order),
    MutationType("attach_file", AttachFile, attach_file, prefetch=_attachment_ids),
    MutationType("set_flags", SetFlags, set_flags),
    MutationType("urge_order", UrgeOrder, urge_order),
]
