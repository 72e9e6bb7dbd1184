"""Request and response bodies of SLA rules, business calendars and breaches."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

# Up to a year; 0: no target for that priority.
Minutes = Annotated[int, Meta(ge=0, le=525_600)]
Percent = Annotated[int, Meta(ge=1, le=99, description="share of the allowed time")]
AlarmMinutes = Annotated[int, Meta(ge=0, le=10_080, description="0: no overdue alarms")]
AlarmCount = Annotated[int, Meta(ge=1, le=100)]
# max_length also refuses "08:30\n", which the pattern's $ lets through.
ClockTime = Annotated[
    str,
    Meta(
        max_length=5,
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
        examples=["08:30", "24:00"],
    ),
]
Interval = Annotated[list[ClockTime], Meta(min_length=2, max_length=2)]
Day = Annotated[list[Interval], Meta(max_length=12)]
Week = Annotated[list[Day], Meta(min_length=7, max_length=7, description="Monday first")]
Holidays = Annotated[list[date], Meta(max_length=1000)]
Zone = Annotated[str, Meta(min_length=1, max_length=64, examples=["Asia/Shanghai"])]


class PriorityMinutes(msgspec.Struct, forbid_unknown_fields=True):
    P1: Minutes
    P2: Minutes
    P3: Minutes
    P4: Minutes
    P5: Minutes


class SlaRule(msgspec.Struct, kw_only=True):
    id: UUID
    customer_group_id: UUID | None
    service_item_id: UUID | None
    response_minutes: PriorityMinutes
    resolution_minutes: PriorityMinutes
    pause_when_suspended: bool
    warn_at_percent: int
    alarm_every_minutes: int
    suspend_after_alarms: int


class SlaRuleCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    customer_group_id: Annotated[UUID | None, Meta(description="null: every customer group")] = None
    service_item_id: Annotated[UUID | None, Meta(description="null: every service item")] = None
    response_minutes: PriorityMinutes
    resolution_minutes: PriorityMinutes
    pause_when_suspended: bool = True
    warn_at_percent: Percent = 75
    alarm_every_minutes: AlarmMinutes = 60
    suspend_after_alarms: AlarmCount = 5


class SlaRuleUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    response_minutes: PriorityMinutes | UnsetType = UNSET
    resolution_minutes: PriorityMinutes | UnsetType = UNSET
    pause_when_suspended: bool | UnsetType = UNSET
    warn_at_percent: Percent | UnsetType = UNSET
    alarm_every_minutes: AlarmMinutes | UnsetType = UNSET
    suspend_after_alarms: AlarmCount | UnsetType = UNSET


class SlaRulePage(msgspec.Struct):
    items: list[SlaRule]


class BusinessCalendarPut(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    timezone: Zone = "Asia/Shanghai"
    week: Week
    holidays: Holidays = msgspec.field(default_factory=list)


class BusinessCalendar(msgspec.Struct, kw_only=True):
    customer_group_id: UUID
    timezone: str
    week: list[list[list[str]]]
    holidays: list[date]


class SlaBreach(msgspec.Struct, kw_only=True):
    id: UUID
    order_id: UUID
    clock: str
    priority: str
    due_at: datetime
    breached_at: datetime
    ended_at: Annotated[
        datetime | None,
        Meta(description="when the clock stopped: first response, or resolution; null: still late"),
    ]
    overdue_seconds: Annotated[int, Meta(description="from the due time to ended_at, or to now")]


class SlaBreachPage(msgspec.Struct):
    items: list[SlaBreach]
