"""Auto-assign mode: a department may have new orders of chosen priorities (say P1)
go to the best candidate at once, rather than wait for a dispatcher.

When a unit of work creates an unassigned order of such a priority, or raises an
unassigned order to one, it schedules an auto-assign job in its own transaction;
the job (geo/auto_assign_job.py) runs within the scheduler's next poll.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from geo import schemas
from geo.tables import AutoAssign
from server.accounts.actor import Actor
from server.accounts.tables import Department
from server.clock import Clock
from server.database import json_column
from server.errors import Forbidden, NotFound
from server.ids import new_id
from server.scheduler.kinds import ON_KEY_TAKEN, job_row
from server.scheduler.tables import Job
from server.types import Priority
from server.workorders.lifecycle import OPEN

if TYPE_CHECKING:
    from server.workorders.unit import OrderUnit

KIND = "geo.auto_assign"


class AutoAssignJob(msgspec.Struct, frozen=True):
    order_id: UUID


def _waiting(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    """An unassigned open order that is new, or newly of its priority or department."""
    if after["assignee"] is not None or after["department"] is None:
        return False
    if after["status"] not in OPEN or after["status"] == "suspended":
        return False
    return before is None or any(
        before[column] != after[column] for column in ("priority", "department", "assignee")
    )


async def schedule(
    unit: OrderUnit, touched: list[tuple[dict[str, Any] | None, dict[str, Any]]]
) -> None:
    """Schedule auto-assignment for the unit's orders that call for it."""
    waiting = [after for before, after in touched if _waiting(before, after)]
    if not waiting:
        return
    modes = await priorities({order["department"] for order in waiting})
    for order in waiting:
        if order["priority"] in modes.get(order["department"], ()):
            key = f"{KIND}/{order['id']}/{order['version']}"
            row = job_row(KIND, key, unit.clock(), AutoAssignJob(order["id"]), unit.clock())
            unit.insert(Job, row, ON_KEY_TAKEN)


async def priorities(departments: set[UUID]) -> dict[UUID, list[Priority]]:
    rows = await AutoAssign.select(AutoAssign.department, AutoAssign.priorities).where(
        AutoAssign.department.is_in(list(departments))
    )
    return {UUID(str(row["department"])): json_column(row["priorities"]) for row in rows}


def _check(actor: Actor, department: UUID) -> None:
    if not (actor.is_admin or department in actor.managed_departments):
        raise Forbidden("only admins and the department's managers set its dispatch")


async def mode(actor: Actor, department: UUID) -> schemas.AutoAssignMode:
    _check(actor, department)
    found = await priorities({department})
    return schemas.AutoAssignMode(department_id=department, priorities=found.get(department, []))


async def set_mode(
    actor: Actor, clock: Clock, department: UUID, data: schemas.AutoAssignUpdate
) -> schemas.AutoAssignMode:
    _check(actor, department)
    # An admin may name any department: an unknown one is 404, not a foreign-key 409.
    if not await Department.exists().where(Department.id == department):
        raise NotFound("no such department")
    chosen = sorted(set(data.priorities))
    await AutoAssign.insert(
        AutoAssign(
            id=new_id(),
            department=department,
            priorities=msgspec.json.encode(chosen).decode(),
            updated_at=clock(),
        )
    ).on_conflict(
        target=AutoAssign.department,
        action="DO UPDATE",
        values=[AutoAssign.priorities, AutoAssign.updated_at],
    )
    return schemas.AutoAssignMode(department_id=department, priorities=chosen)
