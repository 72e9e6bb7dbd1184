"""Comments on orders: append-only, each also a timeline event."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import write_transaction
from server.errors import Conflict
from server.workorders import schemas
from server.workorders.changes import append_event
from server.workorders.queries import fetch_order
from server.workorders.tables import Comment, WorkOrder

COMMENT_COLUMNS: tuple[Any, ...] = (
    Comment.id,
    Comment.order.as_alias("order_id"),
    Comment.author.as_alias("author_id"),
    Comment.author.display_name.as_alias("author_name"),
    Comment.body,
    Comment.created_at,
    Comment.device_time,
)


class CommentService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list_comments(self, order_id: UUID) -> list[schemas.Comment]:
        await fetch_order(self.actor, order_id)
        rows = (
            await Comment.select(*COMMENT_COLUMNS)
            .where(Comment.order == order_id)
            .order_by(Comment.created_at)
        )
        return msgspec.convert(rows, list[schemas.Comment])

    async def add(
        self, order_id: UUID, data: schemas.CommentCreate, scoped: bool = True
    ) -> schemas.Comment:
        """Add a comment; the first one by staff or field staff is the first response."""
        await fetch_order(self.actor, order_id, scoped)
        comment_id = data.id or uuid4()
        now = self.clock()
        async with write_transaction(Comment._meta.db):
            if await Comment.exists().where(Comment.id == comment_id):
                raise Conflict(
                    "a comment with this id exists", {"id": str(comment_id)}, code="already_exists"
                )
            await Comment.insert(
                Comment(
                    id=comment_id,
                    order=order_id,
                    author=self.actor.user_id,
                    body=data.body,
                    created_at=now,
                    device_time=data.device_time,
                )
            )
            if not self.actor.is_requester:
                # Decided in the statement, so a concurrent accept is never overwritten.
                await WorkOrder.update({WorkOrder.first_response_at: now}).where(
                    WorkOrder.id == order_id, WorkOrder.first_response_at.is_null()
                )
            await append_event(
                order_id,
                self.actor.user_id,
                "comment",
                {"comment_id": str(comment_id)},
                data.body[:200],
                now,
                data.device_time,
            )
        row = await Comment.select(*COMMENT_COLUMNS).where(Comment.id == comment_id).first()
        return msgspec.convert(row, schemas.Comment)
