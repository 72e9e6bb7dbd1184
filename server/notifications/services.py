"""A user's own notifications: listed newest first, marked read."""

from __future__ import annotations

from uuid import UUID

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import json_column
from server.errors import NotFound
from server.notifications import schemas
from server.notifications.tables import Notification
from server.notifications.texts import render


class NotificationService:
    def __init__(self, actor: Actor, clock: Clock) -> None:
        self.actor = actor
        self.clock = clock

    async def list(self, unread_only: bool, limit: int) -> schemas.NotificationPage:
        mine = Notification.user == self.actor.user_id
        query = Notification.select().where(mine)
        if unread_only:
            query = query.where(Notification.read_at.is_null())
        rows = await query.order_by(Notification.created_at, ascending=False).limit(limit)
        unread = await Notification.count().where(mine, Notification.read_at.is_null())
        items = []
        for row in rows:
            params = json_column(row["params"])
            title, body = render(row["kind"], self.actor.language, params)
            items.append(
                schemas.Notification(
                    id=row["id"],
                    kind=row["kind"],
                    title=title,
                    body=body,
                    order_id=row["order"],
                    params=params,
                    created_at=row["created_at"],
                    read_at=row["read_at"],
                )
            )
        return schemas.NotificationPage(items=items, unread=unread)

    async def mark_read(self, notification_id: UUID) -> None:
        found = await Notification.exists().where(
            Notification.id == notification_id, Notification.user == self.actor.user_id
        )
        if not found:
            raise NotFound("no such notification", {"id": str(notification_id)})
        await Notification.update({Notification.read_at: self.clock()}).where(
            Notification.id == notification_id, Notification.read_at.is_null()
        )

    async def mark_all_read(self) -> schemas.MarkedRead:
        rows = (
            await Notification.update({Notification.read_at: self.clock()})
            .where(Notification.user == self.actor.user_id, Notification.read_at.is_null())
            .returning(Notification.id)
        )
        return schemas.MarkedRead(marked=len(rows))
