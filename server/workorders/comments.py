"""Comments on orders: append-only, each also a timeline event.

A comment may be an internal note, among the people who do the work: requesters
cannot write one and never see one, in lists, timelines or the sync feed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.errors import Conflict, Forbidden
from server.ids import new_id
from server.notifications.service import notify
from server.workorders import schemas
from server.workorders.mentions import readers
from server.workorders.queries import fetch_order
from server.workorders.tables import Comment
from server.workorders.unit import OrderUnit, unit_of_work

COMMENT_COLUMNS: tuple[Any, ...] = (
    Comment.id,
    Comment.order.as_alias("order_id"),
    Comment.author.as_alias("author_id"),
    Comment.author.display_name.as_alias("author_name"),
    Comment.body,
    Comment.internal,
    Comment.created_at,
    Comment.device_time,
)


class CommentService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list_comments(self, order_id: UUID) -> list[schemas.Comment]:
        await fetch_order(self.actor, order_id)
        query = Comment.select(*COMMENT_COLUMNS).where(Comment.order == order_id)
        if self.actor.is_requester:
            query = query.where(Comment.internal == False)  # noqa: E712
        rows = await query.order_by(Comment.created_at)
        return msgspec.convert(rows, list[schemas.Comment])

    async def add(self, order_id: UUID, data: schemas.CommentCreate) -> schemas.Comment:
        async with unit_of_work(self.actor, self.clock) as unit:
            comment_id = await add_comment(unit, order_id, data)
        row = await Comment.select(*COMMENT_COLUMNS).where(Comment.id == comment_id).first()
        return msgspec.convert(row, schemas.Comment)


async def add_comment(
    unit: OrderUnit, order_id: UUID, data: schemas.CommentCreate, scoped: bool = True
) -> UUID:
    """Add a comment; the first one by staff or field staff is the first response."""
    order = await unit.order(order_id, scoped)
    if data.internal and unit.actor.is_requester:
        raise Forbidden(
            "requesters' comments are seen by everyone on the order", code="internal_not_allowed"
        )
    comment_id = data.id or new_id()
    if await unit.taken(Comment, comment_id):
        raise Conflict(
            "a comment with this id exists", {"id": str(comment_id)}, code="already_exists"
        )
    now = unit.clock()
    unit.insert(
        Comment,
        {
            "id": comment_id,
            "order": order_id,
            "author": unit.actor.user_id,
            "body": data.body,
            "created_at": now,
            "device_time": data.device_time,
            "internal": data.internal,
        },
    )
    values = {}
    # An internal note is no answer to the customer: the response clock runs on.
    if not (unit.actor.is_requester or data.internal) and order["first_response_at"] is None:
        values["first_response_at"] = now
    unit.change(
        order_id,
        values,
        "comment",
        {"comment_id": str(comment_id)},
        data.device_time,
        data.body[:200],
        internal=data.internal,
    )
    addressed = await readers(order, data.body, unit.actor.user_id, internal=data.internal)
    notify(unit, addressed, "mentioned", order, by=unit.actor.display_name)
    return comment_id
