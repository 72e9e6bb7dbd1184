"""The technician report: per assignee, the orders they finished in the period and
how those went, beside the period before.

Two statements whatever the data: one over the orders resolved in both periods and
their status timelines, one over the labour entries (server/costs/).

Definitions (docs/reports.md): an order is *done* by its assignee when it is
resolved in the period (closed orders keep their resolution time; a reopened one
counts again when it is resolved again). Response is creation to first response,
resolution creation to resolution, both wall clock: the SLA's paused seconds are
working-calendar seconds, not wall-clock ones, and include the time an order
stood resolved before a reopen, so subtracting them would mix units. An order is
a *first-time fix* if its timeline has no step from resolved or closed back to an
open status (a reopen, operations.transition). *Travel* is the time an order
spent en route, *on site* the time it spent on site or in progress, from the
status steps of its timeline. *Labour* is the technician's labour entries that
started in the period (measures.LABOUR_AT), their hours and their cost.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any
from uuid import UUID

from server.costs.money import to_money
from server.costs.tables import LabourEntry
from server.database import fetch, is_sqlite
from server.reports import schemas
from server.reports.dialect import indexed_by, seconds_between, seconds_of, status_step
from server.reports.measures import (
    LABOUR_AT,
    OPEN_STATUSES,
    SLA_MET_SQL,
    count,
    mean,
    number,
    percent,
)
from server.reports.period import Period
from server.sql import Sql
from server.workorders.tables import WorkOrder

SUMS = (
    "done",
    "responded",
    "response_seconds",
    "resolution_seconds",
    "sla_orders",
    "sla_met",
    "first_time_fixes",
    "ratings",
    "rating_sum",
    "travel_seconds",
    "on_site_seconds",
    "labour_minutes",
    "labour_cents",
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _time_in(left: str, entered: str, statuses: tuple[str, ...], at: str) -> str:
    """An order's time in ``statuses``, summed over its status steps: each step out
    of them adds its time, each step into them subtracts it (a step from one of them
    to another does both, and so nothing). Exact for an order no longer in them, as
    every order done is."""
    return (
        f"sum({at} * (CASE WHEN {left} IN {_in(statuses)} THEN 1 ELSE 0 END "
        f"- CASE WHEN {entered} IN {_in(statuses)} THEN 1 ELSE 0 END))"
    )


def _visit_sums(left: str, entered: str, at: str) -> str:
    """Travel, on-site time and whether reopened, over the status steps ``s``."""
    return (
        f"{_time_in(left, entered, ('en_route',), at)} AS travel, "
        f"{_time_in(left, entered, ('on_site', 'in_progress'), at)} AS on_site, "
        f"max(CASE WHEN {left} IN ('resolved', 'closed') AND {entered} IN {_in(OPEN_STATUSES)} "
        "THEN 1 ELSE 0 END) AS reopened"
    )


def _visits(sqlite: bool) -> tuple[str, str]:
    """The per-order sums of the done orders' timelines: a CTE (or none) and how the
    final select joins them as ``v``.

    The engines need different shapes to read the ~8 events of each of hundreds of
    thousands of orders quickly. SQLite walks the events index by the sorted list
    of order ids, so its GROUP BY by order needs no sort; its JSON functions keep
    the last parsed document, so repeating the path costs little. PostgreSQL would
    hash-aggregate (and spill to disk) on GROUP BY by order, and parses a json value
    again for every operator: it sums each order's events in a LATERAL subquery,
    extracting the status step once per event (OFFSET 0 keeps that subquery from
    being merged into the sums, which would extract it once per use).
    """
    left, entered = status_step(sqlite, "e.changes")
    steps = f"e.at, {left} AS left_status, {entered} AS entered"
    sums = _visit_sums("s.left_status", "s.entered", seconds_of(sqlite, "s.at"))
    if sqlite:
        cte = f""",
visits AS (
  SELECT s.order_id, {sums}
  FROM (
    SELECT e."order" AS order_id, {steps} FROM timeline_event e
    WHERE e."order" IN (SELECT id FROM done)
  ) s
  GROUP BY s.order_id
)"""
        return cte, "LEFT JOIN visits v ON v.order_id = d.id"
    lateral = f"""CROSS JOIN LATERAL (
  SELECT {sums}
  FROM (SELECT {steps} FROM timeline_event e WHERE e."order" = d.id OFFSET 0) s
) v"""
    return "", lateral


@functools.cache
def _orders_sql(sqlite: bool) -> str:
    def seconds(start: str, end: str) -> str:
        return seconds_between(sqlite, start, end)

    visits, join = _visits(sqlite)
    # {scope} is filled per caller; {{}} are the statement's placeholders.
    return f"""
WITH done AS (
  SELECT w.id, w.assignee, CASE WHEN w.resolved_at >= {{}} THEN 1 ELSE 0 END AS cur,
    {seconds("w.created_at", "w.first_response_at")} AS response,
    {seconds("w.created_at", "w.resolved_at")} AS resolution,
    {SLA_MET_SQL} AS sla_met,
    w.rating
  FROM work_order w{indexed_by(sqlite, "work_order_resolved_at")}
  WHERE w.resolved_at >= {{}} AND w.resolved_at < {{}} AND w.assignee IS NOT NULL{{scope}}
){visits}
SELECT d.assignee AS technician, u.display_name AS name, d.cur,
  count(*) AS done,
  count(d.response) AS responded,
  sum(d.response) AS response_seconds,
  sum(d.resolution) AS resolution_seconds,
  count(d.sla_met) AS sla_orders,
  sum(d.sla_met) AS sla_met,
  count(*) - coalesce(sum(v.reopened), 0) AS first_time_fixes,
  count(d.rating) AS ratings,
  sum(d.rating) AS rating_sum,
  sum(v.travel) AS travel_seconds,
  sum(v.on_site) AS on_site_seconds
FROM done d
{join}
LEFT JOIN app_user u ON u.id = d.assignee
GROUP BY d.assignee, u.display_name, d.cur
"""


# Driven by the labour entries of the period (few beside the orders: a range of the
# index labour_entry_worked_at), each checked against the caller's scope through
# its order.
LABOUR_SQL = f"""
SELECT l.technician, u.display_name AS name,
  CASE WHEN {LABOUR_AT} >= {{}} THEN 1 ELSE 0 END AS cur,
  sum(l.minutes) AS labour_minutes,
  sum(l.cost_cents) AS labour_cents
FROM labour_entry l
LEFT JOIN app_user u ON u.id = l.technician
WHERE {LABOUR_AT} >= {{}} AND {LABOUR_AT} < {{}}{{scope}}
GROUP BY l.technician, u.display_name, 3
"""


def figures(sums: dict[str, Any]) -> schemas.TechnicianFigures:
    done, sla_orders, ratings = sums["done"], sums["sla_orders"], sums["ratings"]
    return schemas.TechnicianFigures(
        orders_done=done,
        mean_response_seconds=mean(sums["response_seconds"], sums["responded"]),
        mean_resolution_seconds=mean(sums["resolution_seconds"], done),
        sla_orders=sla_orders,
        sla_met=sums["sla_met"],
        sla_compliance_percent=percent(sums["sla_met"], sla_orders),
        first_time_fixes=sums["first_time_fixes"],
        first_time_fix_percent=percent(sums["first_time_fixes"], done),
        ratings=ratings,
        mean_rating=mean(sums["rating_sum"], ratings, 2),
        travel_seconds=round(float(sums["travel_seconds"]), 1),
        on_site_seconds=round(float(sums["on_site_seconds"]), 1),
        labour_hours=round(sums["labour_minutes"] / 60, 2),
        labour_cost=to_money(sums["labour_cents"]),
    )


def _empty() -> dict[str, Any]:
    return dict.fromkeys(SUMS, 0)


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for name in SUMS:
        if name in row:
            into[name] += number(row[name]) if name.endswith("seconds") else count(row[name])


async def technician_report(
    scope: Sql, period: Period, previous: Period
) -> tuple[list[schemas.TechnicianRow], schemas.TechnicianTotals]:
    """Every technician with orders done or labour in either period, by name."""
    engine = WorkOrder._meta.db
    where = f" AND {scope.text}" if scope.text else ""
    bounds = [period.start, previous.start, period.end]
    orders = await fetch(
        engine, _orders_sql(is_sqlite(engine)).replace("{scope}", where), [*bounds, *scope.args]
    )
    of_order = (
        f' AND EXISTS (SELECT 1 FROM work_order w WHERE w.id = l."order" AND {scope.text})'
        if scope.text
        else ""
    )
    labour = await fetch(
        LabourEntry._meta.db, LABOUR_SQL.replace("{scope}", of_order), [*bounds, *scope.args]
    )
    sums: dict[UUID, list[dict[str, Any]]] = defaultdict(lambda: [_empty(), _empty()])
    names: dict[UUID, str | None] = {}
    totals = [_empty(), _empty()]
    for row in [*orders, *labour]:
        technician = UUID(str(row["technician"]))
        names[technician] = row["name"]
        _add(sums[technician][row["cur"]], row)
        _add(totals[row["cur"]], row)
    items = [
        schemas.TechnicianRow(
            technician_id=technician,
            technician_name=names[technician],
            current=figures(current),
            previous=figures(before),
        )
        for technician, (before, current) in sums.items()
    ]
    items.sort(key=lambda row: (row.technician_name or "", str(row.technician_id)))
    return items, schemas.TechnicianTotals(current=figures(totals[1]), previous=figures(totals[0]))
