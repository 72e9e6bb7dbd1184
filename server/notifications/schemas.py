"""Notifications as their readers get them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta


class Notification(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    title: str
    body: str
    order_id: UUID | None
    params: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(msgspec.Struct):
    items: list[Notification]
    unread: int


class MarkedRead(msgspec.Struct):
    marked: int


class PushKey(msgspec.Struct):
    public_key: Annotated[str, Meta(description="applicationServerKey for pushManager.subscribe")]


class SubscriptionKeys(msgspec.Struct, forbid_unknown_fields=True):
    p256dh: Annotated[str, Meta(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_-]+=*$")]
    auth: Annotated[str, Meta(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+=*$")]


Endpoint = Annotated[str, Meta(min_length=10, max_length=2000, pattern=r"^https?://[^\s]+$")]


class PushSubscriptionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A browser's PushSubscription.toJSON(), as it comes."""

    endpoint: Endpoint
    keys: SubscriptionKeys
    expirationTime: int | None = None


class PushUnsubscribe(msgspec.Struct, forbid_unknown_fields=True):
    endpoint: Endpoint


class PushSubscription(msgspec.Struct, kw_only=True):
    id: UUID
    endpoint: str
    created_at: datetime
    last_success_at: datetime | None


class PushSubscriptionPage(msgspec.Struct):
    items: list[PushSubscription]


ClockTime = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])]


class Preferences(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    muted: Annotated[
        list[Annotated[str, Meta(max_length=32)]],
        Meta(max_length=50, description="notification kinds not pushed (still in the app)"),
    ] = msgspec.field(default_factory=list)
    quiet_from: ClockTime | None = None
    quiet_until: ClockTime | None = None
    timezone: Annotated[str, Meta(max_length=64)] = "Asia/Shanghai"


class Delivery(msgspec.Struct, kw_only=True):
    state: Annotated[str, Meta(description="pending, sent, failed or skipped")]
    attempts: int
    next_at: datetime
    log: list[dict[str, Any]]
