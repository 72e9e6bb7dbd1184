"""API keys, webhooks and calendar feeds as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.integrations.events import EventType
from server.integrations.scopes import Scope
from server.types import ShortName, Timestamp

# API keys -------------------------------------------------------------------------


class ApiKeyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName
    user_id: Annotated[UUID, Meta(description="the user the key acts as: their role and scope")]
    scopes: Annotated[list[Scope], Meta(min_length=1, max_length=10)]
    expires_at: Timestamp | None = None


class ApiKey(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    prefix: Annotated[str, Meta(description="the key's public start, to recognise it by")]
    scopes: list[str]
    user_id: UUID
    created_by_id: UUID | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: Annotated[datetime | None, Meta(description="to the minute")]


class ApiKeyCreated(ApiKey, kw_only=True):
    key: Annotated[
        str,
        Meta(description="send as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'; shown once"),
    ]


class ApiKeyList(msgspec.Struct):
    items: list[ApiKey]


# Webhooks -------------------------------------------------------------------------

WebhookUrl = Annotated[
    str,
    Meta(
        min_length=10,
        max_length=2000,
        pattern=r"^https?://[^\s]+$",
        examples=["https://crm.example.com/hooks/fieldops"],
    ),
]
EventTypes = Annotated[list[EventType], Meta(min_length=1, max_length=10)]
DeliveryState = Literal["pending", "sent", "failed", "skipped"]


class WebhookCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName
    url: WebhookUrl
    events: EventTypes
    active: bool = True


class WebhookUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET
    url: WebhookUrl | msgspec.UnsetType = msgspec.UNSET
    events: EventTypes | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class Webhook(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    url: str
    events: list[str]
    active: bool
    created_by_id: UUID | None
    created_at: datetime


class WebhookCreated(Webhook, kw_only=True):
    secret: Annotated[
        str, Meta(description="signs every delivery (X-FieldOps-Signature); shown once")
    ]


class WebhookList(msgspec.Struct):
    items: list[Webhook]


class DeliveryAttempt(msgspec.Struct, kw_only=True):
    at: datetime
    outcome: str
    status: Annotated[int | None, Meta(description="the receiver's HTTP status; null: none")]
    error: str = ""
    ms: int | None = None


class WebhookDelivery(msgspec.Struct, kw_only=True):
    id: UUID
    event_id: UUID
    event_type: str
    order_id: UUID
    state: DeliveryState
    attempts: int
    next_at: datetime
    last_status: int | None
    created_at: datetime
    finished_at: datetime | None
    log: list[DeliveryAttempt]
    payload: Annotated[Any, Meta(description="the body as sent: {id, type, created_at, data}")]


class WebhookDeliveryList(msgspec.Struct):
    items: list[WebhookDelivery]


# Calendar feeds -------------------------------------------------------------------


class CalendarFeed(msgspec.Struct, kw_only=True):
    url: Annotated[str, Meta(description="the private iCalendar address; a new one stops the old")]
    created_at: datetime
