"""Which order changes become webhook events, and their deliveries.

A unit of work runs ``publish`` as it flushes, after the orders are written (a new
order has its number by then): the timeline events it is about to write are
matched against the active subscriptions, and each match becomes a delivery row in
the same transaction, for the webhook outbox to send. A change that commits is told;
one that rolls back never is. With no timeline events the hook reads nothing; with
some, it reads the subscriptions once (nothing is cached across processes, so a new
subscription counts at once everywhere).

The payload is fixed when the event happens: ``{id, type, created_at, data}``, with
``data.order`` the order as the unit of work left it (the API's WorkOrder) and
``data.event`` the timeline event (the API's TimelineEvent: changes, actor, note).
The id is derived from the timeline event and the type, so every subscription and
every redelivery of one event carries the same id: receivers drop repeats by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID, uuid5

import msgspec

from server.database import fetch, json_column
from server.ids import new_id
from server.integrations.tables import WebhookDelivery
from server.workorders.documents import order_doc
from server.workorders.tables import TimelineEvent

if TYPE_CHECKING:
    from server.workorders.unit import OrderUnit

EventType = Literal[
    "order.created", "order.status_changed", "order.assigned", "order.breached", "order.rated"
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
# Timeline event kinds that are events of their own; any change of status is also
# order.status_changed (an order made with an assignee is assigned at once).
KIND_TYPES = {
    "created": "order.created",
    "assigned": "order.assigned",
    "transferred": "order.assigned",
    "sla_breach": "order.breached",
    "rated": "order.rated",
}
SUBSCRIPTIONS_SQL = "SELECT id, events FROM webhook_subscription WHERE active = {}"


def event_types(kind: str, changes: dict[str, Any]) -> list[str]:
    """The webhook event types a timeline event of ``kind`` with ``changes`` is."""
    found = [KIND_TYPES[kind]] if kind in KIND_TYPES else []
    status = changes.get("status")
    moved = isinstance(status, list) and len(status) == 2 and status[0] != status[1]
    if moved and kind != "created":
        found.append("order.status_changed")
    return found


def payload(event: dict[str, Any], event_type: str, order: dict[str, Any]) -> tuple[UUID, str]:
    """The event's id and its JSON body."""
    event_id = uuid5(event["id"], event_type)
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": event["at"],
        "data": {"order": msgspec.Raw(order_doc(order)), "event": msgspec.Raw(event["doc"])},
    }
    return event_id, msgspec.json.encode(body).decode()


async def publish(unit: OrderUnit) -> None:
    events = unit.pending(TimelineEvent)
    if not events:
        return
    rows = await fetch(unit.engine, SUBSCRIPTIONS_SQL, [True])
    if not rows:
        return
    wanted = {UUID(str(row["id"])): set(json_column(row["events"])) for row in rows}
    now = unit.clock()
    for event in events:
        for event_type in event_types(event["kind"], json_column(event["changes"])):
            targets = [sid for sid, types in wanted.items() if event_type in types]
            if not targets:
                continue
            order = await unit.order(event["order"], scoped=False)
            event_id, body = payload(event, event_type, order)
            for subscription in targets:
                unit.insert(
                    WebhookDelivery,
                    {
                        "id": new_id(),
                        "subscription": subscription,
                        "event_id": event_id,
                        "event_type": event_type,
                        "order": event["order"],
                        "payload": body,
                        "state": "pending",
                        "attempts": 0,
                        "next_at": now,
                        "log": "[]",
                        "created_at": now,
                    },
                )
