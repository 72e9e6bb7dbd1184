"""The requester's rating of finished work (1-5, with a comment), once per order.

A low rating (1 or 2) raises the order's review flag with the rating as its note and
tells the dispatchers, so a manager follows up with the customer.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from server.errors import Conflict, Forbidden
from server.notifications.recipients import Recipients
from server.notifications.service import notify
from server.workorders.unit import OrderUnit

RATEABLE = frozenset(["resolved", "closed"])
LOW = 2


async def rate(
    unit: OrderUnit, order_id: UUID, score: int, comment: str, device_time: datetime | None
) -> None:
    order = await unit.order(order_id)
    if order["requester"] != unit.actor.user_id:
        raise Forbidden("only the order's requester rates it", code="rating_forbidden")
    if order["status"] not in RATEABLE:
        raise Conflict(
            f"an order that is {order['status']} cannot be rated yet",
            {"status": order["status"]},
            code="not_finished",
        )
    if order["rating"] is not None:
        raise Conflict(
            "this order is rated already",
            {"rating": order["rating"]},
            code="already_rated",
        )
    values = {"rating": score, "rating_comment": comment, "rated_at": unit.clock()}
    low = score <= LOW
    if low:
        values["needs_review"] = True
    changes = {"rating": [None, score]}
    if low and not order["needs_review"]:
        changes["needs_review"] = [False, True]
    unit.change(order_id, values, "rated", changes, device_time, comment)
    if low:
        order = await unit.order(order_id)
        notify(unit, await Recipients().dispatchers(order), "rated_low", order, score=score)
