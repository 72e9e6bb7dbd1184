"""Notifications as their readers get them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


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
