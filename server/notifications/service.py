"""The one way the product tells people something.

``notify`` records an in-app notification per recipient in the caller's unit of
work, so it exists exactly when the change it reports commits. Delivery over
other channels (Web Push, SMS, e-mail) hangs off the same call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from server.ids import new_id
from server.notifications.tables import Notification, PushDelivery
from server.workorders.documents import order_number
from server.workorders.unit import SEQ

if TYPE_CHECKING:
    from server.workorders.unit import OrderUnit


def notify(
    unit: OrderUnit,
    recipients: Iterable[UUID | None],
    kind: str,
    order: dict[str, Any] | None,
    **params: Any,
) -> None:
    """Tell each recipient (once, whatever the repeats; None skipped) about ``order``
    (None: about something else, all said in ``params``)."""
    now = unit.clock()
    details = params
    if order is not None:
        details = {"title": order["title"], **params}
        # An order made in this same unit has no number until it is written: readers
        # take it from the order then (texts.with_number).
        if order["number"] is not None:
            details["number"] = order_number(order["number"])
    encoded = msgspec.json.encode(details).decode()
    for user in dict.fromkeys(r for r in recipients if r is not None):
        notification_id = new_id()
        unit.insert(
            Notification,
            {
                "id": notification_id,
                "user": user,
                "kind": kind,
                "order": order["id"] if order is not None else None,
                "params": encoded,
                "created_at": now,
                "read_at": None,
                "sync_seq": SEQ,
            },
        )
        # Pushed to the user's devices by the outbox, after this commits.
        unit.insert(
            PushDelivery,
            {"id": new_id(), "notification": notification_id, "state": "pending", "next_at": now},
        )
