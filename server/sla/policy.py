"""Which SLA rule and business calendar govern an order.

The rule of the order's (customer group, service item) pair wins; then the
group's rule for any item, then any group's rule for the item, then the global
default. An order that matches none has no targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from server.database import fetch, json_column
from server.masterdata.tables import Customer
from server.sla.calendar import ALWAYS, Calendar, WorkingTime
from server.sla.tables import BusinessCalendar, SlaRule
from server.sql import one_of

ANY = "*"
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
# Reactive work has SLA clocks; planned, preventive, inspection and project orders
# keep to their own due dates.
SLA_KINDS = frozenset(["customer_request", "service"])


def pair_key(group: UUID | None, item: UUID | None) -> str:
    return f"{group or ANY}/{item or ANY}"


@dataclass(frozen=True)
class Rule:
    response_minutes: tuple[int, ...]
    resolution_minutes: tuple[int, ...]
    pause_when_suspended: bool
    warn_at_percent: int
    alarm_every_minutes: int
    suspend_after_alarms: int

    def minutes(self, clock: str, priority: str) -> int:
        targets = self.response_minutes if clock == "response" else self.resolution_minutes
        return targets[PRIORITIES.index(priority)]


@dataclass(frozen=True)
class Policy:
    rule: Rule | None
    calendar: Calendar


def rule_of(row: dict[str, Any]) -> Rule:
    return Rule(
        response_minutes=tuple(json_column(row["response_minutes"])),
        resolution_minutes=tuple(json_column(row["resolution_minutes"])),
        pause_when_suspended=bool(row["pause_when_suspended"]),
        warn_at_percent=int(row["warn_at_percent"]),
        alarm_every_minutes=int(row["alarm_every_minutes"]),
        suspend_after_alarms=int(row["suspend_after_alarms"]),
    )


def _clock_time(text: str) -> time:
    # "24:00" ends a day at midnight, which WorkingTime writes as time(0).
    return time(0) if text == "24:00" else time.fromisoformat(text)


def working_time(row: dict[str, Any]) -> WorkingTime:
    week = tuple(
        tuple((_clock_time(a), _clock_time(b)) for a, b in day) for day in json_column(row["week"])
    )
    holidays = frozenset(date.fromisoformat(d) for d in json_column(row["holidays"]))
    return WorkingTime(zone=ZoneInfo(row["timezone"]), week=week, holidays=holidays)


async def policies(orders: Iterable[dict[str, Any]]) -> dict[UUID, Policy]:
    """The policy of each order (rows with ``customer`` and ``service_item``), in
    three reads whatever their number."""
    orders = list(orders)
    if not any(covered(order) for order in orders):
        return {order["id"]: Policy(None, ALWAYS) for order in orders}
    customers = {o["customer"] for o in orders if o["customer"] is not None}
    group_of: dict[Any, Any] = {}
    if customers:
        rows = await Customer.select(Customer.id, Customer.group).where(
            Customer.id.is_in(list(customers))
        )
        group_of = {str(row["id"]): row["group"] for row in rows}
    groups = {str(g) for g in group_of.values() if g is not None}
    wanted = {pair_key(None, None)}
    for order in orders:
        group = group_of.get(str(order["customer"]))
        for g in (group, None):
            for i in (order["service_item"], None):
                wanted.add(pair_key(g, i))
    # By hand, not through piccolo's query builder: a sync push that creates orders
    # reads this once, and the builder cost more than the read.
    condition = one_of("pair", sorted(wanted))
    rows = await fetch(
        SlaRule._meta.db, f"SELECT * FROM sla_rule WHERE {condition.text}", condition.args
    )
    rules = {row["pair"]: rule_of(row) for row in rows}
    calendars: dict[str, Calendar] = {}
    if groups:
        rows = await BusinessCalendar.select().where(
            BusinessCalendar.customer_group.is_in(list(groups))
        )
        calendars = {str(row["customer_group"]): working_time(row) for row in rows}
    found = {}
    for order in orders:
        group = group_of.get(str(order["customer"]))
        rule = choose_rule(rules, group, order["service_item"]) if covered(order) else None
        found[order["id"]] = Policy(rule, calendars.get(str(group), ALWAYS) if group else ALWAYS)
    return found


def covered(order: dict[str, Any]) -> bool:
    """Whether SLA rules apply to the order at all."""
    return order["kind"] in SLA_KINDS


def choose_rule(rules: dict[str, Rule], group: Any, item: Any) -> Rule | None:
    """The most specific of ``rules`` (by pair key) for a group and item."""
    for key in (
        pair_key(group, item),
        pair_key(group, None),
        pair_key(None, item),
        pair_key(None, None),
    ):
        if key in rules:
            return rules[key]
    return None
