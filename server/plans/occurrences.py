"""Opening the orders of a plan's occurrences, ahead of time, each exactly once.

A plan has one pending job at a time: it fires ``lookahead_days`` before the next
occurrence, opens the orders of every occurrence up to that far ahead, and schedules
itself for the first occurrence beyond. A job of an older revision of the plan (its
schedule changed since), of a paused or deleted plan, does nothing. The unique
(plan, occurs_at) pair and the job's key make a second opening of one occurrence
impossible, restarts and retries included.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.system import SYSTEM
from server.database import json_column
from server.ids import new_id
from server.plans import schemas
from server.plans.recurrence import occurs, parse, upcoming, zone
from server.plans.tables import PlanOccurrence, RecurringPlan
from server.scheduler.kinds import JobContext, JobKind, enqueue, job_row
from server.workorders.operations import OrderOperations
from server.workorders.schemas import WorkOrderCreate
from server.workorders.unit import OrderUnit

OCCURRENCE = "plans.occurrence"
# Occurrences opened by one job at most; more are left to the next, due at once.
BATCH = 100


class PlanTimer(msgspec.Struct, frozen=True):
    plan_id: UUID
    revision: int
    occurs_at: datetime


def timer_row(plan: dict[str, Any], occurs_at: datetime, now: datetime) -> dict[str, Any]:
    fire_at = max(occurs_at - timedelta(days=plan["lookahead_days"]), now)
    timer = PlanTimer(plan["id"], plan["revision"], occurs_at)
    key = f"plan/{plan['id']}/{plan['revision']}/{occurs_at.isoformat()}"
    return job_row(OCCURRENCE, key, fire_at, timer, now)


async def schedule_next(plan: dict[str, Any], now: datetime) -> None:
    """Schedule the plan's job for its first occurrence from now (or from its start)."""
    if not plan["active"] or plan["paused"]:
        return
    rule = parse(plan["rrule"], plan["starts_at"], zone(plan["timezone"]))
    first = upcoming(rule, max(now, plan["starts_at"]), 1, inclusive=True)
    if first:
        await enqueue([timer_row(plan, first[0], now)])


async def open_occurrences(context: JobContext, timers: list[PlanTimer]) -> None:
    now = context.clock()
    unit = OrderUnit(SYSTEM, context.clock)
    for timer in timers:
        plan = await RecurringPlan.select().where(RecurringPlan.id == timer.plan_id).first()
        if plan is None or not plan["active"] or plan["paused"]:
            continue
        if plan["revision"] != timer.revision:
            continue
        rule = parse(plan["rrule"], plan["starts_at"], zone(plan["timezone"]))
        if not occurs(rule, timer.occurs_at):
            continue
        horizon = now + timedelta(days=plan["lookahead_days"])
        due = [timer.occurs_at, *upcoming(rule, timer.occurs_at, BATCH - 1)]
        opened, since, paused = plan["generated"], plan["generated_since_resume"], False
        following = None
        for occurs_at in due:
            if occurs_at > horizon:
                following = occurs_at
                break
            if await _open(unit, plan, occurs_at):
                opened, since = opened + 1, since + 1
            if plan["pause_after"] is not None and since >= plan["pause_after"]:
                paused = True
                break
        else:
            # All within the window: the next job is for the first beyond this batch.
            beyond = upcoming(rule, due[-1], 1) if len(due) == BATCH else []
            following = beyond[0] if beyond else None
        await RecurringPlan.update(
            {
                RecurringPlan.generated: opened,
                RecurringPlan.generated_since_resume: since,
                RecurringPlan.paused: paused,
            }
        ).where(RecurringPlan.id == plan["id"])
        if following is not None and not paused:
            await enqueue([timer_row(plan, following, now)])
    await unit.flush()


async def _open(unit: OrderUnit, plan: dict[str, Any], occurs_at: datetime) -> bool:
    """Open the occurrence's order unless it has one; whether it opened one."""
    taken = await PlanOccurrence.exists().where(
        PlanOccurrence.plan == plan["id"], PlanOccurrence.occurs_at == occurs_at
    )
    if taken:
        return False
    fields = msgspec.convert(json_column(plan["order"]), schemas.PlanOrder)
    data = msgspec.convert(
        {
            **msgspec.structs.asdict(fields),
            "due_at": occurs_at + timedelta(minutes=plan["due_minutes"]),
        },
        WorkOrderCreate,
    )
    order_id = await OrderOperations(unit).create(data)
    unit.derive(order_id, {"created_by": plan["created_by"]})
    unit.insert(
        PlanOccurrence,
        {
            "id": new_id(),
            "plan": plan["id"],
            "occurs_at": occurs_at,
            "order": order_id,
            "created_at": unit.clock(),
        },
    )
    return True


PLAN_OCCURRENCE = JobKind(name=OCCURRENCE, payload=PlanTimer, run=open_occurrences)
