"""A user's own notifications: listed newest first, marked read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import NotFound
from server.notifications import schemas
from server.notifications.tables import Notification
from server.notifications.texts import render, with_number
from server.workorders.changes import next_sync_seq


class NotificationService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list(self, unread_only: bool, limit: int) -> schemas.NotificationPage:
        mine = Notification.user == self.actor.user_id
        query = Notification.select(
            *Notification.all_columns(), Notification.order.number.as_alias("order_number")
        ).where(mine)
        if unread_only:
            query = query.where(Notification.read_at.is_null())
        rows = await query.order_by(Notification.created_at, ascending=False).limit(limit)
        unread = await Notification.count().where(mine, Notification.read_at.is_null())
        items = [to_notification(row, self.actor.language) for row in rows]
        return schemas.NotificationPage(items=items, unread=unread)

    async def mark_read(self, notification_id: UUID) -> None:
        found = await Notification.exists().where(
            Notification.id == notification_id, Notification.user == self.actor.user_id
        )
        if not found:
            raise NotFound("no such notification", {"id": str(notification_id)})
        async with write_transaction(Notification._meta.db):
            await Notification.update(
                {Notification.read_at: self.clock(), Notification.sync_seq: await next_sync_seq()}
            ).where(Notification.id == notification_id, Notification.read_at.is_null())

    async def mark_all_read(self) -> schemas.MarkedRead:
        async with write_transaction(Notification._meta.db):
            rows = (
                await Notification.update(
                    {
                        Notification.read_at: self.clock(),
                        Notification.sync_seq: await next_sync_seq(),
                    }
                )
                .where(Notification.user == self.actor.user_id, Notification.read_at.is_null())
                .returning(Notification.id)
            )
        return schemas.MarkedRead(marked=len(rows))


def to_notification(row: dict[str, Any], language: str) -> schemas.Notification:
    """A notification in the reader's language (``order`` may be named ``order_id``),
    from its row with its order's ``order_number``."""
    params = with_number(json_column(row["params"]), row.get("order_number"))
    title, body = render(row["kind"], language, params)
    return msgspec.convert(
        {
            "id": row["id"],
            "kind": row["kind"],
            "title": title,
            "body": body,
            "order_id": row.get("order", row.get("order_id")),
            "params": params,
            "created_at": row["created_at"],
            "read_at": row["read_at"],
        },
        schemas.Notification,
        strict=False,
    )
