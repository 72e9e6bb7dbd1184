"""Batch dispatch (集中收集、分批派单): a department's unassigned orders are collected
and placed on its field workers all at once (geo/batch.py), each person's travel
measured from their last known position, under skill and load limits.

Planning reads without a write transaction (the distances take a while); assigning
then locks the planned orders and skips any that someone assigned meanwhile.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio

from geo import schemas
from geo.batch import BatchOrder, BatchPerson, plan_batch, plan_greedy
from geo.dispatch import loads_of
from geo.tables import Duty, Position
from server.accounts.actor import Actor
from server.accounts.tables import User
from server.clock import Clock
from server.database import fetch
from server.errors import Forbidden
from server.masterdata.tables import ServiceItem
from server.sql import Sql, one_of
from server.workorders.documents import order_number
from server.workorders.lifecycle import FIELD_ROLES, OPEN
from server.workorders.operations import OrderOperations
from server.workorders.schemas import AssignRequest
from server.workorders.tables import WorkOrder
from server.workorders.unit import unit_of_work

MAX_ORDERS = 500  # per batch, the oldest first
REASON = "batch dispatch"


def role_for(kind: str) -> str:
    """Inspections go to inspectors, everything else to technicians: a pseudo-skill."""
    return "@inspector" if kind == "inspection" else "@technician"


async def dispatch(actor: Actor, clock: Clock, data: schemas.BatchDispatch) -> schemas.BatchResult:
    if not (actor.is_admin or data.department_id in actor.managed_departments):
        raise Forbidden("only admins and the department's managers dispatch its orders")
    orders = await _waiting(data.department_id)
    people = await _people(data)
    sited = [row for row in orders if row["latitude"] is not None]
    skills = await _required_skills(sited)
    batch = [
        BatchOrder(
            row["id"],
            (row["latitude"], row["longitude"]),
            frozenset(skills.get(row["service_item"], ())) | {role_for(row["kind"])},
        )
        for row in sited
    ]
    # Thousands of geodesic distances: off the event loop, which keeps serving.
    plan = await anyio.to_thread.run_sync(plan_batch, batch, people)
    greedy = await anyio.to_thread.run_sync(plan_greedy, batch, people)
    numbers = {row["id"]: order_number(row["number"]) for row in orders}
    names = await _names([p.person for p in plan.placements])
    placed = plan.placements
    taken: set[UUID] = set()
    if not data.dry_run and placed:
        pairs = [(p.order, p.person) for p in placed]
        taken = await _assign(actor, clock, data.department_id, pairs)
    unplaced = [
        schemas.Unplaced(order_id=row["id"], number=numbers[row["id"]], reason="no_site")
        for row in orders
        if row["latitude"] is None
    ]
    unplaced += [
        schemas.Unplaced(order_id=key, number=numbers[key], reason="no_candidate")
        for key in plan.unplaced
    ]
    unplaced += [
        schemas.Unplaced(order_id=p.order, number=numbers[p.order], reason="taken")
        for p in placed
        if p.order in taken
    ]
    kept = [p for p in placed if p.order not in taken]
    return schemas.BatchResult(
        applied=not data.dry_run,
        placements=[
            schemas.BatchPlacement(
                order_id=p.order,
                number=numbers[p.order],
                user_id=p.person,
                name=names[p.person],
                distance_m=round(p.distance_m, 1),
            )
            for p in kept
        ],
        unplaced=sorted(unplaced, key=lambda u: u.number),
        total_distance_m=round(sum(p.distance_m for p in kept), 1),
        greedy=schemas.PlanTotals(
            placed=len(greedy.placements), total_distance_m=round(greedy.total_m, 1)
        ),
        candidates=len([p for p in people if p.capacity > 0]),
    )


async def _waiting(department: UUID) -> list[dict[str, Any]]:
    """The department's open unassigned orders, oldest first, with their sites."""
    where = (
        Sql("t.department = {}", department)
        & Sql("t.assignee IS NULL")
        & one_of("t.status", sorted(OPEN - {"suspended"}))
    )
    rows = await fetch(
        WorkOrder._meta.db,
        "SELECT t.id, t.number, t.kind, t.service_item, s.latitude, s.longitude "
        f"FROM work_order t LEFT JOIN site s ON s.id = t.site WHERE {where.text} "
        f"ORDER BY t.created_at, t.number LIMIT {MAX_ORDERS}",
        where.args,
    )
    return [
        {
            **row,
            "id": UUID(str(row["id"])),
            "service_item": UUID(str(row["service_item"])) if row["service_item"] else None,
        }
        for row in rows
    ]


async def _required_skills(orders: list[dict[str, Any]]) -> dict[UUID, list[str]]:
    items = {row["service_item"] for row in orders if row["service_item"] is not None}
    if not items:
        return {}
    rows = await ServiceItem.select(ServiceItem.id, ServiceItem.required_skills).where(
        ServiceItem.id.is_in(list(items))
    )
    return {row["id"]: list(row["required_skills"] or []) for row in rows}


async def _people(data: schemas.BatchDispatch) -> list[BatchPerson]:
    """The department's field workers with a known position, and the room each has."""
    rows = await User.select(User.id, User.role, User.skills).where(
        User.active == True,  # noqa: E712
        User.role.is_in(sorted(FIELD_ROLES)),
        User.department == data.department_id,
    )
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    positions = {
        row["user"]: (row["latitude"], row["longitude"])
        for row in await Position.select(
            Position.user, Position.latitude, Position.longitude
        ).where(Position.user.is_in(ids))
    }
    on_duty = {
        row["user"]
        for row in await Duty.select(Duty.user).where(Duty.user.is_in(ids), Duty.on_duty == True)  # noqa: E712
    }
    counts = await loads_of(ids)
    return [
        BatchPerson(
            row["id"],
            positions[row["id"]],
            frozenset(row["skills"] or []) | {f"@{row['role']}"},
            data.max_open_orders - counts.get(str(row["id"]), (0, 0))[1],
        )
        for row in rows
        if row["id"] in positions and (row["id"] in on_duty or not data.on_duty_only)
    ]


async def _names(ids: list[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = await User.select(User.id, User.display_name).where(User.id.is_in(list(set(ids))))
    return {row["id"]: row["display_name"] for row in rows}


async def _assign(
    actor: Actor, clock: Clock, department: UUID, pairs: list[tuple[UUID, UUID]]
) -> set[UUID]:
    """Assign each order to its person in one transaction; the orders someone else
    assigned, moved on or moved to another department since the plan are left
    alone and returned."""
    taken = set()
    async with unit_of_work(actor, clock) as unit:
        await unit.load([order for order, _ in pairs])
        operations = OrderOperations(unit)
        for order_id, person in pairs:
            row = await unit.order(order_id, scoped=False)
            if (
                row["assignee"] is not None
                or row["department"] != department
                or row["status"] not in OPEN - {"suspended"}
            ):
                taken.add(order_id)
                continue
            await operations.assign(order_id, AssignRequest(assignee_id=person, reason=REASON))
    return taken
