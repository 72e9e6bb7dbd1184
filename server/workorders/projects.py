"""Project orders: tasks (child orders) with planned dates and dependencies, their
progress rolled up, and the Gantt chart's data.

A task's progress follows its status; the project's is the average of its tasks'
weighted by their planned length (cancelled tasks left out). A task without planned
dates is drawn from its creation to its due time (``planned`` false).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.errors import Forbidden, Invalid
from server.ids import new_id
from server.workorders import schemas
from server.workorders.documents import order_number
from server.workorders.queries import fetch_order
from server.workorders.tables import OrderDependency, WorkOrder
from server.workorders.unit import OrderUnit

PROGRESS = {
    "new": 0,
    "assigned": 0,
    "accepted": 10,
    "en_route": 20,
    "on_site": 30,
    "in_progress": 50,
    "suspended": 50,
    "resolved": 100,
    "closed": 100,
    "cancelled": 0,
}
# A task drawn without dates of its own lasts a day; weights count at least an hour.
DEFAULT_LENGTH = timedelta(days=1)
MIN_WEIGHT = 3600.0


def _span(row: dict[str, Any]) -> tuple[datetime, datetime, bool]:
    planned = row["planned_start_at"] is not None and row["planned_end_at"] is not None
    start = row["planned_start_at"] or row["created_at"]
    end = row["planned_end_at"] or row["due_at"] or row["resolved_at"] or start + DEFAULT_LENGTH
    return start, max(end, start), planned


def rolled_up(tasks: list[schemas.GanttTask]) -> int:
    """The project's progress (0-100) from its tasks'."""
    counted = [t for t in tasks if t.status != "cancelled"]
    weights = [max((t.end - t.start).total_seconds(), MIN_WEIGHT) for t in counted]
    if not counted:
        return 0
    return round(sum(w * t.progress for w, t in zip(weights, counted, strict=True)) / sum(weights))


async def gantt(actor: Any, project_id: UUID) -> schemas.Gantt:
    """The chart of a project the caller can see: every task of it, whoever it is
    assigned to (the plan is shared by the people on the project)."""
    project = await fetch_order(actor, project_id)
    rows = (
        await WorkOrder.select(
            WorkOrder.id,
            WorkOrder.number,
            WorkOrder.title,
            WorkOrder.status,
            WorkOrder.assignee,
            WorkOrder.assignee.display_name.as_alias("assignee_name"),
            WorkOrder.planned_start_at,
            WorkOrder.planned_end_at,
            WorkOrder.created_at,
            WorkOrder.due_at,
            WorkOrder.resolved_at,
        )
        .where(WorkOrder.parent == project_id)
        .order_by(WorkOrder.number)
    )
    links = (
        await OrderDependency.select(OrderDependency.order, OrderDependency.depends_on).where(
            OrderDependency.order.is_in([row["id"] for row in rows])
        )
        if rows
        else []
    )
    after: dict[str, list[UUID]] = {}
    for link in links:
        after.setdefault(str(link["order"]), []).append(UUID(str(link["depends_on"])))
    tasks = []
    for row in rows:
        start, end, planned = _span(row)
        tasks.append(
            schemas.GanttTask(
                id=row["id"],
                number=order_number(row["number"]),
                title=row["title"],
                status=row["status"],
                assignee_id=row["assignee"],
                assignee_name=row["assignee_name"],
                start=start,
                end=end,
                planned=planned,
                progress=PROGRESS[row["status"]],
                dependencies=sorted(after.get(str(row["id"]), []), key=str),
            )
        )
    start, end, planned = _span(msgspec.structs.asdict(project))
    if tasks:
        # A project without dates of its own spans its tasks.
        first, last = min(t.start for t in tasks), max(t.end for t in tasks)
        start, end = (min(start, first), max(end, last)) if planned else (first, last)
    summary = schemas.GanttTask(
        id=project.id,
        number=project.number,
        title=project.title,
        status=project.status,
        assignee_id=project.assignee_id,
        assignee_name=project.assignee_name,
        start=start,
        end=end,
        planned=planned,
        progress=rolled_up(tasks) if tasks else PROGRESS[project.status],
        dependencies=[],
    )
    return schemas.Gantt(project=summary, tasks=tasks)


async def set_dependencies(
    unit: OrderUnit, order_id: UUID, depends_on: list[UUID], device_time: datetime | None
) -> None:
    """Replace the tasks ``order_id`` waits for: tasks of the same project, with no
    cycle among them."""
    if not unit.actor.can_manage:
        raise Forbidden("only admins and managers plan projects")
    order = await unit.order(order_id)
    wanted = list(dict.fromkeys(depends_on))
    if order["parent"] is None:
        raise Invalid("only a project's tasks have dependencies", code="not_a_task")
    if order_id in wanted:
        raise Invalid("a task cannot wait for itself", code="dependency_cycle")
    await unit.load(wanted)
    for other in wanted:
        row = await unit.order(other, scoped=False) if await unit.exists(other) else None
        if row is None or row["parent"] != order["parent"]:
            raise Invalid(
                "dependencies are tasks of the same project",
                {"depends_on": str(other)},
                code="unknown_reference",
            )
    siblings = [
        UUID(str(r["id"]))
        for r in await WorkOrder.select(WorkOrder.id).where(WorkOrder.parent == order["parent"])
    ]
    edges: dict[UUID, set[UUID]] = {}
    for link in await OrderDependency.select().where(OrderDependency.order.is_in(siblings)):
        edges.setdefault(UUID(str(link["order"])), set()).add(UUID(str(link["depends_on"])))
    before = sorted(edges.get(order_id, set()), key=str)
    edges[order_id] = set(wanted)
    if _reaches(edges, wanted, order_id):
        raise Invalid(
            "that would make tasks wait for each other in a circle", code="dependency_cycle"
        )
    if [str(i) for i in before] == sorted(str(i) for i in wanted):
        return
    unit.execute('DELETE FROM order_dependency WHERE "order" = {}', (order_id,))
    for other in wanted:
        unit.insert(OrderDependency, {"id": new_id(), "order": order_id, "depends_on": other})
    unit.change(
        order_id,
        {},
        "dependencies",
        {"depends_on": [[str(i) for i in before], sorted(str(i) for i in wanted)]},
        device_time,
    )


def _reaches(edges: dict[UUID, set[UUID]], starts: list[UUID], target: UUID) -> bool:
    seen: set[UUID] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current == target:
            return True
        if current not in seen:
            seen.add(current)
            todo.extend(edges.get(current, ()))
    return False
