"""What the report endpoints answer. Every period figure comes twice: for the period
asked for (``current``) and for the period of the same length before it
(``previous``); backlogs are counted as they stand now."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from server.costs.money import Money

Seconds = Annotated[float, Meta(description="seconds")]
Percent = Annotated[float, Meta(ge=0, le=100, description="per cent")]
ReportName = Literal["technicians", "departments", "sites", "customer-groups", "assets"]
ExportFormat = Literal["csv", "xlsx"]
ChartFile = Literal[
    "backlog-by-status.svg", "sla-compliance-by-week.svg", "resolution-time-by-week.svg"
]


class PeriodInfo(msgspec.Struct, kw_only=True):
    first_day: date
    last_day: date
    timezone: str
    starts_at: Annotated[datetime, Meta(description="the first instant of the first day")]
    ends_at: Annotated[datetime, Meta(description="the first instant after the last day")]


class TechnicianFigures(msgspec.Struct, kw_only=True):
    orders_done: Annotated[int, Meta(description="orders assigned to them resolved in the period")]
    mean_response_seconds: Annotated[
        Seconds | None, Meta(description="creation to first response, over the orders done")
    ]
    mean_resolution_seconds: Annotated[
        Seconds | None,
        Meta(description="creation to resolution (wall clock), over the orders done"),
    ]
    sla_orders: Annotated[int, Meta(description="orders done that had an SLA target")]
    sla_met: Annotated[int, Meta(description="of those, the ones without a missed target")]
    sla_compliance_percent: Percent | None
    first_time_fixes: Annotated[int, Meta(description="orders done that were never reopened")]
    first_time_fix_percent: Percent | None
    ratings: Annotated[int, Meta(description="orders done that their requester rated")]
    mean_rating: Annotated[float, Meta(ge=1, le=5)] | None
    travel_seconds: Annotated[Seconds, Meta(description="time en route, on the orders done")]
    on_site_seconds: Annotated[
        Seconds, Meta(description="time on site and in progress, on the orders done")
    ]
    labour_hours: Annotated[
        float, Meta(description="labour entries of the technician that started in the period")
    ]
    labour_cost: Annotated[
        Money, Meta(description="those entries' cost, at the rates they were logged at")
    ]


class TechnicianRow(msgspec.Struct, kw_only=True):
    technician_id: UUID
    technician_name: str | None
    current: TechnicianFigures
    previous: TechnicianFigures


class TechnicianTotals(msgspec.Struct, kw_only=True):
    current: TechnicianFigures
    previous: TechnicianFigures


class TechnicianReport(msgspec.Struct, kw_only=True):
    period: PeriodInfo
    previous_period: PeriodInfo
    items: list[TechnicianRow]
    total: Annotated[TechnicianTotals, Meta(description="every technician's orders together")]


class Costs(msgspec.Struct, kw_only=True):
    """What the group's orders cost in the period, added up as the orders' cost
    summaries add it (GET /api/work-orders/{id}/costs): parts and expenses when they
    were booked, labour when the work started."""

    parts: Annotated[
        Money,
        Meta(description="parts used less parts returned in the period, at their cost then"),
    ]
    labour: Annotated[
        Money,
        Meta(description="labour that started in the period (without a start: logged in it)"),
    ]
    expenses: Annotated[Money, Meta(description="expenses recorded in the period")]
    total: Money


class Activity(msgspec.Struct, kw_only=True):
    created: Annotated[int, Meta(description="orders created in the period")]
    response_breaches: Annotated[int, Meta(description="response targets found missed")]
    resolution_breaches: Annotated[int, Meta(description="resolution targets found missed")]
    costs: Costs


class AgeBuckets(msgspec.Struct, kw_only=True):
    """Open orders by time since creation."""

    up_to_1_day: int
    days_1_to_3: int
    days_3_to_7: int
    days_7_to_30: int
    over_30_days: int


class PriorityCounts(msgspec.Struct, kw_only=True):
    p1: int = msgspec.field(name="P1")
    p2: int = msgspec.field(name="P2")
    p3: int = msgspec.field(name="P3")
    p4: int = msgspec.field(name="P4")
    p5: int = msgspec.field(name="P5")


class Backlog(msgspec.Struct, kw_only=True):
    open: Annotated[int, Meta(description="orders open now")]
    by_age: AgeBuckets
    by_priority: PriorityCounts


class DimensionRow(msgspec.Struct, kw_only=True):
    id: Annotated[UUID | None, Meta(description="null: orders without one")]
    name: str | None
    current: Activity
    previous: Activity
    backlog: Backlog


class DimensionReport(msgspec.Struct, kw_only=True):
    period: PeriodInfo
    previous_period: PeriodInfo
    items: list[DimensionRow]


class AssetActivity(Activity, kw_only=True):
    failures: Annotated[int, Meta(description="corrective orders created in the period")]
    repairs: Annotated[int, Meta(description="corrective orders resolved in the period")]
    mtbf_seconds: Annotated[
        Seconds | None,
        Meta(description="mean time between the period's failures (two at least)"),
    ]
    mttr_seconds: Annotated[
        Seconds | None, Meta(description="mean creation to resolution of the period's repairs")
    ]


class AssetRow(msgspec.Struct, kw_only=True):
    id: UUID
    tag: str | None
    name: str | None
    site_name: str | None
    current: AssetActivity
    previous: AssetActivity
    backlog: Backlog


class AssetReport(msgspec.Struct, kw_only=True):
    period: PeriodInfo
    previous_period: PeriodInfo
    items: list[AssetRow]


class Headline(msgspec.Struct, kw_only=True):
    created: int
    resolved: int
    mean_response_seconds: Seconds | None
    mean_resolution_seconds: Seconds | None
    sla_compliance_percent: Percent | None
    response_breaches: int
    resolution_breaches: int


class Series(msgspec.Struct, kw_only=True):
    name: str
    values: Annotated[list[float | None], Meta(description="one per label; null: nothing to show")]


class Chart(msgspec.Struct, kw_only=True):
    title: str
    kind: Literal["bar", "line"]
    unit: str
    labels: list[str]
    series: list[Series]


class DashboardCharts(msgspec.Struct, kw_only=True):
    backlog_by_status: Chart
    sla_compliance_by_week: Chart
    resolution_time_by_week: Chart


class Dashboard(msgspec.Struct, kw_only=True):
    period: PeriodInfo
    previous_period: PeriodInfo
    open_orders: Annotated[int, Meta(description="orders open now")]
    current: Headline
    previous: Headline
    charts: DashboardCharts
