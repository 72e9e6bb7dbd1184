"""What managers see on the map: open orders at their sites and field workers at
their last known positions, as GeoJSON, limited to the caller's scope.

Both read in one query each (plus one for the workers' current orders), filtered
by a bounding box (``west,south,east,north`` in degrees, as GeoJSON's bbox; a box
whose west edge is east of its east edge crosses the antimeridian) and a department.
The same rows, looked up by id, are what the live feed announces (geo/live.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from geo import map_schemas as schemas
from server.accounts.actor import Actor
from server.database import fetch, is_sqlite, one_of_ids
from server.errors import Invalid
from server.reports.dialect import indexed_by
from server.sql import Sql, one_of
from server.workorders.documents import order_number
from server.workorders.lifecycle import FIELD_ROLES, OPEN
from server.workorders.scope import TERM_COLUMNS, in_scope, row_in_scope, terms
from server.workorders.tables import WorkOrder

ACTIVE = ("en_route", "on_site", "in_progress")  # a worker's current order is one of these
AT_RISK_SHARE = 0.25  # left of a target's time when the order turns at_risk

ORDER_COLUMNS = (
    "t.id, t.number, t.title, t.kind, t.priority, t.status, t.assignee, t.department, "
    "t.team, t.requester, t.created_by, t.site, t.created_at, t.first_response_at, "
    "t.response_due_at, t.resolution_due_at, t.response_breached_at, "
    "t.resolution_breached_at, t.sla_paused_at, s.latitude, s.longitude"
)


class Box(NamedTuple):
    west: float
    south: float
    east: float
    north: float

    def sql(self, alias: str) -> Sql:
        within = Sql(f"{alias}.latitude BETWEEN {{}} AND {{}}", self.south, self.north)
        if self.west <= self.east:
            return within & Sql(f"{alias}.longitude BETWEEN {{}} AND {{}}", self.west, self.east)
        return within & Sql(
            f"({alias}.longitude >= {{}} OR {alias}.longitude <= {{}})", self.west, self.east
        )


def parse_box(text: str) -> Box:
    """``west,south,east,north`` in degrees; Invalid (``invalid_bbox``) otherwise."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise Invalid("bbox is west,south,east,north in degrees", code="invalid_bbox") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise Invalid(
            "bbox needs longitudes in [-180, 180] and latitudes in [-90, 90], south <= north",
            {"bbox": text},
            code="invalid_bbox",
        )
    return Box(west, south, east, north)


class _OrderRow(msgspec.Struct):
    id: UUID
    number: int
    title: str
    kind: str
    priority: str
    status: str
    assignee: UUID | None
    department: UUID | None
    team: UUID | None
    requester: UUID | None
    created_by: UUID | None
    site: UUID
    created_at: datetime
    first_response_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    sla_paused_at: datetime | None
    latitude: float
    longitude: float


def sla_state(row: _OrderRow, now: datetime) -> tuple[schemas.SlaState, datetime | None]:
    """The order's SLA state and its running target's due time."""
    if row.response_breached_at or row.resolution_breached_at:
        return "breached", None
    due = row.response_due_at if row.first_response_at is None else None
    due = due or row.resolution_due_at
    if due is None:
        return "none", None
    if row.sla_paused_at is not None:
        return "paused", due
    # Wall-clock time, not business hours: close enough to colour a map marker.
    left = (due - now).total_seconds()
    total = (due - row.created_at).total_seconds()
    return ("at_risk" if left < AT_RISK_SHARE * total else "on_track"), due


def order_feature(row: _OrderRow, now: datetime) -> schemas.OrderFeature:
    sla, due = sla_state(row, now)
    return schemas.OrderFeature(
        id=row.id,
        geometry=schemas.Point(coordinates=(row.longitude, row.latitude)),
        properties=schemas.OrderSpot(
            id=row.id,
            number=order_number(row.number),
            title=row.title,
            kind=row.kind,
            priority=row.priority,
            status=row.status,
            assignee_id=row.assignee,
            department_id=row.department,
            site_id=row.site,
            sla=sla,
            due_at=due,
        ),
    )


async def order_rows(where: Sql, limit: int | None = None, hint: str = "") -> list[_OrderRow]:
    tail = f" ORDER BY t.priority, t.created_at LIMIT {int(limit)}" if limit else ""
    rows = await fetch(
        WorkOrder._meta.db,
        f"SELECT {ORDER_COLUMNS} FROM work_order t{hint} JOIN site s ON s.id = t.site "
        f"WHERE {where.text or 'TRUE'}{tail}",
        where.args,
    )
    return msgspec.convert(rows, list[_OrderRow], strict=False)


async def open_orders(
    actor: Actor, box: Box | None, department: UUID | None, limit: int, now: datetime
) -> schemas.OrderMap:
    where = one_of("t.status", sorted(OPEN)) & in_scope(actor, "t")
    if box is not None:
        where = where & box.sql("s")
    if department is not None:
        where = where & Sql("t.department = {}", department)
    # Open orders are a few percent of all; SQLite's averaged statistics take them for
    # most and walk every order ever made, in priority order or site by site (56 ms at
    # 10,000 demo orders, 307 ms at 100,000). Site by site, only the open ones: 18 ms at
    # 1,000,000, against 123 ms through the status index, and 22 against 115 with no box
    # (docs/performance.md, Cost growth).
    hint = indexed_by(is_sqlite(WorkOrder._meta.db), "work_order_site_status_priority")
    rows = await order_rows(where, limit + 1, hint)
    return schemas.OrderMap(
        features=[order_feature(row, now) for row in rows[:limit]], truncated=len(rows) > limit
    )


async def orders_by_id(ids: list[UUID], now: datetime) -> list[tuple[_OrderRow, Any]]:
    """The orders (open or not) with their features, for the live feed."""
    sqlite = is_sqlite(WorkOrder._meta.db)
    condition, bound = one_of_ids(sqlite, "t.id", ids)
    return [(row, order_feature(row, now)) for row in await order_rows(Sql(condition, bound))]


class _WorkerRow(msgspec.Struct):
    id: UUID
    display_name: str
    role: str
    department: UUID | None
    latitude: float
    longitude: float
    accuracy_m: float
    at: datetime
    on_duty: bool | None


WORKER_COLUMNS = (
    "u.id, u.display_name, u.role, u.department, p.latitude, p.longitude, p.accuracy_m, "
    "p.at, d.on_duty"
)


def technician_scope(actor: Actor) -> Sql:
    """Managers see their departments' field workers; admins everyone's."""
    if actor.is_admin:
        return Sql()
    if not actor.managed_departments:
        return Sql("FALSE")
    return one_of("u.department", list(actor.managed_departments))


async def worker_features(
    where: Sql, now: datetime, viewer: Actor | None
) -> list[tuple[schemas.TechnicianFeature, dict[str, Any] | None]]:
    """The workers' features, each with the scope columns of its current order. With
    a ``viewer``, a current order outside their scope is left out of the feature."""
    engine = WorkOrder._meta.db
    where = Sql("u.active = {}", True) & one_of("u.role", sorted(FIELD_ROLES)) & where
    rows = msgspec.convert(
        await fetch(
            engine,
            f'SELECT {WORKER_COLUMNS} FROM app_user u JOIN position p ON p."user" = u.id '
            f'LEFT JOIN duty d ON d."user" = u.id WHERE {where.text} ORDER BY u.display_name',
            where.args,
        ),
        list[_WorkerRow],
        strict=False,
    )
    current = await _current_orders([row.id for row in rows])
    scope = terms(viewer) if viewer is not None else None
    features = []
    for row in rows:
        order = current.get(row.id)
        state: schemas.TechnicianState = (
            order["status"] if order else "idle" if row.on_duty else "off_duty"
        )
        shown = order is not None and (viewer is None or row_in_scope(scope, order))
        features.append(
            (
                schemas.TechnicianFeature(
                    id=row.id,
                    geometry=schemas.Point(coordinates=(row.longitude, row.latitude)),
                    properties=schemas.TechnicianSpot(
                        user_id=row.id,
                        name=row.display_name,
                        role=row.role,
                        department_id=row.department,
                        on_duty=bool(row.on_duty),
                        state=state,
                        current_order_id=order["id"] if order and shown else None,
                        current_order_number=(
                            order_number(order["number"]) if order and shown else None
                        ),
                        accuracy_m=row.accuracy_m,
                        fix_at=row.at,
                        fix_age_seconds=max(0, round((now - row.at).total_seconds())),
                    ),
                ),
                {c: order[c] for c in TERM_COLUMNS} if order else None,
            )
        )
    return features


async def _current_orders(people: list[UUID]) -> dict[UUID, dict[str, Any]]:
    """Each person's most recently changed order that is under way, with the columns
    that decide who may see it."""
    if not people:
        return {}
    sqlite = is_sqlite(WorkOrder._meta.db)
    condition, bound = one_of_ids(sqlite, "assignee", people)
    where = Sql(condition, bound) & one_of("status", list(ACTIVE))
    columns = "id, number, status, " + ", ".join(TERM_COLUMNS)
    rows = await fetch(
        WorkOrder._meta.db,
        f"SELECT {columns} FROM (SELECT {columns}, row_number() OVER "
        "(PARTITION BY assignee ORDER BY updated_at DESC) AS latest "
        f"FROM work_order WHERE {where.text}) AS newest WHERE latest = 1",
        where.args,
    )
    found = {}
    for row in rows:
        order = {
            **{c: UUID(str(row[c])) if row[c] is not None else None for c in TERM_COLUMNS},
            "id": UUID(str(row["id"])),
            "number": int(row["number"]),
            "status": row["status"],
        }
        found[order["assignee"]] = order
    return found


async def technicians(
    actor: Actor, box: Box | None, department: UUID | None, now: datetime
) -> schemas.TechnicianMap:
    where = technician_scope(actor)
    if box is not None:
        where = where & box.sql("p")
    if department is not None:
        where = where & Sql("u.department = {}", department)
    found = await worker_features(where, now, actor)
    return schemas.TechnicianMap(features=[feature for feature, _ in found])
