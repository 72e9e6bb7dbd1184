"""Reports per department, site, customer group and asset: the orders created, the
SLA targets missed, what the orders cost, the backlog open now by age and priority
and, per asset, its failures, mean time between failures and mean time to repair.

One statement per report: each source of figures (orders created in either
period, orders open now, breaches found in either period, the costs of either
period, repairs finished in either period) is aggregated per group in its own
branch, over its own index ranges, and the branches are added up per group
(UNION ALL, then GROUP BY).

A *breach* is a row of the SLA breach log (server/sla/) found in the period: it
stays on record even when a later change of the target unmarks the order. A
*failure* is a corrective order (measures.CORRECTIVE_KINDS) of the asset created
in the period and not cancelled; MTBF is the mean gap between the period's consecutive failures,
(last - first) / (failures - 1), so an asset needs two failures in the period to
have one; MTTR is the mean creation-to-resolution time of the corrective orders
of the asset resolved in the period.

*Costs* are those of the orders' cost summaries (server/costs/summary.py), each
in the period it belongs to: a part's use or return when it was booked on the
stock ledger, labour when the work started (measures.LABOUR_AT), an expense when
it was entered. A return counts when it is made, so a period can credit back a
use of the period before.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from server.costs.money import to_money
from server.costs.summary import PARTS_CENTS_SQL, PARTS_LINES_SQL
from server.database import fetch, is_sqlite
from server.reports import schemas
from server.reports.dialect import indexed_by, seconds_between
from server.reports.measures import (
    LABOUR_AT,
    corrective,
    count,
    key,
    mean,
    number,
    still_open,
)
from server.reports.period import Period
from server.sql import Sql
from server.workorders.tables import WorkOrder

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
# Backlog age buckets: (column, the age in days the bucket starts at).
AGES = (
    ("up_to_1_day", 0),
    ("days_1_to_3", 1),
    ("days_3_to_7", 3),
    ("days_7_to_30", 7),
    ("over_30_days", 30),
)


@dataclass(frozen=True)
class Dimension:
    """What orders (``w``) are grouped by, and how a group is named."""

    key: str
    # What the key needs joined to ``w`` in each branch.
    joins: str
    # The named row of a group ``k.group_key``, joined once per group.
    names: str
    # (expression, column) pairs that name a group.
    labels: tuple[tuple[str, str], ...]
    assets: bool = False
    # The index SQLite walks for the orders created in the periods: one that holds
    # the key beside created_at answers without reading a row.
    created_index: str = "work_order_created_id"


DIMENSIONS = {
    "departments": Dimension(
        "w.department",
        "",
        "LEFT JOIN department n ON n.id = k.group_key",
        (("n.name", "name"),),
        created_index="work_order_department_created",
    ),
    "sites": Dimension(
        "w.site", "", "LEFT JOIN site n ON n.id = k.group_key", (("n.name", "name"),)
    ),
    "customer-groups": Dimension(
        'c."group"',
        "LEFT JOIN customer c ON c.id = w.customer",
        "LEFT JOIN customer_group n ON n.id = k.group_key",
        (("n.name", "name"),),
    ),
    "assets": Dimension(
        "w.asset",
        "",
        "JOIN asset n ON n.id = k.group_key LEFT JOIN site s ON s.id = n.site",
        (("n.tag", "tag"), ("n.name", "name"), ("s.name", "site_name")),
        assets=True,
    ),
}


@dataclass(frozen=True)
class Ledger:
    """Where a kind of cost is recorded: rows (``alias``) that each name their order."""

    table: str
    alias: str
    # When a row counts, and the index on it that SQLite walks.
    at: str
    index: str
    # What a row adds, in cents.
    cents: str
    # Which of the table's rows are costs (empty: all).
    rows: str = ""


COSTS = {
    "parts": Ledger(
        "stock_movement", "m", "m.at", "stock_movement_at", PARTS_CENTS_SQL, PARTS_LINES_SQL
    ),
    "labour": Ledger("labour_entry", "l", LABOUR_AT, "labour_entry_worked_at", "l.cost_cents"),
    "expenses": Ledger("expense", "e", "e.created_at", "expense_created_at", "e.amount_cents"),
}
ACTIVITY = ("created", "response_breaches", "resolution_breaches")
ASSET_ACTIVITY = ("failures", "repairs", "repair_seconds")
FAILURE_TIMES = ("first_failure", "last_failure")


def _columns(assets: bool) -> list[str]:
    """The columns every branch yields (zero or NULL where it has nothing to add)."""
    periodic = [*ACTIVITY, *COSTS, *(ASSET_ACTIVITY if assets else ())]
    columns = [*periodic, *(f"previous_{name}" for name in periodic)]
    columns += ["open", *(name for name, _ in AGES), *(p.lower() for p in PRIORITIES)]
    if assets:
        columns += [*FAILURE_TIMES, *(f"previous_{name}" for name in FAILURE_TIMES)]
    return columns


class _Branch:
    """One source of figures: its select list (column -> expression with arguments)
    and where it reads from."""

    def __init__(self, source: str | Sql, where: Sql) -> None:
        self.source = source if isinstance(source, Sql) else Sql(source)
        self.where = where
        self.values: dict[str, Sql] = {}

    def add(self, column: str, expression: str, *args: Any) -> None:
        self.values[column] = Sql(expression, *args)

    def per_period(
        self, column: str, aggregate: str, at: str, start: datetime, condition: Sql | None = None
    ) -> None:
        """``column`` for the period and ``previous_column`` for the one before, split
        at ``start`` on the timestamp ``at`` (among the rows meeting ``condition``)."""
        extra = Sql(f"{condition.text} AND ", *condition.args) if condition else Sql()
        for name, operator in ((column, ">="), (f"previous_{column}", "<")):
            self.add(
                name,
                f"{aggregate} FILTER (WHERE {extra.text}{at} {operator} {{}})",
                *extra.args,
                start,
            )

    def sql(self, dimension: Dimension, columns: list[str]) -> Sql:
        times = set(FAILURE_TIMES) | {f"previous_{name}" for name in FAILURE_TIMES}
        parts, args = [f"{dimension.key} AS group_key"], []
        for column in columns:
            value = self.values.get(column)
            if value is None:
                parts.append(f"{'NULL' if column in times else '0'} AS {column}")
            else:
                parts.append(f"{value.text} AS {column}")
                args += value.args
        where = self.where
        if dimension.assets:
            where &= Sql("w.asset IS NOT NULL")
        # An admin's costs branch has no condition at all.
        condition = f"WHERE {where.text} " if where.text else ""
        text = (
            f"SELECT {', '.join(parts)} FROM {self.source.text} {dimension.joins} "
            f"{condition}GROUP BY {dimension.key}"
        )
        return Sql(text, *args, *self.source.args, *where.args)


def _costs_per_order(sqlite: bool, start: datetime, first: datetime, end: datetime) -> Sql:
    """The orders (``w``) with costs in either period, beside their costs (``o``): the
    rows of both periods of each ledger, read over its own index, summed per order.

    Summed per order before the join, each order is looked up once rather than once
    per row, and the branch's time is mostly that join: at 200,000 demo orders with
    five cost rows each, a branch per ledger joining every row made the department
    report 1.18 s on SQLite against 0.78 s, and no faster on PostgreSQL
    (docs/reports.md).
    """
    rows, args = [], []
    for column, ledger in COSTS.items():
        amounts = ", ".join(f"{ledger.cents if name == column else 0} AS {name}" for name in COSTS)
        where = Sql(f"{ledger.at} >= {{}} AND {ledger.at} < {{}}", first, end) & Sql(ledger.rows)
        rows.append(
            f'SELECT {ledger.alias}."order" AS order_id, {ledger.at} AS at, {amounts} '
            f"FROM {ledger.table} {ledger.alias}{indexed_by(sqlite, ledger.index)} "
            f"WHERE {where.text}"
        )
        args += where.args
    sums = [
        f"sum(r.{column}) FILTER (WHERE r.at {operator} {{}}) AS {prefix}{column}"
        for column in COSTS
        for prefix, operator in (("", ">="), ("previous_", "<"))
    ]
    text = (
        f"(SELECT r.order_id, {', '.join(sums)} FROM ({' UNION ALL '.join(rows)}) r "
        "GROUP BY r.order_id) o JOIN work_order w ON w.id = o.order_id"
    )
    return Sql(text, *[start] * len(sums), *args)


def _branches(
    sqlite: bool, dimension: Dimension, scope: Sql, period: Period, previous: Period, now: datetime
) -> list[_Branch]:
    start, first, end = period.start, previous.start, period.end
    created = _Branch(
        f"work_order w{indexed_by(sqlite, dimension.created_index)}",
        Sql("w.created_at >= {} AND w.created_at < {}", first, end) & scope,
    )
    created.per_period("created", "count(*)", "w.created_at", start)
    backlog = _Branch(
        f"work_order w{indexed_by(sqlite, 'work_order_status_created')}", still_open() & scope
    )
    backlog.add("open", "count(*)")
    # Each bucket holds the ages from its own start up to the next bucket's start;
    # the first has no upper end (an order "created" after now is new).
    starts = [days for _, days in AGES]
    for (name, days), until in zip(AGES, [*starts[1:], None], strict=True):
        condition = Sql("w.created_at <= {}", now - timedelta(days=days)) if days else Sql()
        if until is not None:
            condition &= Sql("w.created_at > {}", now - timedelta(days=until))
        backlog.add(name, f"count(*) FILTER (WHERE {condition.text})", *condition.args)
    for priority in PRIORITIES:
        backlog.add(priority.lower(), "count(*) FILTER (WHERE w.priority = {})", priority)
    breaches = _Branch(
        f"sla_breach b{indexed_by(sqlite, 'sla_breach_breached_at')} "
        'JOIN work_order w ON w.id = b."order"',
        Sql("b.breached_at >= {} AND b.breached_at < {}", first, end) & scope,
    )
    for clock in ("response", "resolution"):
        breaches.per_period(
            f"{clock}_breaches", "count(*)", "b.breached_at", start, Sql("b.clock = {}", clock)
        )
    costs = _Branch(_costs_per_order(sqlite, start, first, end), scope)
    for column in COSTS:
        for name in (column, f"previous_{column}"):
            costs.add(name, f"sum(o.{name})")
    branches = [created, backlog, breaches, costs]
    if not dimension.assets:
        return branches
    # A cancelled report (a duplicate, a false alarm) was no failure.
    failure = corrective() & Sql("w.status <> 'cancelled'")
    created.per_period("failures", "count(*)", "w.created_at", start, failure)
    created.per_period("first_failure", "min(w.created_at)", "w.created_at", start, failure)
    created.per_period("last_failure", "max(w.created_at)", "w.created_at", start, failure)
    repairs = _Branch(
        f"work_order w{indexed_by(sqlite, 'work_order_resolved_at')}",
        Sql("w.resolved_at >= {} AND w.resolved_at < {}", first, end) & failure & scope,
    )
    repairs.per_period("repairs", "count(*)", "w.resolved_at", start)
    repair = seconds_between(sqlite, "w.created_at", "w.resolved_at")
    repairs.per_period("repair_seconds", f"sum({repair})", "w.resolved_at", start)
    return [*branches, repairs]


@functools.cache
def _outer(sqlite: bool, name: str) -> tuple[str, str]:
    """The statement around the branches (``{branches}``): sums per group, and the
    span of each period's failures in seconds."""
    dimension = DIMENSIONS[name]
    columns = _columns(dimension.assets)
    parts = ["k.group_key", *(f"{expression} AS {label}" for expression, label in dimension.labels)]
    for column in columns:
        if column.endswith("first_failure"):
            parts.append(f"min(k.{column}) AS {column}")
        elif column.endswith("last_failure"):
            parts.append(f"max(k.{column}) AS {column}")
        else:
            parts.append(f"sum(k.{column}) AS {column}")
    if dimension.assets:
        for prefix in ("", "previous_"):
            span = seconds_between(
                sqlite, f"min(k.{prefix}first_failure)", f"max(k.{prefix}last_failure)"
            )
            parts.append(f"{span} AS {prefix}failure_span")
    group = ", ".join(["k.group_key", *(expression for expression, _ in dimension.labels)])
    head = f"SELECT {', '.join(parts)} FROM ("
    tail = f") k {dimension.names} GROUP BY {group}"
    return head, tail


def branches_of(
    sqlite: bool, name: str, scope: Sql, period: Period, previous: Period, now: datetime
) -> list[Sql]:
    """The report's branches, each a statement of its own (scripts/bench_report_costs.py
    times them one by one)."""
    dimension = DIMENSIONS[name]
    columns = _columns(dimension.assets)
    return [
        branch.sql(dimension, columns)
        for branch in _branches(sqlite, dimension, scope, period, previous, now)
    ]


async def dimension_rows(
    name: str, scope: Sql, period: Period, previous: Period, now: datetime
) -> list[dict[str, Any]]:
    """The report's rows as the database sums them, one per group with any figure."""
    engine = WorkOrder._meta.db
    sqlite = is_sqlite(engine)
    branches = branches_of(sqlite, name, scope, period, previous, now)
    head, tail = _outer(sqlite, name)
    text = head + " UNION ALL ".join(branch.text for branch in branches) + tail
    return await fetch(engine, text, [arg for branch in branches for arg in branch.args])


def _costs(row: dict[str, Any], prefix: str) -> schemas.Costs:
    cents = {name: count(row[f"{prefix}{name}"]) for name in COSTS}
    return schemas.Costs(
        **{name: to_money(value) for name, value in cents.items()},
        total=to_money(sum(cents.values())),
    )


def _activity(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        **{name: count(row[f"{prefix}{name}"]) for name in ACTIVITY},
        "costs": _costs(row, prefix),
    }


def _backlog(row: dict[str, Any]) -> schemas.Backlog:
    return schemas.Backlog(
        open=count(row["open"]),
        by_age=schemas.AgeBuckets(**{name: count(row[name]) for name, _ in AGES}),
        by_priority=schemas.PriorityCounts(
            **{p.lower(): count(row[p.lower()]) for p in PRIORITIES}
        ),
    )


def _order(row: Any) -> tuple[bool, str, str]:
    return (row.name is None, row.name or "", str(row.id))


def dimension_items(rows: list[dict[str, Any]]) -> list[schemas.DimensionRow]:
    items = [
        schemas.DimensionRow(
            id=key(row["group_key"]),
            name=row["name"],
            current=schemas.Activity(**_activity(row, "")),
            previous=schemas.Activity(**_activity(row, "previous_")),
            backlog=_backlog(row),
        )
        for row in rows
    ]
    return sorted(items, key=_order)


def _asset_activity(row: dict[str, Any], prefix: str) -> schemas.AssetActivity:
    failures, repairs = count(row[f"{prefix}failures"]), count(row[f"{prefix}repairs"])
    span = row[f"{prefix}failure_span"]
    return schemas.AssetActivity(
        **_activity(row, prefix),
        failures=failures,
        repairs=repairs,
        mtbf_seconds=mean(span, failures - 1) if failures > 1 else None,
        mttr_seconds=mean(number(row[f"{prefix}repair_seconds"]), repairs),
    )


def asset_items(rows: list[dict[str, Any]]) -> list[schemas.AssetRow]:
    items = [
        schemas.AssetRow(
            id=UUID(str(row["group_key"])),
            tag=row["tag"],
            name=row["name"],
            site_name=row["site_name"],
            current=_asset_activity(row, ""),
            previous=_asset_activity(row, "previous_"),
            backlog=_backlog(row),
        )
        for row in rows
    ]
    return sorted(items, key=_order)
