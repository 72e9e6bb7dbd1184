"""Who should take an order: technicians ranked by skills, load and distance.

Only people with every skill the order's service item requires are candidates (a
skill-less technician is never suggested for a skill-required order). Among them
the score starts at 100 and loses points for load (open orders weighted by
priority), for distance from the last known position to the site, for an unknown
position, and for being off duty. Each suggestion lists why.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from geo import schemas
from geo.fence import verdict
from geo.tables import Duty, Position
from server.accounts.tables import User
from server.database import fetch
from server.masterdata.tables import ServiceItem, Site
from server.sql import Sql
from server.workorders.lifecycle import OPEN
from server.workorders.schemas import WorkOrder

# Open orders weigh by priority: a P1 ties a person up five times as much as a P5.
WEIGHTS = {"P1": 5, "P2": 4, "P3": 3, "P4": 2, "P5": 1}
LOAD_POINTS = 4  # per unit of weighted load
KM_POINTS = 2  # per kilometre from the site, at most 60
MAX_DISTANCE_POINTS = 60
UNKNOWN_POSITION_POINTS = 20
OFF_DUTY_POINTS = 50


async def suggest(order: WorkOrder, limit: int) -> list[schemas.Suggestion]:
    role = "inspector" if order.kind == "inspection" else "technician"
    query = User.select(User.id, User.display_name, User.skills).where(
        User.active == True,  # noqa: E712
        User.role == role,
    )
    if order.department_id is not None:
        query = query.where(User.department == order.department_id)
    people = await query
    required: list[str] = []
    if order.service_item_id is not None:
        item = (
            await ServiceItem.select(ServiceItem.required_skills)
            .where(ServiceItem.id == order.service_item_id)
            .first()
        )
        required = list(item["required_skills"]) if item else []
    people = [p for p in people if set(required) <= set(p["skills"] or [])]
    if not people:
        return []
    ids = [p["id"] for p in people]
    loads = await loads_of(ids)
    positions = {
        str(row["user"]): row for row in await Position.select().where(Position.user.is_in(ids))
    }
    duties = {
        str(row["user"]): row["on_duty"]
        for row in await Duty.select(Duty.user, Duty.on_duty).where(Duty.user.is_in(ids))
    }
    site = (
        await Site.select(Site.latitude, Site.longitude, Site.geofence_radius_m)
        .where(Site.id == order.site_id)
        .first()
        if order.site_id is not None
        else None
    )
    found = []
    for person in people:
        key = str(person["id"])
        load, count = loads.get(key, (0, 0))
        score = 100.0 - LOAD_POINTS * load
        reasons = [f"has the skills {', '.join(required)}" if required else "no skills required"]
        reasons.append(f"{count} open orders, weighted load {load} (-{LOAD_POINTS * load})")
        distance = None
        position = positions.get(key)
        if site is not None and position is not None:
            distance = verdict(
                (site["latitude"], site["longitude"]),
                site["geofence_radius_m"],
                (position["latitude"], position["longitude"]),
                position["accuracy_m"],
            ).distance_m
            points = min(KM_POINTS * distance / 1000, MAX_DISTANCE_POINTS)
            score -= points
            reasons.append(f"{distance / 1000:.1f} km from the site (-{points:.0f})")
        elif site is not None:
            score -= UNKNOWN_POSITION_POINTS
            reasons.append(f"position unknown (-{UNKNOWN_POSITION_POINTS})")
        on_duty = duties.get(key, False)
        if not on_duty:
            score -= OFF_DUTY_POINTS
            reasons.append(f"off duty (-{OFF_DUTY_POINTS})")
        found.append(
            schemas.Suggestion(
                user_id=person["id"],
                name=person["display_name"],
                score=round(score, 1),
                on_duty=on_duty,
                open_orders=count,
                load=load,
                distance_m=round(distance, 1) if distance is not None else None,
                position_at=position["at"] if position else None,
                reasons=reasons,
            )
        )
    found.sort(key=lambda s: (-s.score, s.name))
    return found[:limit]


async def loads_of(ids: list[Any]) -> dict[str, tuple[int, int]]:
    """Each person's (weighted load, number) of open orders, in one query."""
    statuses = Sql("status IN (" + ", ".join("{}" for _ in OPEN) + ")", *sorted(OPEN))
    people = Sql("assignee IN (" + ", ".join("{}" for _ in ids) + ")", *ids)
    where = statuses & people
    rows = await fetch(
        User._meta.db,
        f"SELECT assignee, priority, count(*) AS n FROM work_order WHERE {where.text} "
        "GROUP BY assignee, priority",
        where.args,
    )
    loads: dict[str, tuple[int, int]] = {}
    for row in rows:
        key = str(UUID(str(row["assignee"])))
        load, count = loads.get(key, (0, 0))
        loads[key] = (load + WEIGHTS[row["priority"]] * int(row["n"]), count + int(row["n"]))
    return loads
