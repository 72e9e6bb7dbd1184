"""Orders written straight into the database in any status, for table-driven tests."""

from __future__ import annotations

import itertools
from typing import Any
from uuid import UUID, uuid4

from server.workorders.documents import order_doc
from server.workorders.tables import WorkOrder
from tests.world import World

_numbers = itertools.count(900_000)


async def save_order(**fields: Any) -> UUID:
    """An order row with its document, as the server would write it; the columns
    not given take their defaults (``id`` and ``number`` made up)."""
    order = WorkOrder(**{"id": uuid4(), "number": next(_numbers), "custom_fields": {}, **fields})
    order.doc = order_doc(order.to_dict())
    await order.save()
    return UUID(str(order.id))


async def put_order(
    world: World,
    status: str = "new",
    *,
    assignee: str | None = None,
    requester: str | None = "requester",
    department: str | None = "north",
    team: str | None = None,
    **fields: Any,
) -> UUID:
    return await save_order(
        kind=fields.pop("kind", "customer_request"),
        title=fields.pop("title", f"Order in {status}"),
        priority=fields.pop("priority", "P3"),
        status=status,
        assignee=world.id(assignee) if assignee else None,
        requester=world.id(requester) if requester else None,
        department=world.departments[department] if department else None,
        team=world.teams[team] if team else None,
        **{"created_at": world.clock(), "updated_at": world.clock(), **fields},
    )
