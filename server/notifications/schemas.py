"""Notifications as their readers get them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.types import Language, ShortName


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


# max_length also refuses "22:00\n", which the pattern's $ lets through.
ClockTime = Annotated[
    str, Meta(max_length=5, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["22:00"])
]


Kinds = Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=50)]


class Preferences(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    muted: Annotated[Kinds, Meta(description="kinds not pushed (still in the app)")] = (
        msgspec.field(default_factory=list)
    )
    sms: Annotated[Kinds, Meta(description="kinds also texted to the user's phone")] = (
        msgspec.field(default_factory=list)
    )
    email: Annotated[Kinds, Meta(description="kinds also e-mailed to the user")] = msgspec.field(
        default_factory=list
    )
    report: Annotated[
        Literal["off", "daily", "weekly"],
        Meta(description="the summary e-mail (admins and managers), at 08:00 local time"),
    ] = "off"
    quiet_from: ClockTime | None = None
    quiet_until: ClockTime | None = None
    timezone: Annotated[str, Meta(max_length=64)] = "Asia/Shanghai"


class Delivery(msgspec.Struct, kw_only=True):
    state: Annotated[str, Meta(description="pending, sent, failed or skipped")]
    attempts: int
    next_at: datetime
    log: list[dict[str, Any]]


ChatPlatform = Literal["wecom", "dingtalk", "feishu"]
RobotUrl = Annotated[
    str,
    Meta(
        min_length=10,
        max_length=2000,
        description="the robot's webhook address as the platform shows it (https)",
    ),
]
RobotSecret = Annotated[
    str,
    Meta(
        max_length=200,
        description="DingTalk's or Feishu's signing secret; write-only; empty: no signature",
    ),
]
RobotKinds = Annotated[
    list[Annotated[str, Meta(max_length=32)]],
    Meta(min_length=1, max_length=50, description="the notification kinds posted"),
]


class ChatRobotCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName
    platform: ChatPlatform
    url: RobotUrl
    secret: RobotSecret = ""
    department_id: Annotated[
        UUID | None, Meta(description="whose orders' events are posted; null: every department's")
    ] = None
    kinds: RobotKinds
    language: Language = "zh-CN"
    active: bool = True


class ChatRobotUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: ShortName | msgspec.UnsetType = msgspec.UNSET
    platform: ChatPlatform | msgspec.UnsetType = msgspec.UNSET
    url: RobotUrl | msgspec.UnsetType = msgspec.UNSET
    secret: RobotSecret | msgspec.UnsetType = msgspec.UNSET
    department_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    kinds: RobotKinds | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ChatRobot(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    platform: ChatPlatform
    url: str
    has_secret: bool
    department_id: UUID | None
    kinds: list[str]
    language: str
    active: bool
    created_at: datetime


class ChatRobotPage(msgspec.Struct):
    items: list[ChatRobot]


class ChatRobotTest(msgspec.Struct, kw_only=True):
    outcome: Annotated[str, Meta(description="delivered, retry, failed or skipped")]
    error: Annotated[str, Meta(description="the platform's or the network's words; empty")]


class InboundSmsResult(msgspec.Struct, kw_only=True):
    outcome: Annotated[
        str,
        Meta(description="the command done (start, complete...) or why not (unknown_order...)"),
    ]
    reply: Annotated[str, Meta(description="what was texted back; empty: nothing")]
    order_id: UUID | None
    duplicate: Annotated[bool, Meta(description="this message id was handled before")]
