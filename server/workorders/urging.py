"""Urging (催单): a requester presses for progress on an open order.

Each urge counts on the order, is a timeline event, and tells the assignee and the
dispatchers. A requester may urge an order once per interval; optionally every
N-th urge raises the priority one level, which moves its SLA due times.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.errors import Conflict, Forbidden, TooSoon
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.settings import Settings
from server.workorders.lifecycle import OPEN
from server.workorders.unit import OrderUnit


class UrgeRules(msgspec.Struct, frozen=True):
    interval_minutes: int = 30
    # Every this many urges raise the priority a level; 0: never.
    raise_after: int = 0

    @classmethod
    def of(cls, settings: Settings) -> UrgeRules:
        return cls(settings.urge_interval_minutes, settings.urge_raises_priority_after)


async def urge(
    unit: OrderUnit, order_id: UUID, rules: UrgeRules, note: str, device_time: datetime | None
) -> None:
    order = await unit.order(order_id)
    actor = unit.actor
    if not (actor.can_manage or (actor.is_requester and order["requester"] == actor.user_id)):
        raise Forbidden(
            "only the order's requester, or a manager for them, may urge it", code="urge_forbidden"
        )
    if order["status"] not in OPEN:
        raise Conflict(
            f"an order that is {order['status']} cannot be urged",
            {"status": order["status"]},
            code="not_open",
        )
    now = unit.clock()
    last = order["last_urged_at"]
    if last is not None and now < last + timedelta(minutes=rules.interval_minutes):
        allowed = last + timedelta(minutes=rules.interval_minutes)
        raise TooSoon(
            f"urged already at {last.isoformat()}; urge again from {allowed.isoformat()}",
            {"last_urged_at": last.isoformat(), "next_allowed_at": allowed.isoformat()},
            code="urge_too_soon",
            retry_after=math.ceil((allowed - now).total_seconds()),
        )
    count = order["urge_count"] + 1
    values: dict[str, Any] = {"urge_count": count, "last_urged_at": now}
    changes: dict[str, Any] = {"urge_count": [count - 1, count]}
    if rules.raise_after and count % rules.raise_after == 0 and order["priority"] != "P1":
        raised = f"P{int(order['priority'][1]) - 1}"
        values["priority"] = raised
        changes["priority"] = [order["priority"], raised]
    unit.change(order_id, values, "urged", changes, device_time, note)
    people = [order["assignee"], *await Recipients().dispatchers(order)]
    notify(unit, people, "urged", order, count=count)
