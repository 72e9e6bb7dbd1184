"""The dashboard: headline figures of both periods and chart series ready to plot
(the PWA draws them; charts.py renders them as SVG for e-mails).

Three statements: the backlog by status, the resolved orders per week of both
periods (each week of a period cut at local Mondays, so the weeks add up to the
period), and the created orders and breaches of both periods.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, get_args

import msgspec

from server.database import fetch, is_sqlite
from server.reports import schemas
from server.reports.dialect import indexed_by, seconds_between
from server.reports.measures import SLA_MET_SQL, count, mean, number, percent, still_open
from server.reports.period import Period
from server.sql import Sql
from server.workorders.lifecycle import OPEN, STATUS_NAMES, Status
from server.workorders.tables import WorkOrder

BACKLOG_STATUSES = [status for status in get_args(Status) if status in OPEN]
WEEK_SUMS = (
    "resolved",
    "responded",
    "response_seconds",
    "resolution_seconds",
    "sla_orders",
    "sla_met",
)


@functools.cache
def _week_columns(sqlite: bool) -> str:
    response = seconds_between(sqlite, "w.created_at", "w.first_response_at")
    resolution = seconds_between(sqlite, "w.created_at", "w.resolved_at")
    return (
        "count(*) AS resolved, count(w.first_response_at) AS responded, "
        f"sum({response}) AS response_seconds, sum({resolution}) AS resolution_seconds, "
        f"count({SLA_MET_SQL}) AS sla_orders, sum({SLA_MET_SQL}) AS sla_met"
    )


def _engine() -> Any:
    return WorkOrder._meta.db


async def backlog_by_status(scope: Sql) -> dict[str, int]:
    where = still_open() & scope
    # SQLite read a manager's backlog through the status index, every department's open
    # orders (113 ms at 1,000,000 demo orders); their own departments' covering index
    # counts it in 6 ms.
    hint = ""
    if scope.indexed:
        hint = indexed_by(is_sqlite(_engine()), f"work_order_{scope.indexed}_status_created")
    rows = await fetch(
        _engine(),
        f"SELECT w.status, count(*) AS orders FROM work_order w{hint} WHERE {where.text} "
        "GROUP BY w.status",
        where.args,
    )
    found = {row["status"]: count(row["orders"]) for row in rows}
    return {status: found.get(status, 0) for status in BACKLOG_STATUSES}


async def weekly(scope: Sql, weeks: list[tuple[datetime, datetime]]) -> list[dict[str, Any]]:
    """The sums of WEEK_SUMS over the orders resolved in each of ``weeks`` (contiguous
    (start, end) pairs, in order), one dict per week."""
    # One range scan: each order finds its week by the first week end it is before.
    bucket = "CASE " + " ".join(f"WHEN w.resolved_at < {{}} THEN {n}" for n in range(len(weeks)))
    where = Sql("w.resolved_at >= {} AND w.resolved_at < {}", weeks[0][0], weeks[-1][1]) & scope
    sqlite = is_sqlite(_engine())
    rows = await fetch(
        _engine(),
        f"SELECT {bucket} END AS week, {_week_columns(sqlite)} "
        f"FROM work_order w{indexed_by(sqlite, 'work_order_resolved_at')} "
        f"WHERE {where.text} GROUP BY 1",
        [*(end for _, end in weeks), *where.args],
    )
    found = {count(row["week"]): row for row in rows}
    return [
        {name: number(found[n][name]) if n in found else 0.0 for name in WEEK_SUMS}
        for n in range(len(weeks))
    ]


def _breached(scope: Sql) -> Sql:
    """The breaches of the orders in ``scope``, each order looked up by its key: joined,
    PostgreSQL hashed every order of a manager's departments (the whole history) to match
    one period's breaches. PostgreSQL never turns a scalar subquery into a join."""
    if not scope.text:
        return scope
    return Sql(
        f'(SELECT 1 FROM work_order w WHERE w.id = b."order" AND {scope.text}) = 1', *scope.args
    )


async def created_and_breaches(scope: Sql, period: Period, previous: Period) -> dict[str, int]:
    start, first, end = period.start, previous.start, period.end
    created = Sql("w.created_at >= {} AND w.created_at < {}", first, end) & scope
    breaches = Sql("b.breached_at >= {} AND b.breached_at < {}", first, end) & _breached(scope)
    columns = [
        f"count(*) FILTER (WHERE b.clock = '{clock}' AND b.breached_at {operator} {{}}) "
        f"AS {prefix}{clock}_breaches"
        for clock in ("response", "resolution")
        for prefix, operator in (("", ">="), ("previous_", "<"))
    ]
    text = (
        "SELECT c.created, c.previous_created, b.* FROM ("
        "SELECT count(*) FILTER (WHERE w.created_at >= {}) AS created, "
        "count(*) FILTER (WHERE w.created_at < {}) AS previous_created "
        f"FROM work_order w WHERE {created.text}) c, ("
        f"SELECT {', '.join(columns)} "
        f"FROM sla_breach b WHERE {breaches.text}) b"
    )
    args = [start, start, *created.args, *[start] * len(columns), *breaches.args]
    rows = await fetch(_engine(), text, args)
    return {name: count(value) for name, value in rows[0].items()}


def _add(weeks: list[dict[str, Any]]) -> dict[str, float]:
    return {name: sum(week[name] for week in weeks) for name in WEEK_SUMS}


def headline(sums: dict[str, float], counts: dict[str, int], prefix: str) -> schemas.Headline:
    resolved, sla_orders = int(sums["resolved"]), int(sums["sla_orders"])
    return schemas.Headline(
        created=counts[f"{prefix}created"],
        resolved=resolved,
        mean_response_seconds=mean(sums["response_seconds"], int(sums["responded"])),
        mean_resolution_seconds=mean(sums["resolution_seconds"], resolved),
        sla_compliance_percent=percent(int(sums["sla_met"]), sla_orders),
        response_breaches=counts[f"{prefix}response_breaches"],
        resolution_breaches=counts[f"{prefix}resolution_breaches"],
    )


# The charts' words in each language, for the SVG images (the JSON series are read by
# the app, which has its own texts): the English word → the word in the language.
CHART_WORDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "Open orders by status": "按状态统计的未完成工单",
        "orders": "单",
        "SLA compliance by week": "每周 SLA 达成率",
        "SLA compliance": "SLA 达成率",
        "Mean time to resolve by week": "每周平均解决时长",
        "hours": "小时",
        "mean time to resolve": "平均解决时长",
    },
}


def localised(chart: schemas.Chart, language: str, statuses: bool = False) -> schemas.Chart:
    """``chart`` in ``language`` (English stays as it is); ``statuses``: its labels are
    statuses, named as people call them."""
    words = CHART_WORDS.get(language, {})
    names = STATUS_NAMES.get(language, STATUS_NAMES["en"])
    return msgspec.structs.replace(
        chart,
        title=words.get(chart.title, chart.title),
        unit=words.get(chart.unit, chart.unit),
        labels=[names.get(label, label) for label in chart.labels] if statuses else chart.labels,
        series=[
            msgspec.structs.replace(series, name=words.get(series.name, series.name))
            for series in chart.series
        ],
    )


def backlog_chart(backlog: dict[str, int]) -> schemas.Chart:
    return schemas.Chart(
        title="Open orders by status",
        kind="bar",
        unit="orders",
        labels=list(backlog),
        series=[schemas.Series(name="orders", values=[float(n) for n in backlog.values()])],
    )


def compliance_chart(period: Period, weeks: list[dict[str, float]]) -> schemas.Chart:
    return schemas.Chart(
        title="SLA compliance by week",
        kind="line",
        unit="%",
        labels=[first.isoformat() for first, _, _ in period.weeks()],
        series=[
            schemas.Series(
                name="SLA compliance",
                values=[percent(int(week["sla_met"]), int(week["sla_orders"])) for week in weeks],
            )
        ],
    )


def resolution_chart(period: Period, weeks: list[dict[str, float]]) -> schemas.Chart:
    hours = [mean(week["resolution_seconds"] / 3600, int(week["resolved"]), 2) for week in weeks]
    return schemas.Chart(
        title="Mean time to resolve by week",
        kind="line",
        unit="hours",
        labels=[first.isoformat() for first, _, _ in period.weeks()],
        series=[schemas.Series(name="mean time to resolve", values=hours)],
    )


def _spans(period: Period) -> list[tuple[datetime, datetime]]:
    return [(start, end) for _, start, end in period.weeks()]


async def period_weeks(scope: Sql, period: Period) -> list[dict[str, float]]:
    return await weekly(scope, _spans(period))


async def dashboard(
    scope: Sql, period: Period, previous: Period
) -> tuple[int, schemas.Headline, schemas.Headline, schemas.DashboardCharts]:
    backlog = await backlog_by_status(scope)
    before = _spans(previous)
    weeks = await weekly(scope, before + _spans(period))
    counts = await created_and_breaches(scope, period, previous)
    earlier, current = weeks[: len(before)], weeks[len(before) :]
    charts = schemas.DashboardCharts(
        backlog_by_status=backlog_chart(backlog),
        sla_compliance_by_week=compliance_chart(period, current),
        resolution_time_by_week=resolution_chart(period, current),
    )
    return (
        sum(backlog.values()),
        headline(_add(current), counts, ""),
        headline(_add(earlier), counts, "previous_"),
        charts,
    )
