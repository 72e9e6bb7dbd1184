"""Subscribing devices to Web Push, push preferences, and delivery logs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Invalid, NotFound
from server.ids import new_id
from server.notifications import schemas
from server.notifications.endpoints import endpoint_allowed
from server.notifications.tables import (
    Notification,
    PushDelivery,
    PushSubscription,
)
from server.settings import Settings


class PushService:
    def __init__(self, actor: Actor, clock: Clock, settings: Settings) -> None:
        self.actor = actor
        self.clock = clock
        self.settings = settings

    async def subscribe(self, data: schemas.PushSubscriptionCreate) -> schemas.PushSubscription:
        """Keep the device's subscription for the caller (a device that subscribes
        again, or after another user, is theirs now)."""
        if not endpoint_allowed(self.settings.push_endpoints, data.endpoint):
            raise Invalid(
                "this push service is not accepted here",
                {"endpoint": data.endpoint, "accepted": self.settings.push_endpoints},
                code="endpoint_not_allowed",
            )
        async with write_transaction(PushSubscription._meta.db):
            await PushSubscription.insert(
                PushSubscription(
                    id=new_id(),
                    user=self.actor.user_id,
                    endpoint=data.endpoint,
                    p256dh=data.keys.p256dh,
                    auth=data.keys.auth,
                    created_at=self.clock(),
                )
            ).on_conflict(
                target=PushSubscription.endpoint,
                action="DO UPDATE",
                values=[PushSubscription.user, PushSubscription.p256dh, PushSubscription.auth],
            )
        row = (
            await PushSubscription.select()
            .where(PushSubscription.endpoint == data.endpoint)
            .first()
        )
        assert row is not None
        return _subscription(row)

    async def unsubscribe(self, endpoint: str) -> None:
        deleted = (
            await PushSubscription.delete()
            .where(
                PushSubscription.endpoint == endpoint, PushSubscription.user == self.actor.user_id
            )
            .returning(PushSubscription.id)
        )
        if not deleted:
            raise NotFound("no such subscription of yours", {"endpoint": endpoint})

    async def subscriptions(self) -> list[schemas.PushSubscription]:
        rows = await PushSubscription.select().where(PushSubscription.user == self.actor.user_id)
        return [_subscription(row) for row in rows]

    async def delivery(self, notification_id: UUID) -> schemas.Delivery:
        """How one of the caller's notifications was pushed (admins: anyone's)."""
        owner = (
            await Notification.select(Notification.user)
            .where(Notification.id == notification_id)
            .first()
        )
        if owner is None or not (self.actor.is_admin or owner["user"] == self.actor.user_id):
            raise NotFound("no such notification of yours", {"id": str(notification_id)})
        row = (
            await PushDelivery.select().where(PushDelivery.notification == notification_id).first()
        )
        if row is None:
            raise NotFound("this notification is not pushed", {"id": str(notification_id)})
        return msgspec.convert(
            {**row, "log": json_column(row["log"])}, schemas.Delivery, strict=False
        )


def _subscription(row: dict[str, Any]) -> schemas.PushSubscription:
    return msgspec.convert(row, schemas.PushSubscription, strict=False)
