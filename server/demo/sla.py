"""The demo's SLA: a global default rule, a tighter rule and office hours for the first
customer group, and each order's clocks as the server would have kept them.

An order's due times come from replaying its status history through the server's
own SLA code (server/sla/tracking.py); targets it missed are marked breached at
their due time; open orders get the timers the server would have scheduled (one
already overdue, its first overdue alarm).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.demo.organisation import new_id
from server.demo.places import Places
from server.demo.writer import Row
from server.scheduler.kinds import job_row
from server.sla.calendar import ALWAYS, Calendar
from server.sla.policy import (
    Policy,
    Rule,
    choose_rule,
    covered,
    pair_key,
    rule_of,
    working_time,
)
from server.sla.tracking import TIMER, Timer, running, sla_values, timer_key, timers
from server.workorders.lifecycle import OPEN

# Minutes per priority P1..P5: (response, resolution).
DEFAULT_TARGETS = ([60, 120, 240, 480, 1440], [240, 480, 1440, 4320, 10080])
KEY_ACCOUNT_TARGETS = ([30, 60, 120, 240, 480], [120, 240, 480, 1440, 4320])
OFFICE = [["08:30", "12:00"], ["13:00", "17:30"]]
HOLIDAYS = ["2026-10-01", "2026-10-02", "2026-10-05", "2027-01-01"]


def _rule(rng: random.Random, group: Any, targets: tuple[list[int], list[int]]) -> Row:
    return {
        "id": new_id(rng),
        "customer_group": group,
        "service_item": None,
        "pair": pair_key(group, None),
        "response_minutes": targets[0],
        "resolution_minutes": targets[1],
        "pause_when_suspended": True,
        "warn_at_percent": 75,
        "alarm_every_minutes": 60,
        "suspend_after_alarms": 5,
    }


@dataclass
class OrderClocks:
    breaches: list[Row]
    jobs: list[Row]


class DemoSla:
    def __init__(self, rng: random.Random, places: Places, now: datetime) -> None:
        key_accounts = places.groups[0]["id"]
        self.rng = rng
        self.now = now
        self.rules = [
            _rule(rng, None, DEFAULT_TARGETS),
            _rule(rng, key_accounts, KEY_ACCOUNT_TARGETS),
        ]
        self.calendars = [
            {
                "id": new_id(rng),
                "customer_group": key_accounts,
                "timezone": "Asia/Shanghai",
                "week": [OFFICE] * 5 + [[], []],
                "holidays": HOLIDAYS,
            }
        ]
        self._rules: dict[str, Rule] = {row["pair"]: rule_of(row) for row in self.rules}
        self._calendars: dict[Any, Calendar] = {
            row["customer_group"]: working_time(row) for row in self.calendars
        }
        self._group_of = {c["id"]: c["group"] for c in places.customers}

    def policy(self, order: Row) -> Policy:
        group = self._group_of.get(order["customer"])
        rule = choose_rule(self._rules, group, order["service_item"]) if covered(order) else None
        return Policy(rule, self._calendars.get(group, ALWAYS))

    def keep(self, order: Row, events: list[Row]) -> OrderClocks:
        """Set the order's SLA columns from its history (``events``); the breach
        records and jobs that go with them."""
        policy = self.policy(order)
        row = {**order, "status": "new", "first_response_at": None}
        for event in events:
            status = event["changes"].get("status")
            after = {**row, "status": status[1] if status else row["status"]}
            if event["kind"] == "created":
                row.update(sla_values(None, after, policy, event["at"]))
            elif status:
                row.update(sla_values(row, after, policy, event["at"]))
            row["status"] = after["status"]
        row["first_response_at"] = order["first_response_at"]
        clocks = OrderClocks(breaches=[], jobs=[])
        if policy.rule is None:
            order.update(row)
            return clocks
        stops = {
            "response": row["first_response_at"],
            "resolution": row["sla_paused_at"],
        }
        for clock, stop in stops.items():
            due = row[f"{clock}_due_at"]
            if due is not None and due < (stop or self.now):
                row[f"{clock}_breached_at"] = due
                clocks.breaches.append(
                    {
                        "id": new_id(self.rng),
                        "order": order["id"],
                        "clock": clock,
                        "priority": order["priority"],
                        "due_at": due,
                        "breached_at": due,
                    }
                )
        order.update(row)
        if order["status"] not in OPEN:
            return clocks
        scheduled = timers(order, policy, self.now)
        breached = order["resolution_breached_at"]
        if breached is not None and running(order, policy.rule):
            alarm = Timer(order["id"], "resolution", "alarm", order["resolution_due_at"], 1)
            first = self.now + timedelta(minutes=policy.rule.alarm_every_minutes)
            scheduled.append((first, alarm))
        for fire_at, timer in scheduled:
            job = job_row(TIMER, timer_key(timer), fire_at, timer, self.now)
            clocks.jobs.append({**job, "id": new_id(self.rng)})  # the same seed, the same rows
        return clocks
