"""Request and response bodies of recurring plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from server.types import LongText, Name, Priority
from server.workorders.schemas import Kind

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
Zone = Annotated[str, Meta(min_length=1, max_length=64, examples=["Asia/Shanghai"])]
RruleText = Annotated[str, Meta(min_length=6, max_length=500, examples=["FREQ=MONTHLY;BYDAY=2TU"])]
LookaheadDays = Annotated[int, Meta(ge=0, le=366)]
DueMinutes = Annotated[int, Meta(ge=1, le=525_600)]
PauseAfter = Annotated[int, Meta(ge=1, le=10_000)]


class Recurrence(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A repeat rule in plain fields (or send ``rrule`` text instead)."""

    frequency: Literal["daily", "weekly", "monthly", "yearly"]
    interval: Annotated[int, Meta(ge=1, le=1000, description="every N days/weeks/…")] = 1
    weekdays: Annotated[
        list[Weekday],
        Meta(max_length=7, description="weekly: the days; monthly/yearly with nth: one day"),
    ] = msgspec.field(default_factory=list)
    month_day: (
        Annotated[
            int,
            Meta(
                ge=-31, le=31, description="day of the month; -1 the last; 31 skips shorter months"
            ),
        ]
        | None
    ) = None
    nth: (
        Annotated[
            int, Meta(ge=-5, le=5, description="with one weekday: 2 = the 2nd Tuesday, -1 the last")
        ]
        | None
    ) = None
    month: Annotated[int, Meta(ge=1, le=12, description="yearly: the month")] | None = None
    count: Annotated[int, Meta(ge=1, le=10_000, description="end after N occurrences")] | None = (
        None
    )
    until: Annotated[date | None, Meta(description="end on this day (inclusive)")] = None


class PlanOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The order each occurrence opens; its due time is the occurrence plus due_minutes."""

    kind: Kind = "planned"
    title: Name
    description: LongText = ""
    priority: Priority | None = None
    customer_id: UUID | None = None
    site_id: UUID | None = None
    asset_id: UUID | None = None
    service_item_id: UUID | None = None
    department_id: UUID | None = None
    team_id: UUID | None = None
    assignee_id: UUID | None = None
    template_id: UUID | None = None


class PlanCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    starts_at: Annotated[
        datetime, Meta(tz=True, description="the first occurrence's date and time")
    ]
    timezone: Zone = "Asia/Shanghai"
    recurrence: Recurrence | None = None
    rrule: RruleText | None = None
    lookahead_days: LookaheadDays = 7
    due_minutes: DueMinutes = 1440
    pause_after: PauseAfter | None = None
    order: PlanOrder


class PlanUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new schedule applies from now on; orders opened already stay."""

    name: Name | UnsetType = UNSET
    starts_at: Annotated[datetime, Meta(tz=True)] | UnsetType = UNSET
    timezone: Zone | UnsetType = UNSET
    recurrence: Recurrence | UnsetType = UNSET
    rrule: RruleText | UnsetType = UNSET
    lookahead_days: LookaheadDays | UnsetType = UNSET
    due_minutes: DueMinutes | UnsetType = UNSET
    pause_after: PauseAfter | UnsetType | None = UNSET
    order: PlanOrder | UnsetType = UNSET


class Plan(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    rrule: str
    starts_at: datetime
    timezone: str
    lookahead_days: int
    due_minutes: int
    pause_after: int | None
    generated: int
    generated_since_resume: int
    paused: bool
    active: bool
    order: PlanOrder
    upcoming: Annotated[list[datetime], Meta(description="the next occurrences not yet opened")]


class PlanPage(msgspec.Struct):
    items: list[Plan]
