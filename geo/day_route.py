"""A field worker's route for a day: their open orders' sites, visited from their
last known position in the order nearest neighbour plus 2-opt finds (geo/routes.py).

The day's stops are the orders planned to start that day (in the given time zone)
and the open orders with no planned start, which are due whenever they can be done.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from geo import schemas
from geo.routes import plan_route
from geo.tables import Position
from server.accounts.actor import Actor
from server.accounts.tables import User
from server.database import fetch
from server.errors import NotFound
from server.sql import Sql, one_of
from server.workorders.documents import order_number
from server.workorders.lifecycle import OPEN
from server.workorders.scope import in_scope
from server.workorders.tables import WorkOrder


class _Stop(msgspec.Struct):
    id: UUID
    number: int
    title: str
    priority: str
    status: str
    site: UUID
    site_name: str
    latitude: float
    longitude: float


async def day_route(
    actor: Actor, user_id: UUID, day: date | None, zone: ZoneInfo
) -> schemas.DayRoute:
    """The route of ``user_id`` (themselves, their department's managers, admins)."""
    person = await User.select(User.department).where(User.id == user_id).first()
    allowed = (
        actor.user_id == user_id
        or actor.is_admin
        or (
            actor.is_manager
            and person is not None
            and person["department"] in actor.managed_departments
        )
    )
    if person is None or not allowed:
        raise NotFound("no such person among yours", {"user_id": str(user_id)})
    where = Sql("t.assignee = {}", user_id) & one_of("t.status", sorted(OPEN - {"suspended"}))
    # A manager sees only the stops they may see (a worker may serve other departments).
    where = where & in_scope(actor, "t")
    if day is not None:
        # Local midnights: a day with a clock change is 23 or 25 hours long.
        start = datetime.combine(day, time(), zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
        where = where & Sql(
            "(t.planned_start_at IS NULL OR "
            "(t.planned_start_at >= {} AND t.planned_start_at < {}))",
            start,
            end,
        )
    rows: list[_Stop] = msgspec.convert(
        await fetch(
            WorkOrder._meta.db,
            "SELECT t.id, t.number, t.title, t.priority, t.status, t.site, "
            "s.name AS site_name, s.latitude, s.longitude "
            f"FROM work_order t JOIN site s ON s.id = t.site WHERE {where.text} "
            # NULLs last on both engines: planned work first, in its planned order.
            "ORDER BY t.planned_start_at IS NULL, t.planned_start_at, t.priority, t.created_at",
            where.args,
        ),
        list[_Stop],
        strict=False,
    )
    fix = await Position.select().where(Position.user == user_id).first()
    origin = (fix["latitude"], fix["longitude"]) if fix else None
    route = plan_route([(row.latitude, row.longitude) for row in rows], origin)
    # Without a start, the first stop has no leg before it.
    legs = route.legs_m if origin is not None else [0.0, *route.legs_m][: len(rows)]
    return schemas.DayRoute(
        user_id=user_id,
        start=schemas.RouteStart(latitude=fix["latitude"], longitude=fix["longitude"], at=fix["at"])
        if fix
        else None,
        stops=[_stop(rows[index], leg) for index, leg in zip(route.order, legs, strict=True)],
        total_distance_m=round(route.total_m, 1),
        nearest_neighbour_m=round(route.nearest_neighbour_m, 1),
        as_given_m=round(route.as_given_m, 1),
    )


def _stop(row: _Stop, leg: float) -> schemas.RouteStop:
    values: dict[str, Any] = msgspec.structs.asdict(row)
    return schemas.RouteStop(
        order_id=values.pop("id"),
        site_id=values.pop("site"),
        number=order_number(values.pop("number")),
        leg_m=round(leg, 1),
        **values,
    )
