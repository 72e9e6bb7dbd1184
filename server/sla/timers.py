"""What an SLA timer does when it fires: warn, mark the breach, raise alarms, and
after the last alarm suspend the order and call in the control centre.

A timer names the due time it watches. When it fires it reads the order again and
does nothing if that due time has moved (a new timer watches the new one), the
clock has stopped (first response given, order resolved or paused), or its step
was taken already. Everything it does is a timeline event made by the system and
notifications, in the scheduler's transaction: done once, or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from server.accounts.system import SYSTEM
from server.ids import new_id
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.scheduler.kinds import JobContext, JobKind
from server.sla.policy import Rule, policies
from server.sla.tables import SlaBreach
from server.sla.tracking import TIMER, Timer, running, schedule
from server.workorders.lifecycle import OPEN
from server.workorders.unit import OrderUnit


def _watching(order: dict[str, Any], timer: Timer, rule: Rule) -> bool:
    """Whether the order still runs the clock and due time the timer watches."""
    if order[f"{timer.clock}_due_at"] != timer.due_at or order["status"] not in OPEN:
        return False
    if timer.clock == "response":
        return order["first_response_at"] is None
    return running(order, rule)


async def fire(context: JobContext, timers: list[Timer]) -> None:
    """Run due timers on one unit of work: their orders, rules and recipients read
    once for all of them, their changes written together."""
    unit = OrderUnit(SYSTEM, context.clock)
    await unit.load(timer.order_id for timer in timers)
    present = [timer for timer in timers if await unit.exists(timer.order_id)]
    found = await policies([await unit.order(t.order_id, scoped=False) for t in present])
    recipients = Recipients(context.settings.control_centre_team)
    for timer in present:
        rule = found[timer.order_id].rule
        order = await unit.order(timer.order_id, scoped=False)
        if rule is None or not _watching(order, timer, rule):
            continue
        breached = order[f"{timer.clock}_breached_at"] is not None
        people = [order["assignee"], *await recipients.dispatchers(order)]
        if timer.event == "warning" and not breached:
            _event(unit, order, "sla_warning", timer)
            notify(unit, people, "sla_warning", order, clock=timer.clock, due_at=timer.due_at)
            breach = Timer(timer.order_id, timer.clock, "breach", timer.due_at)
            schedule(unit, timer.due_at, breach)
        elif timer.event == "breach" and not breached:
            _breach(unit, order, timer, rule, people)
        elif timer.event == "alarm" and breached and order["alarm_count"] == timer.alarm - 1:
            await _alarm(unit, order, timer, rule, people, recipients)
    await unit.flush()


def _event(
    unit: OrderUnit,
    order: dict[str, Any],
    kind: str,
    timer: Timer,
    values: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    changes: dict[str, Any] = {"clock": timer.clock, "due_at": timer.due_at.isoformat()}
    if timer.alarm:
        changes["alarm"] = timer.alarm
    for column, value in (values or {}).items():
        changes[column] = [order[column], value]
    unit.change(order["id"], values or {}, kind, changes, None, note)


def _breach(
    unit: OrderUnit, order: dict[str, Any], timer: Timer, rule: Rule, people: list[UUID | None]
) -> None:
    now = unit.clock()
    _event(unit, order, "sla_breach", timer, {f"{timer.clock}_breached_at": now})
    unit.insert(
        SlaBreach,
        {
            "id": new_id(),
            "order": order["id"],
            "clock": timer.clock,
            "priority": order["priority"],
            "due_at": timer.due_at,
            "breached_at": now,
        },
    )
    notify(unit, people, "sla_breach", order, clock=timer.clock, due_at=timer.due_at)
    if timer.clock == "resolution" and rule.alarm_every_minutes > 0:
        _next_alarm(unit, timer, rule, 1)


def _next_alarm(unit: OrderUnit, timer: Timer, rule: Rule, alarm: int) -> None:
    fire_at = unit.clock() + timedelta(minutes=rule.alarm_every_minutes)
    schedule(unit, fire_at, Timer(timer.order_id, timer.clock, "alarm", timer.due_at, alarm))


async def _alarm(
    unit: OrderUnit,
    order: dict[str, Any],
    timer: Timer,
    rule: Rule,
    people: list[UUID | None],
    recipients: Recipients,
) -> None:
    _event(unit, order, "sla_alarm", timer, {"alarm_count": timer.alarm})
    notify(unit, people, "sla_alarm", order, alarm=timer.alarm, due_at=timer.due_at)
    if timer.alarm < rule.suspend_after_alarms:
        _next_alarm(unit, timer, rule, timer.alarm + 1)
        return
    order = await unit.order(order["id"], scoped=False)
    reason = f"overdue: suspended automatically after {timer.alarm} alarms"
    if order["status"] != "suspended":
        values = {"status": "suspended", "status_reason": reason, "resumes_to": order["status"]}
        _event(unit, order, "sla_escalated", timer, values, reason)
    notify(
        unit,
        await recipients.control_centre(),
        "sla_escalated",
        order,
        alarm=timer.alarm,
        due_at=timer.due_at,
    )


SLA_TIMER = JobKind(name=TIMER, payload=Timer, run=fire)
