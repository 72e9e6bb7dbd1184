"""Setting up webhook subscriptions and reading what was delivered (admins only).

The signing secret is made here and answered once, when the subscription is made
or its secret replaced; pending deliveries are signed with the secret of the time
they are sent. A URL must match ``FIELDOPS_WEBHOOK_URLS`` (checked again at sending).
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.actor import Actor
from server.clock import Clock
from server.database import json_column, write_transaction
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.ids import new_id
from server.integrations import schemas
from server.integrations.tables import WebhookDelivery, WebhookSubscription
from server.notifications.endpoints import endpoint_allowed
from server.settings import Settings

SECRET_PREFIX = "whsec_"
COLUMNS = (
    WebhookSubscription.id,
    WebhookSubscription.name,
    WebhookSubscription.url,
    WebhookSubscription.events,
    WebhookSubscription.active,
    WebhookSubscription.created_by.as_alias("created_by_id"),
    WebhookSubscription.created_at,
)
DELIVERY_COLUMNS = (
    WebhookDelivery.id,
    WebhookDelivery.event_id,
    WebhookDelivery.event_type,
    WebhookDelivery.order.as_alias("order_id"),
    WebhookDelivery.state,
    WebhookDelivery.attempts,
    WebhookDelivery.next_at,
    WebhookDelivery.last_status,
    WebhookDelivery.created_at,
    WebhookDelivery.finished_at,
    WebhookDelivery.log,
    WebhookDelivery.payload,
)


def _webhook(row: dict[str, Any]) -> schemas.Webhook:
    return msgspec.convert(
        {**row, "events": json_column(row["events"])}, schemas.Webhook, strict=False
    )


def _delivery(row: dict[str, Any]) -> schemas.WebhookDelivery:
    return msgspec.convert(
        {**row, "log": json_column(row["log"]), "payload": msgspec.Raw(row["payload"].encode())},
        schemas.WebhookDelivery,
        strict=False,
    )


def _secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookService:
    def __init__(self, actor: Actor, clock: Clock, settings: Settings) -> None:
        self.actor = actor
        self.clock = clock
        self.settings = settings
        if not actor.is_admin:
            raise Forbidden("only admins manage webhooks")

    def _check_url(self, url: str) -> None:
        if not endpoint_allowed(self.settings.webhook_urls, url):
            raise Invalid(
                "the URL is not an accepted webhook target",
                {"url": url, "accepted": self.settings.webhook_urls},
                code="invalid_url",
            )

    async def subscriptions(self) -> list[schemas.Webhook]:
        rows = await WebhookSubscription.select(*COLUMNS).order_by(WebhookSubscription.name)
        return [_webhook(row) for row in rows]

    async def get(self, webhook_id: UUID) -> schemas.Webhook:
        row = (
            await WebhookSubscription.select(*COLUMNS)
            .where(WebhookSubscription.id == webhook_id)
            .first()
        )
        if row is None:
            raise NotFound("no such webhook", {"id": str(webhook_id)})
        return _webhook(row)

    async def create(self, data: schemas.WebhookCreate) -> schemas.WebhookCreated:
        """Subscribe a URL to order events; the answer holds the signing secret, once."""
        self._check_url(data.url)
        webhook_id, secret = new_id(), _secret()
        await WebhookSubscription.insert(
            WebhookSubscription(
                id=webhook_id,
                name=data.name,
                url=data.url,
                secret=secret,
                events=msgspec.json.encode(list(dict.fromkeys(data.events))).decode(),
                active=data.active,
                created_by=self.actor.user_id,
                created_at=self.clock(),
            )
        )
        made = await self.get(webhook_id)
        return schemas.WebhookCreated(**msgspec.structs.asdict(made), secret=secret)

    async def update(self, webhook_id: UUID, data: schemas.WebhookUpdate) -> schemas.Webhook:
        values: dict[Any, Any] = {}
        if data.url is not msgspec.UNSET:
            self._check_url(data.url)
            values[WebhookSubscription.url] = data.url
        if data.events is not msgspec.UNSET:
            events = list(dict.fromkeys(data.events))
            values[WebhookSubscription.events] = msgspec.json.encode(events).decode()
        if data.name is not msgspec.UNSET:
            values[WebhookSubscription.name] = data.name
        if data.active is not msgspec.UNSET:
            values[WebhookSubscription.active] = data.active
        if values:
            changed = (
                await WebhookSubscription.update(values)
                .where(WebhookSubscription.id == webhook_id)
                .returning(WebhookSubscription.id)
            )
            if not changed:
                raise NotFound("no such webhook", {"id": str(webhook_id)})
        return await self.get(webhook_id)

    async def rotate_secret(self, webhook_id: UUID) -> schemas.WebhookCreated:
        """A new signing secret, answered once; the old one signs nothing more."""
        secret = _secret()
        changed = (
            await WebhookSubscription.update({WebhookSubscription.secret: secret})
            .where(WebhookSubscription.id == webhook_id)
            .returning(WebhookSubscription.id)
        )
        if not changed:
            raise NotFound("no such webhook", {"id": str(webhook_id)})
        webhook = await self.get(webhook_id)
        return schemas.WebhookCreated(**msgspec.structs.asdict(webhook), secret=secret)

    async def delete(self, webhook_id: UUID) -> None:
        """Delete a subscription with its deliveries and their logs."""
        deleted = (
            await WebhookSubscription.delete()
            .where(WebhookSubscription.id == webhook_id)
            .returning(WebhookSubscription.id)
        )
        if not deleted:
            raise NotFound("no such webhook", {"id": str(webhook_id)})

    async def deliveries(
        self, webhook_id: UUID, state: str | None, limit: int
    ) -> list[schemas.WebhookDelivery]:
        """The subscription's latest deliveries, newest first."""
        await self.get(webhook_id)
        query = (
            WebhookDelivery.select(*DELIVERY_COLUMNS)
            .where(WebhookDelivery.subscription == webhook_id)
            .order_by(WebhookDelivery.created_at, ascending=False)
            .order_by(WebhookDelivery.id, ascending=False)
            .limit(limit)
        )
        if state is not None:
            query = query.where(WebhookDelivery.state == state)
        return [_delivery(row) for row in await query]

    async def delivery(self, webhook_id: UUID, delivery_id: UUID) -> schemas.WebhookDelivery:
        row = (
            await WebhookDelivery.select(*DELIVERY_COLUMNS)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.subscription == webhook_id)
            .first()
        )
        if row is None:
            raise NotFound("no such delivery", {"id": str(delivery_id)})
        return _delivery(row)

    async def redeliver(self, webhook_id: UUID, delivery_id: UUID) -> schemas.WebhookDelivery:
        """Send a finished delivery again, now, with the same payload (and id) and a
        fresh run of retries; its log keeps the earlier attempts."""
        now = self.clock()
        async with write_transaction(WebhookDelivery._meta.db):
            current = await self.delivery(webhook_id, delivery_id)
            if current.state == "pending":
                raise Conflict(
                    "the delivery is still being sent",
                    {"state": current.state, "next_at": current.next_at.isoformat()},
                    code="delivery_pending",
                )
            note = {
                "at": now.isoformat(),
                "outcome": "redelivery",
                "status": None,
                "error": f"asked for by {self.actor.username}",
            }
            log = [msgspec.to_builtins(entry) for entry in current.log]
            await WebhookDelivery.update(
                {
                    WebhookDelivery.state: "pending",
                    WebhookDelivery.attempts: 0,
                    WebhookDelivery.next_at: now,
                    WebhookDelivery.lease_until: None,
                    WebhookDelivery.finished_at: None,
                    WebhookDelivery.log: msgspec.json.encode([*log, note]).decode(),
                }
            ).where(WebhookDelivery.id == delivery_id)
        return await self.delivery(webhook_id, delivery_id)
