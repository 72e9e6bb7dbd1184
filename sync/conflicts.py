"""Conflict records: what the server decided on its own when offline work met newer
changes, with the losing side kept for a manager to review and resolve."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import WhereRaw

from server.accounts.actor import Actor
from server.clock import Clock
from server.errors import Conflict, Forbidden, NotFound
from server.ids import new_id
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.workorders.operations import OrderOperations
from server.workorders.scope import in_scope
from server.workorders.unit import unit_of_work
from sync import schemas
from sync.registry import MutationContext
from sync.tables import SyncConflict


async def record_conflict(
    ctx: MutationContext,
    order_id: UUID,
    kind: str,
    *,
    field: str = "",
    base_version: int | None = None,
    kept: Any = None,
    lost: Any = None,
) -> None:
    ctx.unit.insert(
        SyncConflict,
        {
            "id": new_id(),
            "order": order_id,
            "kind": kind,
            "field": field,
            "base_version": base_version,
            "kept": msgspec.json.encode(kept).decode(),
            "lost": msgspec.json.encode(lost).decode(),
            "author": ctx.actor.user_id,
            "client": ctx.client_id,
            "mutation_id": ctx.mutation_id,
            "created_at": ctx.clock(),
        },
    )
    # Someone decides whether the kept value stands: the order's dispatchers.
    order = await ctx.unit.order(order_id, scoped=False)
    reviewers = await Recipients().dispatchers(order)
    notify(ctx.unit, reviewers, "sync_conflict", order, field=field or kind)


COLUMNS = (
    SyncConflict.id,
    SyncConflict.order.as_alias("order_id"),
    SyncConflict.kind,
    SyncConflict.field,
    SyncConflict.base_version,
    SyncConflict.kept,
    SyncConflict.lost,
    SyncConflict.author.as_alias("author_id"),
    SyncConflict.client.as_alias("client_id"),
    SyncConflict.mutation_id,
    SyncConflict.created_at,
    SyncConflict.resolved_at,
    SyncConflict.resolved_by.as_alias("resolved_by_id"),
    SyncConflict.resolution,
)


def _to_conflict(row: dict[str, Any]) -> schemas.Conflict:
    for key in ("kept", "lost"):
        if isinstance(row[key], str):
            row[key] = msgspec.json.decode(row[key])
    return msgspec.convert(row, schemas.Conflict, strict=False)


class ConflictService:
    """Managers (and admins) review the conflicts of the orders in their scope."""

    def __init__(self, actor: Actor, clock: Clock) -> None:
        if not (actor.is_manager or actor.is_admin):
            raise Forbidden("only managers review sync conflicts")
        self.actor = actor
        self.clock = clock

    def _select(self) -> Any:
        """Conflicts of the orders in the caller's scope, in one statement."""
        query = SyncConflict.select(*COLUMNS)
        scope = in_scope(self.actor, "w")
        if scope.text:
            query = query.where(
                WhereRaw(
                    f'"sync_conflict"."order" IN (SELECT w.id FROM work_order w WHERE {scope.text})',
                    *scope.args,
                )
            )
        return query

    async def list_conflicts(
        self, order_id: UUID | None, open_only: bool
    ) -> list[schemas.Conflict]:
        query = self._select().order_by(SyncConflict.created_at)
        if open_only:
            query = query.where(SyncConflict.resolved_at.is_null())
        if order_id is not None:
            query = query.where(SyncConflict.order == order_id)
        return [_to_conflict(row) for row in await query]

    async def resolve(
        self, conflict_id: UUID, data: schemas.ConflictResolution
    ) -> schemas.Conflict:
        async with unit_of_work(self.actor, self.clock) as unit:
            row = await self._select().where(SyncConflict.id == conflict_id).first()
            if row is None:
                raise NotFound("no such conflict", {"id": str(conflict_id)})
            if row["resolved_at"] is not None:
                raise Conflict("the conflict is already resolved", code="already_resolved")
            await SyncConflict.update(
                {
                    SyncConflict.resolved_at: self.clock(),
                    SyncConflict.resolved_by: self.actor.user_id,
                    SyncConflict.resolution: data.resolution,
                }
            ).where(SyncConflict.id == conflict_id)
            still_open = await SyncConflict.exists().where(
                SyncConflict.order == row["order_id"], SyncConflict.resolved_at.is_null()
            )
            if not still_open:
                await OrderOperations(unit).set_review(row["order_id"], False, data.resolution)
        resolved = await SyncConflict.select(*COLUMNS).where(SyncConflict.id == conflict_id).first()
        assert resolved is not None
        return _to_conflict(resolved)
