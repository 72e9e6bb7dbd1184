"""Demo work orders: their rows, timelines, comments and star/important flags.

Orders are spread over the last 180 days in number order, so numbers follow time.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.demo.catalogue import Catalogue
from server.demo.lifecycle import Lifecycle
from server.demo.organisation import Organisation, Person, time_id
from server.demo.places import Places
from server.demo.plans import Plan, Planner
from server.demo.sla import DemoSla
from server.demo.templates import filled_fields
from server.demo.writer import Row
from server.workorders.documents import order_doc
from server.workorders.unit import NEW_ORDER_DEFAULTS

HISTORY_DAYS = 180
KINDS = {
    "customer_request": 40,
    "service": 17,
    "preventive": 15,
    "inspection": 12,
    "planned": 10,
    "project": 6,
}
COMMENTS = {
    "requester": [
        "Any update on this?",
        "The problem is getting worse.",
        "Thanks, all good now.",
        "请问什么时候能来处理？",
        "Please come after lunch.",
    ],
    "technician": [
        "On my way, ETA 30 minutes.",
        "Need a replacement part, ordering it now.",
        "Checked the unit, will finish tomorrow morning.",
        "已到现场，正在检查。",
        "Photos of the damage attached on the phone.",
    ],
    "inspector": ["Round started.", "Two points could not be reached; noted in the checklist."],
    "manager": [
        "Raised the priority: VIP tenant.",
        "Please close this by Friday.",
        "Customer called again, please update them.",
        "已通知客户。",
    ],
}


@dataclass
class OrderRows:
    orders: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    comments: list[Row] = field(default_factory=list)
    flags: list[Row] = field(default_factory=list)
    breaches: list[Row] = field(default_factory=list)
    jobs: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.orders,
                self.events,
                self.comments,
                self.flags,
                self.breaches,
                self.jobs,
            )
        )


class OrderFactory:
    """Turns order numbers into order rows with their timelines, comments and flags."""

    def __init__(
        self,
        rng: random.Random,
        org: Organisation,
        places: Places,
        catalogue: Catalogue,
        templates: dict[str, Row],
        sla: DemoSla,
        now: datetime,
        total: int,
    ) -> None:
        self.rng = rng
        self.sla = sla
        self.org = org
        self.planner = Planner(rng, org, places, catalogue)
        self.templates = {name: template["id"] for name, template in templates.items()}
        self.now = now
        self.total = total
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.span = (now - timedelta(minutes=30) - self.start).total_seconds()
        self.inspectors = org.by_role("inspector")
        self.kinds, self.kind_weights = list(KINDS), list(KINDS.values())

    def chunk(self, first: int, count: int) -> OrderRows:
        rows = OrderRows()
        for number in range(first, first + count):
            self._order(number, rows)
        return rows

    def _team(self, person: Person) -> uuid.UUID | None:
        return self.org.team_ids[person.team] if person.team else None

    def _assignee(self, plan: Plan, kind: str) -> Person:
        pool = self.inspectors if kind == "inspection" else self.org.technicians(plan.department)
        skilled = [person for person in pool if plan.skill in person.skills]
        return self.rng.choice(skilled or pool)

    def _order(self, number: int, rows: OrderRows) -> None:
        rng = self.rng
        offset = self.span * (number - 1 + rng.random()) / self.total
        created = self.start + timedelta(seconds=offset)
        kind = rng.choices(self.kinds, self.kind_weights)[0]
        order_id = time_id(rng, created)
        plan = self.planner.plan(kind, order_id)
        manager = self.org.manager_of(plan.department)

        first_event = len(rows.events)
        life = Lifecycle(rng, self.now, order_id, created, rows.events)
        life.record("created", plan.created_by, {"status": [None, "new"]}, plan.note)
        life.walk(
            kind=kind,
            priority=plan.priority,
            manager=manager,
            requester=plan.requester,
            choose_assignee=lambda: self._assignee(plan, kind),
            team_of=self._team,
        )
        assignee = life.assignee
        custom_fields: dict[str, Any] = {}
        if plan.template is not None and life.resolved_at is not None:
            custom_fields = filled_fields(rng, plan.template, life.resolved_at)
        order = {
            "id": order_id,
            "number": number,
            "kind": kind,
            "title": plan.title,
            "description": plan.description,
            "priority": plan.priority,
            "status": life.status,
            "customer": plan.site["customer"] if plan.site else None,
            "requester": plan.requester.id if plan.requester else None,
            "site": plan.site["id"] if plan.site else None,
            "asset": plan.asset["id"] if plan.asset else None,
            "service_item": plan.service_item,
            "department": self.org.department_ids[plan.department],
            "team": self._team(assignee) if assignee else None,
            "assignee": assignee.id if assignee else None,
            "parent": plan.parent,
            "template": self.templates[plan.template] if plan.template else None,
            "custom_fields": custom_fields,
            "due_at": created + plan.due,
            # Project tasks are planned from their creation to their due time.
            "planned_start_at": created if kind == "project" else None,
            "planned_end_at": created + plan.due if kind == "project" else None,
            "first_response_at": life.first_response_at,
            "resolved_at": life.resolved_at,
            "closed_at": life.closed_at,
            "status_reason": life.status_reason,
            "created_by": plan.created_by.id if plan.created_by else None,
            "created_at": created,
            "updated_at": rows.events[-1]["at"],
            "version": life.count,
            "needs_review": False,
            **NEW_ORDER_DEFAULTS,
        }
        clocks = self.sla.keep(order, rows.events[first_event:])
        rows.breaches += clocks.breaches
        rows.jobs += clocks.jobs
        order["doc"] = order_doc(order)
        rows.orders.append(order)
        people = [p for p in (manager, plan.requester, assignee) if p is not None]
        self._comments(order_id, people, created, rows.events[-1]["at"], rows)
        self._flags(order_id, people, plan.priority, created, rows)

    def _comments(
        self,
        order_id: uuid.UUID,
        people: list[Person],
        created: datetime,
        last: datetime,
        rows: OrderRows,
    ) -> None:
        rng = self.rng
        if rng.random() >= 0.3:
            return
        window = max((min(last + timedelta(hours=2), self.now) - created).total_seconds(), 60)
        for _ in range(rng.randint(1, 3)):
            author = rng.choice(people)
            at = created + timedelta(seconds=rng.uniform(30, window))
            offline = author.role in ("technician", "inspector")
            rows.comments.append(
                {
                    "id": time_id(rng, at),
                    "order": order_id,
                    "author": author.id,
                    "body": rng.choice(COMMENTS[author.role]),
                    "created_at": at,
                    "device_time": at - timedelta(seconds=rng.randrange(1, 90))
                    if offline
                    else None,
                }
            )

    def _flags(
        self,
        order_id: uuid.UUID,
        people: list[Person],
        priority: str,
        at: datetime,
        rows: OrderRows,
    ) -> None:
        """Star and important marks, at most one row per (user, order)."""
        rng = self.rng
        if rng.random() >= 0.08:
            return
        for person in rng.sample(people, k=rng.randint(1, len(people))):
            important = priority in ("P1", "P2") and rng.random() < 0.6
            rows.flags.append(
                {
                    "id": time_id(rng, at),
                    "user": person.id,
                    "order": order_id,
                    "starred": not important or rng.random() < 0.5,
                    "important": important,
                }
            )
