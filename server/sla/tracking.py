"""SLA clocks of orders as they change: due times, pauses and the timers that watch them.

Every unit of work (server/workorders/unit.py) hands its changed orders here before
it writes them. Due times count from creation in the calendar's working time: the
response target to the first response, the resolution target plus the time the
resolution clock stood still. That clock stands still while the order is resolved
(until reopened) and, where the rule says so, while it is suspended. Due times are
derived values: they are written with the change that moved them, in the same
version. Each new due time gets its first timer (the warning, which schedules the
breach) as a scheduler job in the same transaction; a timer whose due time has since moved finds the
order changed and does nothing (server/sla/timers.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from server.scheduler.kinds import ON_KEY_TAKEN, job_row
from server.scheduler.tables import Job
from server.sla.policy import Policy, Rule, policies
from server.workorders.lifecycle import OPEN

if TYPE_CHECKING:
    from server.workorders.unit import OrderUnit

CLOCKS = ("response", "resolution")
# Changes of these re-evaluate the targets; status changes to or from these may
# stop or restart the resolution clock.
RULE_COLUMNS = ("priority", "customer", "service_item")
STOPPING = frozenset(["suspended", "resolved", "closed", "cancelled"])
TIMER = "sla.timer"


class Timer(msgspec.Struct, frozen=True):
    order_id: UUID
    clock: str
    event: str
    due_at: datetime
    alarm: int = 0


def running(row: dict[str, Any], rule: Rule) -> bool:
    """Whether the order's resolution clock runs."""
    status = row["status"]
    return status in OPEN and not (status == "suspended" and rule.pause_when_suspended)


def _needs_policy(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    if before is None:
        return True
    if any(before[c] != after[c] for c in RULE_COLUMNS):
        return True
    return before["status"] != after["status"] and bool(
        {before["status"], after["status"]} & STOPPING
    )


def sla_values(
    before: dict[str, Any] | None, after: dict[str, Any], policy: Policy, now: datetime
) -> dict[str, Any]:
    """The SLA columns that change with this change of the order."""
    rule, calendar = policy.rule, policy.calendar
    values: dict[str, Any] = {}
    if rule is None:
        values = {"response_due_at": None, "resolution_due_at": None, "sla_paused_at": None}
        return {c: v for c, v in values.items() if after[c] != v}
    paused_at, paused = after["sla_paused_at"], after["sla_paused_seconds"]
    runs = running(after, rule)
    if before is None:
        paused_at = None if runs else now
    elif not runs and paused_at is None and running(before, rule):
        paused_at = now
    elif runs and paused_at is not None:
        paused += round(calendar.between(paused_at, now))
        paused_at = None
    created = after["created_at"]
    response = rule.minutes("response", after["priority"]) * 60
    resolution = rule.minutes("resolution", after["priority"]) * 60
    values = {
        "sla_paused_at": paused_at,
        "sla_paused_seconds": paused,
        "response_due_at": calendar.add(created, response) if response else None,
        "resolution_due_at": calendar.add(created, resolution + paused) if resolution else None,
    }
    for clock in CLOCKS:
        due = values[f"{clock}_due_at"]
        # A target moved past now (a lower priority, say) is no longer missed; the
        # breach found earlier stays on record (sla_breach).
        if after[f"{clock}_breached_at"] is not None and (due is None or due > now):
            values[f"{clock}_breached_at"] = None
            if clock == "resolution":
                values["alarm_count"] = 0
    return {c: v for c, v in values.items() if after[c] != v}


def timers(row: dict[str, Any], policy: Policy, now: datetime) -> list[tuple[datetime, Timer]]:
    """The next timer of each of the order's running clocks, with the time it fires:
    the warning, or the breach when the warning is moot. A clock has one timer
    pending at a time: the warning schedules the breach (server/sla/timers.py)."""
    rule, calendar = policy.rule, policy.calendar
    if rule is None or row["status"] not in OPEN:
        return []
    found = []
    for clock in CLOCKS:
        due = row[f"{clock}_due_at"]
        if due is None or row[f"{clock}_breached_at"] is not None:
            continue
        if clock == "response" and row["first_response_at"] is not None:
            continue
        if clock == "resolution" and not running(row, rule):
            continue
        spent = row["sla_paused_seconds"] if clock == "resolution" else 0
        target = rule.minutes(clock, row["priority"]) * 60
        warn = calendar.add(row["created_at"], target * rule.warn_at_percent / 100 + spent)
        if warn < due and due > now:
            found.append((warn, Timer(row["id"], clock, "warning", due)))
        else:
            found.append((due, Timer(row["id"], clock, "breach", due)))
    return found


def timer_key(timer: Timer) -> str:
    """What the timer is for: the same timer scheduled twice is one job."""
    event = f"{timer.event}{timer.alarm or ''}"
    return f"sla/{timer.order_id}/{timer.clock}/{event}/{timer.due_at.isoformat()}"


def schedule(unit: OrderUnit, fire_at: datetime, timer: Timer) -> None:
    """A timer as a job in the unit's transaction."""
    unit.insert(Job, job_row(TIMER, timer_key(timer), fire_at, timer, unit.clock()), ON_KEY_TAKEN)


async def track(
    unit: OrderUnit, touched: list[tuple[dict[str, Any] | None, dict[str, Any]]]
) -> None:
    """Bring the SLA columns of the unit's changed orders up to date and schedule
    their new timers (``touched``: each order as read, None if new, and as now)."""
    todo = [(before, after) for before, after in touched if _needs_policy(before, after)]
    if not todo:
        return
    now = unit.clock()
    found = await policies(after for _, after in todo)
    for before, after in todo:
        policy = found[after["id"]]
        values = sla_values(before, after, policy, now)
        if not values and before is not None:
            continue
        row = unit.derive(after["id"], values)
        for fire_at, timer in timers(row, policy, now):
            schedule(unit, fire_at, timer)
