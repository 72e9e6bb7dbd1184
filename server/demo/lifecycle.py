"""One demo order's story: the timeline events of its lifecycle and the fields they imply.

The path is new -> assigned -> accepted -> en_route -> on_site -> in_progress ->
resolved -> closed, with realistic gaps per priority. The story stops early when
the next step would lie in the future (so recent orders are the open ones), when
the order is cancelled or suspended, or, rarely, when it is left stalled.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from server.demo.organisation import Person, time_id
from server.demo.writer import Row
from server.workorders.documents import event_doc

# minutes from assignment to acceptance, per priority
RESPONSE_MINUTES = {
    "P1": (3, 20),
    "P2": (10, 60),
    "P3": (20, 240),
    "P4": (60, 600),
    "P5": (120, 1440),
}
SCHEDULED = ("planned", "preventive", "inspection")
CANCEL_WHEN_NEW, CANCEL_WHEN_ASSIGNED, SUSPEND, STALL = 0.03, 0.02, 0.07, 0.006
CANCEL_REASONS = [
    "Duplicate of an earlier order",
    "Requester withdrew the request",
    "Problem resolved itself",
    "Outside the service contract",
]
SUSPEND_REASONS = [
    "Waiting for spare parts",
    "Customer asked to come back later",
    "Access to the room not possible today",
    "Waiting for the vendor's engineer",
]
RESOLUTIONS = [
    "Fixed and tested with the customer.",
    "Replaced the faulty part; working normally.",
    "Adjusted settings; monitoring for a week.",
    "Cleaned and re-commissioned.",
    "已修复，客户确认正常。",
]


class Lifecycle:
    """Walks one order and appends its events to ``events``.

    Events look like the ones the work-order service writes: version n for the
    change that made the order version n, "created" with ``{"status": [null,
    "new"]}``, "assigned" with the assignee, team and status changes, "status"
    with ``{"status": [old, new]}`` and the reason as the note.
    """

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        order_id: uuid.UUID,
        created: datetime,
        events: list[Row],
    ) -> None:
        self.rng = rng
        self.now = now
        self.order_id = order_id
        self.at = created
        self.events = events
        self.count = 0
        self.status = "new"
        self.assignee: Person | None = None
        self.first_response_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.status_reason = ""

    def record(
        self, kind: str, actor: Person | None, changes: dict[str, Any], note: str = ""
    ) -> None:
        event = {
            "id": time_id(self.rng, self.at),
            "order": self.order_id,
            "version": self.count + 1,
            "kind": kind,
            "actor": actor.id if actor else None,
            "at": self.at,
            "device_time": None,
            "changes": changes,
            "note": note,
            "internal": False,
        }
        event["doc"] = event_doc(event, changes, actor.name if actor else None)
        self.events.append(event)
        self.count += 1

    def wait(self, low: float, high: float) -> bool:
        """Move the clock on by low..high minutes; False when the story ends here."""
        self.at += timedelta(minutes=self.rng.uniform(low, high))
        return self.at <= self.now and self.rng.random() >= STALL

    def move(
        self, to: str, actor: Person | None, note: str = "", kind: str = "status", **changes: Any
    ) -> None:
        self.record(kind, actor, {"status": [self.status, to], **changes}, note)
        self.status = to

    def cancel(self, actor: Person) -> None:
        if self.wait(10, 2 * 24 * 60):
            self.status_reason = self.rng.choice(CANCEL_REASONS)
            self.move("cancelled", actor, self.status_reason)

    def walk(
        self,
        *,
        kind: str,
        priority: str,
        manager: Person,
        requester: Person | None,
        choose_assignee: Callable[[], Person],
        team_of: Callable[[Person], uuid.UUID | None],
    ) -> None:
        rng = self.rng
        closer = requester or manager
        if rng.random() < CANCEL_WHEN_NEW:
            self.cancel(closer)
            return
        if not self.wait(1, 12 if priority == "P1" else 180):
            return
        self.assignee = assignee = choose_assignee()
        team = str(team_id) if (team_id := team_of(assignee)) else None
        self.move(
            "assigned",
            manager,
            kind="assigned",
            assignee=[None, str(assignee.id)],
            team=[None, team],
        )
        if rng.random() < CANCEL_WHEN_ASSIGNED:
            self.cancel(closer)
            return
        if not self.wait(*RESPONSE_MINUTES[priority]):
            return
        self.move("accepted", assignee)
        self.first_response_at = self.at
        for to, low, high in (
            ("en_route", 5, 2 * 24 * 60 if kind in SCHEDULED else 90),
            ("on_site", 15, 75),
            ("in_progress", 2, 15),
        ):
            if not self.wait(low, high):
                return
            self.move(to, assignee)
        if rng.random() < SUSPEND:
            if not self.wait(10, 90):
                return
            self.status_reason = rng.choice(SUSPEND_REASONS)
            self.move("suspended", assignee, self.status_reason)
            if not self.wait(120, 4 * 24 * 60):
                return
            self.move("in_progress", assignee)
            self.status_reason = ""
        if not self.wait(20, 240):
            return
        self.move("resolved", assignee, rng.choice(RESOLUTIONS))
        self.resolved_at = self.at
        if not self.wait(60, 3 * 24 * 60):
            return
        self.move("closed", closer)
        self.closed_at = self.at
